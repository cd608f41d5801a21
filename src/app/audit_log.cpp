#include "app/audit_log.h"

#include <spdlog/spdlog.h>
#include <syslog.h>

namespace rapid::app {
namespace {

// Only the operator and Ganeti's group may read who changed what.
constexpr mode_t kAuditFileMode = 0640;

}  // namespace

AuditLog::AuditLog(AuditLogConfig config) : config_(std::move(config)) {}

void AuditLog::open() {
  if (config_.path.empty()) return;
  std::lock_guard lock(mutex_);
  // Problems go to the main log (and so to syslog with --syslog), never
  // into the audit file, which holds audit lines alone.
  LogFile::Config file{.path = config_.path,
                       .what = "audit log",
                       .mode = kAuditFileMode,
                       .report = [](spdlog::level::level_enum level, const std::string& text,
                                    bool) { spdlog::log(level, "{}", text); }};
  try {
    file_.emplace(std::move(file),
                  config_.required ? LogFile::Start::or_throw : LogFile::Start::or_retry);
  } catch (const std::runtime_error& e) {
    throw AuditLogError(e.what());
  }
}

void AuditLog::write(std::string_view line) {
  {
    std::lock_guard lock(mutex_);
    if (file_) file_->write(line.data(), line.size());
  }
  if (config_.syslog) {
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    ::syslog(LOG_DAEMON | LOG_INFO, "AUDIT %.*s", static_cast<int>(line.size()), line.data());
  }
}

void AuditLog::reopen() {
  std::lock_guard lock(mutex_);
  if (file_) file_->reopen();
}

}  // namespace rapid::app
