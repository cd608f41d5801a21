#include "http/tls_stream.h"

#include <openssl/err.h>
#include <poll.h>
#include <sys/socket.h>

#include <boost/asio/ssl/error.hpp>
#include <cerrno>
#include <climits>
#include <cstring>
#include <stdexcept>

namespace rapid::http {
namespace {

namespace asio = boost::asio;

// OpenSSL's socket BIO writes with write(): a peer that has gone away would
// raise SIGPIPE (alerts are written even when no answer is). The same BIO
// with send(MSG_NOSIGNAL).
int send_nosignal(BIO* bio, const char* data, int length) {
  int fd = -1;
  BIO_get_fd(bio, &fd);
  errno = 0;
  const ssize_t sent = ::send(fd, data, static_cast<std::size_t>(length), MSG_NOSIGNAL);
  BIO_clear_retry_flags(bio);
  if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
    BIO_set_retry_write(bio);
  }
  return static_cast<int>(sent);
}

int puts_nosignal(BIO* bio, const char* text) {
  return send_nosignal(bio, text, static_cast<int>(std::strlen(text)));
}

const BIO_METHOD* socket_method() {
  static const BIO_METHOD* const method = [] {
    const BIO_METHOD* base = BIO_s_socket();
    BIO_METHOD* made = BIO_meth_new(BIO_TYPE_SOCKET, "socket without SIGPIPE");
    if (!made) throw std::runtime_error("cannot create the TLS socket BIO method");
    BIO_meth_set_write(made, send_nosignal);
    BIO_meth_set_puts(made, puts_nosignal);
    BIO_meth_set_read(made, BIO_meth_get_read(base));
    BIO_meth_set_ctrl(made, BIO_meth_get_ctrl(base));
    BIO_meth_set_create(made, BIO_meth_get_create(base));
    BIO_meth_set_destroy(made, BIO_meth_get_destroy(base));
    return made;
  }();
  return method;
}

SSL* new_ssl(asio::ssl::context& context, int fd) {
  SSL* ssl = SSL_new(context.native_handle());
  if (!ssl) throw std::runtime_error("cannot create a TLS session");
  BIO* bio = BIO_new(socket_method());
  if (!bio) {
    SSL_free(ssl);
    throw std::runtime_error("cannot attach a TLS session to its socket");
  }
  BIO_set_fd(bio, fd, BIO_NOCLOSE);
  SSL_set_bio(ssl, bio, bio);  // the SSL owns the BIO from here
  SSL_set_accept_state(ssl);
  return ssl;
}

int clamp_length(std::size_t size) {
  return size > static_cast<std::size_t>(INT_MAX) ? INT_MAX : static_cast<int>(size);
}

}  // namespace

TlsStream::Core::Core(asio::ip::tcp::socket s, SSL* native)
    : socket(std::move(s)), timer(socket.get_executor()), ssl(native) {}

// The SSL's socket BIO does not own the descriptor (BIO_NOCLOSE).
TlsStream::Core::~Core() { SSL_free(ssl); }

TlsStream::TlsStream(asio::ip::tcp::socket socket, asio::ssl::context& context) {
  // (A socket that fails here fails its first operation as well.)
  error_code ignored;
  socket.non_blocking(true, ignored);
  SSL* ssl = new_ssl(context, socket.native_handle());
  core_ = std::make_shared<Core>(std::move(socket), ssl);
}

TlsStream::~TlsStream() {
  if (!core_) return;  // moved from
  error_code ignored;
  core_->timer.cancel();
  core_->socket.close(ignored);
}

void TlsStream::expires_after(std::chrono::steady_clock::duration timeout) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point now = Clock::now();
  core_->deadline = timeout < Clock::time_point::max() - now ? now + timeout  // saturated
                                                              : Clock::time_point::max();
  // A pending wait that ends no later waits again for the rest.
  if (core_->waiting && core_->timer.expiry() <= core_->deadline) return;
  arm_deadline(core_);
}

void TlsStream::arm_deadline(const std::shared_ptr<Core>& core) {
  core->timer.expires_at(core->deadline);  // a pending wait ends as aborted
  core->waiting = true;
  core->timer.async_wait([core](const error_code& ec) {
    if (ec) return;  // aborted: replaced by a new wait, or cancelled
    core->waiting = false;
    // Closed (also by the stream's destructor): nothing to time, no wait
    // that would keep the core.
    if (!core->socket.is_open()) return;
    if (core->deadline == std::chrono::steady_clock::time_point::max()) return;  // never
    if (core->deadline > std::chrono::steady_clock::now()) return arm_deadline(core);  // moved
    core->timed_out = true;
    error_code ignored;
    core->socket.close(ignored);
  });
}

// The pending wait, if any, ends at its time and finds no deadline.
void TlsStream::expires_never() { core_->deadline = std::chrono::steady_clock::time_point::max(); }

