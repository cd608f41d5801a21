#include "app/rapid.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <thread>
#include <vector>

#include "app/logging.h"
#include "app/systemd_notify.h"
#include "http/socket_reserve.h"

namespace rapid::app {

namespace {
// How long a TLS reload waits after a change of one of the files.
constexpr std::chrono::milliseconds kTlsSettleTime{200};

// The handler's options with the audit log as its sink, when there is one.
rapi::RapiOptions with_audit_sink(rapi::RapiOptions options, AuditLog& audit_log) {
  if (audit_log.enabled()) {
    options.audit = [&audit_log](std::string_view line) { audit_log.write(line); };
  }
  return options;
}
}  // namespace

Rapid::Rapid(boost::asio::io_context& io, RapidConfig config)
    : io_(io),
      config_(std::move(config)),
      users_(config_.users_file),
      watcher_(io.get_executor()),
      metrics_(config_.metrics.enabled ? std::make_unique<Metrics>(config_.metrics) : nullptr),
      luxi_(io.get_executor(),
            observed(config_.luxi, metrics_ ? metrics_->luxi_observer() : nullptr)),
      audit_log_(config_.audit),
      handler_(with_audit_sink(config_.rapi, audit_log_), users_, luxi_),
      shutdown_timer_(io),
      tls_strand_(boost::asio::make_strand(io)),
      tls_reload_timer_(tls_strand_),
      io_threads_(boost::asio::make_service<IoThreads>(io, std::max(1u, config_.threads) - 1)) {
  if (metrics_) handler_.set_metrics(metrics_->requests());
}

// The threads have stopped (run() has returned, or never ran): what waits on
// their io_contexts goes now, while every part is still here.
Rapid::~Rapid() { io_threads_.shut_down(); }

void Rapid::start() {
  audit_log_.open();
  // Watch first, then read: no change can fall between the two.
  watcher_.add(config_.users_file, [this] { reload_users(); });
  const http::TlsConfig& tls = config_.server.tls;
  if (tls.enabled) {
    for (const std::string* path : {&tls.key_file, &tls.cert_file, &tls.chain_file}) {
      if (!path->empty()) watcher_.add(*path, [this] { reload_tls_soon(); });
    }
  }
  watcher_.start();
  reload_users();
  // Every client connection and every LUXI connection at their limits: the
  // LUXI ones on the caller's io_context, the clients spread evenly over all
  // (placed by load, at most ceil(limit / contexts) on one).
  std::vector<boost::asio::any_io_executor> connection_executors{io_.get_executor()};
  for (auto& executor : io_threads_.executors()) connection_executors.push_back(executor);
  const std::size_t contexts = connection_executors.size();
  const std::size_t clients_each = (config_.server.limits.max_clients + contexts - 1) / contexts;
  const std::size_t luxi_sockets = config_.luxi.max_connections + config_.luxi.max_wait_connections;
  std::size_t reserved = 0;
  for (std::size_t i = 0; i < contexts; ++i) {
    const std::size_t sockets = clients_each + (i == 0 ? luxi_sockets : 0);
    reserved += http::reserve_socket_states(connection_executors[i], sockets);
  }
  SPDLOG_DEBUG("Reserved the reactor state of {} sockets over {} io_contexts", reserved, contexts);
  server_.emplace(io_.get_executor(), config_.server, handler_, config_.access_log,
                  std::move(connection_executors));
  server_->start();
  if (metrics_) metrics_->start(io_.get_executor(), luxi_, *server_, config_.server);
  SPDLOG_INFO("{}", serving_status());
  notify_systemd(ready_message(serving_status()));
}

std::string Rapid::serving_status() const {
  return fmt::format("Listening on {} port {} ({})", config_.server.bind_address, server_->port(),
                     config_.server.tls.enabled ? "HTTPS" : "HTTP");
}

void Rapid::run() {
  io_threads_.start();
  io_.run();
  // Drained (or stop_now()): what is left on the other io_contexts is never run.
  io_threads_.stop();
}

void Rapid::reload() {
  notify_systemd(reloading_message(
      "Reloading: reopening the log file, re-reading the users file and the TLS files",
      monotonic_usec()));
  reopen_log_file();  // first: the lines below go to the new file
  audit_log_.reopen();
  SPDLOG_INFO("SIGHUP received: log file reopened, re-reading the users file and the TLS files");
  reload_users();
  reload_tls();
  notify_systemd(ready_message(serving_status()));
}

void Rapid::reload_users() {
  const bool installed = users_.reload();
  if (metrics_) metrics_->users_file_reloaded(installed);
}

void Rapid::reload_tls() {
  const http::TlsReload result = server_->reload_tls();
  if (metrics_) metrics_->tls_reloaded(result.outcome);
  const http::TlsConfig& tls = config_.server.tls;
  const std::string files =
      tls.chain_file.empty() ? tls.cert_file : tls.cert_file + " (chain " + tls.chain_file + ")";
  if (result.outcome == http::TlsReload::Outcome::reloaded) {
    SPDLOG_INFO("TLS certificate reloaded from {}: new connections use it", files);
  } else if (result.outcome == http::TlsReload::Outcome::failed) {
    SPDLOG_ERROR("Keeping the current TLS certificate, the new files are unusable: {}",
                 result.error);
  }
}

void Rapid::reload_tls_soon() {
  boost::asio::post(tls_strand_, [this] {
    if (tls_reload_pending_ || shutting_down_) return;
    tls_reload_pending_ = true;
    tls_reload_timer_.expires_after(kTlsSettleTime);
    tls_reload_timer_.async_wait([this](const boost::system::error_code& ec) {
      tls_reload_pending_ = false;
      if (!ec && server_) reload_tls();
    });
  });
}

void Rapid::shut_down() {
  if (shutting_down_.exchange(true)) return;
  notify_systemd(stopping_message("Shutting down: finishing the requests in flight"));
  watcher_.stop();
  boost::asio::post(tls_strand_, [this] { tls_reload_timer_.cancel(); });
  if (metrics_) metrics_->shutdown();
  server_->shutdown([this] { io_.stop(); });
  shutdown_timer_.expires_after(config_.shutdown_timeout);
  shutdown_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    SPDLOG_WARN("Requests still running after the shutdown timeout: closing them");
    stop_now();
  });
}

void Rapid::stop_now() {
  if (metrics_) metrics_->abort();
  server_->abort();
  io_.stop();
}

}  // namespace rapid::app
