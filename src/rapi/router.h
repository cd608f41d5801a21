#pragma once
// Matches a request path against the resource table as Ganeti's connector
// does: exact, anchored, no percent-decoding, no normalisation.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rapi/resource.h"

namespace rapid::rapi {

struct RouteMatch {
  const Resource* resource;
  std::vector<std::string> items;
};

class Router {
 public:
  explicit Router(const std::vector<Resource>& resources);
  std::optional<RouteMatch> match(std::string_view path) const;

 private:
  enum class SegmentKind { literal, name, number };
  struct Segment {
    SegmentKind kind;
    std::string_view text;  // for literals
  };
  struct Route {
    const Resource* resource;
    std::vector<Segment> segments;
  };
  std::vector<Route> routes_;
};

}  // namespace rapid::rapi
