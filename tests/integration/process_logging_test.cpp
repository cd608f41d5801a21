// The rapid binary's log file: Ganeti's line format, the access log line
// with and without -d, and no credentials in it; stderr in the foreground
// (CRITICAL only unless -d) and stdio once detached (the log file, followed
// on SIGHUP), as lib/utils/log.py SetupLogging and utils.Daemonize do.
//
// rapid-specific behaviour tested here: a failed reopen is reported and
// retried (on SIGHUP and every 10 s), lost writes are reported, and
// --access-log-user appends the authenticated user to the access line.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <sstream>
#include <thread>

#include "support/process.h"
#include "support/rapid_server.h"

namespace rapid::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// What follows "INFO <peer> " on each access line of `log`.
std::vector<std::string> access_lines(const std::string& log) {
  static const std::regex access(" INFO 127\\.0\\.0\\.1:[0-9]+ (.*)$");
  std::vector<std::string> found;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    std::smatch match;
    if (std::regex_search(line, match, access)) found.push_back(match[1].str());
  }
  return found;
}

std::string fd_target(int pid, int fd) {
  std::error_code ec;
  const auto target =
      fs::read_symlink("/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd), ec);
  return ec ? std::string() : target.string();
}

// The open flags of a descriptor of another process (/proc/<pid>/fdinfo).
int fd_flags(int pid, int fd) {
  std::istringstream info(
      read_file("/proc/" + std::to_string(pid) + "/fdinfo/" + std::to_string(fd)));
  for (std::string line; std::getline(info, line);) {
    if (line.starts_with("flags:"))
      return static_cast<int>(std::strtol(line.c_str() + 6, nullptr, 8));
  }
  return -1;
}

// The rapid binary detached (no -f): the parent has exited once it serves.
struct DetachedRapid {
  DetachedRapid(Sandbox& box, std::string log_file)
      : log(std::move(log_file)), pid_file(box.dir + "/detached.pid"), port(free_port()) {
    std::vector<std::string> args = {
        "--no-master-check", "--no-user-check", "--port", std::to_string(port), "--bind",
        "127.0.0.1",         "--pid-file",      pid_file, "--log-file",         log};
    const auto rest = box.args();
    args.insert(args.end(), rest.begin(), rest.end());
    started = run_rapid(box.dir, args);
    pid = std::atoi(read_file(pid_file).c_str());
  }
  ~DetachedRapid() {
    if (pid <= 0) return;
    ::kill(pid, SIGTERM);
    // Not our child: its PID file going away says it has ended.
    if (!eventually([&] { return !fs::exists(pid_file); }, 5s)) ::kill(pid, SIGKILL);
  }
  std::optional<HttpResponse> get(const std::string& target) const {
    return HttpClient::request(port, false, "GET", target);
  }

  std::string log;
  std::string pid_file;
  std::uint16_t port;
  Exit started;
  int pid = -1;
};

TEST(Process, LogFormatAndNoSecrets) {
  Sandbox box;
  box.luxi.reply("QueryClusterInfo", Json::object());
  RapidProcess rapid(box.dir, box.args({"-d"}));
  ASSERT_TRUE(rapid.wait_ready());
  EXPECT_EQ(status_of(call(rapid, "GET", "/2/info", "admin:adminpass")), 200);
  EXPECT_EQ(status_of(call(rapid, "GET", "/2/info", "admin:Sup3rS3cretWrong")), 401);
  EXPECT_EQ(status_of(call(rapid, "PUT", "/2/tags?tag=x", "reader:readpass")), 403);
  EXPECT_EQ(status_of(call(rapid, "GET", "/2/nosuch")), 404);
  const std::string pid = std::to_string(rapid.pid());
  const std::regex prefix(
      "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2},[0-9]{3}: ganeti-rapi pid=" + pid +
      " ");
  // "<ip>:<port> <METHOD> <target> <version> <status>"; with -d the level is
  // preceded by "<module>:<line>".
  const std::regex access(
      "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2},[0-9]{3}: ganeti-rapi pid=" + pid +
      " (\\S+:[0-9]+ )?INFO 127\\.0\\.0\\.1:[0-9]+ (\\S+) (\\S+) HTTP/1\\.1 ([0-9]{3})$");
  ASSERT_TRUE(eventually(
      [&] { return rapid.log().find("GET /2/nosuch HTTP/1.1 404") != std::string::npos; }));
  const std::string log = rapid.log();
  std::vector<std::string> requests;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_TRUE(std::regex_search(line, prefix)) << line;
    std::smatch match;
    if (std::regex_match(line, match, access))
      requests.push_back(match[2].str() + " " + match[3].str() + " " + match[4].str());
  }
  EXPECT_EQ(requests, (std::vector<std::string>{"GET /2/info 200", "GET /2/info 401",
                                                "PUT /2/tags?tag=x 403", "GET /2/nosuch 404"}))
      << log;
  for (const std::string& secret :
       std::vector<std::string>{"adminpass", "Sup3rS3cretWrong", "readpass",
                                base64("admin:adminpass"), base64("admin:Sup3rS3cretWrong"),
                                base64("reader:readpass"), "Authorization", "Basic "}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << secret << "\n" << log;
  }
  rapid.signal(SIGTERM);
  EXPECT_EQ(exit_code(rapid.wait_exit(5s)), 0);
}

