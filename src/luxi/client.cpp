#include "luxi/client.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <functional>
#include <mutex>
#include <vector>

#include "luxi/async_semaphore.h"
#include "luxi/coalescer.h"
#include "luxi/connection.h"
#include "luxi/error.h"
#include "luxi/protocol.h"
#include "luxi/shared_result.h"

namespace rapid::luxi {

namespace asio = boost::asio;

struct ClientState {
  ClientState(asio::any_io_executor ex, ClientConfig c)
      : executor(std::move(ex)),
        config(std::move(c)),
        slots(config.max_connections),
        wait_slots(config.max_wait_connections) {}

  // An idle connection that still works, or null.
  std::unique_ptr<Connection> take_idle() {
    std::lock_guard lock(mutex);
    while (!idle.empty()) {
      auto connection = std::move(idle.back());
      idle.pop_back();
      if (Clock::now() - connection->idle_since < config.max_idle &&
          connection->usable_after_idle()) {
        return connection;
      }
    }
    return nullptr;
  }

  void give_back(std::unique_ptr<Connection> connection) {
    connection->idle_since = Clock::now();
    std::lock_guard lock(mutex);
    idle.push_back(std::move(connection));
  }

  asio::awaitable<std::unique_ptr<Connection>> open(Clock::time_point deadline) {
    auto connection = std::make_unique<Connection>(executor);
    co_await connection->connect(config.socket_path, deadline);
    co_return connection;
  }

  asio::any_io_executor executor;
  ClientConfig config;
  AsyncSemaphore slots;
  AsyncSemaphore wait_slots;  // long polls only
  mutable std::mutex mutex;
  std::vector<std::unique_ptr<Connection>> idle;
  std::optional<Coalescer> coalescer;  // with config.coalesce
};

namespace {

// Pause before a call is sent again on a new connection because the last
// one broke before any byte was written.
constexpr std::chrono::milliseconds kRetryPause{5};

using Impl = ClientState;

class SlotGuard {
 public:
  explicit SlotGuard(AsyncSemaphore& semaphore) : semaphore_(semaphore) {}
  ~SlotGuard() { semaphore_.release(); }
  SlotGuard(const SlotGuard&) = delete;
  SlotGuard& operator=(const SlotGuard&) = delete;

