#include "luxi/shared_result.h"

#include <vector>

#include "luxi/protocol.h"

namespace rapid::luxi {

struct SharedResult::Bodies {
  struct Memo {
    std::string key;
    std::mutex mutex;  // held while the body is rendered
    std::shared_ptr<const std::string> body;
  };
  std::mutex mutex;  // guards memos (not the entries)
  std::vector<std::unique_ptr<Memo>> memos;
};

namespace {

// The span of R in `{"success":true,"result":R}` (JSON whitespace allowed
// between the tokens), as luxid writes a successful reply; nullopt for any
// other message, which decode_response handles. R is not checked here.
std::optional<std::pair<std::size_t, std::size_t>> plain_success(std::string_view message) {
  std::size_t pos = 0;
  const auto skip_space = [&] {
    while (pos < message.size() && (message[pos] == ' ' || message[pos] == '\n' ||
                                    message[pos] == '\r' || message[pos] == '\t')) {
      ++pos;
    }
  };
  const auto token = [&](std::string_view expected) {
    skip_space();
    if (message.substr(pos, expected.size()) != expected) return false;
    pos += expected.size();
    return true;
  };
  if (!token("{") || !token("\"success\"") || !token(":") || !token("true") || !token(",") ||
      !token("\"result\"") || !token(":")) {
    return std::nullopt;
  }
  std::size_t end = message.size();
  while (end > pos && (message[end - 1] == ' ' || message[end - 1] == '\n' ||
                       message[end - 1] == '\r' || message[end - 1] == '\t')) {
    --end;
  }
  if (end == pos || message[end - 1] != '}') return std::nullopt;
  return std::make_pair(pos, end - 1);
}

}  // namespace

SharedResult::SharedResult(Json value)
    : decoded_(true), value_(std::move(value)), bodies_(std::make_shared<Bodies>()) {}

SharedResult::SharedResult(std::string message, std::size_t begin, std::size_t end)
    : message_(std::move(message)),
      result_begin_(begin),
      result_end_(end),
      bodies_(std::make_shared<Bodies>()) {}

std::shared_ptr<SharedResult> SharedResult::from_reply(std::string message) {
  if (const auto span = plain_success(message)) {
    return std::shared_ptr<SharedResult>(
        new SharedResult(std::move(message), span->first, span->second));
  }
  return std::make_shared<SharedResult>(decode_response(message));
}

std::optional<std::string_view> SharedResult::text() const {
  if (message_.empty()) return std::nullopt;
  return std::string_view(message_).substr(result_begin_, result_end_ - result_begin_);
}

const Json& SharedResult::value() const {
  // Not std::call_once: libstdc++'s does not survive a throwing callable.
  std::lock_guard lock(decode_mutex_);
  if (!decoded_) {
    // The whole message, as before: the same checks and the same errors for
    // a reply that is not what it seemed (invalid UTF-8 or JSON).
    value_ = decode_response(message_);
    decoded_ = true;
  }
  return value_;
}

std::shared_ptr<const std::string> SharedResult::body(
    std::string_view key, const std::function<std::string(const SharedResult&)>& render) const {
  Bodies::Memo* memo = nullptr;
  {
    std::lock_guard lock(bodies_->mutex);
    for (const auto& entry : bodies_->memos) {
      if (entry->key == key) memo = entry.get();
    }
    if (!memo) {
      bodies_->memos.push_back(std::make_unique<Bodies::Memo>());
      memo = bodies_->memos.back().get();
      memo->key = std::string(key);
    }
  }
  std::lock_guard lock(memo->mutex);
  if (!memo->body) memo->body = std::make_shared<const std::string>(render(*this));
  return memo->body;
}

Json SharedResult::take() {
  value();
  return std::move(value_);
}

}  // namespace rapid::luxi
