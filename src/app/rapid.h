#pragma once
// The daemon's parts wired together: users file, the watcher of it and of
// the TLS files, LUXI client, RAPI handler, HTTP server; the reload and
// shutdown actions. Used
// by main() and, in-process, by the tests (tests/support/rapid_server.h), so
// both run the same start-up and shutdown order. Process concerns (options,
// daemonizing, PID file, logging set-up, signals) stay with the caller.
//
// Start-up (start()):
//   1. watch the users file and the TLS files, then read the users file (no
//      change can fall between);
//   2. bind the listening socket (throws when it cannot), start accepting;
//   3. tell systemd: READY=1 (app/systemd_notify.h; nothing without
//      $NOTIFY_SOCKET).
// Start-up opens the audit log first (app/audit_log.h; AuditLogError when
// a file asked for cannot be opened).
// Reload (reload()): RELOADING=1, reopen the log file and the audit log,
// re-read the users file and the TLS files, READY=1. A change of a TLS file reloads them too
// (200 ms later, so that a key and a certificate written one after
// the other are read together).
// Shutdown (shut_down()):
//   1. tell systemd: STOPPING=1; stop watching files;
//   2. stop accepting, close idle connections, let requests in flight finish;
//   3. once no connection is left, stop the io_context; after
//      shutdown_timeout, stop_now() instead.
// Threads (run()): one io_context per io thread. The caller's runs the
// listener, the LUXI client, the timers, the metrics listener and its share
// of the client connections; each further thread runs an io_context of its
// own with nothing but client connections, each connection placed on the
// one with the fewest open (http/connection_executors.h).

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/audit_log.h"
#include "app/file_watcher.h"
#include "app/io_threads.h"
#include "app/metrics.h"
#include "auth/user_store.h"
#include "http/server.h"
#include "luxi/client.h"
#include "rapi/rapi_handler.h"

namespace rapid::app {

struct RapidConfig {
  http::ServerConfig server;  // address, port, TLS, limits, Server header
  rapi::RapiOptions rapi;     // --require-authentication
  luxi::ClientConfig luxi;    // socket, call timeout, connections
  std::string users_file;
  unsigned threads = 1;  // io threads run() uses, the caller's included; one io_context each
  std::chrono::milliseconds shutdown_timeout{30'000};
  http::AccessLogFn access_log;
  AuditLogConfig audit;  // --audit-log, --no-audit-log, --syslog
  MetricsConfig metrics;  // --metrics-port, --metrics-bind, --metrics-cache
};

class Rapid {
 public:
  // Builds the parts; nothing is read, bound or started yet. The caller
  // owns `io` so that it can register signals on it first; one Rapid per
  // io_context.
  Rapid(boost::asio::io_context& io, RapidConfig config);
  ~Rapid();
  Rapid(const Rapid&) = delete;
  Rapid& operator=(const Rapid&) = delete;

  // The start-up sequence above. Throws std::system_error when the address
  // cannot be bound and std::runtime_error on unusable TLS files.
  void start();
  // Runs the caller's io_context on this thread and the connections' own
  // io_contexts on `threads` - 1 more, until the caller's stops.
  void run();

  // The actions of the signals (callable from any thread, after start()).
  // SIGHUP: reopen the log file, then re-read the users file and the TLS
  // files.
  void reload();
  // First SIGTERM/SIGINT: graceful, bounded by shutdown_timeout.
  void shut_down();
  // Second SIGTERM/SIGINT: close every connection and stop.
  void stop_now();

  std::uint16_t port() const { return server_->port(); }
  http::Server& server() { return *server_; }
  luxi::Client& luxi() { return luxi_; }
  // The metrics listener's port; 0 without --metrics-port.
  std::uint16_t metrics_port() const { return metrics_ ? metrics_->port() : 0; }

 private:
  // "Listening on <address> port <port> (HTTP|HTTPS)": logged, and systemd's STATUS=.
  std::string serving_status() const;
  // Logs what Server::reload_tls() did (nothing when the files are the same).
  void reload_tls();
  void reload_tls_soon();
  void reload_users();

  boost::asio::io_context& io_;
  RapidConfig config_;
  auth::UserStore users_;
  FileWatcher watcher_;
  std::unique_ptr<Metrics> metrics_;  // before luxi_ and handler_, which report to it
  luxi::Client luxi_;
  AuditLog audit_log_;  // before handler_, which writes to it
  rapi::RapiHandler handler_;
  std::optional<http::Server> server_;  // bound in start()
  boost::asio::steady_timer shutdown_timer_;
  boost::asio::strand<boost::asio::io_context::executor_type> tls_strand_;
  boost::asio::steady_timer tls_reload_timer_;  // on tls_strand_
  bool tls_reload_pending_ = false;             // on tls_strand_
  std::atomic<bool> shutting_down_ = false;
  // The io threads beyond the caller's (client connections only), owned by
  // io_ so that they outlive it (app/io_threads.h).
  IoThreads& io_threads_;
};

}  // namespace rapid::app
