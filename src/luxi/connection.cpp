#include "luxi/connection.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>

#include "luxi/error.h"
#include "luxi/protocol.h"

namespace rapid::luxi {

namespace asio = boost::asio;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

namespace {

// Back-off between connect attempts while luxid's backlog is full.
constexpr std::chrono::milliseconds kFirstConnectRetry{1};
constexpr std::chrono::milliseconds kLastConnectRetry{50};

// Cancels the socket's operations when the deadline passes. Runs on the
// calling coroutine's executor, so it never races with the exchange.
class Watchdog {
 public:
  Watchdog(asio::any_io_executor executor, asio::local::stream_protocol::socket& socket,
           Clock::time_point deadline)
      : state_(std::make_shared<State>(std::move(executor))) {
    state_->timer.expires_at(deadline);
    state_->timer.async_wait([state = state_, &socket](boost::system::error_code ec) {
      if (ec || state->finished) return;
      state->fired = true;
      boost::system::error_code ignored;
      socket.cancel(ignored);
    });
  }
  ~Watchdog() {
    state_->finished = true;
    state_->timer.cancel();
  }
  bool fired() const { return state_->fired; }

 private:
  struct State {
    explicit State(asio::any_io_executor ex) : timer(std::move(ex)) {}
    asio::steady_timer timer;
    bool finished = false;
    bool fired = false;
  };
  std::shared_ptr<State> state_;
};

}  // namespace

Connection::Connection(asio::any_io_executor executor) : socket_(std::move(executor)) {}

// One non-blocking connect(2). Not Asio's async_connect: it takes EAGAIN
// (luxid's listen backlog is full) for "in progress", reports success once
// the unconnected socket is writable, and the first send then fails with
// ENOTCONN on a connection that never was.
boost::system::error_code Connection::try_connect(
    const asio::local::stream_protocol::endpoint& endpoint) {
  boost::system::error_code ec;
  if (socket_.is_open()) socket_.close(ec);
  socket_.open(endpoint.protocol(), ec);
  if (!ec) socket_.non_blocking(true, ec);
  if (ec) return ec;
  if (::connect(socket_.native_handle(), endpoint.data(), endpoint.size()) == 0) return {};
  return {errno, boost::system::system_category()};
}

// Whether the socket has a peer: the only proof that a connect finished.
bool Connection::connected() {
  sockaddr_storage peer{};
  socklen_t length = sizeof peer;
  return ::getpeername(socket_.native_handle(), reinterpret_cast<sockaddr*>(&peer), &length) == 0;
}

asio::awaitable<void> Connection::connect(const std::string& path, Clock::time_point deadline) {
  const asio::local::stream_protocol::endpoint endpoint(path);
  asio::steady_timer backoff(co_await asio::this_coro::executor);
  auto delay = kFirstConnectRetry;
  while (true) {
    boost::system::error_code ec = try_connect(endpoint);
    if (ec == asio::error::in_progress) {
      // Not seen on Linux for AF_UNIX, but allowed by POSIX: wait until the
      // socket is writable, then ask whether it really has a peer.
      Watchdog watchdog(co_await asio::this_coro::executor, socket_, deadline);
      std::tie(ec) = co_await socket_.async_wait(asio::socket_base::wait_write, kTuple);
      if (ec && watchdog.fired()) throw Error(ErrorKind::timeout, "Connect timed out");
      if (!ec) {
        int error = 0;
        socklen_t length = sizeof error;
        ::getsockopt(socket_.native_handle(), SOL_SOCKET, SO_ERROR, &error, &length);
        ec = error ? boost::system::error_code(error, boost::system::system_category())
                   : boost::system::error_code();
        if (!ec && !connected()) ec = asio::error::try_again;
      }
    }
    if (!ec) co_return;
    boost::system::error_code ignored;
    socket_.close(ignored);
    if (ec.value() == ENOENT || ec == asio::error::connection_refused) {
      throw Error(ErrorKind::no_master, path);
    }
    if (ec == asio::error::access_denied || ec.value() == EPERM) {
      throw Error(ErrorKind::permission_denied, path);
    }
    if (ec == asio::error::try_again || ec == asio::error::would_block) {
      // luxid's listen backlog is full: it is busy, not gone. Wait and try
      // again until the call's deadline.
      if (Clock::now() + delay >= deadline) throw Error(ErrorKind::timeout, "Connect timed out");
      backoff.expires_after(delay);
      co_await backoff.async_wait(kTuple);
      delay = std::min(delay * 2, kLastConnectRetry);
      continue;
    }
    throw Error(ErrorKind::connection_lost, "Cannot connect to " + path + ": " + ec.message());
  }
}

asio::awaitable<std::string> Connection::exchange(const std::string& request,
                                                  Clock::time_point deadline,
                                                  std::size_t max_reply_bytes,
                                                  std::size_t& bytes_written) {
  Watchdog watchdog(co_await asio::this_coro::executor, socket_, deadline);
  bytes_written = 0;
  auto [write_ec, written] = co_await asio::async_write(socket_, asio::buffer(request), kTuple);
  bytes_written = written;
  if (write_ec) {
    if (watchdog.fired()) throw Error(ErrorKind::timeout, "Sending timed out");
    throw Error(ErrorKind::connection_lost, "Error while sending request: " + write_ec.message());
  }
  std::array<char, 64 * 1024> chunk;
  std::size_t scanned = 0;
  while (true) {
    const auto end = buffer_.find(kEndOfMessage, scanned);
    if (end != std::string::npos) {
      // A whole message may arrive in one read: the limit applies to it too.
      if (end > max_reply_bytes) {
        throw Error(ErrorKind::protocol,
                    "Response larger than " + std::to_string(max_reply_bytes) + " bytes");
      }
      // The usual case, a reply that ends the buffer, is moved out rather
      // than copied, and a pooled connection keeps no reply-sized buffer.
      if (end + 1 == buffer_.size()) {
        buffer_.pop_back();
        std::string reply = std::move(buffer_);
        buffer_ = std::string();
        co_return reply;
      }
      std::string reply = buffer_.substr(0, end);
      buffer_.erase(0, end + 1);
      co_return reply;
    }
    scanned = buffer_.size();
    if (buffer_.size() > max_reply_bytes) {
      throw Error(ErrorKind::protocol,
                  "Response larger than " + std::to_string(max_reply_bytes) + " bytes");
    }
    auto [ec, n] = co_await socket_.async_read_some(asio::buffer(chunk), kTuple);
    if (ec) {
      if (watchdog.fired()) throw Error(ErrorKind::timeout, "Extended receive timeout");
      if (ec == asio::error::eof)
        throw Error(ErrorKind::connection_lost, "Connection closed while reading");
      throw Error(ErrorKind::connection_lost, "Error while receiving: " + ec.message());
    }
    buffer_.append(chunk.data(), n);
  }
}

bool Connection::usable_after_idle() {
  if (!socket_.is_open() || !buffer_.empty()) return false;
  char probe;
  const ssize_t n = ::recv(socket_.native_handle(), &probe, 1, MSG_PEEK | MSG_DONTWAIT);
  // Nothing to read is the only healthy state: EOF or stray data mean the
  // connection is gone or out of step.
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace rapid::luxi
