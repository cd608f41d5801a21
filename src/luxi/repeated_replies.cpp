#include "luxi/repeated_replies.h"

#include <algorithm>

namespace rapid::luxi {

RepeatedReplies::RepeatedReplies(Limits limits) : limits_(limits) {}

void RepeatedReplies::reuse(const std::string& request, SharedResult& result) {
  const std::string_view message = result.message();
  const bool keepable = !message.empty() && message.size() <= limits_.max_reply_bytes;
  std::lock_guard lock(mutex_);
  const auto found = entries_.find(request);
  if (found != entries_.end()) {
    Entry& entry = found->second;
    if (keepable && entry.message == message) {
      result.share_bodies(entry.bodies);
      entry.last_used = ++uses_;
      return;
    }
    // Out of date: the new reply replaces it, if it may be kept at all.
    total_bytes_ -= entry.message.size();
    entries_.erase(found);
  }
  if (!keepable) return;
  make_room(message.size());
  entries_.emplace(request, Entry{std::string(message), result.bodies(), ++uses_});
  total_bytes_ += message.size();
}

void RepeatedReplies::make_room(std::size_t bytes) {
  while (!entries_.empty() && (entries_.size() >= limits_.max_calls ||
                               total_bytes_ + bytes > limits_.max_total_bytes)) {
    const auto oldest = std::min_element(
        entries_.begin(), entries_.end(),
        [](const auto& a, const auto& b) { return a.second.last_used < b.second.last_used; });
    total_bytes_ -= oldest->second.message.size();
    entries_.erase(oldest);
  }
}

std::size_t RepeatedReplies::calls() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

std::size_t RepeatedReplies::total_bytes() const {
  std::lock_guard lock(mutex_);
  return total_bytes_;
}

}  // namespace rapid::luxi
