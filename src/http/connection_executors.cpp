#include "http/connection_executors.h"

#include <boost/asio/strand.hpp>
#include <stdexcept>

namespace rapid::http {

Occupancy::Occupancy(std::shared_ptr<std::atomic<std::size_t>> count) : count_(std::move(count)) {
  if (count_) count_->fetch_add(1, std::memory_order_relaxed);
}

Occupancy& Occupancy::operator=(Occupancy&& other) noexcept {
  if (this != &other) {
    if (count_) count_->fetch_sub(1, std::memory_order_relaxed);
    count_ = std::move(other.count_);
  }
  return *this;
}

Occupancy::~Occupancy() {
  if (count_) count_->fetch_sub(1, std::memory_order_relaxed);
}

ConnectionExecutors::ConnectionExecutors(boost::asio::any_io_executor shared) : shared_(true) {
  slots_.push_back({std::move(shared), std::make_shared<std::atomic<std::size_t>>(0)});
}

ConnectionExecutors::ConnectionExecutors(std::vector<boost::asio::any_io_executor> executors) {
  if (executors.empty()) throw std::invalid_argument("ConnectionExecutors: no executor");
  for (auto& executor : executors) {
    slots_.push_back({std::move(executor), std::make_shared<std::atomic<std::size_t>>(0)});
  }
}

Placement ConnectionExecutors::place() {
  if (shared_) {
    return {boost::asio::make_strand(slots_.front().executor), Occupancy(slots_.front().open)};
  }
  const Slot* least = &slots_.front();
  for (const Slot& slot : slots_) {
    if (slot.open->load(std::memory_order_relaxed) < least->open->load(std::memory_order_relaxed))
      least = &slot;
  }
  return {least->executor, Occupancy(least->open)};
}

std::vector<std::size_t> ConnectionExecutors::open_counts() const {
  std::vector<std::size_t> counts;
  for (const Slot& slot : slots_) counts.push_back(slot.open->load(std::memory_order_relaxed));
  return counts;
}

}  // namespace rapid::http
