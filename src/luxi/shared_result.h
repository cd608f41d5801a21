#pragma once
// One LUXI call's answer, shared by every request that waited for it
// (luxi/coalescer.h). luxid's usual reply, {"success":true,"result":...},
// is kept as text and decoded only when someone asks for the value: the hot
// read paths write their answers from the text (util/json_transcode.h).

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "util/json.h"

namespace rapid::luxi {

class SharedResult {
 public:
  explicit SharedResult(Json value);
  SharedResult(const SharedResult&) = delete;
  SharedResult& operator=(const SharedResult&) = delete;

  // A reply message (without its 0x03): kept as text when it is a plain
  // success, else decoded now (decode_response: throws its luxi::Error).
  static std::shared_ptr<SharedResult> from_reply(std::string message);

  // The result's JSON text while it is not decoded; nullopt otherwise.
  std::optional<std::string_view> text() const;

  // The result, decoded on first use (thread-safe). A reply that is no
  // valid JSON throws decode_response's luxi::Error here.
  const Json& value() const;

  // What `render` makes of this result, made once per `key` (the caller's
  // name for the rendering) and then shared. Concurrent callers with one key
  // wait for the first, which does the work they would all do; when
  // `render` throws, nothing is kept and the next caller tries again.
  std::shared_ptr<const std::string> body(
      std::string_view key, const std::function<std::string(const SharedResult&)>& render) const;

  // The value, moved out: only for the answer's sole holder.
  Json take();

  // The whole reply message while the result is kept as text; empty once
  // decoded from the start (from_reply's other messages).
  std::string_view message() const { return message_; }

  // The bodies rendered from this result (body()). A body is a function of
  // the reply's bytes and its key, so a later result of the same call whose
  // reply is byte for byte this one's may take them over
  // (luxi/repeated_replies.h).
  struct Bodies;
  const std::shared_ptr<Bodies>& bodies() const { return bodies_; }
  // Makes `bodies` this result's own: only before it is handed out.
  void share_bodies(std::shared_ptr<Bodies> bodies) { bodies_ = std::move(bodies); }

 private:
  SharedResult(std::string message, std::size_t begin, std::size_t end);

  std::string message_;  // empty once decoded from the start
  std::size_t result_begin_ = 0, result_end_ = 0;
  mutable std::mutex decode_mutex_;
  mutable bool decoded_ = false;  // guarded by decode_mutex_, with value_
  mutable Json value_;
  std::shared_ptr<Bodies> bodies_;
};

}  // namespace rapid::luxi
