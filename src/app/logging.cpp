#include "app/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>
#include <syslog.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace rapid::app {
namespace {

constexpr const char* kProgram = "ganeti-rapi";

// Python logging's level names.
class LevelNameFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string_view name = "INFO";
    switch (msg.level) {
      case spdlog::level::trace:
      case spdlog::level::debug:
        name = "DEBUG";
        break;
      case spdlog::level::info:
        name = "INFO";
        break;
      case spdlog::level::warn:
        name = "WARNING";
        break;
      case spdlog::level::err:
        name = "ERROR";
        break;
      case spdlog::level::critical:
        name = "CRITICAL";
        break;
      default:
        break;
    }
    dest.append(name.data(), name.data() + name.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<LevelNameFlag>();
  }
};

// A file sink that can reopen its file (logrotate sends SIGHUP).
class ReopenableFileSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit ReopenableFileSink(std::string path) : path_(std::move(path)) { open(); }
  ~ReopenableFileSink() override {
    if (file_) std::fclose(file_);
  }

  void reopen() {
    std::lock_guard lock(mutex_);
    if (file_) std::fclose(file_);
    file_ = nullptr;
    open();
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (!file_) return;
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    std::fwrite(formatted.data(), 1, formatted.size(), file_);
    std::fflush(file_);
  }
  void flush_() override {
    if (file_) std::fflush(file_);
  }

 private:
  void open() {
    file_ = std::fopen(path_.c_str(), "a");
    if (!file_) {
      throw std::runtime_error("Cannot open log file " + path_ + ": " + std::strerror(errno));
    }
  }

  std::string path_;
  std::FILE* file_ = nullptr;
};

std::shared_ptr<ReopenableFileSink> g_file_sink;

std::unique_ptr<spdlog::pattern_formatter> make_formatter(bool debug, bool syslog) {
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<LevelNameFlag>('*');
  std::string pattern;
  if (!syslog) pattern = std::string("%Y-%m-%d %H:%M:%S,%e: ") + kProgram + " pid=%P ";
  if (debug) pattern += "%s:%# ";
  pattern += "%* %v";
  formatter->set_pattern(pattern);
  return formatter;
}

}  // namespace

void setup_logging(const Options& options) {
  std::vector<spdlog::sink_ptr> sinks;
  if (options.syslog != SyslogMode::only) {
    g_file_sink = std::make_shared<ReopenableFileSink>(options.log_file);
    g_file_sink->set_formatter(make_formatter(options.debug, false));
    sinks.push_back(g_file_sink);
    if (options.foreground) {
      auto err = std::make_shared<spdlog::sinks::stderr_sink_mt>();
      err->set_formatter(make_formatter(options.debug, false));
      sinks.push_back(err);
    }
  }
  if (options.syslog != SyslogMode::no) {
    auto sys = std::make_shared<spdlog::sinks::syslog_sink_mt>(kProgram, LOG_PID, LOG_DAEMON, true);
    sys->set_formatter(make_formatter(false, true));
    // Like Ganeti: debug messages never go to syslog.
    sys->set_level(spdlog::level::info);
    sinks.push_back(sys);
  }
  auto logger = std::make_shared<spdlog::logger>(kProgram, sinks.begin(), sinks.end());
  logger->set_level(options.debug ? spdlog::level::debug : spdlog::level::info);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

void reopen_log_file() {
  if (!g_file_sink) return;
  try {
    g_file_sink->reopen();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
  }
}

}  // namespace rapid::app
