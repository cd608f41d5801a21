#pragma once
// rapid_http_requests_total{route,method,code} and
// rapid_http_request_duration_seconds{route,method}: the route is the
// resource table's pattern ("/2/instances/[name]"), never the concrete
// path; paths no resource matches share one label.

#include <chrono>
#include <cstddef>
#include <string_view>
#include <vector>

#include "metrics/family.h"
#include "rapi/resource.h"

namespace rapid::rapi {

class RequestMetrics {
 public:
  // The label for paths that match no resource.
  static constexpr std::string_view kUnmatched = "unmatched";

  // The routes are the resources of every table the handler routes with
  // (Ganeti's, then rapid's own), which must outlive this object.
  explicit RequestMetrics(std::vector<const std::vector<Resource>*> tables);

  // `resource`: the matched entry of one of the tables, or null (any other
  // pointer counts as unmatched too). Thread-safe.
  void record(const Resource* resource, std::string_view method, int status,
              std::chrono::steady_clock::duration took) noexcept;

  const metrics::CounterFamily& requests() const { return requests_; }
  const metrics::HistogramFamily& durations() const { return durations_; }

 private:
  std::size_t route_position(const Resource* resource) const noexcept;

  std::vector<const std::vector<Resource>*> tables_;
  std::size_t routes_ = 0;  // resources of all tables; index routes_ is kUnmatched
  metrics::CounterFamily requests_;
  metrics::HistogramFamily durations_;
};

}  // namespace rapid::rapi
