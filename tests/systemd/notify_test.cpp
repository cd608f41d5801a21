// What the rapid binary tells systemd (sd_notify(3)) on a notify socket the
// test owns, in order: READY=1 once it serves; RELOADING=1 with
// MONOTONIC_USEC=, then READY=1 around SIGHUP; STOPPING=1 on SIGTERM. Every
// message comes from the main process (the unit has NotifyAccess=main), and
// a node that is not the master says READY=1 before it exits 11, so that the
// Type=notify unit ends inactive rather than failed.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "support/process.h"
#include "support/rapid_server.h"

namespace rapid::testing {
namespace {

using namespace std::chrono_literals;

std::uint64_t monotonic_usec() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000u +
         static_cast<std::uint64_t>(now.tv_nsec) / 1'000u;
}

// A datagram socket in the role of systemd's notify socket, with the
// sender's credentials on every message (as systemd reads them).
class NotifySocket {
 public:
  struct Message {
    std::string text;
    pid_t pid = 0;
  };

  explicit NotifySocket(std::string path) : path_(std::move(path)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path_.c_str(), sizeof address.sun_path - 1);
    const int on = 1;
    ok_ = fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
          ::setsockopt(fd_, SOL_SOCKET, SO_PASSCRED, &on, sizeof on) == 0;
  }
  ~NotifySocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  bool ok() const { return ok_; }
  const std::string& path() const { return path_; }

  // The next message, or nullopt after `timeout`.
  std::optional<Message> receive(std::chrono::milliseconds timeout) {
    pollfd ready{.fd = fd_, .events = POLLIN, .revents = 0};
    if (::poll(&ready, 1, static_cast<int>(timeout.count())) != 1) return std::nullopt;
    char text[4096];
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))];
    iovec data{.iov_base = text, .iov_len = sizeof text};
    msghdr header{};
    header.msg_iov = &data;
    header.msg_iovlen = 1;
    header.msg_control = control;
    header.msg_controllen = sizeof control;
    const ssize_t n = ::recvmsg(fd_, &header, 0);
    if (n < 0) return std::nullopt;
    Message message;
    message.text.assign(text, static_cast<std::size_t>(n));
    for (cmsghdr* c = CMSG_FIRSTHDR(&header); c; c = CMSG_NXTHDR(&header, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
        ucred credentials{};
        std::memcpy(&credentials, CMSG_DATA(c), sizeof credentials);
        message.pid = credentials.pid;
      }
    }
    return message;
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool ok_ = false;
};

// $NOTIFY_SOCKET for the children started while it lives, as systemd sets
// it for a Type=notify service.
class NotifySocketVariable {
 public:
  explicit NotifySocketVariable(const std::string& path) {
    ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
  }
  ~NotifySocketVariable() { ::unsetenv("NOTIFY_SOCKET"); }
};

// The value of `name=` in a message, or nullopt.
std::optional<std::string> field(const std::string& message, const std::string& name) {
  const std::string key = name + "=";
  std::size_t start = 0;
  while (start <= message.size()) {
    const std::size_t end = std::min(message.find('\n', start), message.size());
    const std::string line = message.substr(start, end - start);
    if (line.starts_with(key)) return line.substr(key.size());
    start = end + 1;
  }
  return std::nullopt;
}

