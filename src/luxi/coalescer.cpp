#include "luxi/coalescer.h"

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <optional>
#include <unordered_map>

#include "luxi/error.h"
#include "luxi/repeated_replies.h"

namespace rapid::luxi {

namespace asio = boost::asio;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// The query calls of Ganeti 3.0's luxid (src/Ganeti/Luxi.hs); every other
// call submits, cancels, archives or changes something, or waits.
constexpr std::array<std::string_view, 12> kQueryCalls = {
    "Query",         "QueryFields",       "QueryNodes",       "QueryGroups",
    "QueryNetworks", "QueryInstances",    "QueryFilters",     "QueryJobs",
    "QueryExports",  "QueryConfigValues", "QueryClusterInfo", "QueryTags"};

// How one call ended.
struct Outcome {
  std::shared_ptr<SharedResult> result;
  std::optional<Error> error;
  std::exception_ptr failure;  // anything but a luxi::Error
};

struct Batch;

// One request waiting for a call's answer. Its timer runs on the
// request's executor until the deadline; the delivering call cancels it.
struct Waiter {
  explicit Waiter(asio::any_io_executor executor) : timer(std::move(executor)) {}
  asio::steady_timer timer;
  // Guarded by State::mutex:
  // Until done or given up. Weak: the batch holds its waiters, and a call
  // that never ends (rapid stopping with luxid hung) must not leave the two
  // holding each other once their coroutines are destroyed.
  std::weak_ptr<Batch> batch;
  bool waiting = false;  // the timer wait has begun: the deliverer cancels it
  bool done = false;
  bool sole = false;
  Outcome outcome;
};

// The requests one call answers. Weak: a waiter, and its timer on its
// request's io thread, live as long as the request's coroutine, not as long
// as a call that may never end (luxid hung while rapid stops).
struct Batch {
  std::vector<std::weak_ptr<Waiter>> waiters;
  bool sealed = false;  // its request is being written: newcomers wait for the next call
};

// The calls of one request text: the batch of the call in flight (open
// until sealed), and the batch gathering for the next call.
struct Key {
  std::string method;
  std::shared_ptr<Batch> current;
  std::shared_ptr<Batch> next;
};

}  // namespace

struct Coalescer::State {
  State(asio::any_io_executor ex, Send s) : executor(std::move(ex)), send(std::move(s)) {}

  asio::any_io_executor executor;
  Send send;
  std::mutex mutex;
  std::unordered_map<std::string, Key> keys;  // by request text
  RepeatedReplies repeated{RepeatedReplies::Limits{}};
};

