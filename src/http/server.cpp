#include "http/server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <mutex>
#include <unistd.h>

#include "http/connection_executors.h"
#include "http/session.h"
#include "http/tls_context.h"

namespace rapid::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// `accepted`'s connection on a socket of `target` (another thread's
// io_context, or a strand): the descriptor moves, the connection does not
// notice. Closed (and logged) if the move fails.
tcp::socket moved_to(tcp::socket accepted, const asio::any_io_executor& target, tcp protocol) {
  tcp::socket placed(target);
  boost::system::error_code ec;
  const tcp::socket::native_handle_type fd = accepted.release(ec);
  if (!ec) placed.assign(protocol, fd, ec);
  if (ec) {
    SPDLOG_WARN("cannot hand over an accepted connection: {}", ec.message());
    if (!placed.is_open() && fd >= 0) ::close(fd);
  }
  return placed;
}

}  // namespace

// The listener: accepts while fewer than max_clients connections are open,
// otherwise waits for one to close (connections beyond the limit queue in
// the kernel's backlog, as with the original's --max-clients). On shutdown
// it takes every connection still in the kernel's backlog (closing the
// listening socket would reset them) and serves them too, within the limit;
// it holds the tracker until then, so the server is not drained before.
struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  Impl(asio::any_io_executor ex, ServerConfig config, Handler& handler, AccessLogFn log,
       std::vector<asio::any_io_executor> connection_executors)
      : executor(ex),
        placement(connection_executors.empty() ? ConnectionExecutors(ex)
                                               : ConnectionExecutors(std::move(connection_executors))),
        strand(asio::make_strand(ex)),
        acceptor(strand),
        slot_timer(strand) {
    shared = std::make_shared<SessionShared>(std::move(config), handler, std::move(log),
                                             [this] { wake_listener(); });
    const TlsConfig& tls = shared->config.tls;
    if (tls.enabled) {
      ticket_keys = std::make_shared<TicketKeys>(tls.ticket_key_period, tls.ticket_clock);
      install_tls(tls_files_contents(tls));
    }
    const auto address = asio::ip::make_address(shared->config.bind_address);
    const tcp::endpoint endpoint(address, shared->config.port);
    protocol = endpoint.protocol();
    acceptor.open(endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    if (address.is_v6()) {
      // "::" serves IPv4 clients too (dual stack), whatever the sysctl says.
      acceptor.set_option(asio::ip::v6_only(false));
    }
    acceptor.bind(endpoint);
    acceptor.listen(1024);
  }

  void wake_listener() {
    asio::post(strand, [self = weak_from_this()] {
      if (auto impl = self.lock()) impl->slot_timer.cancel();
    });
  }

  // New connections get a context made of the TLS files, which read as
  // `contents`. Throws std::runtime_error when they are unusable. Every
  // context shares the ticket keys: tickets survive a reload (the session
  // cache, which each context has, does not).
  void install_tls(std::string contents) {
    shared->set_tls_context(
        std::make_shared<asio::ssl::context>(make_tls_context(shared->config.tls, ticket_keys)));
    tls_loaded = std::move(contents);
  }

  // Connections the kernel completed before the shutdown: accepted now,
  // served by the accept loop once it stops.
  void take_backlog() {
    boost::system::error_code ec;
    acceptor.non_blocking(true, ec);
    while (!ec) {
      Placement where = placement.place();
      tcp::socket socket(where.executor);
      acceptor.accept(socket, ec);
      // EAGAIN: nothing left. EMFILE and friends: the rest are lost either way.
      if (!ec) backlog.push_back(Backlogged{std::move(socket), std::move(where.occupancy)});
    }
    if (!backlog.empty()) SPDLOG_DEBUG("{} connections taken from the backlog", backlog.size());
  }

  void stop_accepting() {
    take_backlog();
    boost::system::error_code ignored;
    acceptor.close(ignored);
    slot_timer.cancel();
  }

  asio::awaitable<void> wait_for_slot() {
    slot_timer.expires_after(std::chrono::seconds(1));
    co_await slot_timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }

  asio::awaitable<void> accept_loop() {
    const std::size_t max_clients = shared->config.limits.max_clients;
    while (acceptor.is_open()) {
      bool counted = false;
      while (shared->tracker.size() >= max_clients && acceptor.is_open()) {
        if (!counted) shared->max_clients_reached.fetch_add(1, std::memory_order_relaxed);
        counted = true;
        co_await wait_for_slot();
      }
      // Accepted here, then placed: where it goes is decided when it has
      // arrived, by the connections open then.
      auto [ec, accepted] =
          co_await acceptor.async_accept(executor, asio::as_tuple(asio::use_awaitable));
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) break;
        // EMFILE and friends: back off instead of spinning.
        SPDLOG_WARN("accept failed: {}", ec.message());
        slot_timer.expires_after(std::chrono::milliseconds(100));
        co_await slot_timer.async_wait(asio::as_tuple(asio::use_awaitable));
        continue;
      }
      Placement where = placement.place();
      tcp::socket socket = moved_to(std::move(accepted), where.executor, protocol);
      if (socket.is_open()) start_session(std::move(socket), shared, std::move(where.occupancy));
    }
    while (!backlog.empty()) {
      while (shared->tracker.size() >= max_clients) {
        co_await wait_for_slot();
      }
      Backlogged next = std::move(backlog.front());
      backlog.pop_front();
      start_session(std::move(next.socket), shared, std::move(next.occupancy));
    }
  }

  // A connection taken from the backlog at shutdown, placed already.
  struct Backlogged {
    tcp::socket socket;
    Occupancy occupancy;
  };

  asio::any_io_executor executor;
  ConnectionExecutors placement;  // where connections run
  tcp protocol = tcp::v4();       // of the listening socket
  asio::strand<asio::any_io_executor> strand;
  tcp::acceptor acceptor;
  asio::steady_timer slot_timer;
  std::deque<Backlogged> backlog;  // taken at shutdown, not yet served
  std::shared_ptr<SessionShared> shared;
  std::shared_ptr<TicketKeys> ticket_keys;  // outlives the contexts of reloads
  std::mutex tls_reload_mutex;
  std::string tls_loaded;  // the files' contents the current context was made of
};

