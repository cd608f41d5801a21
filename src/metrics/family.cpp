#include "metrics/family.h"

#include <algorithm>
#include <stdexcept>

namespace rapid::metrics {

LabelSpace::LabelSpace(std::vector<std::string> names, std::vector<std::vector<std::string>> values)
    : names_(std::move(names)), values_(std::move(values)) {
  if (names_.size() != values_.size()) throw std::logic_error("label names and values differ");
  for (const auto& values : values_) size_ *= values.size();
}

std::size_t LabelSpace::index(std::initializer_list<std::size_t> positions) const {
  std::size_t index = 0;
  std::size_t dimension = 0;
  for (const std::size_t position : positions) {
    index = index * values_[dimension].size() + position;
    ++dimension;
  }
  return index;
}

std::vector<Label> LabelSpace::labels(std::size_t index) const {
  std::vector<Label> labels(names_.size());
  for (std::size_t d = names_.size(); d-- > 0;) {
    const std::size_t count = values_[d].size();
    labels[d] = Label{names_[d], values_[d][index % count]};
    index /= count;
  }
  return labels;
}

Histogram::Histogram(std::span<const double> bounds)
    : bounds_(bounds), buckets_(new std::atomic<std::uint64_t>[bounds.size() + 1]) {
  for (std::size_t i = 0; i <= bounds.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double value) noexcept {
  const auto bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  buckets_[static_cast<std::size_t>(bucket)].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

CounterFamily::CounterFamily(std::string name, std::string help, LabelSpace labels, Zeros zeros)
    : name_(std::move(name)),
      help_(std::move(help)),
      labels_(std::move(labels)),
      zeros_(zeros),
      series_(new Counter[labels_.size()]) {}

void CounterFamily::write(TextWriter& out) const {
  out.family(name_, help_, "counter");
  for (std::size_t i = 0; i < labels_.size(); ++i) {
    const std::uint64_t value = series_[i].value();
    if (value == 0 && zeros_ == Zeros::hide) continue;
    out.sample(name_, labels_.labels(i), value);
  }
}

HistogramFamily::HistogramFamily(std::string name, std::string help, LabelSpace labels,
                                 std::span<const double> bounds)
    : name_(std::move(name)), help_(std::move(help)), labels_(std::move(labels)) {
  if (!std::is_sorted(bounds.begin(), bounds.end())) throw std::logic_error("unsorted buckets");
  series_.reserve(labels_.size());
  for (std::size_t i = 0; i < labels_.size(); ++i) {
    series_.push_back(std::make_unique<Histogram>(bounds));
  }
}

void HistogramFamily::write(TextWriter& out) const {
  out.family(name_, help_, "histogram");
  const std::string bucket_name = name_ + "_bucket";
  const std::string sum_name = name_ + "_sum";
  const std::string count_name = name_ + "_count";
  for (std::size_t i = 0; i < labels_.size(); ++i) {
    const Histogram& histogram = *series_[i];
    const auto bounds = histogram.bounds();
    // One read of each bucket, so that the cumulative counts and _count agree.
    std::vector<std::uint64_t> counts(bounds.size() + 1);
    std::uint64_t total = 0;
    for (std::size_t b = 0; b < counts.size(); ++b) {
      counts[b] = histogram.bucket(b);
      total += counts[b];
    }
    if (total == 0) continue;
    const std::vector<Label> labels = labels_.labels(i);
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < bounds.size(); ++b) {
      cumulative += counts[b];
      const std::string bound = format_value(bounds[b]);
      const Label le{"le", bound};
      out.sample(bucket_name, labels, cumulative, &le);
    }
    const Label infinity{"le", "+Inf"};
    out.sample(bucket_name, labels, total, &infinity);
    out.sample(sum_name, labels, histogram.sum());
    out.sample(count_name, labels, total);
  }
}

}  // namespace rapid::metrics