void TlsStream::cancel() {
  error_code ignored;
  core_->recheck = false;
  core_->socket.cancel(ignored);
}

void TlsStream::close() {
  error_code ignored;
  core_->timer.cancel();
  core_->waiting = false;
  core_->socket.close(ignored);
}

TlsStream::Attempt TlsStream::try_read(asio::mutable_buffer buffer) {
  if (!core_->socket.is_open()) return result_of(0, EBADF);
  ERR_clear_error();
  const int ret = SSL_read(core_->ssl, buffer.data(), clamp_length(buffer.size()));
  return result_of(ret, errno);
}

TlsStream::Attempt TlsStream::try_write(asio::const_buffer buffer) {
  if (!core_->socket.is_open()) return result_of(0, EBADF);
  ERR_clear_error();
  const int ret = SSL_write(core_->ssl, buffer.data(), clamp_length(buffer.size()));
  return result_of(ret, errno);
}

TlsStream::Attempt TlsStream::try_handshake() {
  if (!core_->socket.is_open()) return result_of(0, EBADF);
  // SSL_do_handshake allocates its buffers (~20 KB) before it reads: a
  // client that connects and says nothing yet would hold them. Wait for the
  // first byte of its hello instead.
  if (SSL_in_before(core_->ssl)) {
    char byte;
    const ssize_t peeked = ::recv(core_->socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      Attempt attempt;
      attempt.want = Want::read;
      return attempt;
    }
  }
  ERR_clear_error();
  const int ret = SSL_do_handshake(core_->ssl);
  return result_of(ret, errno);
}

TlsStream::Attempt TlsStream::try_shutdown() {
  if (!core_->socket.is_open()) return result_of(0, EBADF);
  ERR_clear_error();
  // 0: our close_notify is out, the peer's still to come (asio calls it twice too).
  int ret = SSL_shutdown(core_->ssl);
  if (ret == 0) ret = SSL_shutdown(core_->ssl);
  if (ret == 1) return Attempt();
  return result_of(ret, errno);
}

// What asio::ssl::stream reports for the same outcome.
TlsStream::Attempt TlsStream::result_of(int ret, int saved_errno) {
  Attempt attempt;
  if (!core_->socket.is_open()) {
    attempt.ec = core_->timed_out ? error_code(boost::beast::error::timeout)
                                  : error_code(asio::error::bad_descriptor);
    return attempt;
  }
  if (ret > 0) {
    attempt.bytes = static_cast<std::size_t>(ret);
    return attempt;
  }
  switch (SSL_get_error(core_->ssl, ret)) {
    case SSL_ERROR_NONE:
      return attempt;
    case SSL_ERROR_WANT_READ:
      attempt.want = Want::read;
      return attempt;
    case SSL_ERROR_WANT_WRITE:
      attempt.want = Want::write;
      return attempt;
    case SSL_ERROR_ZERO_RETURN:  // the peer's close_notify
      attempt.ec = asio::error::eof;
      return attempt;
    case SSL_ERROR_SYSCALL: {
      const unsigned long code = ERR_get_error();
      if (code != 0) {
        attempt.ec = error_code(static_cast<int>(code), asio::error::get_ssl_category());
      } else if (saved_errno != 0) {
        attempt.ec = error_code(saved_errno, asio::error::get_system_category());
      } else {
        attempt.ec = asio::ssl::error::stream_truncated;  // EOF without close_notify
      }
      return attempt;
    }
    case SSL_ERROR_SSL: {
      const unsigned long code = ERR_get_error();
      if (ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
        attempt.ec = asio::ssl::error::stream_truncated;
      } else {
        attempt.ec = error_code(static_cast<int>(code), asio::error::get_ssl_category());
      }
      return attempt;
    }
    default:
      attempt.ec = asio::ssl::error::unexpected_result;
      return attempt;
  }
}

bool TlsStream::may_retry(error_code& ec) {
  if (ec != asio::error::operation_aborted) return true;  // ready, EOF or reset: SSL tells
  if (core_->timed_out) {
    ec = boost::beast::error::timeout;
    return false;
  }
  if (core_->recheck && core_->socket.is_open()) {
    core_->recheck = false;
    return true;
  }
  return false;
}

// asio's wait_write is not tried under the reactor's lock: writability that
// came between SSL_write's EAGAIN and the wait would be lost. Looks once more
// and, if the socket is writable already, ends the wait to try again.
void TlsStream::recheck_writable() {
  pollfd descriptor;
  descriptor.fd = core_->socket.native_handle();
  descriptor.events = POLLOUT;
  descriptor.revents = 0;
  if (::poll(&descriptor, 1, 0) <= 0) return;
  error_code ignored;
  core_->recheck = true;
  core_->socket.cancel(ignored);
}

}  // namespace rapid::http