 private:
  AsyncSemaphore& semaphore_;
};

// One call: `request` is the framed message; `on_send` (if any) runs right
// before its first byte is written.
asio::awaitable<std::shared_ptr<SharedResult>> exchange(std::shared_ptr<Impl> impl,
                                                        std::string_view method,
                                                        std::string request, Resend resend,
                                                        Clock::time_point deadline,
                                                        std::function<void()> on_send) {
  // Sizes only: opcodes can carry secrets (osparams_secret) in clear text.
  SPDLOG_DEBUG("LUXI call {} ({} bytes)", method, request.size());

  AsyncSemaphore& slots = method == "WaitForJobChange" ? impl->wait_slots : impl->slots;
  const bool have_slot = co_await slots.acquire(deadline);
  if (!have_slot) {
    throw Error(ErrorKind::timeout, "No free connection to the master daemon in time");
  }
  SlotGuard guard(slots);

  // A call that may change the cluster always gets a new connection: a
  // pooled one could have been closed by luxid just now, and then we could
  // not tell whether it acted on the request.
  std::unique_ptr<Connection> connection;
  if (resend == Resend::safe) connection = impl->take_idle();
  bool reused = connection != nullptr;
  if (!connection) {
    connection = co_await impl->open(deadline);
  }

  asio::steady_timer retry_timer(impl->executor);
  while (true) {
    std::size_t written = 0;
    std::string reply;
    std::optional<Error> failure;
    if (on_send) {
      on_send();
      on_send = nullptr;
    }
    try {
      reply =
          co_await connection->exchange(request, deadline, impl->config.max_reply_bytes, written);
    } catch (const Error& error) {
      failure = error;
    }
    if (failure) {
      connection.reset();
      if (written == 0 && failure->kind() == ErrorKind::connection_lost &&
          Clock::now() + kRetryPause < deadline) {
        // Not a byte reached luxid (a connection that broke before it was
        // used): sending on a new one is safe even for a SubmitJob.
        reused = false;
        retry_timer.expires_after(kRetryPause);
        co_await retry_timer.async_wait(asio::as_tuple(asio::use_awaitable));
        connection = co_await impl->open(deadline);
        continue;
      }
      if (resend == Resend::never && written > 0) {
        failure->set_may_have_executed();
        throw *failure;
      }
      // A reused connection that broke is retried once on a fresh one.
      if (reused && failure->kind() == ErrorKind::connection_lost) {
        reused = false;
        connection = co_await impl->open(deadline);
        continue;
      }
      throw *failure;
    }
    SPDLOG_DEBUG("LUXI answer to {} ({} bytes)", method, reply.size());
    // Only a clean exchange leaves the connection reusable.
    impl->give_back(std::move(connection));
    co_return SharedResult::from_reply(std::move(reply));
  }
}

asio::awaitable<std::shared_ptr<SharedResult>> observed_exchange(
    std::shared_ptr<Impl> impl, CallObserver& observer, std::string_view method,
    std::string request, Resend resend, Clock::time_point deadline, std::function<void()> on_send) {
  const auto started = std::chrono::steady_clock::now();
  std::optional<Error> failure;
  std::shared_ptr<SharedResult> result;
  try {
    result = co_await exchange(std::move(impl), method, std::move(request), resend, deadline,
                               std::move(on_send));
  } catch (const Error& error) {
    failure = error;
  } catch (...) {
    const Error unexpected(ErrorKind::protocol, "unexpected failure");
    observer.call_ended(method, &unexpected, std::chrono::steady_clock::now() - started);
    throw;
  }
  observer.call_ended(method, failure ? &*failure : nullptr,
                      std::chrono::steady_clock::now() - started);
  if (failure) throw *failure;
  co_return result;
}

// Not a coroutine: without an observer the call costs no extra frame.
asio::awaitable<std::shared_ptr<SharedResult>> send_call(std::shared_ptr<Impl> impl,
                                                         std::string_view method,
                                                         std::string request, Resend resend,
                                                         Clock::time_point deadline,
                                                         std::function<void()> on_send = {}) {
  CallObserver* observer = impl->config.observer;
  if (!observer) {
    return exchange(std::move(impl), method, std::move(request), resend, deadline,
                    std::move(on_send));
  }
  return observed_exchange(std::move(impl), *observer, method, std::move(request), resend, deadline,
                           std::move(on_send));
}

// A coalesced call's one LUXI call, on behalf of all its requests. The
// client may be gone by then: the weak reference tells.
asio::awaitable<std::shared_ptr<SharedResult>> coalesced_send(std::weak_ptr<Impl> weak,
                                                              std::string_view method,
                                                              const std::string& request,
                                                              std::function<void()> on_send) {
  std::shared_ptr<Impl> impl = weak.lock();
  if (!impl) throw Error(ErrorKind::connection_lost, "The LUXI client was closed");
  const auto deadline = Clock::now() + impl->config.call_timeout;
  co_return co_await send_call(impl, method, request, Resend::safe, deadline, std::move(on_send));
}

asio::awaitable<Coalescer::Answer> coalesced(std::shared_ptr<Impl> impl, std::string_view method,
                                             Json args) {
  const auto deadline = Clock::now() + impl->config.call_timeout;
  std::string request = encode_request(method, args);
  co_return co_await impl->coalescer->call(method, std::move(request), deadline);
}

asio::awaitable<Json> coalesced_value(std::shared_ptr<Impl> impl, std::string_view method,
                                      Json args) {
  Coalescer::Answer answer = co_await coalesced(std::move(impl), method, std::move(args));
  if (answer.sole) co_return answer.result->take();
  co_return answer.result->value();
}

// A call's result for itself alone: decoded and moved out.
asio::awaitable<Json> plain_value(std::shared_ptr<Impl> impl, std::string_view method,
                                  std::string request, Resend resend, Clock::time_point deadline) {
  std::shared_ptr<SharedResult> result =
      co_await send_call(std::move(impl), method, std::move(request), resend, deadline);
  co_return result->take();
}

asio::awaitable<std::shared_ptr<const SharedResult>> uncoalesced_query(std::shared_ptr<Impl> impl,
                                                                       std::string_view method,
                                                                       Json args) {
  const auto deadline = Clock::now() + impl->config.call_timeout;
  std::string request = encode_request(method, args);
  co_return co_await send_call(std::move(impl), method, std::move(request), Resend::safe, deadline);
}

asio::awaitable<std::shared_ptr<const SharedResult>> coalesced_query(std::shared_ptr<Impl> impl,
                                                                     std::string_view method,
                                                                     Json args) {
  Coalescer::Answer answer = co_await coalesced(std::move(impl), method, std::move(args));
  co_return std::move(answer.result);
}

}  // namespace

Client::Client(asio::any_io_executor executor, ClientConfig config)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(config))) {
  if (impl_->config.coalesce) {
    const std::weak_ptr<Impl> weak = impl_;
    impl_->coalescer.emplace(
        impl_->executor,
        [weak](std::string_view method, const std::string& request, std::function<void()> on_send) {
          return coalesced_send(weak, method, request, std::move(on_send));
        });
  }
}

Client::~Client() = default;

const ClientConfig& Client::config() const { return impl_->config; }

std::size_t Client::idle_connections() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->idle.size();
}

bool Client::coalesces(std::string_view method, Resend resend,
                       const std::optional<std::chrono::milliseconds>& timeout) const {
  return impl_->coalescer && resend == Resend::safe && !timeout && is_coalescable(method);
}

asio::awaitable<Json> Client::call(std::string_view method, Json args, Resend resend,
                                   std::optional<std::chrono::milliseconds> timeout) {
  if (coalesces(method, resend, timeout)) return coalesced_value(impl_, method, std::move(args));
  const auto deadline = Clock::now() + timeout.value_or(impl_->config.call_timeout);
  return plain_value(impl_, method, encode_request(method, args), resend, deadline);
}

asio::awaitable<std::shared_ptr<const SharedResult>> Client::query(std::string_view method,
                                                                   Json args) {
  if (coalesces(method, Resend::safe, std::nullopt)) {
    return coalesced_query(impl_, method, std::move(args));
  }
  return uncoalesced_query(impl_, method, std::move(args));
}

}  // namespace rapid::luxi
