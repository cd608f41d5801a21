#pragma once
// Certificates for TLS tests: a root CA, an intermediate CA it signed, and
// server certificates the intermediate signs; and a client that verifies
// what a server presents against the root.

#include <cstdint>
#include <memory>
#include <string>

namespace rapid::testing {

class TestPki {
 public:
  // Creates the root and the intermediate; files go into `directory`.
  explicit TestPki(std::string directory);
  ~TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  const std::string& root_file() const { return root_file_; }  // the root certificate (PEM)
  // The intermediate's certificate alone (a chain.pem).
  const std::string& intermediate_file() const { return intermediate_file_; }

  // A new key and a certificate for CN `common_name` signed by the
  // intermediate, written as key + certificate to `path` (like rapi.pem;
  // atomically: written beside, then renamed). Returns the certificate's
  // SHA-256 fingerprint (hex).
  std::string issue(const std::string& path, const std::string& common_name);
  // The certificate that issue() wrote last, then the intermediate (a
  // fullchain.pem), into `path`.
  void write_full_chain(const std::string& path);

 private:
  struct Keys;
  std::string directory_;
  std::string root_file_;
  std::string intermediate_file_;
  std::unique_ptr<Keys> keys_;
};

// What a TLS server on 127.0.0.1:port presents.
struct PresentedChain {
  bool handshake = false;    // the handshake completed
  bool verified = false;     // the chain verifies against the root given
  std::string verify_error;  // X509_verify_cert_error_string otherwise
  std::string leaf_sha256;   // fingerprint of the server's certificate
  int chain_length = 0;      // certificates the server sent, its own included
};
PresentedChain presented_chain(std::uint16_t port, const std::string& root_file);

}  // namespace rapid::testing
