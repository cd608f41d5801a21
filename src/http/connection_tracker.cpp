#include "http/connection_tracker.h"

#include <malloc.h>

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <utility>
#include <vector>

namespace rapid::http {
namespace {

// Below this many connections at the peak a burst is not worth a trim.
constexpr std::size_t kTrimMinPeak = 32;
// Long enough for the handlers a closed connection leaves to have run.
constexpr std::chrono::milliseconds kTrimDelay{200};

}  // namespace

void release_free_memory_soon(const boost::asio::any_io_executor& executor) {
  auto timer = std::make_shared<boost::asio::steady_timer>(executor, kTrimDelay);
  timer->async_wait([timer](const boost::system::error_code&) {
#ifdef __GLIBC__
    ::malloc_trim(0);
#endif
  });
}

ConnectionTracker::ConnectionTracker(std::function<void()> on_slot_freed)
    : on_slot_freed_(std::move(on_slot_freed)) {}

void ConnectionTracker::add(const std::shared_ptr<Connection>& connection) {
  bool close = false;
  {
    std::lock_guard lock(mutex_);
    connections_.emplace(connection.get(), connection);
    peak_ = std::max(peak_, connections_.size());
    close = shutting_down_;
  }
  if (close) connection->close_when_idle();
}

bool ConnectionTracker::remove(const Connection* connection) {
  std::function<void()> drained;
  bool trim = false;
  {
    std::lock_guard lock(mutex_);
    connections_.erase(connection);
    if (drained_locked()) drained = std::exchange(on_drained_, nullptr);
    // Once the connections have dropped to a quarter of their peak, and
    // once more when the last of a burst has gone: a few trims per burst,
    // whatever its size, never one per close.
    const std::size_t open = connections_.size();
    if (peak_ >= kTrimMinPeak && open <= peak_ / 4) {
      trim = true;
      trim_when_empty_ = open > 0;
      peak_ = open;
    } else if (open == 0 && trim_when_empty_) {
      trim = true;
      trim_when_empty_ = false;
    }
  }
  if (on_slot_freed_) on_slot_freed_();
  if (drained) drained();
  return trim;
}

void ConnectionTracker::hold() {
  std::lock_guard lock(mutex_);
  ++holds_;
}

void ConnectionTracker::release() {
  std::function<void()> drained;
  {
    std::lock_guard lock(mutex_);
    --holds_;
    if (drained_locked()) drained = std::exchange(on_drained_, nullptr);
  }
  if (drained) drained();
}

bool ConnectionTracker::drained_locked() const {
  return shutting_down_ && connections_.empty() && holds_ == 0;
}

std::size_t ConnectionTracker::size() const {
  std::lock_guard lock(mutex_);
  return connections_.size();
}

bool ConnectionTracker::shutting_down() const {
  std::lock_guard lock(mutex_);
  return shutting_down_;
}

std::vector<std::shared_ptr<Connection>> ConnectionTracker::snapshot() const {
  std::vector<std::shared_ptr<Connection>> alive;
  std::lock_guard lock(mutex_);
  for (const auto& [ptr, weak] : connections_) {
    if (auto strong = weak.lock()) alive.push_back(std::move(strong));
  }
  return alive;
}

void ConnectionTracker::shutdown(std::function<void()> on_drained) {
  bool drained = false;
  {
    std::lock_guard lock(mutex_);
    shutting_down_ = true;
    drained = drained_locked();
    if (!drained) on_drained_ = std::move(on_drained);
  }
  if (drained) {
    if (on_drained) on_drained();
    return;
  }
  for (const auto& connection : snapshot()) connection->close_when_idle();
}

void ConnectionTracker::close_all() {
  for (const auto& connection : snapshot()) connection->close_now();
}

}  // namespace rapid::http
