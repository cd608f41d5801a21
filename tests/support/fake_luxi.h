#pragma once
// An in-process LUXI peer on a Unix socket: records every request and
// answers from a script (replies, delays, garbage, split writes,
// disconnects), so tests drive rapid's LUXI client for real.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "util/json.h"

namespace rapid::testing {

struct LuxiReply {
  // Bytes sent back; the 0x03 terminator is appended unless `raw`.
  std::string body;
  bool raw = false;
  std::chrono::milliseconds delay{0};
  std::size_t chunk_size = 0;  // >0: write in chunks of this size (with a short pause)
  bool close_before_reply = false;
  bool close_after_reply = false;

  static LuxiReply success(const Json& result);
  static LuxiReply failure(const Json& result);  // {"success": false, "result": ...}
  static LuxiReply text(std::string body);       // anything, terminated by 0x03
};

struct LuxiRequest {
  std::string method;
  Json args;
  std::string raw;
  int connection;  // which connection carried it (1, 2, ...)
};

class FakeLuxi {
 public:
  using Script = std::function<LuxiReply(const LuxiRequest&)>;

  // Listens on `socket_path` (a fresh temporary path when empty) with a
  // listen backlog of `backlog` connections.
  explicit FakeLuxi(std::string socket_path = {}, int backlog = 64);
  ~FakeLuxi();
  FakeLuxi(const FakeLuxi&) = delete;
  FakeLuxi& operator=(const FakeLuxi&) = delete;

  const std::string& socket_path() const { return path_; }

  // Replaces the answer logic (default: {"success": true, "result": null}).
  void on_request(Script script);
  // Convenience: answer every call of `method` with `result`.
  void reply(const std::string& method, const Json& result);

  std::vector<LuxiRequest> requests() const;
  std::vector<LuxiRequest> requests(const std::string& method) const;
  void clear_requests();
  int connections_accepted() const { return connections_.load(); }

  // A busy luxid: while paused, connections wait in the listen backlog and,
  // once it is full, connect() fails with EAGAIN.
  // pause_accepting() returns once the acceptor has stopped.
  void pause_accepting();
  void resume_accepting() { accepting_ = true; }

  // Stops listening (connections get ECONNREFUSED/ENOENT) and closes
  // every open connection.
  void stop();

 private:
  void accept_loop();
  void serve(int fd, int connection);

  std::string path_;
  int listen_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> accepting_{true};
  std::atomic<bool> paused_{false};
  std::atomic<int> connections_{0};
  mutable std::mutex mutex_;
  Script script_;
  std::vector<LuxiRequest> requests_;
  std::vector<int> open_fds_;
  std::thread acceptor_;
  std::vector<std::thread> workers_;
};

}  // namespace rapid::testing
