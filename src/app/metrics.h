#pragma once
// --metrics-port: rapid's own metrics and the cluster's, in Prometheus'
// text format on a plain-HTTP listener of its own (GET /metrics; anything
// else 404; no authentication, like every exporter). docs/metrics.md lists
// every metric. Owned by app::Rapid; absent without --metrics-port.
//
// Hot path: the request and LUXI counters are atomics found by index
// (metrics/family.h); connection and TLS counts are read from the HTTP
// server at scrape time.

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "http/server.h"
#include "luxi/client.h"
#include "metrics/family.h"
#include "metrics/registry.h"
#include "rapi/cluster_metrics.h"
#include "rapi/request_metrics.h"

namespace rapid::app {

struct MetricsConfig {
  bool enabled = false;  // --metrics-port given
  std::uint16_t port = 0;
  std::string bind_address = "127.0.0.1";
  std::chrono::milliseconds cache_time{10'000};  // of the cluster's metrics
};

// rapid_luxi_calls_total{method,outcome}, rapid_luxi_call_duration_seconds{method}.
class LuxiMetrics final : public luxi::CallObserver {
 public:
  LuxiMetrics();
  void call_ended(std::string_view method, const luxi::Error* failure,
                  std::chrono::steady_clock::duration took) noexcept override;
  void add_to(metrics::Registry& registry) const;

 private:
  metrics::CounterFamily calls_;
  metrics::HistogramFamily durations_;
};

class Metrics {
 public:
  explicit Metrics(MetricsConfig config);
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;
  ~Metrics();

  luxi::CallObserver* luxi_observer() { return &luxi_; }
  rapi::RequestMetrics* requests() { return &requests_; }

  // Binds the listener and starts serving; `server` is the RAPI server
  // (connections, TLS), `base` its config (limits and Server header are
  // reused). Throws std::runtime_error when the address cannot be bound.
  void start(boost::asio::any_io_executor executor, luxi::Client& luxi, const http::Server& server,
             const http::ServerConfig& base);
  void shutdown();
  void abort();
  std::uint16_t port() const;
  const MetricsConfig& config() const { return config_; }

  // What a reload of the users file or the TLS files did.
  void users_file_reloaded(bool installed);
  void tls_reloaded(http::TlsReload::Outcome outcome);

 private:
  class Handler;

  MetricsConfig config_;
  metrics::Registry registry_;
  LuxiMetrics luxi_;
  rapi::RequestMetrics requests_;
  metrics::CounterFamily users_reloads_;
  metrics::CounterFamily tls_reloads_;
  std::optional<rapi::ClusterMetrics> cluster_;
  std::unique_ptr<Handler> handler_;
  std::optional<http::Server> server_;
};

// `config` with `observer` set (null: unchanged).
luxi::ClientConfig observed(luxi::ClientConfig config, luxi::CallObserver* observer);

}  // namespace rapid::app
