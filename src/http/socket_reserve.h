#pragma once
// Asio's reactor gives every socket a small state object from a pool that
// only grows: one allocated in the middle of a burst of connections outlives
// them, and the page it sits on can never go back to the OS. A thousand TLS
// connections left ~4 MB pinned that way after they closed. Allocating the
// pool up front, at start-up, puts those objects side by side instead.

#include <boost/asio/any_io_executor.hpp>
#include <cstddef>

namespace rapid::http {

// Opens up to `count` sockets on `executor`'s io_context and closes them
// again, so that its reactor holds `count` socket states from now on. Stops
// early, without error, when the process runs out of descriptors (that many
// connections could not be open at once anyway). Returns how many it opened.
std::size_t reserve_socket_states(const boost::asio::any_io_executor& executor, std::size_t count);

}  // namespace rapid::http
