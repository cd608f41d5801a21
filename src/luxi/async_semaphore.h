#pragma once
// A counting semaphore for coroutines on any executor: acquire() suspends
// (never blocks a thread) until a unit is free or the deadline passes.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <memory>
#include <mutex>

namespace rapid::luxi {

class AsyncSemaphore {
 public:
  explicit AsyncSemaphore(std::size_t units) : available_(units) {}

  // True when a unit was taken; false when the deadline passed first.
  boost::asio::awaitable<bool> acquire(std::chrono::steady_clock::time_point deadline) {
    auto waiter = std::make_shared<Waiter>(co_await boost::asio::this_coro::executor);
    {
      std::lock_guard lock(mutex_);
      if (available_ > 0 && waiters_.empty()) {
        --available_;
        co_return true;
      }
      waiter->timer.expires_at(deadline);
      waiters_.push_back(waiter);
    }
    co_await waiter->timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    std::lock_guard lock(mutex_);
    if (waiter->granted) co_return true;
    std::erase_if(waiters_, [&](const auto& w) { return w.expired() || w.lock() == waiter; });
    co_return false;
  }

  void release() {
    std::shared_ptr<Waiter> next;
    {
      std::lock_guard lock(mutex_);
      while (!next && !waiters_.empty()) {
        next = waiters_.front().lock();  // null: its coroutine is gone
        waiters_.pop_front();
      }
      if (!next) {
        ++available_;
        return;
      }
      next->granted = true;
    }
    // The timer belongs to the waiter's executor: wake it from there.
    boost::asio::post(next->timer.get_executor(), [next] { next->timer.cancel(); });
  }

 private:
  struct Waiter {
    explicit Waiter(boost::asio::any_io_executor ex) : timer(std::move(ex)) {}
    boost::asio::steady_timer timer;
    bool granted = false;  // guarded by the semaphore's mutex
  };

  std::mutex mutex_;
  std::size_t available_;
  // Weak: a waiter, and its timer on its coroutine's executor, live as long
  // as that coroutine; one that is gone is skipped.
  std::deque<std::weak_ptr<Waiter>> waiters_;
};

}  // namespace rapid::luxi
