#include "http/socket_reserve.h"

#include <boost/asio/ip/tcp.hpp>
#include <vector>

namespace rapid::http {

std::size_t reserve_socket_states(const boost::asio::any_io_executor& executor, std::size_t count) {
  using boost::asio::ip::tcp;
  // All open at once: a socket closed before the next opens would hand its
  // state straight back, and the pool would not grow.
  std::vector<tcp::socket> sockets;
  sockets.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    tcp::socket socket(executor);
    boost::system::error_code ec;
    socket.open(tcp::v4(), ec);
    if (ec) break;  // EMFILE, ENFILE: as many as the process may have
    sockets.push_back(std::move(socket));
  }
  return sockets.size();
}

}  // namespace rapid::http
