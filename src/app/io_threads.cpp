#include "app/io_threads.h"

#include <pthread.h>

#include <csignal>

namespace rapid::app {

namespace {
// Blocks the asynchronous signals in the calling thread while it lives;
// threads started meanwhile inherit that mask. The ones a fault raises stay
// open: the kernel would turn a blocked SIGSEGV into the default action and
// bypass a sanitizer's report.
class SignalsBlocked {
 public:
  SignalsBlocked() {
    sigset_t asynchronous;
    sigfillset(&asynchronous);
    for (const int fault : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS}) {
      sigdelset(&asynchronous, fault);
    }
    pthread_sigmask(SIG_BLOCK, &asynchronous, &previous_);
  }
  ~SignalsBlocked() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
  SignalsBlocked(const SignalsBlocked&) = delete;
  SignalsBlocked& operator=(const SignalsBlocked&) = delete;

 private:
  sigset_t previous_;
};
}  // namespace

IoThreads::IoThreads(boost::asio::execution_context& owner, unsigned count)
    : boost::asio::execution_context::service(owner) {
  for (unsigned i = 0; i < count; ++i) {
    contexts_.push_back(std::make_unique<Context>());
    work_.emplace_back(contexts_.back()->get_executor());
  }
}

std::vector<boost::asio::any_io_executor> IoThreads::executors() const {
  std::vector<boost::asio::any_io_executor> executors;
  for (const auto& context : contexts_) executors.push_back(context->get_executor());
  return executors;
}

// SIGTERM, SIGHUP and the others go only to the threads that did not come
// from here, so to the caller's, which waits for them (app::SignalHandling):
// a signal handler never interrupts an io thread's system calls.
void IoThreads::start() {
  const SignalsBlocked blocked;
  for (const auto& context : contexts_) {
    threads_.emplace_back([&context] { context->run(); });
  }
}

void IoThreads::stop() {
  work_.clear();
  for (const auto& context : contexts_) context->stop();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
}

void IoThreads::shut_down() {
  // Asio's services tolerate a second shutdown (the destructor's).
  for (const auto& context : contexts_) context->shutdown();
}

// The owner is being destroyed: its pending work goes after ours, while these
// io_contexts still exist (they go with this object, in the owner's
// destroy step).
void IoThreads::shutdown() {
  stop();
  shut_down();
}

}  // namespace rapid::app
