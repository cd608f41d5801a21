#pragma once
// Asynchronous LUXI client: a bounded pool of connections to luxid's socket
// shared by all requests. No thread ever blocks on luxid.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "util/json.h"

namespace rapid::luxi {

class Error;
class SharedResult;
struct ClientState;  // the pool and the coalescer (client.cpp)

// Told of the end of every call (metrics). Called on the io threads: must be
// thread-safe, quick and must not throw; outlives the client.
class CallObserver {
 public:
  virtual ~CallObserver() = default;
  // `failure`: null when the call succeeded.
  virtual void call_ended(std::string_view method, const Error* failure,
                          std::chrono::steady_clock::duration took) noexcept = 0;
};

struct ClientConfig {
  std::string socket_path = "/run/ganeti/socket/ganeti-query";
  // Per call, from asking for a connection to the complete answer. luxid's
  // own per-message timeout is 180 s.
  std::chrono::milliseconds call_timeout{180'000};
  std::size_t max_connections = 32;
  // Long polls (WaitForJobChange) hold a connection for up to their wait
  // time: they count against this bound instead, so that waiting clients
  // never hold up other calls (the original opens one connection per
  // client, up to --max-clients, whose default this is).
  std::size_t max_wait_connections = 1024;
  // Idle connections older than this are closed rather than reused (luxid
  // drops idle clients after about 3 minutes).
  std::chrono::milliseconds max_idle{60'000};
  std::size_t max_reply_bytes = 256 * 1024 * 1024;
  CallObserver* observer = nullptr;  // none: nothing is measured
  // Identical query calls in flight share one call (luxi/coalescer.h);
  // false: one call per request (--no-coalesce).
  bool coalesce = true;
};

// Whether a call may be sent again after a failure. Calls that may change
// the cluster (SubmitJob, CancelJob, filter changes) are never re-sent once
// any of their bytes reached the socket: a lost reply must not turn into a
// second job.
enum class Resend { safe, never };

class Client {
 public:
  Client(boost::asio::any_io_executor executor, ClientConfig config);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Calls `method` with `args`; returns the result or throws luxi::Error.
  // `timeout` replaces the configured call timeout (long polls). A query
  // call (is_coalescable()) that may be re-sent, with the configured
  // timeout, shares the answer of an identical one not yet sent.
  boost::asio::awaitable<Json> call(std::string_view method, Json args, Resend resend,
                                    std::optional<std::chrono::milliseconds> timeout = {});

  // A query call (safe to re-send) whose answer stays shared with the
  // requests it was coalesced with, or is the request's alone.
  boost::asio::awaitable<std::shared_ptr<const SharedResult>> query(std::string_view method,
                                                                    Json args);

  const ClientConfig& config() const;
  std::size_t idle_connections() const;

 private:
  bool coalesces(std::string_view method, Resend resend,
                 const std::optional<std::chrono::milliseconds>& timeout) const;

  std::shared_ptr<ClientState> impl_;
};

}  // namespace rapid::luxi
