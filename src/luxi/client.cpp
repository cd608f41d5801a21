#include "luxi/client.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <mutex>
#include <vector>

#include "luxi/async_semaphore.h"
#include "luxi/connection.h"
#include "luxi/error.h"
#include "luxi/protocol.h"

namespace rapid::luxi {

namespace asio = boost::asio;

struct Client::Impl {
  Impl(asio::any_io_executor ex, ClientConfig c)
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
};

namespace {

// Pause before a call is sent again on a new connection because the last
// one broke before any byte was written.
constexpr std::chrono::milliseconds kRetryPause{5};

class SlotGuard {
 public:
  explicit SlotGuard(AsyncSemaphore& semaphore) : semaphore_(semaphore) {}
  ~SlotGuard() { semaphore_.release(); }
  SlotGuard(const SlotGuard&) = delete;
  SlotGuard& operator=(const SlotGuard&) = delete;

 private:
  AsyncSemaphore& semaphore_;
};

}  // namespace

Client::Client(asio::any_io_executor executor, ClientConfig config)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(config))) {}

Client::~Client() = default;

const ClientConfig& Client::config() const { return impl_->config; }

std::size_t Client::idle_connections() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->idle.size();
}

// Not a coroutine: without an observer the call costs no extra frame.
asio::awaitable<Json> Client::call(std::string_view method, Json args, Resend resend,
                                   std::optional<std::chrono::milliseconds> timeout) {
  CallObserver* observer = impl_->config.observer;
  if (!observer) return exchange(method, std::move(args), resend, timeout);
  return observed_exchange(*observer, method, std::move(args), resend, timeout);
}

asio::awaitable<Json> Client::observed_exchange(CallObserver& observer, std::string_view method,
                                                Json args, Resend resend,
                                                std::optional<std::chrono::milliseconds> timeout) {
  const auto started = std::chrono::steady_clock::now();
  std::optional<Error> failure;
  Json result;
  try {
    result = co_await exchange(method, std::move(args), resend, timeout);
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

asio::awaitable<Json> Client::exchange(std::string_view method, Json args, Resend resend,
                                       std::optional<std::chrono::milliseconds> timeout) {
  auto impl = impl_;  // keeps the pool alive across suspensions
  const auto deadline = Clock::now() + timeout.value_or(impl->config.call_timeout);
  const std::string request = encode_request(method, args);
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
    co_return decode_response(reply);
  }
}

}  // namespace rapid::luxi
