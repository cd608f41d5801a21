// rapid: wires the HTTP server to the RAPI handler, the users file and the
// LUXI client; handles the command line, logging and signals.
#include "daemon.h"
#include "logging.h"
#include "rapid/app/options.h"
#include "rapid/auth/user_store.h"
#include "rapid/auth/users_watcher.h"
#include "rapid/http/server.h"
#include "rapid/luxi/client.h"
#include "rapid/rapi/rapi_handler.h"
#include "rapid/version.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <iostream>
#include <thread>

namespace {

namespace asio = boost::asio;
using namespace rapid;

bool ipv6_available() {
  const int fd = socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) return false;
  close(fd);
  return true;
}

// The first address of a network interface (IPv4 preferred, as on an IPv4
// cluster), or "" when it has none.
std::string interface_address(const std::string& name) {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return {};
  std::string v4, v6;
  for (const ifaddrs* entry = list; entry; entry = entry->ifa_next) {
    if (!entry->ifa_addr || name != entry->ifa_name) continue;
    char text[INET6_ADDRSTRLEN] = {};
    if (entry->ifa_addr->sa_family == AF_INET && v4.empty()) {
      inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(entry->ifa_addr)->sin_addr, text, sizeof text);
      v4 = text;
    } else if (entry->ifa_addr->sa_family == AF_INET6 && v6.empty()) {
      inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(entry->ifa_addr)->sin6_addr, text, sizeof text);
      v6 = text;
    }
  }
  freeifaddrs(list);
  return v4.empty() ? v6 : v4;
}

bool is_regular_file(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

}  // namespace

int main(int argc, char** argv) {
  const auto outcome = app::parse_options(argc, argv);
  if (const int* exit_code = std::get_if<int>(&outcome)) return *exit_code;
  app::Options options = std::get<app::Options>(outcome);

  // Checks ganeti-rapi makes before it detaches.
  if (options.ssl) {
    if (!is_regular_file(options.ssl_cert)) {
      std::cerr << "SSL certificate file '" << options.ssl_cert << "' was not found\n";
      return app::kExitFailure;
    }
    if (!is_regular_file(options.ssl_key)) {
      std::cerr << "SSL key file '" << options.ssl_key << "' was not found\n";
      return app::kExitFailure;
    }
  }
  if (options.master_check) {
    std::string detail;
    switch (app::check_master(options.ssconf_dir, detail)) {
      case app::MasterStatus::master: break;
      case app::MasterStatus::not_master:
        if (options.debug) std::cerr << "Not master, exiting. " << detail << "\n";
        return app::kExitNotMaster;
      case app::MasterStatus::no_configuration:
        std::cerr << detail << "\n";
        return app::kExitNoConfiguration;
    }
  }
  std::string bind_address = options.bind_address;
  if (!options.interface.empty()) {
    bind_address = interface_address(options.interface);
    if (bind_address.empty()) {
      std::cerr << "Interface " << options.interface << " has no usable address\n";
      return app::kExitFailure;
    }
  } else if (bind_address.empty()) {
    bind_address = ipv6_available() ? "::" : "0.0.0.0";
  }

  app::Daemonizer daemonizer;
  if (!options.foreground) daemonizer.detach();
  try {
    app::setup_logging(options);
  } catch (const std::exception& e) {
    daemonizer.fail(app::kExitFailure, e.what());
  }
  std::unique_ptr<app::PidFile> pid_file;
  try {
    pid_file = std::make_unique<app::PidFile>(options.pid_file);
  } catch (const std::exception& e) {
    SPDLOG_ERROR("{}", e.what());
    daemonizer.fail(app::kExitFailure, e.what());
  }
  SPDLOG_INFO("ganeti-rapi daemon startup (rapid {})", kRapidVersion);
  app::raise_file_limit();
  std::signal(SIGPIPE, SIG_IGN);

  asio::io_context io;
  auth::UserStore users(options.users_file);
  auth::UsersFileWatcher watcher(io.get_executor(), users);
  // Watch first, then read: no change can fall between the two.
  watcher.start();
  users.reload();

  luxi::ClientConfig luxi_config;
  luxi_config.socket_path = options.luxi_socket;
  luxi_config.call_timeout = options.luxi_timeout;
  luxi_config.max_connections = options.luxi_connections;
  luxi::Client luxi(io.get_executor(), luxi_config);
  rapi::RapiHandler handler({.require_authentication = options.require_authentication}, users, luxi);

  http::ServerConfig server_config;
  server_config.bind_address = bind_address;
  server_config.port = options.port;
  server_config.tls = {.enabled = options.ssl, .key_file = options.ssl_key, .cert_file = options.ssl_cert};
  server_config.limits = {.max_header_bytes = options.max_header_bytes,
                          .max_body_bytes = options.max_body_bytes,
                          .handshake_timeout = options.handshake_timeout,
                          .header_timeout = options.header_timeout,
                          .body_timeout = options.body_timeout,
                          .idle_timeout = options.idle_timeout,
                          .write_timeout = options.write_timeout,
                          .max_clients = options.max_clients};
  server_config.server_header = std::string("Ganeti ") + kGanetiVersion;
  const auto access_log = [](const http::Request& request, int status) {
    SPDLOG_INFO("{} {} {} {} {}", request.peer, request.method, request.target,
                http::version_string(request.version), status);
  };
  std::unique_ptr<http::Server> server;
  try {
    server = std::make_unique<http::Server>(io.get_executor(), server_config, handler, access_log);
  } catch (const std::exception& e) {
    const std::string message = "Cannot serve on " + bind_address + " port " +
                                std::to_string(options.port) + ": " + e.what();
    SPDLOG_ERROR("{}", message);
    daemonizer.fail(app::kExitFailure, message);
  }
  server->start();
  SPDLOG_INFO("Listening on {} port {} ({})", bind_address, server->port(),
              options.ssl ? "HTTPS" : "HTTP");

  // SIGTERM/SIGINT: stop accepting, let requests in flight finish (bounded
  // by --shutdown-timeout); a second signal stops at once. SIGHUP: reopen
  // the log file and re-read the users file.
  asio::signal_set signals(io, SIGTERM, SIGINT, SIGHUP);
  asio::steady_timer shutdown_timer(io);
  bool shutting_down = false;
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int signal_number) {
        if (ec) return;
        if (signal_number == SIGHUP) {
          app::reopen_log_file();
          SPDLOG_INFO("SIGHUP received: log file reopened, re-reading the users file");
          users.reload();
          signals.async_wait(on_signal);
          return;
        }
        if (shutting_down) {
          SPDLOG_WARN("Second signal {}: stopping now", signal_number);
          server->abort();
          io.stop();
          return;
        }
        shutting_down = true;
        SPDLOG_INFO("Signal {} received: shutting down after the requests in flight", signal_number);
        watcher.stop();
        server->shutdown([&io] { io.stop(); });
        shutdown_timer.expires_after(options.shutdown_timeout);
        shutdown_timer.async_wait([&](const boost::system::error_code& timer_ec) {
          if (timer_ec) return;
          SPDLOG_WARN("Requests still running after the shutdown timeout: closing them");
          server->abort();
          io.stop();
        });
        signals.async_wait(on_signal);
      };
  signals.async_wait(on_signal);

  daemonizer.ready();
  const unsigned thread_count =
      options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < thread_count; ++i) threads.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& thread : threads) thread.join();
  SPDLOG_INFO("ganeti-rapi daemon shutdown");
  return app::kExitSuccess;
}
