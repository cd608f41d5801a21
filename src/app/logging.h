#pragma once
// Logging in ganeti-rapi's format:
//   2026-11-27 12:00:00,123: ganeti-rapi pid=42 INFO message
// to the log file (reopened on SIGHUP for logrotate), to stderr in the
// foreground, and to syslog as --syslog says.

#include "app/options.h"

namespace rapid::app {

// Throws std::runtime_error when the log file cannot be opened.
void setup_logging(const Options& options);

// Reopens the log file (after logrotate moved it away).
void reopen_log_file();

}  // namespace rapid::app
