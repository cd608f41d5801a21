// http::TlsStream on its own: a server side on a real socket against a
// blocking OpenSSL client (writes that outrun a slow reader, deadlines,
// cancellation, the ways a client can close).
#include "http/tls_stream.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <string>
#include <thread>

#include "http/tls_context.h"
#include "support/http_client.h"

namespace rapid::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::beast::error_code;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

using ServerSide = std::function<asio::awaitable<void>(TlsStream&)>;

// Accepts one connection on a strand and runs `side` on it; the test's
// thread is the client.
class OneConnectionServer {
 public:
  explicit OneConnectionServer(ServerSide side)
      : context_(make_context()), acceptor_(io_, tcp::endpoint(tcp::v4(), 0)) {
    asio::co_spawn(asio::make_strand(io_), serve(std::move(side)), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~OneConnectionServer() {
    io_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  // Block until the connection is accepted (its stream made), until `side` has ended.
  void wait_started() { started_.get_future().wait(); }
  void wait_done() { done_.get_future().wait(); }
  void cancel() {
    asio::post(stream_executor_, [this] { stream_->cancel(); });
  }

 private:
  static asio::ssl::context make_context() {
    const std::string pem = testing::make_test_certificate(testing::make_temp_dir());
    TlsConfig config;
    config.key_file = pem;
    config.cert_file = pem;
    return make_tls_context(config);
  }

  asio::awaitable<void> serve(ServerSide side) {
    const auto executor = co_await asio::this_coro::executor;
    auto [ec, socket] = co_await acceptor_.async_accept(executor, kTuple);
    if (!ec) {
      TlsStream stream(std::move(socket), context_);
      stream_ = &stream;
      stream_executor_ = executor;
      started_.set_value();
      co_await side(stream);
    }
    done_.set_value();
  }

  asio::io_context io_;
  asio::ssl::context context_;
  tcp::acceptor acceptor_;
  TlsStream* stream_ = nullptr;
  asio::any_io_executor stream_executor_;
  std::promise<void> started_;
  std::promise<void> done_;
  std::thread thread_;
};

// A blocking client.
class Client {
 public:
  explicit Client(std::uint16_t port) : fd_(testing::connect_loopback(port)) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
  }
  ~Client() {
    SSL_free(ssl_);
    SSL_CTX_free(ctx_);
    if (fd_ >= 0) ::close(fd_);
  }
  bool handshake() { return fd_ >= 0 && SSL_connect(ssl_) == 1; }
  int read(char* buffer, int size) { return SSL_read(ssl_, buffer, size); }
  bool write(const std::string& data) {
    return SSL_write(ssl_, data.data(), static_cast<int>(data.size())) ==
           static_cast<int>(data.size());
  }
  void send_close_notify() { SSL_shutdown(ssl_); }
  // Ends the TCP stream (FIN). Not close(2): with the server's TLS 1.3
  // session tickets still unread, that sends a RST, which can overtake the
  // data written before it (the test flaked so under load).
  void close_tcp() { ::shutdown(fd_, SHUT_WR); }

 private:
  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
};

std::string pattern(std::size_t size) {
  std::string data(size, '\0');
  for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<char>('a' + i % 23);
  return data;
}

TEST(TlsStream, LargeWriteToASlowReaderArrivesWhole) {
  const std::string payload = pattern(6 * 1024 * 1024);
  error_code write_ec = asio::error::would_block;
  std::size_t written = 0;
  OneConnectionServer server([&](TlsStream& stream) -> asio::awaitable<void> {
    stream.expires_after(std::chrono::seconds(30));
    auto [hs_ec] = co_await stream.async_handshake(kTuple);
    if (hs_ec) co_return;
    auto [ec, n] = co_await asio::async_write(stream, asio::buffer(payload), kTuple);
    write_ec = ec;
    written = n;
    co_await stream.async_shutdown(kTuple);
    stream.close();
  });
  Client client(server.port());
  ASSERT_TRUE(client.handshake());
  std::string received;
  char buffer[16 * 1024];
  for (int reads = 0;; ++reads) {
    if (reads % 32 == 31) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const int n = client.read(buffer, sizeof buffer);
    if (n <= 0) break;
    received.append(buffer, static_cast<std::size_t>(n));
  }
  client.send_close_notify();
  server.wait_done();
  EXPECT_FALSE(write_ec) << write_ec.message();
  EXPECT_EQ(written, payload.size());
  EXPECT_TRUE(received == payload) << received.size() << " bytes of " << payload.size();
}

// Handshakes, sets the deadline(s), reads once from a client that says
// nothing after its handshake: the read's error.
error_code read_from_a_silent_client(const std::function<void(TlsStream&)>& set_deadline) {
  error_code read_ec;
  OneConnectionServer server([&](TlsStream& stream) -> asio::awaitable<void> {
    auto [hs_ec] = co_await stream.async_handshake(kTuple);
    if (hs_ec) co_return;
    set_deadline(stream);
    char buffer[64];
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(buffer), kTuple);
    read_ec = ec;
  });
  Client client(server.port());
  if (!client.handshake()) {
    ADD_FAILURE() << "the client's handshake failed";
    return read_ec;
  }
  server.wait_done();
  return read_ec;
}

TEST(TlsStream, ReadPastItsDeadlineTimesOut) {
  const error_code ec = read_from_a_silent_client(
      [](TlsStream& stream) { stream.expires_after(std::chrono::milliseconds(200)); });
  EXPECT_EQ(ec, boost::beast::error::timeout) << ec.message();
}

// The deadline moves without a new timer wait while one is pending
// (TlsStream::arm_deadline): moved later, the pending wait ends early and
// waits again; moved earlier, it is replaced; cleared, it finds none.
asio::awaitable<void> pause(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  co_await timer.async_wait(kTuple);
}

TEST(TlsStream, ADeadlineMovedLaterHoldsUntilItsNewTime) {
  error_code read_ec;
  std::chrono::steady_clock::duration waited{};
  OneConnectionServer server([&](TlsStream& stream) -> asio::awaitable<void> {
    auto [hs_ec] = co_await stream.async_handshake(kTuple);
    if (hs_ec) co_return;
    stream.expires_after(std::chrono::milliseconds(100));
    co_await pause(std::chrono::milliseconds(50));
    const auto moved = std::chrono::steady_clock::now();
    stream.expires_after(std::chrono::milliseconds(400));
    char buffer[64];
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(buffer), kTuple);
    read_ec = ec;
    waited = std::chrono::steady_clock::now() - moved;
  });
  Client client(server.port());
  ASSERT_TRUE(client.handshake());
  server.wait_done();
  EXPECT_EQ(read_ec, boost::beast::error::timeout) << read_ec.message();
  EXPECT_GE(waited, std::chrono::milliseconds(390));
}

