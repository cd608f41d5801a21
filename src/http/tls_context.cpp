#include "http/tls_context.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cstring>
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

TicketKeys::Key fresh_key(std::chrono::steady_clock::time_point made) {
  TicketKeys::Key key;
  if (RAND_bytes(key.name, sizeof key.name) != 1 || RAND_bytes(key.aes, sizeof key.aes) != 1 ||
      RAND_bytes(key.hmac, sizeof key.hmac) != 1) {
    throw std::runtime_error("cannot make a TLS session ticket key: " + openssl_error());
  }
  key.made = made;
  return key;
}

// The context's TicketKeys: a std::shared_ptr<TicketKeys>* in its ex_data,
// deleted with the context.
int ticket_keys_index() {
  static const int index = SSL_CTX_get_ex_new_index(
      0, nullptr, nullptr, nullptr, [](void*, void* keys, CRYPTO_EX_DATA*, int, long, void*) {
        delete static_cast<std::shared_ptr<TicketKeys>*>(keys);
      });
  return index;
}

bool set_mac_key(EVP_MAC_CTX* mac, unsigned char* key, std::size_t size) {
  char digest[] = "SHA256";
  OSSL_PARAM params[3];
  params[0] = OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, key, size);
  params[1] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0);
  params[2] = OSSL_PARAM_construct_end();
  return EVP_MAC_CTX_set_params(mac, params) == 1;
}

// SSL_CTX_set_tlsext_ticket_key_evp_cb's callback: 1 done, 2 decrypted but
// to be renewed, 0 unknown key (full handshake), -1 error. Renewed: a ticket
// of the older key, and every TLS 1.3 ticket, since a TLS 1.3 client uses a
// ticket once (RFC 8446, C.4; OpenSSL's client does) and without a new one
// its next connection would be a full handshake.
int ticket_key_callback(SSL* ssl, unsigned char* key_name, unsigned char* iv,
                        EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac, int encrypt) {
  auto* keys = static_cast<std::shared_ptr<TicketKeys>*>(
      SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ticket_keys_index()));
  if (!keys) return -1;
  TicketKeys::Key key;
  int result = 1;
  if (encrypt) {
    key = (*keys)->current();
    std::memcpy(key_name, key.name, sizeof key.name);
    if (RAND_bytes(iv, EVP_CIPHER_get_iv_length(EVP_aes_256_cbc())) != 1 ||
        EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.aes, iv) != 1) {
      result = -1;
    }
  } else {
    bool renew = false;
    std::optional<TicketKeys::Key> found = (*keys)->find(key_name, renew);
    if (!found) return 0;
    key = *found;
    OPENSSL_cleanse(&*found, sizeof *found);
    if (EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.aes, iv) != 1) {
      result = -1;
    } else if (renew || SSL_version(ssl) == TLS1_3_VERSION) {
      result = 2;
    }
  }
  if (result > 0 && !set_mac_key(mac, key.hmac, sizeof key.hmac)) result = -1;
  OPENSSL_cleanse(&key, sizeof key);
  return result;
}

// Resumption: tickets first, a small cache for clients that refuse them.
void enable_resumption(SSL_CTX* native, const TlsConfig& config, std::shared_ptr<TicketKeys> keys) {
  // A session resumes only in a context with the same id context; every
  // context rapid makes (one per TLS reload) has this one, so sessions
  // survive a reload (with SSL_VERIFY_PEER an empty one would even fail
  // the handshake).
  static constexpr unsigned char kSessionContext[] = "rapid";
  SSL_CTX_set_session_id_context(native, kSessionContext, sizeof kSessionContext - 1);
  SSL_CTX_set_timeout(native, static_cast<long>(config.session_timeout.count()));
  // OpenSSL's cache size 0 means unlimited: 0 here means no cache.
  if (config.session_cache_size > 0) {
    // Only sessions of clients that refuse tickets land there (TLS 1.2:
    // a ticket's session gets no id; TLS 1.3: stateless). The oldest goes
    // when it is full; expired ones every 255 handshakes.
    SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_SERVER);
    SSL_CTX_sess_set_cache_size(native, config.session_cache_size);
  } else {
    SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
  }
  // TLS 1.3 sends tickets after the handshake (2 by default, each a
  // session encrypted): a client resumes with one.
  SSL_CTX_set_num_tickets(native, 1);
  if (!keys) keys = std::make_shared<TicketKeys>(config.ticket_key_period, config.ticket_clock);
  auto* held = new std::shared_ptr<TicketKeys>(std::move(keys));
  if (SSL_CTX_set_ex_data(native, ticket_keys_index(), held) != 1) {
    delete held;
    throw std::runtime_error("cannot attach the TLS ticket keys: " + openssl_error());
  }
  SSL_CTX_set_tlsext_ticket_key_evp_cb(native, ticket_key_callback);
}

// "" for a file that cannot be read: make_tls_context will say why.
std::string file_contents(const std::string& path) {
  std::string contents;
  int ignored = 0;
  return read_file(path, contents, ignored) ? contents : std::string();
}

}  // namespace

TicketKeys::TicketKeys(std::chrono::seconds period, Clock clock)
    : period_(std::max(period, std::chrono::seconds(1))),
      clock_(std::move(clock)),
      current_(fresh_key(now())) {}

TicketKeys::~TicketKeys() {
  OPENSSL_cleanse(&current_, sizeof current_);
  if (previous_) OPENSSL_cleanse(&*previous_, sizeof *previous_);
}

std::chrono::steady_clock::time_point TicketKeys::now() const {
  return clock_ ? clock_() : std::chrono::steady_clock::now();
}

// Keys change at fixed times (made + n periods), whenever a handshake
// notices: an idle server keeps no older key than a busy one.
void TicketKeys::rotate_locked(std::chrono::steady_clock::time_point now) {
  if (now < current_.made + period_) return;
  const auto periods = (now - current_.made) / period_;
  if (periods == 1) {
    previous_ = current_;
  } else if (previous_) {
    OPENSSL_cleanse(&*previous_, sizeof *previous_);
    previous_.reset();  // the current key's period of grace is over too
  }
  const auto made = current_.made + periods * period_;
  OPENSSL_cleanse(&current_, sizeof current_);
  current_ = fresh_key(made);
}

TicketKeys::Key TicketKeys::current() {
  std::lock_guard lock(mutex_);
  rotate_locked(now());
  return current_;
}

std::optional<TicketKeys::Key> TicketKeys::find(const unsigned char* name, bool& renew) {
  std::lock_guard lock(mutex_);
  rotate_locked(now());
  renew = false;
  if (std::memcmp(name, current_.name, sizeof current_.name) == 0) return current_;
  if (previous_ && std::memcmp(name, previous_->name, sizeof previous_->name) == 0) {
    renew = true;
    return previous_;
  }
  return std::nullopt;
}

std::string tls_files_contents(const TlsConfig& config) {
  std::string contents = file_contents(config.key_file);
  for (const std::string* path : {&config.cert_file, &config.chain_file}) {
    contents += '\0';
    if (!path->empty()) contents += file_contents(*path);
  }
  return contents;
}

boost::asio::ssl::context make_tls_context(const TlsConfig& config,
                                           std::shared_ptr<TicketKeys> keys) {
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
  enable_resumption(native, config, std::move(keys));
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
