#include "app/metrics.h"

#include <spdlog/spdlog.h>

#include <array>
#include <system_error>

#include "app/version.h"
#include "luxi/error.h"
#include "metrics/text_format.h"
#include "rapi/openapi.h"

namespace rapid::app {

namespace {

// The LUXI methods rapid calls; anything else is "other".
constexpr std::array<std::string_view, 15> kLuxiMethods = {
    "Query",          "QueryFields", "QueryClusterInfo", "QueryTags",     "QueryJobs",
    "QueryInstances", "QueryNodes",  "QueryGroups",      "QueryNetworks", "QueryFilters",
    "SubmitJob",      "CancelJob",   "WaitForJobChange", "ReplaceFilter", "DeleteFilter"};
// "ok", then luxi::ErrorKind in its order.
constexpr std::array<std::string_view, 9> kLuxiOutcomes = {
    "ok",       "no_master",   "permission_denied", "timeout",     "connection_lost",
    "protocol", "undecodable", "request_rejected",  "ganeti_error"};

std::vector<std::string> values_of(std::span<const std::string_view> names, bool other) {
  std::vector<std::string> values(names.begin(), names.end());
  if (other) values.emplace_back("other");
  return values;
}

std::size_t luxi_method_position(std::string_view method) {
  for (std::size_t i = 0; i < kLuxiMethods.size(); ++i) {
    if (kLuxiMethods[i] == method) return i;
  }
  return kLuxiMethods.size();
}

http::Response text_response(int status, std::string content_type, std::string body) {
  http::Response response;
  response.status = status;
  response.content_type = std::move(content_type);
  response.body = std::move(body);
  return response;
}

void write_build_info(metrics::TextWriter& out) {
  out.family("rapid_build_info",
             "rapid's version and the Ganeti version whose RAPI it speaks; always 1.", "gauge");
  const metrics::Label labels[] = {{"version", kRapidVersion}, {"ganeti_version", kGanetiVersion}};
  out.sample("rapid_build_info", labels, 1.0);
}

void write_server_stats(metrics::TextWriter& out, const http::ServerStats& stats, bool tls) {
  out.family("rapid_open_connections", "RAPI connections open now, by transport.", "gauge");
  const metrics::Label tls_label[] = {{"transport", "tls"}};
  const metrics::Label plain_label[] = {{"transport", "plain"}};
  const auto open = static_cast<std::uint64_t>(stats.open_connections);
  out.sample("rapid_open_connections", tls_label, tls ? open : std::uint64_t{0});
  out.sample("rapid_open_connections", plain_label, tls ? std::uint64_t{0} : open);
  out.family("rapid_max_clients_reached_total",
             "Times the RAPI listener had --max-clients connections open and stopped accepting "
             "until one closed (further clients wait in the listen backlog).",
             "counter");
  out.sample("rapid_max_clients_reached_total", {}, stats.max_clients_reached);
  out.family("rapid_tls_handshake_failures_total",
             "RAPI connections whose TLS handshake failed or timed out.", "counter");
  out.sample("rapid_tls_handshake_failures_total", {}, stats.tls_handshake_failures);
}

}  // namespace

LuxiMetrics::LuxiMetrics()
    : calls_("rapid_luxi_calls_total", "LUXI calls to luxid, by method and outcome.",
             metrics::LabelSpace({"method", "outcome"},
                                 {values_of(kLuxiMethods, true), values_of(kLuxiOutcomes, false)}),
             metrics::Zeros::hide),
      durations_("rapid_luxi_call_duration_seconds",
                 "Time from asking for a connection to luxid to the complete answer, by method.",
                 metrics::LabelSpace({"method"}, {values_of(kLuxiMethods, true)}),
                 metrics::kLatencyBounds) {}

void LuxiMetrics::call_ended(std::string_view method, const luxi::Error* failure,
                             std::chrono::steady_clock::duration took) noexcept {
  const std::size_t m = luxi_method_position(method);
  const std::size_t outcome = failure ? 1 + static_cast<std::size_t>(failure->kind()) : 0;
  calls_.at(calls_.labels().index({m, outcome})).inc();
  durations_.at(m).observe(std::chrono::duration<double>(took).count());
}

void LuxiMetrics::add_to(metrics::Registry& registry) const {
  registry.add(calls_);
  registry.add(durations_);
}

// GET /metrics: the registry, then the cluster's families.
class Metrics::Handler final : public http::Handler {
 public:
  Handler(const metrics::Registry& registry, rapi::ClusterMetrics& cluster)
      : registry_(registry), cluster_(cluster) {}

