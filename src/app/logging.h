#pragma once
// Logging as ganeti-rapi does it (lib/utils/log.py SetupLogging, from
// lib/daemon.py GenericMain):
//   2026-11-27 12:00:00,123: ganeti-rapi pid=42 INFO message
// (with -d: "pid=42 <module>:<line> INFO message") to the log file, which
// SIGHUP reopens for logrotate; in the foreground to stderr, CRITICAL only
// unless -d; and to syslog as --syslog says. Once detached, stdout and stderr
// point at the log file too and follow it on SIGHUP (utils.Daemonize).
//
// Beyond the original: a reopen that fails is reported (syslog, and stderr
// in the foreground) and retried on the next SIGHUP and at most every 10 s
// on the next line, while the lines keep going to the previous file; lost
// writes (a full disk) are reported too (app/log_file.h, which the audit
// log shares).

#include <string>

#include "app/options.h"
#include "http/message.h"

namespace rapid::app {

// Throws std::runtime_error when the log file cannot be opened.
void setup_logging(const Options& options);

// SIGHUP: reopens the log file (and stdio once detached).
void reopen_log_file();

// The access log line: "<peer> <METHOD> <target> <version> <status>", the
// original's; with `with_user`, " user=<name>" appended when the handler
// authenticated someone (bytes outside printable ASCII, and '%', as %XX).
std::string access_log_line(const http::Request& request, const http::Response& response,
                            bool with_user);

}  // namespace rapid::app
