#include "app/io_threads.h"

namespace rapid::app {

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

void IoThreads::start() {
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
