#include "app/log_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "util/file.h"

namespace rapid::app {
namespace {

// How often a failed reopen is retried (on the next line written).
constexpr std::chrono::seconds kRetryInterval{10};

// Python's open(path, "a").
int open_appending(const std::string& path, mode_t mode) {
  return ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, mode);
}

std::string capitalized(std::string text) {
  if (!text.empty()) text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
  return text;
}

}  // namespace

LogFile::LogFile(Config config, Start start) : config_(std::move(config)) {
  if (!config_.lines) return;
  fd_ = open_appending(config_.path, config_.mode);
  if (fd_ >= 0) return;
  const int error = errno;
  const std::string text =
      "Cannot open " + config_.what + " " + config_.path + ": " + std::strerror(error);
  if (start == Start::or_throw) throw std::runtime_error(text);
  reopen_pending_ = true;
  reopen_errno_ = error;
  last_attempt_ = std::chrono::steady_clock::now();
  config_.report(spdlog::level::err,
                 text + "; its lines are lost until it can be, retrying on SIGHUP and every " +
                     std::to_string(kRetryInterval.count()) + " s",
                 false);
}

LogFile::~LogFile() {
  if (fd_ >= 0) ::close(fd_);
}

void LogFile::reopen() { try_reopen(true); }

void LogFile::retry_if_due() {
  if (reopen_pending_ && std::chrono::steady_clock::now() - last_attempt_ >= kRetryInterval) {
    try_reopen(false);
  }
}

// Keeps the old descriptors unless everything could be reopened.
void LogFile::try_reopen(bool on_sighup) {
  last_attempt_ = std::chrono::steady_clock::now();
  int error = 0;
  int fd = -1;
  if (config_.lines) {
    fd = open_appending(config_.path, config_.mode);
    if (fd < 0) error = errno;
  }
  if (error == 0 && config_.also) error = config_.also(config_.path);
  if (error != 0) {
    if (fd >= 0) ::close(fd);
    // Every SIGHUP's failure is reported; the periodic retries' only when
    // the reason changes.
    const bool report_it = on_sighup || !reopen_pending_ || error != reopen_errno_;
    reopen_pending_ = true;
    reopen_errno_ = error;
    if (report_it) {
      const bool has_previous = fd_ >= 0 || !config_.lines;
      config_.report(
          spdlog::level::err,
          "Cannot reopen " + config_.what + " " + config_.path + ": " + std::strerror(error) +
              (has_previous ? "; still writing to the previous file"
                            : "; its lines are lost until it can be") +
              ", retrying on SIGHUP and every " + std::to_string(kRetryInterval.count()) + " s",
          has_previous);
    }
    return;
  }
  if (fd >= 0) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }
  if (reopen_pending_) {
    reopen_pending_ = false;
    config_.report(spdlog::level::info,
                   capitalized(config_.what) + " " + config_.path + " reopened", true);
  }
}

void LogFile::write(const char* data, std::size_t size) {
  retry_if_due();
  if (fd_ < 0) {
    ++lost_lines_;  // the failed open was reported
    return;
  }
  if (write_all(fd_, data, size)) {
    if (lost_lines_ > 0) {
      const std::string text = "Writing to " + config_.what + " " + config_.path +
                               " works again; " + std::to_string(lost_lines_) + " line(s) lost";
      lost_lines_ = 0;
      config_.report(spdlog::level::info, text, true);
    }
    return;
  }
  const int error = errno;
  if (lost_lines_++ == 0) {
    config_.report(spdlog::level::err,
                   "Cannot write to " + config_.what + " " + config_.path + ": " +
                       std::strerror(error) + "; lines are lost until it works again",
                   false);
  }
}

void LogFile::write_unchecked(const char* data, std::size_t size) {
  if (fd_ >= 0) (void)write_all(fd_, data, size);
}

}  // namespace rapid::app
