#pragma once
// The bodies rendered from luxid's last reply to each recent query call,
// kept for the next reply to the same call. A polled cluster that has not
// changed answers the same call with the same bytes again and again (web
// panels polling /2/info, the watcher, exporters); the new result then takes
// over the bodies instead of rendering them anew (for /2/info's 6 KB, 19 us
// of transcoding against 0.3 us for the comparison: bench/micro_bench). Every request still gets its own call's answer
// (luxi/coalescer.h): only the work of rendering identical bytes is saved.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "luxi/shared_result.h"

namespace rapid::luxi {

class RepeatedReplies {
 public:
  struct Limits {
    // Larger replies are rendered every time: holding a copy of them and
    // of their bodies would cost more memory than rendering costs time.
    std::size_t max_reply_bytes = 64 * 1024;
    std::size_t max_total_bytes = 1024 * 1024;  // of the replies kept
    std::size_t max_calls = 256;
  };
  explicit RepeatedReplies(Limits limits);
  RepeatedReplies(const RepeatedReplies&) = delete;
  RepeatedReplies& operator=(const RepeatedReplies&) = delete;

  // `result`, luxid's answer to `request`, not yet handed out: takes over
  // the bodies of the last answer to `request` when both replies are the
  // same bytes, and is the answer kept for `request` from now on.
  void reuse(const std::string& request, SharedResult& result);

  std::size_t calls() const;        // kept now
  std::size_t total_bytes() const;  // of the replies kept now

 private:
  struct Entry {
    std::string message;
    std::shared_ptr<SharedResult::Bodies> bodies;
    std::uint64_t last_used = 0;
  };
  void make_room(std::size_t bytes);  // with mutex_ held

  const Limits limits_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;  // by request text
  std::size_t total_bytes_ = 0;
  std::uint64_t uses_ = 0;
};

}  // namespace rapid::luxi
