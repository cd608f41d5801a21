// LD_PRELOAD for wrk: every new connection makes a full TLS handshake.
//
// wrk keeps one SSL object per connection slot and, between connections,
// calls SSL_shutdown and SSL_clear, which keeps the session: its next
// connection offers the last ticket and resumes. That is what a client with
// a session cache does (curl, browsers, Go). Ganeti's Python client and the
// Prometheus exporter keep no session and make a full handshake each time.
// This SSL_clear forgets the session after the real one.
#include <dlfcn.h>
#include <openssl/ssl.h>

extern "C" int SSL_clear(SSL* ssl) {
  using Clear = int (*)(SSL*);
  static const Clear real = reinterpret_cast<Clear>(dlsym(RTLD_NEXT, "SSL_clear"));
  if (!real) return 0;
  const int result = real(ssl);
  SSL_set_session(ssl, nullptr);
  return result;
}
