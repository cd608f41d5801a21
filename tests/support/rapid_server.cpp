#include "support/rapid_server.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "app/rapid.h"
#include "support/process.h"
#include "support/test_data.h"

namespace rapid::testing {

RapidServer::RapidServer(RapidServerOptions options) : options_(std::move(options)) {
  dir_ = make_temp_dir();
  users_file_ = dir_ + "/users";
  write_users(options_.users);
  fake_ = std::make_unique<FakeLuxi>(dir_ + "/luxi.sock", options_.luxi_backlog);
  app::RapidConfig config;
  config.server.bind_address = "127.0.0.1";
  config.server.port = 0;
  config.server.tls.enabled = options_.tls;
  if (options_.tls) {
    config.server.tls.key_file = config.server.tls.cert_file =
        options_.tls_cert_file.empty() ? make_test_certificate(dir_) : options_.tls_cert_file;
    config.server.tls.chain_file = options_.tls_chain_file;
  }
  config.server.limits = options_.limits;
  config.server.server_header = "Ganeti 3.0.2";
  config.rapi.require_authentication = options_.require_authentication;
  config.rapi.refuse_undeclared_query_args = true;  // a table bug fails the test
  config.luxi.socket_path = fake_->socket_path();
  config.luxi.call_timeout = options_.luxi_timeout;
  config.luxi.max_connections = options_.luxi_connections;
  config.luxi.coalesce = options_.coalesce;
  config.users_file = users_file_;
  config.threads = options_.threads;
  config.shutdown_timeout = options_.shutdown_timeout;
  config.audit.path = audit_log_file();
  config.audit.required = true;
  config.metrics.enabled = options_.metrics;
  config.metrics.cache_time = options_.metrics_cache;
  config.access_log = [this](const http::Request& request, const http::Response& response) {
    std::lock_guard lock(access_log_mutex_);
    access_log_.push_back(request.method + " " + request.target + " " +
                          std::to_string(response.status));
  };
  rapid_ = std::make_unique<app::Rapid>(io_, std::move(config));
  rapid_->start();
  port_ = rapid_->port();
  runner_ = std::thread([this] { rapid_->run(); });
}

RapidServer::~RapidServer() {
  shut_down();
  fake_->stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::uint16_t RapidServer::metrics_port() const { return rapid_->metrics_port(); }

void RapidServer::shut_down() {
  if (!runner_.joinable()) return;  // stopped already
  rapid_->shut_down();
  runner_.join();
}

void RapidServer::stop_now() {
  if (!runner_.joinable()) return;
  rapid_->stop_now();
  runner_.join();
}

http::Server& RapidServer::server() { return rapid_->server(); }

std::string RapidServer::audit_log_file() const {
  return options_.audit_log.empty() ? std::string() : dir_ + "/" + options_.audit_log;
}

void RapidServer::reload() { rapid_->reload(); }

luxi::Client& RapidServer::luxi_client() { return rapid_->luxi(); }

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
  std::vector<std::string> argv = {rapid_binary().string(),
                                   "-f",
                                   "--no-master-check",
                                   "--no-user-check",
                                   "--port",
                                   std::to_string(port_),
                                   "--bind",
                                   "127.0.0.1",
                                   "--pid-file",
                                   directory + "/rapid.pid",
                                   "--log-file",
                                   directory + "/rapid.log",
                                   "--audit-log",
                                   directory + "/audit.log"};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_ = spawn(std::move(argv), "/dev/null", directory + "/stderr.log", O_APPEND);
}

RapidProcess::~RapidProcess() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

bool RapidProcess::wait_ready(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + scaled(timeout);
  while (std::chrono::steady_clock::now() < deadline) {
    HttpClient probe("127.0.0.1", port_, false);
    if (probe.connect()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

void RapidProcess::signal(int signal_number) { ::kill(pid_, signal_number); }

std::optional<int> RapidProcess::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + scaled(timeout);
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
