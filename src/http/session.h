#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <mutex>

#include "http/connection_executors.h"
#include "http/connection_tracker.h"
#include "http/server.h"

namespace rapid::http {

// State every connection of one server shares.
struct SessionShared {
  SessionShared(ServerConfig c, Handler& h, AccessLogFn log, std::function<void()> on_slot_freed)
      : config(std::move(c)),
        handler(h),
        access_log(std::move(log)),
        tracker(std::move(on_slot_freed)) {}

  ServerConfig config;
  Handler& handler;
  AccessLogFn access_log;
  ConnectionTracker tracker;
  std::atomic<std::uint64_t> max_clients_reached{0};
  std::atomic<std::uint64_t> tls_handshake_failures{0};

  // The TLS context new connections get (null with --no-ssl); a session
  // keeps the one it started with, so a reload never affects it.
  std::shared_ptr<boost::asio::ssl::context> tls_context() const {
    std::lock_guard lock(tls_mutex_);
    return tls_;
  }
  void set_tls_context(std::shared_ptr<boost::asio::ssl::context> context) {
    std::lock_guard lock(tls_mutex_);
    tls_ = std::move(context);
  }

 private:
  mutable std::mutex tls_mutex_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
};

// Runs one connection (TLS handshake if configured, then requests until the
// connection ends) on the socket's executor, which must be a strand or run
// by one thread only. `occupancy` is held until the connection ends.
void start_session(boost::asio::ip::tcp::socket socket, std::shared_ptr<SessionShared> shared,
                   Occupancy occupancy = {});

}  // namespace rapid::http
