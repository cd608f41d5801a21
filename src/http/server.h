#pragma once
// The HTTP(S) server: a listener plus one coroutine per connection. Knows
// nothing of Ganeti; every request goes to a Handler.

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "http/handler.h"
#include "http/limits.h"

namespace rapid::http {

struct TlsConfig {
  bool enabled = true;
  std::string key_file;
  std::string cert_file;
  std::string chain_file;  // intermediates sent after the certificate; "" for none

  // Session resumption (docs/security.md, "TLS sessions"). A ticket's key is
  // replaced every period and still decrypts for one more: a ticket lives at
  // most two periods, and a key in memory protects at most that much traffic.
  std::chrono::seconds ticket_key_period{std::chrono::hours(12)};
  // How long a session can be resumed, by ticket or from the cache.
  std::chrono::seconds session_timeout{std::chrono::hours(1)};
  // Sessions kept for clients without tickets (TLS 1.2 only; ~1 KB each,
  // 1 MB when full).
  long session_cache_size = 1024;
  // Tests: the clock of the key rotation (null: std::chrono::steady_clock).
  std::function<std::chrono::steady_clock::time_point()> ticket_clock;
};

// What Server::reload_tls() did.
struct TlsReload {
  enum class Outcome { reloaded, unchanged, failed };
  Outcome outcome = Outcome::unchanged;
  std::string error;  // why the files could not be used (failed)
};

struct ServerConfig {
  std::string bind_address = "::";
  std::uint16_t port = 5080;
  TlsConfig tls;
  Limits limits;
  std::string server_header;  // e.g. "Ganeti 3.0.2"
};

// One line per answered request: "<peer> <METHOD> <target> <version> <status>".
// The Request it gets carries the start line and the peer only (the rest
// was moved into the handler); the Response its status and principal (the
// body is already on its way).
// What a server has seen, for metrics.
struct ServerStats {
  std::size_t open_connections = 0;
  // Times the listener found --max-clients connections open and stopped
  // accepting until one closed (the next clients wait in the backlog).
  std::uint64_t max_clients_reached = 0;
  std::uint64_t tls_handshake_failures = 0;
};

using AccessLogFn = std::function<void(const Request&, const Response&)>;

class Server {
 public:
  // Binds and listens immediately; throws std::system_error when the address
  // cannot be bound and std::runtime_error on unusable TLS files. The
  // listener runs on `executor`; connections on a strand of it each, or, when
  // `connection_executors` is given, on the one of those with the fewest
  // open connections, each of which must be run by one thread only
  // (http/connection_executors.h).
  Server(boost::asio::any_io_executor executor, ServerConfig config, Handler& handler,
         AccessLogFn access_log,
         std::vector<boost::asio::any_io_executor> connection_executors = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void start();

  // Stops accepting and closes idle connections; requests in flight run to
  // completion and their connections close afterwards. `on_drained` runs
  // once no connection is left.
  void shutdown(std::function<void()> on_drained);

  // Closes every connection now.
  void abort();

  // Reads the TLS key, certificate and chain files again; when they changed
  // and make a usable context, new connections get it (established ones
  // keep theirs). Otherwise the current context stays. Thread-safe.
  TlsReload reload_tls();

  // The bound port (useful when configured with port 0).
  std::uint16_t port() const;
  std::size_t open_connections() const;
  ServerStats stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace rapid::http
