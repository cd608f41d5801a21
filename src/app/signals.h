#pragma once
// Signal handling of the daemon: SIGTERM/SIGINT ask for a graceful
// shutdown, a second one for an immediate stop; SIGHUP asks for a reload.
// The signals are registered on construction, so one that arrives during
// start-up waits for start() instead of killing the process.

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <functional>

namespace rapid::app {

class SignalHandling {
 public:
  struct Actions {
    std::function<void()> reload;     // SIGHUP
    std::function<void()> shut_down;  // first SIGTERM/SIGINT
    std::function<void()> stop_now;   // second SIGTERM/SIGINT
  };

  explicit SignalHandling(boost::asio::io_context& io);
  void start(Actions actions);

 private:
  void wait();

  boost::asio::signal_set signals_;
  Actions actions_;
  bool shutting_down_ = false;
};

}  // namespace rapid::app
