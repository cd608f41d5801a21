// rapid: wires the HTTP server to the RAPI handler, the users file and the
// LUXI client; handles the command line, logging and signals.
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <thread>

#include "app/daemon.h"
#include "app/logging.h"
#include "app/options.h"
#include "auth/user_store.h"
#include "auth/users_watcher.h"
#include "http/server.h"
#include "luxi/client.h"
#include "rapi/rapi_handler.h"
#include "app/version.h"
#include "app/signals.h"
#include "app/startup_checks.h"

namespace {
namespace asio = boost::asio;
using namespace rapid;
}  // namespace

int main(int argc, char** argv) {
  const auto outcome = app::parse_options(argc, argv);
  if (const int* exit_code = std::get_if<int>(&outcome)) return *exit_code;
  app::Options options = std::get<app::Options>(outcome);

  // Checks ganeti-rapi makes before it detaches.
  std::string bind_address;
  if (const int failure = app::check_before_start(options, bind_address)) return failure;

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
  app::SignalHandling signals(io);  // before anything can take long
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
  rapi::RapiHandler handler({.require_authentication = options.require_authentication}, users,
                            luxi);

  http::ServerConfig server_config;
  server_config.bind_address = bind_address;
  server_config.port = options.port;
  server_config.tls = {
      .enabled = options.ssl, .key_file = options.ssl_key, .cert_file = options.ssl_cert};
  server_config.limits = options.limits;
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
  asio::steady_timer shutdown_timer(io);
  const auto stop_now = [&] {
    server->abort();
    io.stop();
  };
  signals.start({.reload =
                     [&] {
                       app::reopen_log_file();  // first: the lines below go to the new file
                       SPDLOG_INFO("SIGHUP received: log file reopened, re-reading the users file");
                       users.reload();
                     },
                 .shut_down =
                     [&] {
                       watcher.stop();
                       server->shutdown([&io] { io.stop(); });
                       shutdown_timer.expires_after(options.shutdown_timeout);
                       shutdown_timer.async_wait([&](const boost::system::error_code& ec) {
                         if (ec) return;
                         SPDLOG_WARN(
                             "Requests still running after the shutdown timeout: closing them");
                         stop_now();
                       });
                     },
                 .stop_now = stop_now});

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
