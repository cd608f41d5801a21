#pragma once
// The io threads beyond the caller's, one io_context each, for client
// connections only (docs/architecture.md, "Threads").
//
// Lifetime. Pending work can refer across io_contexts: the listener's pending
// accept holds a socket of one of these; a connection's coroutine waiting for
// luxid is held by an operation of the caller's io_context and holds its
// connection's socket; a coroutine waiting here holds LUXI sockets of the
// caller's. Destroying either io_context first would leave the other's
// pending work with objects of a destroyed one. So:
//   1. shut_down() (Rapid's destructor, after the threads have stopped):
//      the pending work here is destroyed while everything is still alive;
//   2. the caller's io_context, which owns this object (an Asio service of
//      it), destroys its own pending work: what that holds of these
//      io_contexts is released into io_contexts that still exist;
//   3. then these io_contexts go, with the caller's.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <thread>
#include <vector>

namespace rapid::app {

class IoThreads final : public boost::asio::execution_context::service {
 public:
  // Asio's service key. Created with boost::asio::make_service<IoThreads>(io, count).
  static inline boost::asio::execution_context::id id;

  IoThreads(boost::asio::execution_context& owner, unsigned count);

  std::vector<boost::asio::any_io_executor> executors() const;
  // A thread per io_context, each running it until stop(), with the
  // asynchronous signals blocked: process signals are the caller's thread's.
  void start();
  // Stops the io_contexts and joins their threads; what is pending stays.
  void stop();
  // Destroys what is pending on them (after stop()). Idempotent.
  void shut_down();

 private:
  // An io_context whose pending work can be destroyed before it is.
  struct Context : boost::asio::io_context {
    Context() : boost::asio::io_context(1) {}  // hint: one thread runs it
    using boost::asio::io_context::shutdown;
  };
  using WorkGuard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;

  void shutdown() override;  // the owner's destruction, step 2 above

  std::vector<std::unique_ptr<Context>> contexts_;
  std::vector<WorkGuard> work_;  // keeps them running while idle
  std::vector<std::thread> threads_;
};

}  // namespace rapid::app
