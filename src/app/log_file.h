#pragma once
// A log file as rapid writes its log and its audit log: by descriptor,
// opened for appending (O_APPEND, one write() per line, so that lines of
// several threads never mix), reopened on SIGHUP for logrotate.
//
// A reopen that fails keeps the previous file and is retried on the next
// SIGHUP and at most every 10 s at the next line; a write that fails loses
// its own line only. Each problem, and its end, is reported once through
// `report` (where to is the owner's business). Not thread-safe: the owner
// serialises the calls.

#include <spdlog/common.h>
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

namespace rapid::app {

class LogFile {
 public:
  // `into_file`: the report may go into this file too (false when writing
  // to it is what fails).
  using Report =
      std::function<void(spdlog::level::level_enum level, const std::string& text, bool into_file)>;

  struct Config {
    std::string path;
    std::string what = "log file";  // in the reports: "Cannot reopen <what> <path>: ..."
    mode_t mode = 0666;             // (before the umask)
    bool lines = true;              // false: no descriptor of its own, only `also` is reopened
    // Reopened with the file (0 or an errno): the detached daemon's stdio.
    std::function<int(const std::string& path)> also;
    Report report;
  };

  enum class Start {
    or_throw,  // std::runtime_error when the file cannot be opened
    or_retry,  // reported, then retried as a failed reopen is
  };

  LogFile(Config config, Start start);
  ~LogFile();
  LogFile(const LogFile&) = delete;
  LogFile& operator=(const LogFile&) = delete;

  // SIGHUP.
  void reopen();
  // The periodic retry of a failed reopen, when it is due (write() does it).
  void retry_if_due();
  // One whole line.
  void write(const char* data, std::size_t size);
  // Into the current file, with no accounting (the owner's own reports).
  void write_unchecked(const char* data, std::size_t size);

  const std::string& path() const { return config_.path; }

 private:
  void try_reopen(bool on_sighup);

  Config config_;
  int fd_ = -1;
  bool reopen_pending_ = false;
  int reopen_errno_ = 0;
  std::chrono::steady_clock::time_point last_attempt_;
  std::size_t lost_lines_ = 0;
};

}  // namespace rapid::app
