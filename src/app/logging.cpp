#include "app/logging.h"

#include <fcntl.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "app/daemon.h"
#include "app/log_file.h"
#include "util/file.h"

namespace rapid::app {
namespace {

constexpr const char* kProgram = "ganeti-rapi";

// Python logging's level names.
std::string_view level_name(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return "DEBUG";
    case spdlog::level::warn:
      return "WARNING";
    case spdlog::level::err:
      return "ERROR";
    case spdlog::level::critical:
      return "CRITICAL";
    default:
      return "INFO";
  }
}

class LevelNameFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const std::string_view name = level_name(msg.level);
    dest.append(name.data(), name.data() + name.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<LevelNameFlag>();
  }
};

// Python's %(module)s: the source file's name without directory and suffix.
class ModuleFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    if (!msg.source.filename) return;
    std::string_view name = msg.source.filename;
    if (const auto slash = name.rfind('/'); slash != std::string_view::npos) {
      name.remove_prefix(slash + 1);
    }
    name = name.substr(0, name.find('.'));
    dest.append(name.data(), name.data() + name.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<ModuleFlag>();
  }
};

// spdlog's %P calls getpid() for every line (glibc caches no pid: a system
// call per access line). The pid of the process that set up logging, which
// is after the daemon's last fork.
class PidFlag final : public spdlog::custom_flag_formatter {
 public:
  PidFlag() : pid_(std::to_string(::getpid())) {}
  void format(const spdlog::details::log_msg&, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    dest.append(pid_.data(), pid_.data() + pid_.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<PidFlag>();
  }

 private:
  std::string pid_;
};

std::unique_ptr<spdlog::pattern_formatter> make_formatter(bool debug, bool syslog) {
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<LevelNameFlag>('*');
  formatter->add_flag<ModuleFlag>('~');
  formatter->add_flag<PidFlag>('&');
  std::string pattern;
  if (!syslog) pattern = std::string("%Y-%m-%d %H:%M:%S,%e: ") + kProgram + " pid=%& ";
  if (debug && !syslog) pattern += "%~:%# ";
  pattern += "%* %v";
  formatter->set_pattern(pattern);
  return formatter;
}

int syslog_priority(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::err:
      return LOG_ERR;
    case spdlog::level::warn:
      return LOG_WARNING;
    default:
      return LOG_INFO;
  }
}

// The log file (app/log_file.h: a failed write loses nothing but its own
// line, a failed reopen is retried). Once detached it also keeps stdin,
// stdout and stderr where utils.Daemonize puts them (stdio only: with
// --syslog=only it writes no lines). Problems with the file itself are
// reported where they can be seen: syslog, and stderr in the foreground.
class LogFileSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  struct Config {
    std::string path;
    bool lines = true;       // write log lines (not with --syslog=only)
    bool stdio = false;      // detached: stdout/stderr follow the file
    bool foreground = true;  // reports go to stderr too
  };

  explicit LogFileSink(Config config)
      : lines_(config.lines),
        foreground_(config.foreground),
        file_(
            LogFile::Config{
                .path = config.path,
                .lines = config.lines,
                .also =
                    config.stdio ? std::function<int(const std::string&)>(redirect_stdio) : nullptr,
                .report = [this](spdlog::level::level_enum level, const std::string& text,
                                 bool into_file) { report(level, text, into_file); }},
            LogFile::Start::or_throw) {}

  void reopen() {
    std::lock_guard lock(mutex_);
    file_.reopen();
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    file_.retry_if_due();
    if (!lines_) return;
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    file_.write(formatted.data(), formatted.size());
  }
  void flush_() override {}

 private:
  // Into the log file (the previous one while a reopen fails) when it can
  // be written, and outside it.
  void report(spdlog::level::level_enum level, const std::string& text, bool into_file) {
    if (into_file && lines_) {
      const std::string line = format(level, text);
      file_.write_unchecked(line.data(), line.size());
    }
    const std::string_view name = level_name(level);
    ::syslog(LOG_DAEMON | syslog_priority(level), "%.*s %s", static_cast<int>(name.size()),
             name.data(), text.c_str());
    // Detached, stderr is the log file itself.
    if (foreground_) {
      const std::string line = format(level, text);
      (void)write_all(STDERR_FILENO, line.data(), line.size());
    }
  }

  std::string format(spdlog::level::level_enum level, const std::string& text) {
    const spdlog::details::log_msg msg(spdlog::source_loc(__FILE__, __LINE__, ""), kProgram, level,
                                       text);
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    return std::string(formatted.data(), formatted.size());
  }

  bool lines_;
  bool foreground_;
  LogFile file_;
};

