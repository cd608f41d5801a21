#pragma once
// rapid assembled in-process exactly as main() does (users file with its
// watcher, LUXI client, RAPI handler, HTTP server on a free loopback port),
// but talking to a FakeLuxi peer. Also: the rapid binary as a child
// process, for tests of signals and start-up.

#include <boost/asio/io_context.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/fake_luxi.h"
#include "support/http_client.h"
#include "http/server.h"

namespace rapid::auth {
class UserStore;
class UsersFileWatcher;
}  // namespace rapid::auth
namespace rapid::luxi {
class Client;
}
namespace rapid::rapi {
class RapiHandler;
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
  int luxi_backlog = 64;  // the fake luxid's listen backlog
  unsigned threads = 2;
};

class RapidServer {
 public:
  explicit RapidServer(RapidServerOptions options = {});
  ~RapidServer();

  std::uint16_t port() const { return port_; }
  bool tls() const { return options_.tls; }
  FakeLuxi& luxi() { return *fake_; }
  const std::string& directory() const { return dir_; }
  const std::string& users_file() const { return users_file_; }
  http::Server& server() { return *server_; }
  luxi::Client& luxi_client() { return *client_; }
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

 private:
  RapidServerOptions options_;
  std::string dir_;
  std::string users_file_;
  std::unique_ptr<FakeLuxi> fake_;
  boost::asio::io_context io_;
  std::unique_ptr<auth::UserStore> users_;
  std::unique_ptr<auth::UsersFileWatcher> watcher_;
  std::unique_ptr<luxi::Client> client_;
  std::unique_ptr<rapi::RapiHandler> handler_;
  std::unique_ptr<http::Server> server_;
  std::vector<std::thread> threads_;
  mutable std::mutex access_log_mutex_;
  std::vector<std::string> access_log_;
  std::uint16_t port_ = 0;
};

// The rapid executable as a child process.
class RapidProcess {
 public:
  // Extra arguments after the fixed ones (-f, --no-master-check, --port,
  // --bind 127.0.0.1, --pid-file, --log-file in `directory`).
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
