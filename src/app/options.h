#pragma once
// The command line (ganeti-rapi 3.0's options, parsed as its optparse does,
// plus rapid's own) and rapid's config file (rapid's own options only).

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <variant>
#include <vector>

#include "http/limits.h"

namespace rapid::app {

// rapid's own settings, beside RAPI_ARGS (which ganeti-rapi shares).
inline constexpr const char* kDefaultConfigFile = "/etc/ganeti/rapid.conf";
// The audit log's default: a file that cannot be opened there is an error
// in the log, not a failed start (docs/audit-log.md).
inline constexpr const char* kDefaultAuditLog = "/var/log/ganeti/rapi-audit.log";

enum class SyslogMode { no, yes, only };

struct Options {
  // ganeti-rapi 3.0
  bool foreground = false;
  bool debug = false;
  SyslogMode syslog = SyslogMode::no;
  std::uint16_t port = 5080;
  std::string bind_address;  // empty: not given ("::" on an IPv6 cluster, else "0.0.0.0")
  std::string interface;
  bool ssl = true;
  std::string ssl_key = "/var/lib/ganeti/rapi.pem";
  std::string ssl_cert = "/var/lib/ganeti/rapi.pem";
  std::string ssl_chain;  // Ganeti 3.1's --ssl-chain; "" for none
  bool require_authentication = false;
  // rapid's size limits, HTTP timeouts and --max-clients (limits.max_clients
  // once that is valid).
  http::Limits limits;
  // Refused only after the user check, as ganeti-rapi's CheckRapi does.
  long long max_clients = static_cast<long long>(http::Limits{}.max_clients);
  std::vector<std::string> arguments;   // positional ones
  std::string program = "ganeti-rapi";  // argv[0], for CheckRapi's messages

  // rapid's own (also in the config file)
  std::string config_file;  // the one read; empty when the default one is absent
  std::string check_users;  // --check-users FILE: check it and exit, serve nothing
  bool user_check = true;
  bool master_check = true;
  std::string luxi_socket = "/run/ganeti/socket/ganeti-query";
  std::string users_file = "/var/lib/ganeti/rapi/users";
  std::string pid_file = "/var/run/ganeti/ganeti-rapi.pid";
  std::string log_file = "/var/log/ganeti/rapi-daemon.log";
  std::string ssconf_dir = "/var/lib/ganeti";
  unsigned threads = 0;  // 0: one per core
  std::chrono::milliseconds shutdown_timeout{30'000};
  std::chrono::milliseconds luxi_timeout{180'000};
  std::size_t luxi_connections = 32;
  bool coalesce = true;          // --no-coalesce: one LUXI call per request
  bool access_log_user = false;  // " user=<name>" on authenticated requests' access lines
  std::string audit_log = kDefaultAuditLog;  // the audit log of writes
  bool audit = true;                         // --no-audit-log: none

  // --metrics-port (docs/metrics.md); 0: no metrics listener
  std::uint16_t metrics_port = 0;
  std::string metrics_bind = "127.0.0.1";
  std::chrono::milliseconds metrics_cache{10'000};  // of the cluster's metrics; 0: none
};

// Either the options, or the exit code to leave with (after --help,
// --version or a usage error, whose text has already been printed).
using ParseOutcome = std::variant<Options, int>;
ParseOutcome parse_options(int argc, char** argv);

// The same for tests: `argv` with argv[0], text to `out` and `err`, and the
// config file read when --config is not given.
ParseOutcome parse_options(const std::vector<std::string>& argv, std::ostream& out,
                           std::ostream& err,
                           const std::string& default_config_file = kDefaultConfigFile);

}  // namespace rapid::app
