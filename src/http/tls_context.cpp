#include "http/tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "util/file.h"

namespace rapid::http {
namespace {

// Mozilla's "intermediate" configuration (TLS 1.2 suites; TLS 1.3 suites
// are OpenSSL's defaults, which match it).
constexpr const char* kIntermediateCiphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";

std::string openssl_error() {
  const unsigned long code = ERR_get_error();
  if (code == 0) return "unknown error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

// Appends the chain file's certificates (but the server's own) to the chain
// sent after the certificate.
void add_chain(SSL_CTX* native, const std::string& chain_file) {
  const std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(chain_file.c_str(), "r"),
                                                      &BIO_free);
  if (!bio) {
    throw std::runtime_error("cannot read the SSL chain file '" + chain_file +
                             "': " + openssl_error());
  }
  const X509* leaf = SSL_CTX_get0_certificate(native);
  int certificates = 0;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    ++certificates;
    // add1 takes its own reference.
    const bool added = (leaf && X509_cmp(cert, leaf) == 0) || SSL_CTX_add1_chain_cert(native, cert);
    X509_free(cert);
    if (!added) {
      throw std::runtime_error("cannot use the SSL chain file '" + chain_file +
                               "': " + openssl_error());
    }
  }
  ERR_clear_error();  // the end of the file reads as a PEM error
  if (certificates == 0) {
    throw std::runtime_error("the SSL chain file '" + chain_file + "' holds no certificate");
  }
}

// "" for a file that cannot be read: make_tls_context will say why.
std::string file_contents(const std::string& path) {
  std::string contents;
  int ignored = 0;
  return read_file(path, contents, ignored) ? contents : std::string();
}

}  // namespace

std::string tls_files_contents(const TlsConfig& config) {
  std::string contents = file_contents(config.key_file);
  for (const std::string* path : {&config.cert_file, &config.chain_file}) {
    contents += '\0';
    if (!path->empty()) contents += file_contents(*path);
  }
  return contents;
}

boost::asio::ssl::context make_tls_context(const TlsConfig& config) {
  namespace ssl = boost::asio::ssl;
  ssl::context ctx(ssl::context::tls_server);
  SSL_CTX* native = ctx.native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(
      native, SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
  // TlsStream's needs: an idle connection keeps no record buffers, and a write
  // may end after one record and be retried from a moved buffer.
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                               SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // No server-side session cache: it would keep every client's session
  // (thousands after a burst) in memory for 5 minutes. Resumption still
  // works through stateless session tickets.
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
  if (SSL_CTX_set_cipher_list(native, kIntermediateCiphers) != 1) {
    throw std::runtime_error("cannot set the TLS cipher list: " + openssl_error());
  }
  if (SSL_CTX_use_certificate_chain_file(native, config.cert_file.c_str()) != 1) {
    throw std::runtime_error("cannot load the SSL certificate from '" + config.cert_file +
                             "': " + openssl_error());
  }
  if (SSL_CTX_use_PrivateKey_file(native, config.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    throw std::runtime_error("cannot load the SSL key from '" + config.key_file +
                             "': " + openssl_error());
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    throw std::runtime_error("the SSL key does not match the certificate: " + openssl_error());
  }
  if (!config.chain_file.empty()) add_chain(native, config.chain_file);
  return ctx;
}

}  // namespace rapid::http
