#pragma once
// What a scrape writes: the registered families and collector functions,
// in the order they were added. Registration happens before serving; a
// scrape only reads, from any thread.

#include <functional>
#include <string>
#include <vector>

#include "metrics/family.h"

namespace rapid::metrics {

class Registry {
 public:
  // `family` must outlive the registry.
  void add(const Collectable& family);
  // Called at every scrape (thread-safe, quick: no I/O but /proc).
  void add(std::function<void(TextWriter&)> collector);

  void write(TextWriter& out) const;

 private:
  std::vector<std::function<void(TextWriter&)>> writers_;
};

// The standard process metrics of Prometheus' client libraries, read from
// /proc/self: process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds,
// process_start_time_seconds.
void write_process_metrics(TextWriter& out);

}  // namespace rapid::metrics