  boost::asio::awaitable<http::Response> handle(http::Request request) override {
    const std::string_view target = request.target;
    const std::string_view path = target.substr(0, target.find('?'));
    if (request.method != "GET" || path != "/metrics") co_return not_found();
    const std::shared_ptr<const std::string> cluster = co_await cluster_.text();
    metrics::TextWriter out;
    registry_.write(out);
    out.text() += *cluster;
    co_return text_response(200, std::string(metrics::kContentType), std::move(out.text()));
  }

  http::Response protocol_error(int status, std::string_view message) override {
    return text_response(status, "text/plain; charset=utf-8", std::string(message) + "\n");
  }

 private:
  static http::Response not_found() {
    return text_response(404, "text/plain; charset=utf-8", "Not Found\n");
  }

  const metrics::Registry& registry_;
  rapi::ClusterMetrics& cluster_;
};

Metrics::Metrics(MetricsConfig config)
    : config_(std::move(config)),
      requests_({&rapi::resources(), &rapi::rapid_resources()}),
      users_reloads_("rapid_users_file_reloads_total",
                     "Reads of the RAPI users file, by result (failure: missing, unreadable or "
                     "undecodable).",
                     metrics::LabelSpace({"result"}, {{"success", "failure"}}),
                     metrics::Zeros::show),
      tls_reloads_("rapid_tls_reloads_total",
                   "Reloads of the TLS key and certificate files, by result (unchanged: same "
                   "contents; failed: unusable, the current certificate stays).",
                   metrics::LabelSpace({"result"}, {{"reloaded", "unchanged", "failed"}}),
                   metrics::Zeros::show) {}

Metrics::~Metrics() = default;

void Metrics::start(boost::asio::any_io_executor executor, luxi::Client& luxi,
                    const http::Server& server, const http::ServerConfig& base) {
  const bool tls = base.tls.enabled;
  registry_.add(write_build_info);
  registry_.add(metrics::write_process_metrics);
  registry_.add(
      [&server, tls](metrics::TextWriter& out) { write_server_stats(out, server.stats(), tls); });
  registry_.add(users_reloads_);
  registry_.add(tls_reloads_);
  registry_.add(requests_.requests());
  registry_.add(requests_.durations());
  luxi_.add_to(registry_);

  cluster_.emplace(executor, luxi, config_.cache_time);
  handler_ = std::make_unique<Handler>(registry_, *cluster_);
  http::ServerConfig listener;
  listener.bind_address = config_.bind_address;
  listener.port = config_.port;
  listener.tls.enabled = false;
  listener.limits = base.limits;
  listener.server_header = base.server_header;
  try {
    server_.emplace(executor, listener, *handler_, nullptr);
  } catch (const std::exception& e) {
    throw std::runtime_error("metrics listener on " + config_.bind_address + " port " +
                             std::to_string(config_.port) + ": " + e.what());
  }
  server_->start();
  SPDLOG_INFO("Metrics on http://{}:{}/metrics", config_.bind_address, server_->port());
}

void Metrics::shutdown() {
  // Scrapes are repeated anyway: nothing to wait for.
  if (server_) server_->shutdown([] {});
}

void Metrics::abort() {
  if (server_) server_->abort();
}

std::uint16_t Metrics::port() const { return server_ ? server_->port() : 0; }

void Metrics::users_file_reloaded(bool installed) { users_reloads_.at(installed ? 0 : 1).inc(); }

void Metrics::tls_reloaded(http::TlsReload::Outcome outcome) {
  switch (outcome) {
    case http::TlsReload::Outcome::reloaded:
      tls_reloads_.at(0).inc();
      break;
    case http::TlsReload::Outcome::unchanged:
      tls_reloads_.at(1).inc();
      break;
    case http::TlsReload::Outcome::failed:
      tls_reloads_.at(2).inc();
      break;
  }
}

luxi::ClientConfig observed(luxi::ClientConfig config, luxi::CallObserver* observer) {
  if (observer) config.observer = observer;
  return config;
}

}  // namespace rapid::app
