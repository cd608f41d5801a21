// rapid: the process around app::Rapid: the command line, the checks before
// start-up, daemonizing, the PID file, logging and signals.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <csignal>
#include <iostream>
#include <thread>

#include "app/check_users.h"
#include "app/daemon.h"
#include "app/logging.h"
#include "app/options.h"
#include "app/rapid.h"
#include "app/signals.h"
#include "app/startup_checks.h"
#include "app/systemd_notify.h"
#include "app/version.h"
#include "rapi/opcode.h"

namespace {
namespace asio = boost::asio;
using namespace rapid;

app::RapidConfig rapid_config(const app::Options& options, const std::string& bind_address) {
  app::RapidConfig config;
  config.server.bind_address = bind_address;
  config.server.port = options.port;
  config.server.tls = {.enabled = options.ssl,
                       .key_file = options.ssl_key,
                       .cert_file = options.ssl_cert,
                       .chain_file = options.ssl_chain};
  config.server.limits = options.limits;
  config.server.server_header = std::string("Ganeti ") + kGanetiVersion;
  config.rapi.require_authentication = options.require_authentication;
  config.luxi.socket_path = options.luxi_socket;
  config.luxi.call_timeout = options.luxi_timeout;
  config.luxi.max_connections = options.luxi_connections;
  config.luxi.coalesce = options.coalesce;
  config.users_file = options.users_file;
  config.threads =
      options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  config.shutdown_timeout = options.shutdown_timeout;
  // --syslog=only: no files, the audit log's neither.
  if (options.audit && options.syslog != app::SyslogMode::only) {
    config.audit.path = options.audit_log;
  }
  config.audit.required = config.audit.path != app::kDefaultAuditLog;
  config.audit.syslog = options.audit && options.syslog != app::SyslogMode::no;
  config.metrics.enabled = options.metrics_port != 0;
  config.metrics.port = options.metrics_port;
  config.metrics.bind_address = options.metrics_bind;
  config.metrics.cache_time = options.metrics_cache;
  config.access_log = [with_user = options.access_log_user](const http::Request& request,
                                                            const http::Response& response) {
    SPDLOG_INFO("{}", app::access_log_line(request, response, with_user));
  };
  return config;
}

}  // namespace

int main(int argc, char** argv) {
  const auto outcome = app::parse_options(argc, argv);
  if (const int* exit_code = std::get_if<int>(&outcome)) return *exit_code;
  app::Options options = std::get<app::Options>(outcome);
  if (!options.check_users.empty()) {
    return app::check_users_file(options.check_users, std::cout, std::cerr);
  }

  // A malformed opcode table is a build fault: refuse to start rather than
  // fail the first request that needs it.
  try {
    rapi::validate_opcode_table();
  } catch (const rapi::OpcodeTableError& e) {
    std::cerr << "rapid: " << e.what() << "\n";
    return app::kExitFailure;
  }

  // Checks ganeti-rapi makes before it detaches.
  std::string bind_address;
  if (const int failure = app::check_before_start(options, bind_address)) {
    // Under Type=notify an exit before READY=1 fails the unit whatever its
    // status; not being the master (11) must leave it inactive, as it does
    // under upstream's Type=simple unit.
    if (failure == app::kExitNotMaster) app::notify_systemd(app::ready_message("Not master"));
    return failure;
  }

  app::Daemonizer daemonizer;
  if (!options.foreground) daemonizer.detach(options.log_file);
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
  app::Rapid rapid(io, rapid_config(options, bind_address));
  try {
    rapid.start();
  } catch (const app::AuditLogError& e) {
    SPDLOG_ERROR("{}", e.what());
    pid_file.reset();
    daemonizer.fail(app::kExitFailure, e.what());
  } catch (const std::exception& e) {
    const std::string message = "Cannot serve on " + bind_address + " port " +
                                std::to_string(options.port) + ": " + e.what();
    SPDLOG_ERROR("{}", message);
    pid_file.reset();  // removed on every exit after it was written, as the original does
    daemonizer.fail(app::kExitFailure, message);
  }
  // SIGTERM/SIGINT: stop accepting, let requests in flight finish (bounded
  // by --shutdown-timeout); a second signal stops at once. SIGHUP: reopen
  // the log file and re-read the users file.
  signals.start({.reload = [&] { rapid.reload(); },
                 .shut_down = [&] { rapid.shut_down(); },
                 .stop_now = [&] { rapid.stop_now(); }});

  daemonizer.ready();
  rapid.run();
  SPDLOG_INFO("ganeti-rapi daemon shutdown");
  return app::kExitSuccess;
}