std::shared_ptr<LogFileSink> g_file_sink;

void append_sanitized(std::string& out, std::string_view text) {
  constexpr char kHex[] = "0123456789ABCDEF";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte > 0x20 && byte < 0x7f && byte != '%') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    }
  }
}

}  // namespace

void setup_logging(const Options& options) {
  // Reports about the log file go to syslog whatever --syslog says.
  ::openlog(kProgram, LOG_PID, LOG_DAEMON);
  std::vector<spdlog::sink_ptr> sinks;
  if (options.foreground) {
    // The original's stderr handler: everything with -d, else CRITICAL only.
    auto err = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    err->set_formatter(make_formatter(options.debug, false));
    err->set_level(options.debug ? spdlog::level::trace : spdlog::level::critical);
    sinks.push_back(err);
  }
  if (options.syslog != SyslogMode::no) {
    auto sys = std::make_shared<spdlog::sinks::syslog_sink_mt>(kProgram, LOG_PID, LOG_DAEMON, true);
    sys->set_formatter(make_formatter(false, true));
    // Like Ganeti: debug messages never go to syslog.
    sys->set_level(spdlog::level::info);
    sinks.push_back(sys);
  }
  const bool lines = options.syslog != SyslogMode::only;
  if (lines || !options.foreground) {
    g_file_sink =
        std::make_shared<LogFileSink>(LogFileSink::Config{.path = options.log_file,
                                                          .lines = lines,
                                                          .stdio = !options.foreground,
                                                          .foreground = options.foreground});
    g_file_sink->set_formatter(make_formatter(options.debug, false));
    sinks.push_back(g_file_sink);
  }
  auto logger = std::make_shared<spdlog::logger>(kProgram, sinks.begin(), sinks.end());
  logger->set_level(options.debug ? spdlog::level::debug : spdlog::level::info);
  // No flush per line: no sink buffers one. The log file gets one write()
  // per line (LogFile), before the answer leaves, so a line is lost neither
  // on SIGTERM nor on SIGHUP's reopen (a line written meanwhile goes to the
  // old file or the new one); spdlog's stderr sink flushes each line itself.
  spdlog::set_default_logger(logger);
}

void reopen_log_file() {
  // The original's two lines: the first still in the old file, the second
  // in the new one.
  SPDLOG_INFO("Reopening log files after receiving SIGHUP");
  if (g_file_sink) g_file_sink->reopen();
  SPDLOG_INFO("Received request to reopen log files");
}

std::string access_log_line(const http::Request& request, const http::Response& response,
                            bool with_user) {
  std::string line;
  // One allocation: peer, method, target, version, status and the user.
  line.reserve(request.peer.size() + request.method.size() + request.target.size() + 24 +
               (with_user ? response.principal.size() + 6 : 0));
  line += request.peer;
  line += ' ';
  line += request.method;
  line += ' ';
  line += request.target;
  line += ' ';
  line += http::version_string(request.version);
  line += ' ';
  line += std::to_string(response.status);
  if (with_user && !response.principal.empty()) {
    line += " user=";
    append_sanitized(line, response.principal);
  }
  return line;
}

}  // namespace rapid::app
