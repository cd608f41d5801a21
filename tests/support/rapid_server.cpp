#include "support/rapid_server.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "auth/user_store.h"
#include "auth/users_watcher.h"
#include "luxi/client.h"
#include "rapi/rapi_handler.h"

namespace rapid::testing {

RapidServer::RapidServer(RapidServerOptions options) : options_(std::move(options)) {
  dir_ = make_temp_dir();
  users_file_ = dir_ + "/users";
  write_users(options_.users);
  fake_ = std::make_unique<FakeLuxi>(dir_ + "/luxi.sock", options_.luxi_backlog);
  users_ = std::make_unique<auth::UserStore>(users_file_);
  users_->reload();
  watcher_ = std::make_unique<auth::UsersFileWatcher>(io_.get_executor(), *users_);
  watcher_->start();
  luxi::ClientConfig luxi_config;
  luxi_config.socket_path = fake_->socket_path();
  luxi_config.call_timeout = options_.luxi_timeout;
  luxi_config.max_connections = options_.luxi_connections;
  client_ = std::make_unique<luxi::Client>(io_.get_executor(), luxi_config);
  handler_ = std::make_unique<rapi::RapiHandler>(
      rapi::RapiOptions{.require_authentication = options_.require_authentication}, *users_,
      *client_);
  http::ServerConfig config;
  config.bind_address = "127.0.0.1";
  config.port = 0;
  config.tls.enabled = options_.tls;
  if (options_.tls) config.tls.key_file = config.tls.cert_file = make_test_certificate(dir_);
  config.limits = options_.limits;
  config.server_header = "Ganeti 3.0.2";
  server_ = std::make_unique<http::Server>(
      io_.get_executor(), config, *handler_, [this](const http::Request& request, int status) {
        std::lock_guard lock(access_log_mutex_);
        access_log_.push_back(request.method + " " + request.target + " " + std::to_string(status));
      });
  port_ = server_->port();
  server_->start();
  for (unsigned i = 0; i < options_.threads; ++i) threads_.emplace_back([this] { io_.run(); });
}

RapidServer::~RapidServer() {
  server_->abort();
  watcher_->stop();
  io_.stop();
  for (auto& thread : threads_) thread.join();
  fake_->stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::optional<HttpResponse> RapidServer::request(const std::string& method,
                                                 const std::string& target,
                                                 const std::string& credentials,
                                                 const std::string& body,
                                                 const std::string& content_type,
                                                 const std::vector<std::string>& extra_headers) {
  return HttpClient::request(port_, options_.tls, method, target, credentials, body, content_type,
                             extra_headers);
}

std::vector<std::string> RapidServer::access_log() const {
  std::lock_guard lock(access_log_mutex_);
  return access_log_;
}

std::optional<HttpResponse> RapidServer::admin(const std::string& method, const std::string& target,
                                               const std::string& body) {
  return request(method, target, "admin:adminpass", body);
}

void RapidServer::write_users(const std::string& contents) {
  std::ofstream(users_file_, std::ios::trunc) << contents;
}

std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t length = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length);
  ::close(fd);
  return ntohs(addr.sin_port);
}

RapidProcess::RapidProcess(const std::string& directory, std::vector<std::string> args)
    : directory_(directory), port_(free_port()) {
  std::vector<std::string> argv = {RAPID_BINARY,
                                   "-f",
                                   "--no-master-check",
                                   "--port",
                                   std::to_string(port_),
                                   "--bind",
                                   "127.0.0.1",
                                   "--pid-file",
                                   directory + "/rapid.pid",
                                   "--log-file",
                                   directory + "/rapid.log"};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_ = fork();
  if (pid_ == 0) {
    std::vector<char*> cargv;
    for (auto& arg : argv) cargv.push_back(arg.data());
    cargv.push_back(nullptr);
    const std::string out = directory + "/stderr.log";
    freopen(out.c_str(), "a", stderr);
    freopen("/dev/null", "w", stdout);
    execv(cargv[0], cargv.data());
    _exit(127);
  }
}

RapidProcess::~RapidProcess() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

bool RapidProcess::wait_ready(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    HttpClient probe("127.0.0.1", port_, false);
    if (probe.connect()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

void RapidProcess::signal(int signal_number) { ::kill(pid_, signal_number); }

std::optional<int> RapidProcess::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      reaped_ = true;
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::nullopt;
}

std::string RapidProcess::log() const {
  std::ifstream in(directory_ + "/rapid.log");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace rapid::testing
