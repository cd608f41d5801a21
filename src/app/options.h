#pragma once
// The command line: ganeti-rapi 3.0's options plus rapid's own.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "http/limits.h"

namespace rapid::app {

enum class SyslogMode { no, yes, only };

struct Options {
  // ganeti-rapi 3.0
  bool foreground = false;
  bool debug = false;
  SyslogMode syslog = SyslogMode::no;
  std::uint16_t port = 5080;
  std::string bind_address;  // empty: "::" when IPv6 works, else "0.0.0.0"
  std::string interface;
  bool ssl = true;
  std::string ssl_key = "/var/lib/ganeti/rapi.pem";
  std::string ssl_cert = "/var/lib/ganeti/rapi.pem";
  bool require_authentication = false;
  // --max-clients and rapid's size limits and HTTP timeouts.
  http::Limits limits;

  // rapid's own
  std::string luxi_socket = "/run/ganeti/socket/ganeti-query";
  std::string users_file = "/var/lib/ganeti/rapi/users";
  std::string pid_file = "/var/run/ganeti/ganeti-rapi.pid";
  std::string log_file = "/var/log/ganeti/rapi-daemon.log";
  std::string ssconf_dir = "/var/lib/ganeti";
  bool master_check = true;
  unsigned threads = 0;  // 0: one per core
  std::chrono::milliseconds shutdown_timeout{30'000};
  std::chrono::milliseconds luxi_timeout{180'000};
  std::size_t luxi_connections = 32;
  bool access_log_user = false;  // " user=<name>" on authenticated requests' access lines
};

// Either the options, or the exit code to leave with (after --help,
// --version or a usage error, whose text has already been printed).
using ParseOutcome = std::variant<Options, int>;
ParseOutcome parse_options(int argc, char** argv);

}  // namespace rapid::app