TEST(Process, AccessLogLineWithoutDebug) {
  Sandbox box;
  box.luxi.reply("QueryClusterInfo", Json::object());
  RapidProcess rapid(box.dir, box.args());
  ASSERT_TRUE(rapid.wait_ready());
  EXPECT_EQ(status_of(call(rapid, "GET", "/2/info")), 200);
  const std::regex line(
      "(^|\\n)[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2},[0-9]{3}: ganeti-rapi pid=" +
      std::to_string(rapid.pid()) + " INFO 127\\.0\\.0\\.1:[0-9]+ GET /2/info HTTP/1\\.1 200\\n");
  EXPECT_TRUE(eventually([&] { return std::regex_search(rapid.log(), line); })) << rapid.log();
  rapid.signal(SIGTERM);
  EXPECT_EQ(exit_code(rapid.wait_exit(5s)), 0);
}

// The original's stderr handler: CRITICAL only in the foreground, so the
// access lines are not written twice (the log file and a journal).
TEST(Process, ForegroundStderrGetsCriticalOnly) {
  Sandbox box;
  box.luxi.reply("QueryClusterInfo", Json::object());
  RapidProcess rapid(box.dir, box.args());
  ASSERT_TRUE(rapid.wait_ready());
  EXPECT_EQ(status_of(call(rapid, "GET", "/2/info")), 200);
  EXPECT_EQ(status_of(call(rapid, "GET", "/2/info", "admin:wrong")), 401);
  rapid.signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return contains(rapid.log(), "Received request to reopen"); }));
  rapid.signal(SIGTERM);
  EXPECT_EQ(exit_code(rapid.wait_exit(5s)), 0);
  EXPECT_EQ(access_lines(rapid.log()).size(), 2u) << rapid.log();
  EXPECT_EQ(read_file(box.dir + "/stderr.log"), "");
}

// With -d stderr gets everything the log file gets, DEBUG included, in the
// same format (" <module>:<line>" after the pid).
TEST(Process, DebugStderrGetsEverything) {
  Sandbox box;
  box.luxi.reply("QueryClusterInfo", Json::object());
  RapidProcess rapid(box.dir, box.args({"-d"}));
  ASSERT_TRUE(rapid.wait_ready());
  EXPECT_EQ(status_of(call(rapid, "GET", "/2/info")), 200);
  rapid.signal(SIGTERM);
  EXPECT_EQ(exit_code(rapid.wait_exit(5s)), 0);
  const std::string log = rapid.log();
  EXPECT_EQ(read_file(box.dir + "/stderr.log"), log);
  EXPECT_TRUE(contains(log, " DEBUG LUXI call QueryClusterInfo")) << log;
  const std::regex line(
      "^[0-9-]{10} [0-9:]{8},[0-9]{3}: ganeti-rapi pid=" + std::to_string(rapid.pid()) +
      " [a-z_]+:[0-9]+ (DEBUG|INFO|WARNING|ERROR|CRITICAL) ");
  std::istringstream lines(log);
  for (std::string text; std::getline(lines, text);) {
    EXPECT_TRUE(std::regex_search(text, line)) << text;
  }
}

