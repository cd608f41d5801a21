#include "support/fake_luxi.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace rapid::testing {

namespace {

std::string temp_socket_path() {
  static std::atomic<int> counter{0};
  return "/tmp/rapid-fake-luxi-" + std::to_string(getpid()) + "-" + std::to_string(counter++) +
         ".sock";
}

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

LuxiReply LuxiReply::success(const Json& result) {
  Json envelope = Json::object();
  envelope["success"] = true;
  envelope["result"] = result;
  return LuxiReply{envelope.dump()};
}

LuxiReply LuxiReply::failure(const Json& result) {
  Json envelope = Json::object();
  envelope["success"] = false;
  envelope["result"] = result;
  return LuxiReply{envelope.dump()};
}

LuxiReply LuxiReply::text(std::string body) { return LuxiReply{std::move(body)}; }

FakeLuxi::FakeLuxi(std::string socket_path, int backlog)
    : path_(socket_path.empty() ? temp_socket_path() : std::move(socket_path)) {
  script_ = [](const LuxiRequest&) { return LuxiReply::success(nullptr); };
  std::filesystem::remove(path_);
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, backlog) != 0) {
    throw std::runtime_error("FakeLuxi: cannot listen on " + path_ + ": " + std::strerror(errno));
  }
  acceptor_ = std::thread([this] { accept_loop(); });
}

FakeLuxi::~FakeLuxi() {
  stop();
  if (acceptor_.joinable()) acceptor_.join();
  for (auto& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
}

void FakeLuxi::stop() {
  if (stopping_.exchange(true)) return;
  // The acceptor must be gone before the descriptor is closed: a new
  // listening socket (a "restarted luxid" in a test) could get the same
  // number and have its connections stolen by this acceptor.
  ::shutdown(listen_fd_, SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  ::close(listen_fd_);
  std::filesystem::remove(path_);
  std::lock_guard lock(mutex_);
  for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
}

void FakeLuxi::pause_accepting() {
  accepting_ = false;
  while (!paused_ && !stopping_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void FakeLuxi::on_request(Script script) {
  std::lock_guard lock(mutex_);
  script_ = std::move(script);
}

void FakeLuxi::reply(const std::string& method, const Json& result) {
  auto previous = [this] {
    std::lock_guard lock(mutex_);
    return script_;
  }();
  on_request([method, result, previous](const LuxiRequest& request) {
    if (request.method == method) return LuxiReply::success(result);
    return previous(request);
  });
}

std::vector<LuxiRequest> FakeLuxi::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::vector<LuxiRequest> FakeLuxi::requests(const std::string& method) const {
  std::vector<LuxiRequest> matching;
  for (auto& request : requests()) {
    if (request.method == method) matching.push_back(request);
  }
  return matching;
}

void FakeLuxi::clear_requests() {
  std::lock_guard lock(mutex_);
  requests_.clear();
}

void FakeLuxi::accept_loop() {
  while (!stopping_) {
    if (!accepting_) {
      paused_ = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    paused_ = false;
    pollfd pfd{listen_fd_, POLLIN, 0};
    if (::poll(&pfd, 1, 50) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    const int connection = ++connections_;
    std::lock_guard lock(mutex_);
    open_fds_.push_back(fd);
    workers_.emplace_back([this, fd, connection] { serve(fd, connection); });
  }
}

void FakeLuxi::serve(int fd, int connection) {
  std::string buffer;
  char chunk[65536];
  bool open = true;
  while (open && !stopping_) {
    const auto end = buffer.find('\x03');
    if (end == std::string::npos) {
      pollfd pfd{fd, POLLIN, 0};
      if (::poll(&pfd, 1, 50) <= 0) continue;
      const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) break;
      buffer.append(chunk, static_cast<std::size_t>(n));
      continue;
    }
    LuxiRequest request;
    request.raw = buffer.substr(0, end);
    request.connection = connection;
    buffer.erase(0, end + 1);
    if (auto parsed = parse_json(request.raw); parsed && parsed->is_object()) {
      request.method = parsed->value("method", "");
      request.args = parsed->value("args", Json());
    }
    Script script;
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(request);
      script = script_;
    }
    const LuxiReply reply = script(request);
    if (reply.delay.count() > 0) std::this_thread::sleep_for(reply.delay);
    if (reply.close_before_reply) break;
    std::string bytes = reply.body;
    if (!reply.raw) bytes += '\x03';
    if (reply.chunk_size > 0) {
      for (std::size_t pos = 0; pos < bytes.size() && open; pos += reply.chunk_size) {
        open = write_all(fd, bytes.data() + pos, std::min(reply.chunk_size, bytes.size() - pos));
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    } else {
      open = write_all(fd, bytes.data(), bytes.size());
    }
    if (reply.close_after_reply) break;
  }
  ::shutdown(fd, SHUT_RDWR);
  std::lock_guard lock(mutex_);
  open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
  ::close(fd);
}

}  // namespace rapid::testing
