#pragma once
// One connection to luxid: strictly alternating request/reply exchanges.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <chrono>
#include <string>

namespace rapid::luxi {

using Clock = std::chrono::steady_clock;

class Connection {
 public:
  explicit Connection(boost::asio::any_io_executor executor);

  // Waits while luxid's listen backlog is full. Throws luxi::Error
  // (no_master, permission_denied, timeout, connection_lost).
  boost::asio::awaitable<void> connect(const std::string& path, Clock::time_point deadline);

  // Writes `request` (already framed) and reads one reply, returned without
  // its 0x03. Throws luxi::Error (timeout, connection_lost, protocol);
  // `bytes_written` tells how much of the request reached the socket.
  boost::asio::awaitable<std::string> exchange(const std::string& request,
                                               Clock::time_point deadline,
                                               std::size_t max_reply_bytes,
                                               std::size_t& bytes_written);

  // False when luxid closed the connection or sent something unasked while
  // it sat idle; such a connection must not be reused.
  bool usable_after_idle();

  Clock::time_point idle_since{};

 private:
  boost::system::error_code try_connect(
      const boost::asio::local::stream_protocol::endpoint& endpoint);
  bool connected();

  boost::asio::local::stream_protocol::socket socket_;
  std::string buffer_;
};

}  // namespace rapid::luxi
