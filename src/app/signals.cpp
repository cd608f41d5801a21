#include "app/signals.h"

#include <spdlog/spdlog.h>

#include <csignal>

namespace rapid::app {

SignalHandling::SignalHandling(boost::asio::io_context& io)
    : signals_(io, SIGTERM, SIGINT, SIGHUP) {}

void SignalHandling::start(Actions actions) {
  actions_ = std::move(actions);
  wait();
}

void SignalHandling::wait() {
  signals_.async_wait([this](const boost::system::error_code& ec, int signal_number) {
    if (ec) return;
    if (signal_number == SIGHUP) {
      actions_.reload();
    } else if (shutting_down_) {
      SPDLOG_WARN("Second signal {}: stopping now", signal_number);
      actions_.stop_now();
      return;
    } else {
      shutting_down_ = true;
      SPDLOG_INFO("Signal {} received: shutting down after the requests in flight", signal_number);
      actions_.shut_down();
    }
    wait();
  });
}

}  // namespace rapid::app
