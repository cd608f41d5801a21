#include "rapi/request_metrics.h"

#include <array>
#include <functional>
#include <string>

namespace rapid::rapi {
namespace {

// The statuses rapid's handler answers with; anything else is "other".
constexpr std::array<int, 15> kCodes = {200, 400, 401, 403, 404, 405, 409, 411,
                                        413, 415, 500, 501, 502, 503, 504};

std::vector<std::string> route_values(const std::vector<const std::vector<Resource>*>& tables) {
  std::vector<std::string> values;
  for (const auto* table : tables) {
    for (const Resource& resource : *table) values.emplace_back(resource.pattern());
  }
  values.emplace_back(RequestMetrics::kUnmatched);
  return values;
}

std::vector<std::string> method_values() {
  std::vector<std::string> values;
  for (const Method method : kMethods) values.emplace_back(method_name(method));
  values.emplace_back("other");
  return values;
}

std::vector<std::string> code_values() {
  std::vector<std::string> values;
  for (const int code : kCodes) values.push_back(std::to_string(code));
  values.emplace_back("other");
  return values;
}

// "GET" -> 0 ... "DELETE" -> 3, anything else kMethods.size(); as sent
// (Ganeti upper-cases, so "get" routes as GET too).
std::size_t method_position(std::string_view method) {
  for (std::size_t i = 0; i < kMethods.size(); ++i) {
    const std::string_view name = method_name(kMethods[i]);
    if (method.size() == name.size() &&
        std::equal(name.begin(), name.end(), method.begin(), [](char a, char b) {
          return a == (b >= 'a' && b <= 'z' ? static_cast<char>(b - 'a' + 'A') : b);
        })) {
      return i;
    }
  }
  return kMethods.size();
}

std::size_t code_position(int status) {
  for (std::size_t i = 0; i < kCodes.size(); ++i) {
    if (kCodes[i] == status) return i;
  }
  return kCodes.size();
}

}  // namespace

RequestMetrics::RequestMetrics(std::vector<const std::vector<Resource>*> tables)
    : tables_(std::move(tables)),
      requests_("rapid_http_requests_total",
                "RAPI requests answered, by route pattern, method and status code.",
                metrics::LabelSpace({"route", "method", "code"},
                                    {route_values(tables_), method_values(), code_values()}),
                metrics::Zeros::hide),
      durations_("rapid_http_request_duration_seconds",
                 "Time from a complete request to its answer, by route pattern and method.",
                 metrics::LabelSpace({"route", "method"}, {route_values(tables_), method_values()}),
                 metrics::kLatencyBounds) {
  for (const auto* table : tables_) routes_ += table->size();
}

std::size_t RequestMetrics::route_position(const Resource* resource) const noexcept {
  std::size_t offset = 0;
  const std::less<const Resource*> before;  // a total order across the tables
  for (const auto* table : tables_) {
    const Resource* first = table->data();
    if (resource && !before(resource, first) && before(resource, first + table->size())) {
      return offset + static_cast<std::size_t>(resource - first);
    }
    offset += table->size();
  }
  return routes_;
}

void RequestMetrics::record(const Resource* resource, std::string_view method, int status,
                            std::chrono::steady_clock::duration took) noexcept {
  const std::size_t route = route_position(resource);
  const std::size_t method_index = method_position(method);
  requests_.at(requests_.labels().index({route, method_index, code_position(status)})).inc();
  durations_.at(durations_.labels().index({route, method_index}))
      .observe(std::chrono::duration<double>(took).count());
}

}  // namespace rapid::rapi
