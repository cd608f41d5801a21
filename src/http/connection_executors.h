#pragma once
// Where a server's connections run. Two layouts:
//  - shared: one executor that any number of threads may run; each
//    connection gets a strand of it (tests, the metrics listener);
//  - one per thread: executors each run by exactly one thread (rapid's io
//    threads, one io_context each). A connection goes, when it has been
//    accepted, to the one with the fewest open (a closing one no longer
//    counts) and needs no strand: its reads, handler and writes stay on
//    one thread and wake no other. Placing by load rather than in turn bounds
//    how many are open on one of them at ceil(limit / count), which is what
//    the app reserves reactor state for (http/socket_reserve.h).

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <cstddef>
#include <memory>
#include <vector>

namespace rapid::http {

// Counts one connection as open on its executor until destroyed.
class Occupancy {
 public:
  Occupancy() = default;
  explicit Occupancy(std::shared_ptr<std::atomic<std::size_t>> count);
  Occupancy(Occupancy&&) noexcept = default;
  Occupancy& operator=(Occupancy&& other) noexcept;
  Occupancy(const Occupancy&) = delete;
  Occupancy& operator=(const Occupancy&) = delete;
  ~Occupancy();

 private:
  std::shared_ptr<std::atomic<std::size_t>> count_;
};

struct Placement {
  boost::asio::any_io_executor executor;  // the new connection's socket's
  Occupancy occupancy;                    // held until the connection starts to close
};

class ConnectionExecutors {
 public:
  // The shared layout: a strand of `shared` per connection.
  explicit ConnectionExecutors(boost::asio::any_io_executor shared);
  // One per thread: each of `executors` (at least one) is run by one thread only.
  explicit ConnectionExecutors(std::vector<boost::asio::any_io_executor> executors);

  // For the next connection. Called by one listener at a time.
  Placement place();
  // How many connections are open on each executor (one figure for the shared layout).
  std::vector<std::size_t> open_counts() const;

 private:
  struct Slot {
    boost::asio::any_io_executor executor;
    std::shared_ptr<std::atomic<std::size_t>> open;
  };
  bool shared_ = false;
  std::vector<Slot> slots_;
};

}  // namespace rapid::http
