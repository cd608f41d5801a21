#include "app/daemon.h"

#include <fcntl.h>
#include <netdb.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <vector>

namespace rapid::app {

void Daemonizer::detach(const std::string& output_file) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid > 0) {
    // Parent: wait for the child's verdict.
    close(fds[1]);
    std::string report;
    char buf[512];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) report.append(buf, static_cast<std::size_t>(n));
    if (report.empty()) {
      std::cerr << "ganeti-rapi: the daemon exited during start-up\n";
      _exit(kExitFailure);
    }
    const int code = report[0] - '0';
    if (report.size() > 1) std::cerr << report.substr(1) << "\n";
    _exit(code);
  }
  close(fds[0]);
  setsid();
  // Second fork: the daemon can never reacquire a controlling terminal.
  const pid_t grandchild = fork();
  if (grandchild < 0) _exit(kExitFailure);
  if (grandchild > 0) _exit(kExitSuccess);
  pipe_fd_ = fds[1];
  if (chdir("/") != 0) { /* nothing sensible to do */
  }
  umask(077);
  if (const int error = redirect_stdio(output_file)) {
    fail(kExitFailure, "Cannot open log file " + output_file + ": " + std::strerror(error));
  }
}

int redirect_stdio(const std::string& output_file) {
  const int null_fd = open("/dev/null", O_RDONLY);
  if (null_fd < 0) return errno;
  const int out_fd = open(output_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (out_fd < 0) {
    const int error = errno;
    close(null_fd);
    return error;
  }
  dup2(null_fd, STDIN_FILENO);
  dup2(out_fd, STDOUT_FILENO);
  dup2(out_fd, STDERR_FILENO);
  if (null_fd > STDERR_FILENO) close(null_fd);
  if (out_fd > STDERR_FILENO) close(out_fd);
  return 0;
}

void Daemonizer::ready() {
  if (pipe_fd_ < 0) return;
  const char ok = '0';
  (void)!write(pipe_fd_, &ok, 1);
  close(pipe_fd_);
  pipe_fd_ = -1;
}

void Daemonizer::fail(int exit_code, const std::string& message) {
  if (pipe_fd_ >= 0) {
    std::string report(1, static_cast<char>('0' + exit_code));
    report += message;
    (void)!write(pipe_fd_, report.data(), report.size());
    close(pipe_fd_);
  } else if (!message.empty()) {
    std::cerr << message << "\n";
  }
  _exit(exit_code);
}

PidFile::PidFile(std::string path) : path_(std::move(path)) {
  fd_ = open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    throw std::runtime_error("Error while opening PID file " + path_ + ": " + std::strerror(errno));
  }
  if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    std::string message = "Error while locking PID file:\n";
    if (error == EWOULDBLOCK) {
      message += "PID file '" + path_ + "' is already locked by another process";
      char text[101] = {};
      if (pread(fd_, text, sizeof text - 1, 0) > 0 && std::atol(text) > 0) {
        message += ", PID read from file is " + std::to_string(std::atol(text));
      }
    } else {
      message += path_ + ": " + std::strerror(error);
    }
    close(fd_);
    fd_ = -1;
    throw std::runtime_error(message);
  }
  // Truncating is safe now that the file is ours (the original only
  // overwrites, leaving the tail of a longer stale PID).
  const std::string pid = std::to_string(getpid()) + "\n";
  if (ftruncate(fd_, 0) != 0 ||
      pwrite(fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    throw std::runtime_error("Error while writing PID file " + path_ + ": " + std::strerror(errno));
  }
}

PidFile::~PidFile() {
  if (fd_ < 0) return;
  unlink(path_.c_str());
  close(fd_);
}

std::string check_daemon_user(const std::string& user) {
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  const int error = getpwnam_r(user.c_str(), &entry, buffer.data(), buffer.size(), &found);
  if (!found) {
    // The original stops with a traceback (ConfigurationError "User ... not found").
    return "User '" + user + "' not found" +
           (error ? std::string(" (") + std::strerror(error) + ")" : "") +
           ": ganeti-rapi runs as that user only (--no-user-check skips this check)";
  }
  const uid_t running = getuid();
  if (running == found->pw_uid) return {};
  return "ganeti-rapi started using wrong user ID (" + std::to_string(running) + "), expected " +
         std::to_string(found->pw_uid);
}

MasterStatus check_master(const std::string& ssconf_dir, std::string& detail) {
  const std::string path = ssconf_dir + "/ssconf_master_node";
  std::ifstream in(path);
  std::string master;
  if (!in || !std::getline(in, master) || master.empty()) {
    detail = "Cluster configuration incomplete: '" + path + "' is missing or empty";
    return MasterStatus::no_configuration;
  }
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) {
    detail = std::string("Cannot get the host name: ") + std::strerror(errno);
    return MasterStatus::no_configuration;
  }
  std::string name = host;
  // The name in ssconf is fully qualified; look ours up only when it is
  // not already the same (no DNS traffic in the common case).
  if (name != master) {
    addrinfo hints{};
    hints.ai_flags = AI_CANONNAME;
    addrinfo* result = nullptr;
    if (getaddrinfo(host, nullptr, &hints, &result) == 0 && result && result->ai_canonname) {
      name = result->ai_canonname;
    }
    if (result) freeaddrinfo(result);
  }
  if (name != master) {
    detail = "this node is " + name + ", the master is " + master;
    return MasterStatus::not_master;
  }
  return MasterStatus::master;
}

void raise_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace rapid::app
