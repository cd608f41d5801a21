#pragma once

#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "http/server.h"

namespace rapid::http {

// The keys of stateless session tickets (RFC 5077, and TLS 1.3's): made in
// memory with RAND_bytes, never written anywhere. A new key every `period`;
// the one before it still decrypts for one more period (its tickets are
// renewed), so a ticket lives at most two periods. Older tickets get a full
// handshake. Thread-safe: every io thread's handshakes use it. One set
// outlives the contexts of TLS reloads, so tickets survive a reload.
class TicketKeys {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  explicit TicketKeys(std::chrono::seconds period, Clock clock = nullptr);
  ~TicketKeys();
  TicketKeys(const TicketKeys&) = delete;
  TicketKeys& operator=(const TicketKeys&) = delete;

  struct Key {
    unsigned char name[16];
    unsigned char aes[32];   // AES-256-CBC
    unsigned char hmac[32];  // HMAC-SHA256
    std::chrono::steady_clock::time_point made;
  };
  // The key new tickets are made with.
  Key current();
  // The key named so, if it is still accepted; `renew`: a newer one exists.
  std::optional<Key> find(const unsigned char* name, bool& renew);

 private:
  std::chrono::steady_clock::time_point now() const;
  void rotate_locked(std::chrono::steady_clock::time_point now);

  const std::chrono::seconds period_;
  const Clock clock_;
  std::mutex mutex_;
  Key current_;
  std::optional<Key> previous_;
};

// A server context offering TLS 1.2 and 1.3 with Mozilla's "intermediate"
// cipher list, key and certificate from PEM files (one file may hold both,
// as Ganeti's rapi.pem does). Throws std::runtime_error with a readable
// message when the files are unusable or do not match.
// A chain file may hold the intermediates alone or the full chain
// (certificate first, as Let's Encrypt's fullchain.pem): a copy of the
// certificate in it is skipped.
// Sessions resume by ticket (`keys`; a set of its own when null) and, for
// clients that refuse tickets, from a bounded cache in the context.
boost::asio::ssl::context make_tls_context(const TlsConfig& config,
                                           std::shared_ptr<TicketKeys> keys = nullptr);

// The contents of the key, certificate and chain files, to tell whether a
// reload would change anything ("" for a file that cannot be read).
std::string tls_files_contents(const TlsConfig& config);

}  // namespace rapid::http
