#pragma once
// Coalescing of identical read-only LUXI calls (docs/architecture.md,
// "Coalesced queries"). Requests with the same encoded request bytes that
// arrive before a call's first byte is written share that call's answer;
// later ones gather for the next call, sent once the one in flight has
// ended. So every answer was read by luxid after its request arrived.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "luxi/shared_result.h"
#include "util/json.h"

namespace rapid::luxi {

// Whether `method` is one of luxid's query calls (src/Ganeti/Luxi.hs: the
// Query* requests), the only ones whose calls are coalesced.
bool is_coalescable(std::string_view method);

class Coalescer {
 public:
  using Clock = std::chrono::steady_clock;
  // Sends one call of `method` with the framed `request`, calling
  // `on_send` right before its first byte is written.
  using Send = std::function<boost::asio::awaitable<std::shared_ptr<SharedResult>>(
      std::string_view method, const std::string& request, std::function<void()> on_send)>;

  struct Answer {
    std::shared_ptr<SharedResult> result;
    bool sole = false;  // no other request got it: take() is allowed
  };

  // Calls run as coroutines of their own on `executor`, not on a
  // requester's: a requester that goes away ends no one else's call.
  Coalescer(boost::asio::any_io_executor executor, Send send);
  ~Coalescer();
  Coalescer(const Coalescer&) = delete;
  Coalescer& operator=(const Coalescer&) = delete;

  // The answer to `request` (or its call's luxi::Error); a timeout error
  // once `deadline` passes. Resumes on the caller's executor.
  boost::asio::awaitable<Answer> call(std::string_view method, std::string request,
                                      Clock::time_point deadline);

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace rapid::luxi
