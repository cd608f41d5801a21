#pragma once
// Shared state of a server: the open connections, the max-clients gate,
// graceful shutdown, and returning memory to the OS after a burst.
// Thread-safe; connections live on their own strands or io threads.

#include <boost/asio/any_io_executor.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace rapid::http {

class Connection {
 public:
  virtual ~Connection() = default;
  // Close as soon as no request is being served (called from any thread).
  virtual void close_when_idle() = 0;
  // Close now, whatever is going on.
  virtual void close_now() = 0;
};

// glibc keeps what a burst of connections freed (TLS state, buffers) in its
// heaps; hands it back to the OS a moment from now, on `executor`. Not at
// once: a closed connection's memory is freed by the handlers of its
// cancelled timers and socket operations, which run after it has left the
// tracker (a trim at the last close found 4 MB of 1,000 such connections
// still in use).
void release_free_memory_soon(const boost::asio::any_io_executor& executor);

class ConnectionTracker {
 public:
  // `on_slot_freed` runs (on the closing connection's thread) whenever a
  // connection goes away; the listener uses it to resume accepting.
  explicit ConnectionTracker(std::function<void()> on_slot_freed);

  void add(const std::shared_ptr<Connection>& connection);
  // True when a burst of connections has ended: the caller should
  // release_free_memory_soon().
  [[nodiscard]] bool remove(const Connection* connection);
  std::size_t size() const;
  bool shutting_down() const;

  // While held (a listener that may still start connections), the tracker
  // is not drained even without connections.
  void hold();
  void release();

  // Asks every connection to close when idle; `on_drained` runs once none
  // is left and nothing holds the tracker (immediately if so already).
  void shutdown(std::function<void()> on_drained);
  void close_all();

 private:
  std::vector<std::shared_ptr<Connection>> snapshot() const;
  bool drained_locked() const;  // with mutex_ held

  mutable std::mutex mutex_;
  std::unordered_map<const Connection*, std::weak_ptr<Connection>> connections_;
  std::function<void()> on_slot_freed_;
  std::function<void()> on_drained_;
  std::size_t holds_ = 0;
  std::size_t peak_ = 0;  // most connections open since the last memory trim
  bool trim_when_empty_ = false;
  bool shutting_down_ = false;
};

}  // namespace rapid::http
