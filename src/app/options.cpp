#include "app/options.h"

#include <netdb.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "app/version.h"

namespace rapid::app {
namespace {

// Exit codes of ganeti-rapi: optparse usage errors exit 2, the daemon's own
// checks 1.
constexpr int kExitUsage = 2;
constexpr int kExitFailure = 1;

std::uint16_t default_port() {
  // Like Ganeti: /etc/services may name another port for "ganeti-rapi".
  if (const servent* entry = getservbyname("ganeti-rapi", "tcp")) {
    return static_cast<std::uint16_t>(ntohs(static_cast<std::uint16_t>(entry->s_port)));
  }
  return 5080;
}

void add_duration(CLI::App& app, const std::string& name, std::chrono::milliseconds& target,
                  const std::string& help) {
  app.add_option_function<double>(
         name,
         [&target](double seconds) {
           target = std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
         },
         help + " (seconds, default " + std::to_string(target.count() / 1000) + ")")
      ->check(CLI::PositiveNumber);
}

}  // namespace

ParseOutcome parse_options(int argc, char** argv) {
  Options o;
  o.port = default_port();
  CLI::App app{"rapid: a drop-in replacement for Ganeti's RAPI daemon (ganeti-rapi " +
                   std::string(kGanetiVersion) + ")",
               "ganeti-rapi"};
  // Positional arguments get ganeti-rapi's own message below.
  std::vector<std::string> positional;
  app.add_option("args", positional)->group("");
  app.set_version_flag("--version", std::string("ganeti-rapi (ganeti) ") + kGanetiVersion +
                                        "\nrapid " + kRapidVersion);

  app.add_flag("-f,--foreground", o.foreground, "Don't detach from the current terminal");
  app.add_flag("-d,--debug", o.debug, "Enable debug messages");
  std::string syslog = "no";
  app.add_option("--syslog", syslog, "Enable logging to syslog (no, yes, only)")
      ->check(CLI::IsMember({"no", "yes", "only"}));
  app.add_option("-p,--port", o.port, "Network port (default " + std::to_string(o.port) + ")");
  app.add_option("-b,--bind", o.bind_address,
                 "Bind address (default \"::\" when IPv6 is available, else \"0.0.0.0\")");
  app.add_option("-i,--interface", o.interface, "Bind to the first address of this interface");
  bool no_ssl = false;
  app.add_flag("--no-ssl", no_ssl, "Do not secure HTTP protocol with SSL");
  app.add_option("-K,--ssl-key", o.ssl_key, "SSL key path (default " + o.ssl_key + ")");
  app.add_option("-C,--ssl-cert", o.ssl_cert, "SSL certificate path (default " + o.ssl_cert + ")");
  app.add_flag("--require-authentication", o.require_authentication,
               "Disable anonymous HTTP requests and require authentication");
  long long max_clients = static_cast<long long>(o.limits.max_clients);
  app.add_option("--max-clients", max_clients,
                 "Number of simultaneous connections accepted (default " +
                     std::to_string(o.limits.max_clients) + ")");

  auto* own = "rapid options";
  app.add_option("--luxi-socket", o.luxi_socket, "LUXI socket of the master daemon")->group(own);
  app.add_option("--users-file", o.users_file, "RAPI users file")->group(own);
  app.add_option("--pid-file", o.pid_file, "PID file")->group(own);
  app.add_option("--log-file", o.log_file, "Log file")->group(own);
  app.add_option("--ssconf-dir", o.ssconf_dir, "Directory of Ganeti's ssconf files")->group(own);
  bool no_master_check = false;
  app.add_flag("--no-master-check", no_master_check,
               "Start even if this node is not the master (ssconf_master_node)")
      ->group(own);
  app.add_flag("--access-log-user", o.access_log_user,
               "Append \"user=<name>\" to the access log line of authenticated requests")
      ->group(own);
  app.add_option("--threads", o.threads, "I/O threads (default: one per core)")->group(own);
  app.add_option("--max-header-size", o.limits.max_header_bytes,
                 "Request header limit in bytes (default 8192)")
      ->group(own)
      ->check(CLI::PositiveNumber);
  app.add_option("--max-body-size", o.limits.max_body_bytes,
                 "Request body limit in bytes (default 10 MiB)")
      ->group(own)
      ->check(CLI::PositiveNumber);
  add_duration(app, "--handshake-timeout", o.limits.handshake_timeout, "TLS handshake timeout");
  add_duration(app, "--header-timeout", o.limits.header_timeout,
               "Time to send the request headers");
  add_duration(app, "--body-timeout", o.limits.body_timeout, "Time to send the request body");
  add_duration(app, "--idle-timeout", o.limits.idle_timeout, "Keep-alive idle timeout");
  add_duration(app, "--write-timeout", o.limits.write_timeout, "Time to send a response");
  add_duration(app, "--shutdown-timeout", o.shutdown_timeout,
               "Grace period for requests in flight on SIGTERM");
  add_duration(app, "--luxi-timeout", o.luxi_timeout, "Timeout of one call to the master daemon");
  app.add_option("--luxi-connections", o.luxi_connections,
                 "Connections to the master daemon kept at most (default 32)")
      ->group(own)
      ->check(CLI::PositiveNumber);
  for (const char* name :
       {"--handshake-timeout", "--header-timeout", "--body-timeout", "--idle-timeout",
        "--write-timeout", "--shutdown-timeout", "--luxi-timeout"}) {
    app.get_option(name)->group(own);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return 0;
  } catch (const CLI::CallForVersion&) {
    std::cout << app.version() << "\n";
    return 0;
  } catch (const CLI::ParseError& e) {
    std::cerr << "Usage: ganeti-rapi [-f] [-d] [-p port] [-b ADDRESS] [-i INTERFACE]\n\n"
              << "ganeti-rapi: error: " << e.what() << "\n";
    return kExitUsage;
  }
  if (!positional.empty()) {
    std::cerr << "Usage: " << argv[0] << " [-f] [-d] [-p port] [-b ADDRESS]\n";
    return kExitFailure;
  }
  if (max_clients < 1) {
    std::cerr << argv[0] << " --max-clients argument must be >= 1\n";
    return kExitFailure;
  }
  if (!o.interface.empty() && !o.bind_address.empty()) {
    std::cerr << "Can't specify both, bind address (" << o.bind_address << ") and bind interface ("
              << o.interface << ")\n";
    return kExitFailure;
  }
  o.limits.max_clients = static_cast<std::size_t>(max_clients);
  o.syslog = syslog == "yes"    ? SyslogMode::yes
             : syslog == "only" ? SyslogMode::only
                                : SyslogMode::no;
  o.ssl = !no_ssl;
  o.master_check = !no_master_check;
  return o;
}

}  // namespace rapid::app
