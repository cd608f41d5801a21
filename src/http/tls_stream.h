#pragma once

#include <openssl/ssl.h>

#include <boost/asio/compose.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <chrono>
#include <cstddef>
#include <memory>

namespace rapid::http {

// TLS server side of one TCP connection, without buffers of its own: OpenSSL
// reads and writes the socket's descriptor itself, and (SSL_MODE_RELEASE_BUFFERS,
// set on the context) frees its record buffers while the connection is idle.
// beast::ssl_stream keeps ~68 KB per connection in fixed buffers.
//
// Offers what the session uses of beast::ssl_stream<beast::tcp_stream>: Beast's
// AsyncReadStream/AsyncWriteStream, async_handshake and async_shutdown, and
// tcp_stream's deadline calls (a deadline that passes closes the socket; the
// pending operation ends with beast::error::timeout). One read and one write
// at most at a time, all on the socket's executor (a strand, or an io
// thread's own io_context, which one thread runs); not moved while an
// operation is pending.
class TlsStream {
 public:
  using executor_type = boost::asio::any_io_executor;
  using error_code = boost::beast::error_code;

  TlsStream(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context& context);
  TlsStream(TlsStream&&) noexcept = default;
  TlsStream& operator=(TlsStream&&) = delete;
  ~TlsStream();

  executor_type get_executor() noexcept { return core_->socket.get_executor(); }

  void expires_after(std::chrono::steady_clock::duration timeout);
  void expires_never();
  void cancel();  // pending operations end with operation_aborted
  void close();

  template <class Token>
  auto async_handshake(Token&& token) {
    return start<void(error_code)>(HandshakeStep(), std::forward<Token>(token));
  }

  // Sends close_notify and waits for the peer's (as asio::ssl::stream does).
  template <class Token>
  auto async_shutdown(Token&& token) {
    return start<void(error_code)>(ShutdownStep(), std::forward<Token>(token));
  }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return start<void(error_code, std::size_t)>(ReadStep<MutableBuffers>(buffers),
                                                std::forward<Token>(token));
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return start<void(error_code, std::size_t)>(WriteStep<ConstBuffers>(buffers),
                                                std::forward<Token>(token));
  }

 private:
  enum class Want { nothing, read, write };
  struct Attempt {
    Want want = Want::nothing;
    error_code ec;
    std::size_t bytes = 0;
  };

  // Shared with the deadline's wait, which may complete after the stream is gone.
  struct Core {
    Core(boost::asio::ip::tcp::socket s, SSL* native);
    ~Core();
    boost::asio::ip::tcp::socket socket;
    boost::asio::steady_timer timer;
    SSL* ssl;
    // The deadline can move without touching the timer: a pending wait that
    // ends before it waits again (arm_deadline), so a deadline pushed later
    // on every request costs no timer operation (each one can reprogram the
    // reactor's timerfd, a system call).
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
    bool waiting = false;  // a wait of `timer` is pending
    bool timed_out = false;
    bool recheck = false;  // a write wait was cancelled to look again
    char peeked = 0;
  };

  static void arm_deadline(const std::shared_ptr<Core>& core);
  // One try of an SSL call each; what to wait for if it cannot finish yet.
  Attempt try_read(boost::asio::mutable_buffer buffer);
  Attempt try_write(boost::asio::const_buffer buffer);
  Attempt try_handshake();
  Attempt try_shutdown();
  Attempt result_of(int ret, int saved_errno);
  // After the socket became ready (or not): false with ec set to end the operation.
  bool may_retry(error_code& ec);
  template <class Self>
  void wait(Want want, Self&& self);
  void recheck_writable();

  struct HandshakeStep {
    Attempt operator()(TlsStream& s) const { return s.try_handshake(); }
  };
  struct ShutdownStep {
    Attempt operator()(TlsStream& s) const { return s.try_shutdown(); }
  };
  template <class Buffers>
  struct ReadStep {
    explicit ReadStep(const Buffers& b) : buffers(b) {}
    Attempt operator()(TlsStream& s) const {
      for (auto it = boost::asio::buffer_sequence_begin(buffers);
           it != boost::asio::buffer_sequence_end(buffers); ++it) {
        const boost::asio::mutable_buffer buffer(*it);
        if (buffer.size() > 0) return s.try_read(buffer);
      }
      return Attempt();
    }
    Buffers buffers;
  };
  template <class Buffers>
  struct WriteStep {
    explicit WriteStep(const Buffers& b) : buffers(b) {}
    // Small pieces (Beast's header, then the body) go out as one record.
    Attempt operator()(TlsStream& s) const {
      auto it = boost::asio::buffer_sequence_begin(buffers);
      const auto end = boost::asio::buffer_sequence_end(buffers);
      while (it != end && boost::asio::const_buffer(*it).size() == 0) ++it;
      if (it == end) return Attempt();
      const boost::asio::const_buffer first(*it);
      if (first.size() >= kRecordBytes || std::next(it) == end) return s.try_write(first);
      char gathered[kRecordBytes];
      const std::size_t n = boost::asio::buffer_copy(boost::asio::buffer(gathered), buffers);
      return s.try_write(boost::asio::const_buffer(gathered, n));
    }
    Buffers buffers;
  };
  static constexpr std::size_t kRecordBytes = 16 * 1024;

  template <class Step, bool kWithBytes>
  struct Op {
    TlsStream* stream;
    Step step;
    enum class State { starting, waiting, deferred } state = State::starting;
    Attempt result;

    template <class Self>
    void operator()(Self& self, error_code ec = {}, std::size_t = 0) {
      if (state == State::deferred) return finish(self);
      if (state == State::waiting && !stream->may_retry(ec)) {
        result = Attempt();
        result.ec = ec;
        return finish(self);
      }
      result = step(*stream);
      if (result.want != Want::nothing) {
        state = State::waiting;
        return stream->wait(result.want, std::move(self));
      }
      if (state == State::starting) {
        // Never complete inside the initiating call.
        state = State::deferred;
        return boost::asio::post(std::move(self));
      }
      finish(self);
    }

    template <class Self>
    void finish(Self& self) {
      if constexpr (kWithBytes) {
        self.complete(result.ec, result.bytes);
      } else {
        self.complete(result.ec);
      }
    }
  };

  template <class Signature, class Step, class Token>
  auto start(Step step, Token&& token) {
    constexpr bool kWithBytes = !std::is_same_v<Signature, void(error_code)>;
    return boost::asio::async_compose<Token, Signature>(Op<Step, kWithBytes>{this, std::move(step)},
                                                        token, core_->socket);
  }

  std::shared_ptr<Core> core_;
};

template <class Self>
void TlsStream::wait(Want want, Self&& self) {
  namespace asio = boost::asio;
  if (want == Want::read) {
    // A peek rather than async_wait(wait_read): asio tries it at once under
    // the reactor's lock, so readiness that came after SSL_read's EAGAIN is
    // never lost (asio's epoll is edge-triggered).
    core_->socket.async_receive(asio::buffer(&core_->peeked, 1), asio::socket_base::message_peek,
                                std::forward<Self>(self));
    return;
  }
  core_->socket.async_wait(asio::socket_base::wait_write, std::forward<Self>(self));
  recheck_writable();
}

}  // namespace rapid::http
