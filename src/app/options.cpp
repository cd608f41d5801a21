#include "app/options.h"

#include <netdb.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <limits>
#include <type_traits>

#include "app/config_file.h"
#include "app/optparse.h"
#include "app/startup_checks.h"
#include "app/version.h"
#include "util/pyrepr.h"

namespace rapid::app {
namespace {

// Exit code of optparse's usage errors.
constexpr int kExitUsage = 2;
constexpr const char* kUsage = "ganeti-rapi [-f] [-d] [-p port] [-b ADDRESS] [-i INTERFACE]";

// Converts and stores one value ("" for a flag on the command line, "true"
// or "false" from the config file); returns "" or the text after
// "option --name: ".
using Store = std::function<std::string(Options&, std::string_view)>;

struct Spec {
  optparse::Option option;
  Store store;
  Where where;
};

std::uint16_t default_port() {
  // Like Ganeti: /etc/services may name another port for "ganeti-rapi".
  if (const servent* entry = getservbyname("ganeti-rapi", "tcp")) {
    return static_cast<std::uint16_t>(ntohs(static_cast<std::uint16_t>(entry->s_port)));
  }
  return 5080;
}

// optparse's HelpFormatter width source: $COLUMNS, the terminal, else 80.
std::size_t terminal_columns() {
  if (const char* columns = std::getenv("COLUMNS")) {
    long long value = 0;
    if (optparse::python_int(columns, 10, value) == optparse::IntStatus::ok && value > 0) {
      return static_cast<std::size_t>(value);
    }
  }
  winsize size{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

std::string repr(std::string_view value) { return python_str_repr(value); }

template <typename Access>
Store string_value(Access access) {
  return [access](Options& o, std::string_view value) {
    access(o) = std::string(value);
    return std::string();
  };
}

// A flag sets `access(o)` to `when_given`; the config file may also say false.
template <typename Access>
Store flag(Access access, bool when_given) {
  return [access, when_given](Options& o, std::string_view value) {
    if (value.empty() || value == "true") {
      access(o) = when_given;
    } else if (value == "false") {
      access(o) = !when_given;
    } else {
      return "invalid boolean value: " + repr(value);
    }
    return std::string();
  };
}

template <typename Access>
Store integer(Access access, long long min, long long max) {
  return [access, min, max](Options& o, std::string_view value) {
    long long number = 0;
    const auto status = optparse::parse_int(value, number);
    if (status == optparse::IntStatus::invalid) return "invalid integer value: " + repr(value);
    if (status == optparse::IntStatus::out_of_range || number < min || number > max) {
      return "value out of range: " + repr(value) + " (" + std::to_string(min) + " to " +
             std::to_string(max) + ")";
    }
    access(o) = static_cast<std::remove_reference_t<decltype(access(o))>>(number);
    return std::string();
  };
}

// A duration in seconds (optparse's type="float").
template <typename Access>
Store seconds(Access access, bool zero_allowed = false) {
  return [access, zero_allowed](Options& o, std::string_view value) {
    const std::string text(value);
    char* end = nullptr;
    const double number = text.empty() ? 0 : std::strtod(text.c_str(), &end);
    if (text.empty() || std::isspace(static_cast<unsigned char>(text[0])) || *end != '\0' ||
        std::isnan(number)) {
      return "invalid floating-point value: " + repr(value);
    }
    if (zero_allowed && number == 0) {
      access(o) = std::chrono::milliseconds(0);
      return std::string();
    }
    if (!(number > 0) || number > 1e9) {
      return "value out of range: " + repr(value) + " (seconds, " +
             (zero_allowed ? "0 or more" : "above 0") + ", at most 1e9)";
    }
    access(o) = std::chrono::milliseconds(static_cast<long long>(std::ceil(number * 1000)));
    return std::string();
  };
}

std::string default_seconds(std::chrono::milliseconds value) {
  std::string text = std::to_string(static_cast<double>(value.count()) / 1000);
  text.erase(text.find_last_not_of('0') + 1);
  if (text.back() == '.') text.pop_back();
  return " (default: " + text + ")";
}

#define FIELD(member) \
  [](Options & o) -> auto& { return o.member; }

// The table: ganeti-rapi's options in its help order (optparse's own, then
// lib/server/rapi.py's, then lib/daemon.py's), then rapid's.
std::vector<Spec> make_specs(const Options& d, const std::string& default_bind,
                             std::function<void(const std::string&)> set_config) {
  const auto original = [](std::string short_name, std::string long_name, std::string metavar,
                           std::string help, Store store) {
    return Spec{{std::move(short_name), std::move(long_name), std::move(metavar), std::move(help),
                 0, true, false},
                std::move(store),
                Where::original};
  };
  const auto own = [](std::string long_name, std::string metavar, std::string help, Store store) {
    return Spec{{"", std::move(long_name), std::move(metavar), std::move(help), 1, false, false},
                std::move(store),
                Where::own};
  };
  const auto nothing = [](Options&, std::string_view) { return std::string(); };
  std::vector<Spec> specs = {
      {{"", "--version", "", "show program's version number and exit", 0, true, true},
       nothing,
       Where::command_line},
      {{"-h", "--help", "", "show this help message and exit", 0, true, true},
       nothing,
       Where::command_line},
      original("", "--require-authentication", "",
               "Disable anonymous HTTP requests and require authentication",
               flag(FIELD(require_authentication), true)),
      original("", "--max-clients", "MAX_CLIENTS",
               "Number of simultaneous connections accepted by ganeti-rapi (default: " +
                   std::to_string(d.max_clients) + ")",
               integer(FIELD(max_clients), std::numeric_limits<long long>::min(),
                       std::numeric_limits<long long>::max())),
      original("-f", "--foreground", "", "Don't detach from the current terminal",
               flag(FIELD(foreground), true)),
      original("-d", "--debug", "", "Enable some debug messages", flag(FIELD(debug), true)),
      original("", "--syslog", "SYSLOG",
               "Enable logging to syslog (except debug messages); one of 'no', 'yes' or 'only' "
               "[no]",
               [](Options& o, std::string_view value) {
                 if (value == "no" || value == "yes" || value == "only") {
                   o.syslog = value == "yes"    ? SyslogMode::yes
                              : value == "only" ? SyslogMode::only
                                                : SyslogMode::no;
                   return std::string();
                 }
                 return "invalid choice: " + repr(value) + " (choose from 'no', 'yes', 'only')";
               }),
      original("-p", "--port", "PORT", "Network port (default: " + std::to_string(d.port) + ")",
               integer(FIELD(port), 0, 65535)),
      original("-b", "--bind", "ADDRESS", "Bind address (default: '" + default_bind + "')",
               string_value(FIELD(bind_address))),
      original("-i", "--interface", "INTERFACE", "Bind interface", string_value(FIELD(interface))),
      original("", "--no-ssl", "", "Do not secure HTTP protocol with SSL", flag(FIELD(ssl), false)),
      original("-K", "--ssl-key", "SSL_KEY_PATH", "SSL key path (default: " + d.ssl_key + ")",
               string_value(FIELD(ssl_key))),
      original("-C", "--ssl-cert", "SSL_CERT_PATH",
               "SSL certificate path (default: " + d.ssl_cert + ")", string_value(FIELD(ssl_cert))),

      {{"", "--config", "FILE",
        "rapid's config file (default: " + std::string(kDefaultConfigFile) + ", may be absent)", 1,
        false, false},
       [set_config](Options&, std::string_view value) {
         set_config(std::string(value));
         return std::string();
       },
       Where::command_line},
      {{"", "--check-users", "FILE",
        "Check a users file: print each user's permissions and every warning, then exit (0: "
        "fine, 1: malformed, 3: warnings); serves nothing; command line only",
        1, false, false},
       [](Options& o, std::string_view value) {
         if (value.empty()) return std::string("a file name is needed");
         o.check_users = std::string(value);
         return std::string();
       },
       Where::command_line},
      own("--no-user-check", "", "Run as any user, not only gnt-rapi (tests, sandboxes)",
          flag(FIELD(user_check), false)),
      own("--no-master-check", "",
          "Start even if this node is not the master (ssconf_master_node; tests, sandboxes)",
          flag(FIELD(master_check), false)),
      own("--ssl-chain", "SSL_CHAIN_PATH",
          "SSL certificate chain path, intermediates sent after the certificate (Ganeti 3.1's "
          "option; default: none)",
          string_value(FIELD(ssl_chain))),
      own("--luxi-socket", "PATH",
          "LUXI socket of the master daemon (default: " + d.luxi_socket + ")",
          string_value(FIELD(luxi_socket))),
      own("--users-file", "PATH", "RAPI users file (default: " + d.users_file + ")",
          string_value(FIELD(users_file))),
      own("--pid-file", "PATH", "PID file (default: " + d.pid_file + ")",
          string_value(FIELD(pid_file))),
      own("--log-file", "PATH", "Log file (default: " + d.log_file + ")",
          string_value(FIELD(log_file))),
      own("--ssconf-dir", "DIR",
          "Directory of Ganeti's ssconf files (default: " + d.ssconf_dir + ")",
          string_value(FIELD(ssconf_dir))),
      own("--audit-log", "PATH",
          "Audit log of writes, one JSON line per request (default: " + d.audit_log +
              "); with --syslog also to syslog, with --syslog=only there alone",
          string_value(FIELD(audit_log))),
      own("--no-audit-log", "", "Write no audit log", flag(FIELD(audit), false)),
      own("--access-log-user", "",
          "Append \"user=<name>\" to the access log line of authenticated requests",
          flag(FIELD(access_log_user), true)),
      own("--threads", "N", "I/O threads (default: 0, one per core)",
          integer(FIELD(threads), 0, 1024)),
      own("--max-header-size", "BYTES",
          "Request header limit (default: " + std::to_string(d.limits.max_header_bytes) + ")",
          integer(FIELD(limits.max_header_bytes), 1, 1LL << 30)),
      own("--max-body-size", "BYTES",
          "Request body limit (default: " + std::to_string(d.limits.max_body_bytes) + ")",
          integer(FIELD(limits.max_body_bytes), 1, 1LL << 40)),
      own("--handshake-timeout", "SECONDS",
          "TLS handshake timeout" + default_seconds(d.limits.handshake_timeout),
          seconds(FIELD(limits.handshake_timeout))),
      own("--header-timeout", "SECONDS",
          "Time to send the request headers" + default_seconds(d.limits.header_timeout),
          seconds(FIELD(limits.header_timeout))),
      own("--body-timeout", "SECONDS",
          "Time to send the request body" + default_seconds(d.limits.body_timeout),
          seconds(FIELD(limits.body_timeout))),
      own("--idle-timeout", "SECONDS",
          "Keep-alive idle timeout" + default_seconds(d.limits.idle_timeout),
          seconds(FIELD(limits.idle_timeout))),
      own("--write-timeout", "SECONDS",
          "Time to send a response" + default_seconds(d.limits.write_timeout),
          seconds(FIELD(limits.write_timeout))),
      own("--shutdown-timeout", "SECONDS",
          "Grace period for requests in flight on SIGTERM" + default_seconds(d.shutdown_timeout),
          seconds(FIELD(shutdown_timeout))),
      own("--luxi-timeout", "SECONDS",
          "Timeout of one call to the master daemon" + default_seconds(d.luxi_timeout),
          seconds(FIELD(luxi_timeout))),
      own("--luxi-connections", "N",
          "Connections to the master daemon kept at most (default: " +
              std::to_string(d.luxi_connections) + ")",
          integer(FIELD(luxi_connections), 1, 4096)),
      own("--no-coalesce", "",
          "Make one call to the master daemon per request, also when identical queries are "
          "in flight (default: they share one)",
          flag(FIELD(coalesce), false)),
      own("--metrics-port", "PORT",
          "Serve Prometheus metrics (GET /metrics, plain HTTP, no authentication) on this port "
          "(default: 0, off)",
          integer(FIELD(metrics_port), 0, 65535)),
      own("--metrics-bind", "ADDRESS",
          "Address of the metrics listener (default: " + d.metrics_bind + ")",
          string_value(FIELD(metrics_bind))),
      own("--metrics-cache", "SECONDS",
          "How long the cluster's metrics are reused before luxid is asked again (0: every "
          "scrape asks)" +
              default_seconds(d.metrics_cache),
          seconds(FIELD(metrics_cache), true)),
  };
  return specs;
}

#undef FIELD

std::string help_text(const std::vector<Spec>& specs) {
  std::vector<optparse::Option> options;
  for (const auto& spec : specs) options.push_back(spec.option);
  const std::vector<optparse::Group> groups = {
      {},
      {"rapid options",
       std::string("Not in ganeti-rapi. Also read from the config file as \"name = value\" "
                   "(the long name without \"--\"); the command line wins.")}};
  return optparse::format_help(kUsage, "Ganeti Remote API", options, groups, terminal_columns());
}

}  // namespace

ParseOutcome parse_options(const std::vector<std::string>& argv, std::ostream& out,
                           std::ostream& err, const std::string& default_config_file) {
  Options defaults;
  defaults.port = default_port();
  if (!argv.empty()) defaults.program = argv.front();
  // The help shows the default bind of this cluster, as the original does.
  int family = AF_INET;
  std::string ignored;
  primary_ip_family(defaults.ssconf_dir, family, ignored);
  std::string config_file = default_config_file;
  bool config_given = false;
  const std::vector<Spec> specs =
      make_specs(defaults, default_bind_address(family), [&](const std::string& path) {
        config_file = path;
        config_given = true;
      });

  // Pass 1, the command line: check each value in order (optparse's first
  // error wins) and keep it for pass 3.
  std::vector<optparse::Option> options;
  for (const auto& spec : specs) options.push_back(spec.option);
  Options scratch = defaults;
  std::vector<optparse::Occurrence> given;
  const std::vector<std::string> args(argv.empty() ? argv.end() : argv.begin() + 1, argv.end());
  const auto outcome = optparse::parse(options, args, [&](const optparse::Occurrence& occurrence) {
    const std::string error = specs[occurrence.option].store(scratch, occurrence.value);
    if (!error.empty()) return "option " + occurrence.name + ": " + error;
    given.push_back(occurrence);
    return std::string();
  });
  if (!outcome.error.empty()) {
    err << "Usage: " << kUsage << "\n\nganeti-rapi: error: " << outcome.error << "\n";
    return kExitUsage;
  }
  if (outcome.ended_by) {
    if (specs[*outcome.ended_by].option.long_name == "--help") {
      out << help_text(specs);
    } else {
      out << "ganeti-rapi (ganeti) " << kGanetiVersion << "\nrapid " << kRapidVersion << "\n";
    }
    return 0;
  }

  // Pass 2, the config file; pass 3, the command line over it.
  Options o = defaults;
  std::vector<ConfigKey> keys;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    keys.push_back({specs[i].option.long_name.substr(2), specs[i].where,
                    specs[i].option.takes_value(),
                    [&specs, i](Options& target, std::string_view value) {
                      return specs[i].store(target, value);
                    }});
  }
  std::string error;
  if (!read_config_file(config_file, config_given, keys, o, error)) {
    err << "ganeti-rapi: error: " << error << "\n";
    return kExitUsage;
  }
  for (const auto& occurrence : given) specs[occurrence.option].store(o, occurrence.value);
  o.arguments = outcome.positional;
  if (o.max_clients >= 1) o.limits.max_clients = static_cast<std::size_t>(o.max_clients);
  return o;
}

ParseOutcome parse_options(int argc, char** argv) {
  return parse_options(std::vector<std::string>(argv, argv + argc), std::cout, std::cerr);
}

}  // namespace rapid::app
