#include "support/test_pki.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "support/http_client.h"

namespace rapid::testing {
namespace {

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Cert = std::unique_ptr<X509, decltype(&X509_free)>;

Key new_key() { return Key(EVP_EC_gen("P-256"), &EVP_PKEY_free); }

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!extension) throw std::runtime_error("X509V3_EXT_conf_nid failed");
  X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
}

// `issuer` null: self-signed.
Cert new_certificate(const std::string& common_name, EVP_PKEY* key, X509* issuer,
                     EVP_PKEY* issuer_key, bool ca, long serial) {
  Cert cert(X509_new(), &X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600L * 24);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509* signer = issuer ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  add_extension(cert.get(), signer, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
  add_extension(cert.get(), signer, NID_key_usage,
                ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
  add_extension(cert.get(), signer, NID_subject_key_identifier, "hash");
  if (issuer) add_extension(cert.get(), signer, NID_authority_key_identifier, "keyid");
  if (!ca) add_extension(cert.get(), signer, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
  if (X509_sign(cert.get(), issuer ? issuer_key : key, EVP_sha256()) == 0) {
    throw std::runtime_error("X509_sign failed");
  }
  return cert;
}

// Writes beside `path`, then renames: a watcher sees one complete file.
template <typename Write>
void write_atomically(const std::string& path, Write write) {
  const std::string temporary = path + ".new";
  FILE* file = std::fopen(temporary.c_str(), "w");
  if (!file) throw std::runtime_error("cannot write " + temporary);
  write(file);
  std::fclose(file);
  std::filesystem::rename(temporary, path);
}

std::string sha256_hex(X509* cert) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  X509_digest(cert, EVP_sha256(), digest, &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return hex;
}

}  // namespace

struct TestPki::Keys {
  Key root_key = new_key();
  Cert root = new_certificate("rapid test root", root_key.get(), nullptr, nullptr, true, 1);
  Key intermediate_key = new_key();
  Cert intermediate = new_certificate("rapid test intermediate", intermediate_key.get(), root.get(),
                                      root_key.get(), true, 2);
  Cert last_issued{nullptr, &X509_free};
  long next_serial = 100;
};

TestPki::TestPki(std::string directory)
    : directory_(std::move(directory)),
      root_file_(directory_ + "/root.pem"),
      intermediate_file_(directory_ + "/chain.pem"),
      keys_(std::make_unique<Keys>()) {
  write_atomically(root_file_, [&](FILE* f) { PEM_write_X509(f, keys_->root.get()); });
  write_atomically(intermediate_file_,
                   [&](FILE* f) { PEM_write_X509(f, keys_->intermediate.get()); });
}

TestPki::~TestPki() = default;

std::string TestPki::issue(const std::string& path, const std::string& common_name) {
  Key key = new_key();
  keys_->last_issued = new_certificate(common_name, key.get(), keys_->intermediate.get(),
                                       keys_->intermediate_key.get(), false, keys_->next_serial++);
  write_atomically(path, [&](FILE* f) {
    PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    PEM_write_X509(f, keys_->last_issued.get());
  });
  return sha256_hex(keys_->last_issued.get());
}

void TestPki::write_full_chain(const std::string& path) {
  write_atomically(path, [&](FILE* f) {
    PEM_write_X509(f, keys_->last_issued.get());
    PEM_write_X509(f, keys_->intermediate.get());
  });
}

PresentedChain presented_chain(std::uint16_t port, const std::string& root_file) {
  PresentedChain result;
  const std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()),
                                                              &SSL_CTX_free);
  SSL_CTX_load_verify_locations(ctx.get(), root_file.c_str(), nullptr);
  // Verified below, so that a failure is reported rather than a failed handshake.
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  const int fd = connect_loopback(port);
  if (fd < 0) return result;
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  SSL* ssl = SSL_new(ctx.get());
  SSL_set_fd(ssl, fd);
  if (SSL_connect(ssl) == 1) {
    result.handshake = true;
    const long verify = SSL_get_verify_result(ssl);
    result.verified = verify == X509_V_OK;
    if (!result.verified) result.verify_error = X509_verify_cert_error_string(verify);
    if (X509* leaf = SSL_get1_peer_certificate(ssl)) {
      result.leaf_sha256 = sha256_hex(leaf);
      X509_free(leaf);
    }
    if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl)) {
      result.chain_length = sk_X509_num(chain);
    }
    SSL_shutdown(ssl);
  }
  SSL_free(ssl);
  ::close(fd);
  return result;
}

}  // namespace rapid::testing
