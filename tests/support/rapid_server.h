#pragma once
// rapid in-process: the daemon main() runs (app::Rapid: users file with its
// watcher, LUXI client, RAPI handler, HTTP server) on a free loopback port,
// talking to a FakeLuxi peer. Also: the rapid binary as a child process, for
// tests of signals and start-up.

#include <boost/asio/io_context.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "http/server.h"
#include "support/fake_luxi.h"
#include "support/http_client.h"

namespace rapid::app {
class Rapid;
}
namespace rapid::luxi {
class Client;
}

namespace rapid::testing {

// The users every fixture starts with.
inline constexpr const char* kDefaultUsers =
    "admin adminpass write\n"
    "reader readpass read\n"
    "plain plainpass\n";

struct RapidServerOptions {
  bool tls = false;
  bool require_authentication = false;
  std::string users = kDefaultUsers;
  http::Limits limits{};
  std::chrono::milliseconds luxi_timeout{5'000};
  std::size_t luxi_connections = 8;
  bool coalesce = true;   // false: --no-coalesce
  int luxi_backlog = 64;  // the fake luxid's listen backlog
  unsigned threads = 2;
  // With tls: the key-and-certificate file and a chain file (--ssl-chain);
  // a new self-signed rapi.pem in the server's directory when empty.
  std::string tls_cert_file;
  std::string tls_chain_file;
  // Short: a request a test leaves hanging must not hold up the next test.
  std::chrono::milliseconds shutdown_timeout{2'000};
  // The audit log (--audit-log): none by default; "audit.log" is the
  // file audit.log in the server's directory.
  std::string audit_log;
  // --metrics-port (on a free loopback port) and --metrics-cache.
  bool metrics = false;
  std::chrono::milliseconds metrics_cache{0};
};

class RapidServer {
 public:
  explicit RapidServer(RapidServerOptions options = {});
  // shut_down(), unless the server has stopped already.
  ~RapidServer();

  std::uint16_t port() const { return port_; }
  std::uint16_t metrics_port() const;  // 0 without options.metrics
  bool tls() const { return options_.tls; }
  FakeLuxi& luxi() { return *fake_; }
  const std::string& directory() const { return dir_; }
  const std::string& users_file() const { return users_file_; }
  // The audit log's path ("" without one).
  std::string audit_log_file() const;
  http::Server& server();
  luxi::Client& luxi_client();
  // A copy: the server's threads append to it.
  std::vector<std::string> access_log() const;

  std::optional<HttpResponse> request(const std::string& method, const std::string& target,
                                      const std::string& credentials = {},
                                      const std::string& body = {},
                                      const std::string& content_type = "application/json",
                                      const std::vector<std::string>& extra_headers = {});
  // Shorthand for requests as the write user.
  std::optional<HttpResponse> admin(const std::string& method, const std::string& target,
                                    const std::string& body = {});

  void write_users(const std::string& contents);

  // What SIGHUP does (log file reopen aside): the users and TLS files again.
  void reload();

  // What SIGTERM does to the daemon: requests in flight are answered, for
  // at most shutdown_timeout; returns once the server has stopped.
  void shut_down();
  // What a second SIGTERM does: every connection closes now.
  void stop_now();

 private:
  RapidServerOptions options_;
  std::string dir_;
  std::string users_file_;
  std::unique_ptr<FakeLuxi> fake_;
  boost::asio::io_context io_;
  std::unique_ptr<app::Rapid> rapid_;
  std::thread runner_;  // app::Rapid::run(), with options.threads io threads
  mutable std::mutex access_log_mutex_;
  std::vector<std::string> access_log_;
  std::uint16_t port_ = 0;
};

// The rapid executable as a child process.
class RapidProcess {
 public:
  // Extra arguments after the fixed ones (-f, --no-master-check, --no-user-check, --port,
  // --bind 127.0.0.1, --pid-file, --log-file and --audit-log (audit.log) in
  // `directory`).
  RapidProcess(const std::string& directory, std::vector<std::string> args);
  ~RapidProcess();

  // Waits until the port accepts connections.
  bool wait_ready(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  void signal(int signal_number);
  // The exit status (as from waitpid), or nullopt after the timeout.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout = std::chrono::seconds(15));
  std::uint16_t port() const { return port_; }
  int pid() const { return pid_; }
  std::string log() const;

 private:
  std::string directory_;
  std::uint16_t port_;
  int pid_ = -1;
  bool reaped_ = false;
};

// A free TCP port on 127.0.0.1 (bound and released).
std::uint16_t free_port();

}  // namespace rapid::testing