namespace {

using State = Coalescer::State;

// Adds `waiter` to the open batch of `request`; true when there was no
// call for it yet (the caller starts one).
bool join(State& state, std::string_view method, const std::string& request,
          const std::shared_ptr<Waiter>& waiter) {
  std::lock_guard lock(state.mutex);
  auto [found, inserted] = state.keys.try_emplace(request);
  Key& key = found->second;
  std::shared_ptr<Batch>* open = &key.current;
  if (inserted) {
    key.method = std::string(method);
    key.current = std::make_shared<Batch>();
  } else if (key.current->sealed) {
    if (!key.next) key.next = std::make_shared<Batch>();
    open = &key.next;
  }
  (*open)->waiters.push_back(waiter);
  waiter->batch = *open;
  return inserted;
}

// The batch the next call of `request` answers, and its method.
std::shared_ptr<Batch> current_batch(State& state, const std::string& request,
                                     std::string& method) {
  std::lock_guard lock(state.mutex);
  Key& key = state.keys.at(request);
  method = key.method;
  return key.current;
}

std::function<void()> sealer(std::shared_ptr<State> state, std::shared_ptr<Batch> batch) {
  return [state = std::move(state), batch = std::move(batch)] {
    std::lock_guard lock(state->mutex);
    batch->sealed = true;
  };
}

// A copy of `error` with a message of its own. Copies of a runtime_error
// share one reference-counted message; the waiters read and drop theirs on
// different threads, and the count lives in libstdc++, which ThreadSanitizer
// cannot see (the exception_ptr entry of tests/sanitizers/tsan.supp is the
// same case).
Error unshared(const Error& error) {
  Error copy = error;
  static_cast<std::runtime_error&>(copy) = std::runtime_error(std::string(error.what()));
  return copy;
}

// Hands `outcome` to the batch's waiters and makes the gathering batch
// current; true when it has waiters (the caller sends its call).
bool deliver(State& state, const std::string& request, const std::shared_ptr<Batch>& batch,
             Outcome outcome) {
  std::vector<std::shared_ptr<Waiter>> wake;
  bool again = false;
  {
    std::lock_guard lock(state.mutex);
    const bool sole = batch->waiters.size() == 1;
    for (const auto& weak : batch->waiters) {
      const std::shared_ptr<Waiter> waiter = weak.lock();
      if (!waiter) continue;
      waiter->done = true;
      waiter->sole = sole;
      waiter->outcome = outcome;
      if (outcome.error) waiter->outcome.error = unshared(*outcome.error);
      waiter->batch.reset();
      if (waiter->waiting) wake.push_back(waiter);
    }
    batch->waiters.clear();
    batch->sealed = true;
    const auto found = state.keys.find(request);
    Key& key = found->second;
    if (key.next && !key.next->waiters.empty()) {
      key.current = std::move(key.next);
      again = true;
    } else {
      state.keys.erase(found);
    }
  }
  // Only the waiters hold the answer now (a sole one may take it).
  outcome = Outcome();
  for (auto& waiter : wake) waiter->timer.cancel();
  return again;
}

// The calls of one request text, one after the other while requests
// gather for the next.
asio::awaitable<void> fly(std::shared_ptr<State> state, std::string request) {
  for (bool again = true; again;) {
    std::string method;
    const std::shared_ptr<Batch> batch = current_batch(*state, request, method);
    Outcome outcome;
    try {
      outcome.result = co_await state->send(method, request, sealer(state, batch));
      state->repeated.reuse(request, *outcome.result);
    } catch (const Error& error) {
      outcome.error = error;
    } catch (...) {
      outcome.failure = std::current_exception();
    }
    again = deliver(*state, request, batch, std::move(outcome));
  }
}

// Waits on the waiter's timer; marks it waiting once the wait has begun, so
// that a delivery cancels it (a delivery before that is seen here).
auto wait(std::shared_ptr<State> state, std::shared_ptr<Waiter> waiter) {
  return asio::async_initiate<decltype(kTuple), void(boost::system::error_code)>(
      [state = std::move(state), waiter = std::move(waiter)](auto handler) {
        waiter->timer.async_wait(std::move(handler));
        bool done = false;
        {
          std::lock_guard lock(state->mutex);
          waiter->waiting = true;
          done = waiter->done;
        }
        if (done) waiter->timer.cancel();
      },
      kTuple);
}

// The waiter's answer, or the timeout (leaving its batch).
Coalescer::Answer collect(State& state, Waiter& waiter) {
  Outcome outcome;
  bool sole = false;
  {
    std::lock_guard lock(state.mutex);
    if (!waiter.done) {
      if (const auto batch = waiter.batch.lock()) {
        std::erase_if(batch->waiters, [&](const auto& w) {
          const auto other = w.lock();
          return !other || other.get() == &waiter;
        });
      }
      waiter.batch.reset();
      throw Error(ErrorKind::timeout, "No answer from the master daemon in time");
    }
    outcome = std::move(waiter.outcome);
    sole = waiter.sole;
  }
  if (outcome.error) throw *outcome.error;
  if (outcome.failure) std::rethrow_exception(outcome.failure);
  Coalescer::Answer answer;
  answer.result = std::move(outcome.result);
  answer.sole = sole;
  return answer;
}

}  // namespace

bool is_coalescable(std::string_view method) {
  return std::find(kQueryCalls.begin(), kQueryCalls.end(), method) != kQueryCalls.end();
}

Coalescer::Coalescer(asio::any_io_executor executor, Send send)
    : state_(std::make_shared<State>(std::move(executor), std::move(send))) {}

Coalescer::~Coalescer() = default;

asio::awaitable<Coalescer::Answer> Coalescer::call(std::string_view method, std::string request,
                                                   Clock::time_point deadline) {
  auto state = state_;  // the calls outlive this object if they must
  auto waiter = std::make_shared<Waiter>(co_await asio::this_coro::executor);
  waiter->timer.expires_at(deadline);
  const bool first = join(*state, method, request, waiter);
  if (first) asio::co_spawn(state->executor, fly(state, std::move(request)), asio::detached);
  co_await wait(state, waiter);
  co_return collect(*state, *waiter);
}

}  // namespace rapid::luxi
