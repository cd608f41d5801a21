// reserve_socket_states: the count it opens, the descriptor limit it stops
// at, and that it leaves no descriptor open. Its effect on memory (the
// reactor's states allocated side by side) is the stress suite's
// idle_connections figure: RSS after 1,000 connections closed.
#include "http/socket_reserve.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <iterator>

namespace rapid::http {
namespace {

std::size_t open_descriptors() {
  const std::filesystem::directory_iterator fds("/proc/self/fd");
  return static_cast<std::size_t>(std::distance(begin(fds), end(fds)));
}

// The reactor opens its own descriptors (epoll, eventfd, timerfd) with the
// first socket: counted from there.
std::size_t open_descriptors_after_first_socket(boost::asio::io_context& io) {
  reserve_socket_states(io.get_executor(), 1);
  return open_descriptors();
}

TEST(SocketReserve, OpensAsManyAsAskedAndClosesThem) {
  boost::asio::io_context io;
  const std::size_t before = open_descriptors_after_first_socket(io);
  EXPECT_EQ(reserve_socket_states(io.get_executor(), 300), 300u);
  EXPECT_EQ(open_descriptors(), before);
}

TEST(SocketReserve, StopsAtTheDescriptorLimit) {
  boost::asio::io_context io;
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  const std::size_t before = open_descriptors_after_first_socket(io);
  rlimit low = saved;
  low.rlim_cur = before + 50;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  const std::size_t opened = reserve_socket_states(io.get_executor(), 1000);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
  // About 50: the limit is on descriptor numbers, and some below it may be free.
  EXPECT_GE(opened, 40u);
  EXPECT_LE(opened, 60u);
  EXPECT_EQ(open_descriptors(), before);
}

}  // namespace
}  // namespace rapid::http
