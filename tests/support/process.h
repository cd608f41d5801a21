#pragma once
// Helpers for the tests of the rapid binary as a process (signals, start-up
// checks, PID and log files) and of the users file reloads: polling, small
// files, a sandbox directory with a fake luxid, and a run-to-completion of
// the binary.

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/rapid_server.h"

namespace rapid::testing {

// RAPID_TEST_TIMEOUT_SCALE (default 1): how much longer to wait for what
// should happen, under sanitizers (scripts/test-sanitizers). Scales upper
// bounds of waits only, never what a test expects to take.
double timeout_scale();
std::chrono::milliseconds scaled(std::chrono::milliseconds timeout);

// Polls `predicate` until it holds or `timeout` (scaled) passes.
template <typename Predicate>
bool eventually(Predicate predicate,
                std::chrono::milliseconds timeout = std::chrono::milliseconds(1000)) {
  const auto deadline = std::chrono::steady_clock::now() + scaled(timeout);
  while (true) {
    if (predicate()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void write_file(const std::string& path, const std::string& contents);
std::string read_file(const std::string& path);

// The status of an answer, -1 for none.
int status_of(const std::optional<HttpResponse>& response);

// Starts `argv` (argv[0] a path) as a child process with its standard output
// and error going to the files at `out` and `err` (opened with `open_flags`
// besides O_WRONLY | O_CREAT); the child's pid. Everything the child needs
// is made before fork(): the tests' process has other threads, and until
// it execs the child may only make async-signal-safe calls (an allocation
// could wait forever for a lock another thread held at the fork). The child
// exits with 126 when a file cannot be opened, 127 when exec fails.
int spawn(std::vector<std::string> argv, const std::string& out, const std::string& err,
          int open_flags);

// How a run of the binary ended, with what it printed.
struct Exit {
  int status = -1;  // exit code, or -signal, or -1000 on timeout
  std::string out;
  std::string err;
};

// Runs rapid with exactly `args` (no fixed ones), waiting for it to end.
Exit run_rapid(const std::string& directory, const std::vector<std::string>& args,
               std::chrono::milliseconds timeout = std::chrono::seconds(5));

// RapidProcess::wait_exit's status as an exit code (-signal, -1000 for none).
int exit_code(std::optional<int> status);

// A directory with a users file (kDefaultUsers) and a fake luxid, for the binary.
struct Sandbox {
  Sandbox();
  ~Sandbox();
  // Plain HTTP, the users file, the fake luxid's socket and --audit-log audit.log,
  // then `extra`.
  std::vector<std::string> args(std::vector<std::string> extra = {}) const;
  // Arguments for run_rapid: everything RapidProcess would add, minus the
  // master check switch.
  std::vector<std::string> direct_args(std::vector<std::string> extra = {}) const;
  // Makes the users file a symlink to real/users holding `contents`: the
  // watcher sees the link, not the target's changes, so only SIGHUP brings
  // an edit of the target in. Returns the target's path.
  std::string link_users_file(const std::string& contents) const;

  std::string dir;
  FakeLuxi luxi;
};

// One request to a running binary, on a fresh plain-HTTP connection.
std::optional<HttpResponse> call(const RapidProcess& process, const std::string& method,
                                 const std::string& target, const std::string& credentials = {});

}  // namespace rapid::testing
