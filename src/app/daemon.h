#pragma once
// Process plumbing of a Ganeti daemon: detaching, the locked PID file, the
// user and master checks, file descriptor limits.

#include <string>

namespace rapid::app {

// Exit codes shared with Ganeti's daemons.
inline constexpr int kExitSuccess = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitNotMaster = 11;
inline constexpr int kExitNoConfiguration = 12;

// Forks into the background. The parent stays until the child calls
// ready() (then exits 0) or fail() (then prints the message and exits with
// the code), as Ganeti's daemons do, so init scripts see start-up errors.
// The daemon's stdout and stderr go to `output_file` (redirect_stdio).
class Daemonizer {
 public:
  void detach(const std::string& output_file);
  void ready();
  [[noreturn]] void fail(int exit_code, const std::string& message);
  bool detached() const { return pipe_fd_ >= 0; }

 private:
  int pipe_fd_ = -1;
};

// Points stdin at /dev/null and stdout/stderr at `output_file` (opened to
// append, created 0600), as utils.Daemonize does, so that whatever the
// process writes there (a crash, a sanitizer's report) lands in the log.
// Returns 0, or the errno of the failed open (the descriptors unchanged).
int redirect_stdio(const std::string& output_file);

// Creates the PID file and locks it as Ganeti's utils.WritePidFile does
// (flock, so Ganeti's ReadLockedPidFile sees it held), then writes the PID;
// removes it when destroyed. Throws std::runtime_error ("Error while locking
// PID file: ...", the original's text) when another process holds it.
class PidFile {
 public:
  explicit PidFile(std::string path);
  ~PidFile();
  PidFile(const PidFile&) = delete;
  PidFile& operator=(const PidFile&) = delete;

 private:
  std::string path_;
  int fd_ = -1;
};

// "" when the process runs as `user` (lib/daemon.py _VerifyDaemonUser), else
// what to exit with: "ganeti-rapi started using wrong user ID (0), expected
// 106", or that the user does not exist.
std::string check_daemon_user(const std::string& user = "gnt-rapi");

enum class MasterStatus { master, not_master, no_configuration };

// Compares ssconf_master_node with this host's name (as Ganeti's
// ssconf.CheckMaster): the short or fully qualified hostname must match.
MasterStatus check_master(const std::string& ssconf_dir, std::string& detail);

// Raises the soft limit of open files to the hard limit.
void raise_file_limit();

}  // namespace rapid::app
