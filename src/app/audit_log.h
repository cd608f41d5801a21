#pragma once
// The audit log's sink (docs/audit-log.md): the lines rapi/audit.h builds
// go to their own file (--audit-log, an app/log_file.h file: O_APPEND, one
// write() per line, reopened on SIGHUP with the main log) and, with
// --syslog, to syslog ("AUDIT {...}"). Thread-safe: the io threads write,
// SIGHUP reopens.

#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "app/log_file.h"

namespace rapid::app {

struct AuditLogConfig {
  std::string path;       // empty: no file
  bool required = false;  // the path was asked for: open() throws when it cannot be opened
  bool syslog = false;    // each line to syslog too
};

class AuditLogError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class AuditLog {
 public:
  explicit AuditLog(AuditLogConfig config);

  // Whether there is anywhere to write to (fixed by the config).
  bool enabled() const { return !config_.path.empty() || config_.syslog; }
  // At start-up. A file that cannot be opened throws AuditLogError when
  // required, else is logged as an error and retried like a failed reopen.
  void open();
  // One line ('\n'-terminated), from any thread.
  void write(std::string_view line);
  // SIGHUP.
  void reopen();

 private:
  AuditLogConfig config_;
  std::mutex mutex_;
  std::optional<LogFile> file_;  // guarded by mutex_
};

}  // namespace rapid::app