TEST(SystemdNotify, ReadyReloadingStoppingInOrder) {
  Sandbox box;
  NotifySocket notify(box.dir + "/notify");
  ASSERT_TRUE(notify.ok()) << std::strerror(errno);
  const NotifySocketVariable variable(notify.path());
  RapidProcess rapid(box.dir, box.args());
  const std::string serving =
      "STATUS=Listening on 127.0.0.1 port " + std::to_string(rapid.port()) + " (HTTP)";

  const auto ready = notify.receive(10s);
  ASSERT_TRUE(ready.has_value()) << rapid.log();
  EXPECT_EQ(ready->text, "READY=1\n" + serving);
  EXPECT_EQ(ready->pid, rapid.pid());
  // Ready means serving: the first request after it is answered.
  EXPECT_EQ(status_of(call(rapid, "GET", "/version")), 200);

  const std::uint64_t before = monotonic_usec();
  rapid.signal(SIGHUP);
  const auto reloading = notify.receive(5s);
  const std::uint64_t after = monotonic_usec();
  ASSERT_TRUE(reloading.has_value());
  EXPECT_EQ(reloading->pid, rapid.pid());
  EXPECT_TRUE(reloading->text.starts_with("RELOADING=1\nMONOTONIC_USEC=")) << reloading->text;
  EXPECT_EQ(field(reloading->text, "STATUS"),
            "Reloading: reopening the log file, re-reading the users file and the TLS files");
  const auto usec = field(reloading->text, "MONOTONIC_USEC");
  ASSERT_TRUE(usec.has_value());
  const std::uint64_t reload_started = std::stoull(*usec);
  EXPECT_GE(reload_started, before);
  EXPECT_LE(reload_started, after);
  const auto reloaded = notify.receive(5s);
  ASSERT_TRUE(reloaded.has_value());
  EXPECT_EQ(reloaded->text, "READY=1\n" + serving);
  EXPECT_EQ(reloaded->pid, rapid.pid());
  // READY=1 comes after the users file was read again.
  EXPECT_TRUE(eventually([&] {
    const std::string log = rapid.log();
    const auto sighup = log.find("SIGHUP received");
    return sighup != std::string::npos &&
           log.find("Reading users file at", sighup) != std::string::npos;
  }));

  rapid.signal(SIGTERM);
  const auto stopping = notify.receive(5s);
  ASSERT_TRUE(stopping.has_value());
  EXPECT_EQ(stopping->text, "STOPPING=1\nSTATUS=Shutting down: finishing the requests in flight");
  EXPECT_EQ(stopping->pid, rapid.pid());
  EXPECT_EQ(exit_code(rapid.wait_exit(5s)), 0);
  EXPECT_FALSE(notify.receive(100ms).has_value());  // nothing else
}

TEST(SystemdNotify, NotMasterSaysReadyBeforeExit11) {
  Sandbox box;
  NotifySocket notify(box.dir + "/notify");
  ASSERT_TRUE(notify.ok()) << std::strerror(errno);
  const NotifySocketVariable variable(notify.path());
  write_file(box.dir + "/ssconf_master_node", "other-node.invalid\n");
  const auto result = run_rapid(box.dir, box.direct_args({"--ssconf-dir", box.dir}));
  EXPECT_EQ(result.status, 11) << result.err;
  const auto message = notify.receive(1s);
  ASSERT_TRUE(message.has_value());
  EXPECT_EQ(message->text, "READY=1\nSTATUS=Not master");
  EXPECT_FALSE(notify.receive(100ms).has_value());
}

TEST(SystemdNotify, OtherFailuresSayNothing) {
  Sandbox box;
  NotifySocket notify(box.dir + "/notify");
  ASSERT_TRUE(notify.ok()) << std::strerror(errno);
  const NotifySocketVariable variable(notify.path());
  // Missing ssconf: exit 12, which the unit takes as the failure it is.
  const auto result = run_rapid(box.dir, box.direct_args({"--ssconf-dir", box.dir + "/none"}));
  EXPECT_EQ(result.status, 12) << result.err;
  EXPECT_FALSE(notify.receive(100ms).has_value());
}

TEST(SystemdNotify, AnUnreachableNotifySocketIsIgnored) {
  Sandbox box;
  const NotifySocketVariable variable(box.dir + "/nobody-listens");
  RapidProcess rapid(box.dir, box.args());
  ASSERT_TRUE(rapid.wait_ready());
  EXPECT_EQ(status_of(call(rapid, "GET", "/version")), 200);
  rapid.signal(SIGHUP);
  EXPECT_TRUE(eventually([&] { return rapid.log().find("SIGHUP received") != std::string::npos; }));
  EXPECT_EQ(status_of(call(rapid, "GET", "/version")), 200);
  rapid.signal(SIGTERM);
  EXPECT_EQ(exit_code(rapid.wait_exit(5s)), 0);
}

}  // namespace
}  // namespace rapid::testing