TEST(TlsStream, ADeadlineMovedEarlierTakesEffect) {
  // (The test ends within 60 s only if the earlier deadline holds.)
  const error_code ec = read_from_a_silent_client([](TlsStream& stream) {
    stream.expires_after(std::chrono::seconds(60));
    stream.expires_after(std::chrono::milliseconds(100));
  });
  EXPECT_EQ(ec, boost::beast::error::timeout) << ec.message();
}

TEST(TlsStream, NoDeadlineAfterExpiresNever) {
  error_code read_ec;
  std::size_t read = 0;
  OneConnectionServer server([&](TlsStream& stream) -> asio::awaitable<void> {
    auto [hs_ec] = co_await stream.async_handshake(kTuple);
    if (hs_ec) co_return;
    stream.expires_after(std::chrono::milliseconds(100));
    stream.expires_never();
    char buffer[64];
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(buffer), kTuple);
    read_ec = ec;
    read = n;
  });
  Client client(server.port());
  ASSERT_TRUE(client.handshake());
  std::this_thread::sleep_for(std::chrono::milliseconds(400));  // past the cleared deadline
  ASSERT_TRUE(client.write("late"));
  server.wait_done();
  EXPECT_FALSE(read_ec) << read_ec.message();
  EXPECT_EQ(read, 4u);
}

TEST(TlsStream, HandshakePastItsDeadlineTimesOut) {
  error_code handshake_ec;
  OneConnectionServer server([&](TlsStream& stream) -> asio::awaitable<void> {
    stream.expires_after(std::chrono::milliseconds(200));
    auto [ec] = co_await stream.async_handshake(kTuple);
    handshake_ec = ec;
  });
  Client client(server.port());  // connects, never says hello
  server.wait_done();
  EXPECT_EQ(handshake_ec, boost::beast::error::timeout) << handshake_ec.message();
}

TEST(TlsStream, CancelEndsAPendingRead) {
  error_code read_ec;
  OneConnectionServer server([&](TlsStream& stream) -> asio::awaitable<void> {
    auto [hs_ec] = co_await stream.async_handshake(kTuple);
    if (hs_ec) co_return;
    char buffer[64];
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(buffer), kTuple);
    read_ec = ec;
  });
  Client client(server.port());
  ASSERT_TRUE(client.handshake());
  server.wait_started();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  server.cancel();
  server.wait_done();
  EXPECT_EQ(read_ec, asio::error::operation_aborted) << read_ec.message();
}

// Reads what the client sent, then reports how the connection ended.
void check_close(bool close_notify, const error_code& expected) {
  std::string data;
  error_code end_ec;
  OneConnectionServer server([&](TlsStream& stream) -> asio::awaitable<void> {
    auto [hs_ec] = co_await stream.async_handshake(kTuple);
    if (hs_ec) co_return;
    char buffer[64];
    while (true) {
      auto [ec, n] = co_await stream.async_read_some(asio::buffer(buffer), kTuple);
      if (ec) {
        end_ec = ec;
        co_return;
      }
      data.append(buffer, n);
    }
  });
  Client client(server.port());
  ASSERT_TRUE(client.handshake());
  ASSERT_TRUE(client.write("GET / HTTP/1.1\r\n"));
  if (close_notify) client.send_close_notify();
  client.close_tcp();
  server.wait_done();
  EXPECT_EQ(data, "GET / HTTP/1.1\r\n");
  EXPECT_EQ(end_ec, expected) << end_ec.message();
}

TEST(TlsStream, CloseNotifyEndsWithEof) { check_close(true, asio::error::eof); }

TEST(TlsStream, CloseWithoutNotifyIsTruncation) {
  check_close(false, asio::ssl::error::stream_truncated);
}

}  // namespace
}  // namespace rapid::http
