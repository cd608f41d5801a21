#pragma once
// Counters and histograms with label sets fixed up front. Every series
// exists from the start and is found by its index, so recording is one or
// two relaxed atomic additions: no lock, no lookup, no allocation.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "metrics/text_format.h"

namespace rapid::metrics {

// Histogram bounds in seconds for the latency of a request or a LUXI call:
// from an answer held in memory (/version) to a long poll and a slow luxid.
inline constexpr double kLatencyBounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                            0.25,   0.5,   1,      2.5,   5,    10,    30,   60};

// The label names of a family and, per name, every value it can take. A
// series is one value per name; its index counts through them in order,
// the last name fastest.
class LabelSpace {
 public:
  LabelSpace() = default;  // no labels: one series
  LabelSpace(std::vector<std::string> names, std::vector<std::vector<std::string>> values);

  std::size_t size() const { return size_; }
  // The index of the series with the given value positions, one per name.
  std::size_t index(std::initializer_list<std::size_t> positions) const;
  std::vector<Label> labels(std::size_t index) const;

 private:
  std::vector<std::string> names_;
  std::vector<std::vector<std::string>> values_;
  std::size_t size_ = 1;
};

class Counter {
 public:
  void inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Histogram {
 public:
  // `bounds`: the buckets' upper bounds, ascending (+Inf is implied).
  explicit Histogram(std::span<const double> bounds);
  void observe(double value) noexcept;

  std::span<const double> bounds() const { return bounds_; }
  // Per bucket (not cumulative), the last one above every bound.
  std::uint64_t bucket(std::size_t i) const noexcept {
    return buckets_[i].load(std::memory_order_relaxed);
  }
  double sum() const noexcept { return sum_.load(std::memory_order_relaxed); }

 private:
  std::span<const double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;
  std::atomic<double> sum_{0};
};

// Something that writes its families when scraped.
class Collectable {
 public:
  virtual ~Collectable() = default;
  virtual void write(TextWriter& out) const = 0;
};

// Whether series that never moved are written (small, fixed sets such as
// results) or left out (large products such as route x method x code).
enum class Zeros { show, hide };

class CounterFamily final : public Collectable {
 public:
  CounterFamily(std::string name, std::string help, LabelSpace labels, Zeros zeros);
  Counter& at(std::size_t index) { return series_[index]; }
  const LabelSpace& labels() const { return labels_; }
  void write(TextWriter& out) const override;

 private:
  std::string name_;
  std::string help_;
  LabelSpace labels_;
  Zeros zeros_;
  std::unique_ptr<Counter[]> series_;
};

class HistogramFamily final : public Collectable {
 public:
  // `bounds` must outlive the family (a static array).
  HistogramFamily(std::string name, std::string help, LabelSpace labels,
                  std::span<const double> bounds);
  Histogram& at(std::size_t index) { return *series_[index]; }
  const LabelSpace& labels() const { return labels_; }
  // Series with no observation are left out.
  void write(TextWriter& out) const override;

 private:
  std::string name_;
  std::string help_;
  LabelSpace labels_;
  std::vector<std::unique_ptr<Histogram>> series_;
};

}  // namespace rapid::metrics
