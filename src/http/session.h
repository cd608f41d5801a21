#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <memory>

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
  std::unique_ptr<boost::asio::ssl::context> tls;  // null with --no-ssl
};

// Runs one connection (TLS handshake if configured, then requests until the
// connection ends) on the socket's executor, which must be a strand.
void start_session(boost::asio::ip::tcp::socket socket, std::shared_ptr<SessionShared> shared);

}  // namespace rapid::http