// utils.Daemonize: stdin from /dev/null, stdout and stderr appended to the
// log file (created 0600 under the daemon's umask 077), reopened on SIGHUP.
TEST(Process, DetachedStdioGoesToTheLogFile) {
  Sandbox box;
  DetachedRapid rapid(box, box.dir + "/daemon.log");
  ASSERT_EQ(rapid.started.status, 0) << rapid.started.err;
  EXPECT_EQ(rapid.started.err, "");
  ASSERT_GT(rapid.pid, 0);
  EXPECT_EQ(status_of(rapid.get("/version")), 200);
  EXPECT_EQ(fd_target(rapid.pid, 0), "/dev/null");
  EXPECT_EQ(fd_flags(rapid.pid, 0) & O_ACCMODE, O_RDONLY);
  for (const int fd : {1, 2}) {
    EXPECT_EQ(fd_target(rapid.pid, fd), rapid.log) << fd;
    const int flags = fd_flags(rapid.pid, fd);
    EXPECT_EQ(flags & O_ACCMODE, O_WRONLY) << fd;
    EXPECT_NE(flags & O_APPEND, 0) << fd;
  }
  struct stat st {};
  ASSERT_EQ(::stat(rapid.log.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_TRUE(
      eventually([&] { return contains(read_file(rapid.log), "GET /version HTTP/1.1 200"); }));

  // logrotate: moved away, then SIGHUP; stdio follows the new file.
  const std::string rotated = rapid.log + ".1";
  ASSERT_EQ(::rename(rapid.log.c_str(), rotated.c_str()), 0);
  ::kill(rapid.pid, SIGHUP);
  EXPECT_TRUE(eventually([&] { return fd_target(rapid.pid, 2) == rapid.log; }));
  EXPECT_EQ(fd_target(rapid.pid, 1), rapid.log);
  EXPECT_EQ(fd_target(rapid.pid, 0), "/dev/null");
  EXPECT_EQ(status_of(rapid.get("/2")), 200);
  EXPECT_TRUE(eventually([&] { return contains(read_file(rapid.log), "GET /2 HTTP/1.1 200"); }));
  const std::string old_text = read_file(rotated);
  const std::string new_text = read_file(rapid.log);
  // The original's two lines around the reopen.
  EXPECT_TRUE(contains(old_text, "INFO Reopening log files after receiving SIGHUP")) << old_text;
  EXPECT_TRUE(new_text.find("INFO Received request to reopen log files") <
              new_text.find("GET /2 HTTP/1.1 200"))
      << new_text;
  EXPECT_FALSE(contains(old_text, "GET /2 HTTP/1.1"));
}

// rapid-specific: a reopen that fails (the path is now a directory: root
// cannot open that either) is reported on stderr and in the old file, which
// keeps the lines; the next SIGHUP after the fix reopens.
TEST(Process, FailedReopenIsReportedAndRetriedOnSighup) {
  Sandbox box;
  RapidProcess rapid(box.dir, box.args());
  ASSERT_TRUE(rapid.wait_ready());
  const std::string log = box.dir + "/rapid.log";
  const std::string rotated = log + ".1";
  const std::string stderr_log = box.dir + "/stderr.log";
  ASSERT_EQ(::rename(log.c_str(), rotated.c_str()), 0);
  ASSERT_TRUE(fs::create_directory(log));
  rapid.signal(SIGHUP);
  const std::string report = "ERROR Cannot reopen log file " + log + ": Is a directory;";
  EXPECT_TRUE(eventually([&] { return contains(read_file(stderr_log), report); }))
      << read_file(stderr_log);
  EXPECT_TRUE(contains(read_file(rotated), report));
  EXPECT_EQ(status_of(call(rapid, "GET", "/version")), 200);
  EXPECT_TRUE(
      eventually([&] { return contains(read_file(rotated), "GET /version HTTP/1.1 200"); }));
  // Every SIGHUP that fails says so.
  rapid.signal(SIGHUP);
  EXPECT_TRUE(eventually([&] {
    const std::string err = read_file(stderr_log);
    return std::count(err.begin(), err.end(), '\n') == 2;
  })) << read_file(stderr_log);

  fs::remove(log);
  rapid.signal(SIGHUP);
  EXPECT_TRUE(eventually([&] { return contains(read_file(log), "Received request to reopen"); }));
  EXPECT_TRUE(contains(read_file(log), "INFO Log file " + log + " reopened"));
  EXPECT_TRUE(contains(read_file(stderr_log), "INFO Log file " + log + " reopened"));
  EXPECT_EQ(status_of(call(rapid, "GET", "/2")), 200);
  EXPECT_TRUE(eventually([&] { return contains(read_file(log), "GET /2 HTTP/1.1 200"); }));
  EXPECT_FALSE(contains(read_file(rotated), "GET /2 HTTP/1.1"));
  rapid.signal(SIGTERM);
  EXPECT_EQ(exit_code(rapid.wait_exit(5s)), 0);
}

// rapid-specific: detached, the log directory moved away (a removed
// directory: ENOENT); stdio and the lines stay on the old file, and the next
// line at least 10 s after the failure reopens both, without a SIGHUP.
TEST(Process, FailedReopenIsRetriedPeriodically) {
  Sandbox box;
  fs::create_directory(box.dir + "/logs");
  DetachedRapid rapid(box, box.dir + "/logs/rapid.log");
  ASSERT_EQ(rapid.started.status, 0) << rapid.started.err;
  ASSERT_GT(rapid.pid, 0);
  const std::string old_log = box.dir + "/old-logs/rapid.log";
  fs::rename(box.dir + "/logs", box.dir + "/old-logs");
  ::kill(rapid.pid, SIGHUP);
  const std::string report =
      "ERROR Cannot reopen log file " + rapid.log + ": No such file or directory;";
  EXPECT_TRUE(eventually([&] { return contains(read_file(old_log), report); }))
      << read_file(old_log);
  const auto failed_at = std::chrono::steady_clock::now();
  EXPECT_EQ(fd_target(rapid.pid, 2), old_log);
  EXPECT_EQ(status_of(rapid.get("/version")), 200);
  EXPECT_TRUE(
      eventually([&] { return contains(read_file(old_log), "GET /version HTTP/1.1 200"); }));

  fs::create_directory(box.dir + "/logs");
  // Before the interval: still the old file.
  EXPECT_EQ(status_of(rapid.get("/2")), 200);
  EXPECT_TRUE(eventually([&] { return contains(read_file(old_log), "GET /2 HTTP/1.1 200"); }));
  EXPECT_FALSE(fs::exists(rapid.log));
  std::this_thread::sleep_until(failed_at + 10500ms);
  EXPECT_EQ(status_of(rapid.get("/2/features")), 200);
  EXPECT_TRUE(
      eventually([&] { return contains(read_file(rapid.log), "GET /2/features HTTP/1.1 200"); }));
  EXPECT_TRUE(contains(read_file(rapid.log), "INFO Log file " + rapid.log + " reopened"));
  EXPECT_EQ(fd_target(rapid.pid, 2), rapid.log);
  EXPECT_EQ(fd_target(rapid.pid, 1), rapid.log);
  EXPECT_FALSE(contains(read_file(old_log), "/2/features"));
}

// rapid-specific: writes that fail (a full disk: /dev/full) are reported on
// stderr once, and how many lines were lost once writing works again.
TEST(Process, LostLogWritesAreReported) {
  Sandbox box;
  const std::string log = box.dir + "/rapid.log";
  fs::create_symlink("/dev/full", log);
  RapidProcess rapid(box.dir, box.args());
  ASSERT_TRUE(rapid.wait_ready());
  EXPECT_EQ(status_of(call(rapid, "GET", "/version")), 200);
  EXPECT_EQ(status_of(call(rapid, "GET", "/version")), 200);
  const std::string stderr_log = box.dir + "/stderr.log";
  const std::string report = "ERROR Cannot write to log file " + log + ": No space left on device;";
  EXPECT_TRUE(eventually([&] { return contains(read_file(stderr_log), report); }));
  fs::remove(log);
  rapid.signal(SIGHUP);
  EXPECT_TRUE(eventually([&] { return contains(read_file(log), "works again"); }));
  const std::string err = read_file(stderr_log);
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 2) << err;
  // Start-up lines, two access lines and the first line of SIGHUP.
  EXPECT_TRUE(std::regex_search(err, std::regex("INFO Writing to log file " + log +
                                                " works again; [0-9]+ line\\(s\\) lost\n$")))
      << err;
  EXPECT_EQ(status_of(call(rapid, "GET", "/2")), 200);
  EXPECT_TRUE(eventually([&] { return contains(read_file(log), "GET /2 HTTP/1.1 200"); }));
  rapid.signal(SIGTERM);
  EXPECT_EQ(exit_code(rapid.wait_exit(5s)), 0);
}

// rapid-specific: --access-log-user appends " user=<name>" once the
// credentials are verified (also when access is then refused; not when the
// route failed before they were looked at); without it the line is the
// original's.
TEST(Process, AccessLogUser) {
  for (const bool with_user : {false, true}) {
    Sandbox box;
    write_file(box.dir + "/users",
               std::string(kDefaultUsers) + "odd%name oddpass write\ndel\x7fuser upass write\n");
    box.luxi.reply("QueryClusterInfo", Json::object());
    RapidProcess rapid(box.dir, box.args(with_user ? std::vector<std::string>{"--access-log-user"}
                                                   : std::vector<std::string>{}));
    ASSERT_TRUE(rapid.wait_ready());
    EXPECT_EQ(status_of(call(rapid, "GET", "/2/info", "admin:adminpass")), 200);
    EXPECT_EQ(status_of(call(rapid, "GET", "/2/info", "admin:wrong")), 401);
    EXPECT_EQ(status_of(call(rapid, "GET", "/version")), 200);
    EXPECT_EQ(status_of(call(rapid, "PUT", "/2/tags?tag=x", "reader:readpass")), 403);
    EXPECT_EQ(status_of(call(rapid, "GET", "/2/info", "odd%name:oddpass")), 200);
    EXPECT_EQ(status_of(call(rapid, "GET", "/2/info", "del\x7fuser:upass")), 200);
    EXPECT_EQ(status_of(call(rapid, "GET", "/2/nosuch", "admin:adminpass")), 404);
    rapid.signal(SIGTERM);
    EXPECT_EQ(exit_code(rapid.wait_exit(5s)), 0);
    const std::vector<std::string> plain = {
        "GET /2/info HTTP/1.1 200",       "GET /2/info HTTP/1.1 401", "GET /version HTTP/1.1 200",
        "PUT /2/tags?tag=x HTTP/1.1 403", "GET /2/info HTTP/1.1 200", "GET /2/info HTTP/1.1 200",
        "GET /2/nosuch HTTP/1.1 404"};
    const std::vector<std::string> users = {"GET /2/info HTTP/1.1 200 user=admin",
                                            "GET /2/info HTTP/1.1 401",
                                            "GET /version HTTP/1.1 200",
                                            "PUT /2/tags?tag=x HTTP/1.1 403 user=reader",
                                            "GET /2/info HTTP/1.1 200 user=odd%25name",
                                            "GET /2/info HTTP/1.1 200 user=del%7Fuser",
                                            "GET /2/nosuch HTTP/1.1 404"};
    EXPECT_EQ(access_lines(rapid.log()), with_user ? users : plain) << rapid.log();
    if (!with_user) {
      // Byte for byte the original's line: nothing after the status.
      const std::regex line(
          "(^|\\n)[0-9-]{10} [0-9:]{8},[0-9]{3}: ganeti-rapi pid=" + std::to_string(rapid.pid()) +
          " INFO 127\\.0\\.0\\.1:[0-9]+ GET /2/info HTTP/1\\.1 200\\n");
      EXPECT_TRUE(std::regex_search(rapid.log(), line)) << rapid.log();
    }
  }
}

}  // namespace
}  // namespace rapid::testing