Server::Server(asio::any_io_executor executor, ServerConfig config, Handler& handler,
               AccessLogFn access_log, std::vector<asio::any_io_executor> connection_executors)
    : impl_(std::make_shared<Impl>(executor, std::move(config), handler, std::move(access_log),
                                   std::move(connection_executors))) {}

Server::~Server() {
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
}

void Server::start() {
  impl_->shared->tracker.hold();
  asio::co_spawn(
      impl_->strand, [impl = impl_]() { return impl->accept_loop(); },
      [impl = impl_](std::exception_ptr) { impl->shared->tracker.release(); });
}

void Server::shutdown(std::function<void()> on_drained) {
  // On the listener's strand: a connection the accept loop has just taken
  // is started (and tracked) before the tracker can be found empty.
  asio::post(impl_->strand, [impl = impl_, on_drained = std::move(on_drained)]() mutable {
    impl->stop_accepting();
    impl->shared->tracker.shutdown(std::move(on_drained));
  });
}

void Server::abort() { impl_->shared->tracker.close_all(); }

TlsReload Server::reload_tls() {
  const TlsConfig& config = impl_->shared->config.tls;
  if (!config.enabled) return {};
  std::lock_guard lock(impl_->tls_reload_mutex);
  std::string contents = tls_files_contents(config);
  if (contents == impl_->tls_loaded) return {};
  try {
    impl_->install_tls(std::move(contents));
  } catch (const std::exception& e) {
    return {TlsReload::Outcome::failed, e.what()};
  }
  return {TlsReload::Outcome::reloaded, {}};
}

std::uint16_t Server::port() const { return impl_->acceptor.local_endpoint().port(); }

std::size_t Server::open_connections() const { return impl_->shared->tracker.size(); }

ServerStats Server::stats() const {
  ServerStats stats;
  stats.open_connections = impl_->shared->tracker.size();
  stats.max_clients_reached = impl_->shared->max_clients_reached.load(std::memory_order_relaxed);
  stats.tls_handshake_failures =
      impl_->shared->tls_handshake_failures.load(std::memory_order_relaxed);
  return stats;
}

}  // namespace rapid::http
