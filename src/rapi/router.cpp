#include "rapi/router.h"

#include <stdexcept>

#include "util/text.h"

namespace rapid::rapi {
namespace {

// Ganeti's name pattern [\w._-]+ (\w is Unicode-aware; non-ASCII bytes are
// taken as word characters).
bool is_name_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-' || c >= 0x80;
}

bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

}  // namespace

Router::Router(const std::vector<Resource>& resources) {
  for (const auto& resource : resources) {
    Route route{&resource, {}};
    std::string_view pattern = resource.pattern();
    if (pattern == "/") {
      routes_.push_back(std::move(route));
      continue;
    }
    if (pattern.empty() || pattern.front() != '/') throw std::logic_error("bad route pattern");
    pattern.remove_prefix(1);
    while (true) {
      const auto slash = pattern.find('/');
      const std::string_view segment = pattern.substr(0, slash);
      if (segment == "[name]") {
        route.segments.push_back({SegmentKind::name, {}});
      } else if (segment == "[job_id]" || segment == "[disk_index]") {
        route.segments.push_back({SegmentKind::number, {}});
      } else {
        route.segments.push_back({SegmentKind::literal, segment});
      }
      if (slash == std::string_view::npos) break;
      pattern.remove_prefix(slash + 1);
    }
    routes_.push_back(std::move(route));
  }
}

std::optional<RouteMatch> Router::match(std::string_view path) const {
  if (path == "/") {
    for (const auto& route : routes_) {
      if (route.segments.empty()) return RouteMatch{route.resource, {}};
    }
    return std::nullopt;
  }
  if (path.empty() || path.front() != '/') return std::nullopt;
  path.remove_prefix(1);
  const std::vector<std::string> parts = split(path, '/');
  for (const auto& route : routes_) {
    if (route.segments.size() != parts.size()) continue;
    std::vector<std::string> items;
    bool ok = true;
    for (std::size_t i = 0; ok && i < parts.size(); ++i) {
      const auto& segment = route.segments[i];
      const std::string& part = parts[i];
      switch (segment.kind) {
        case SegmentKind::literal:
          ok = part == segment.text;
          break;
        case SegmentKind::name:
          ok = !part.empty() && std::all_of(part.begin(), part.end(), [](char c) {
            return is_name_char(static_cast<unsigned char>(c));
          });
          if (ok) items.push_back(part);
          break;
        case SegmentKind::number:
          ok = !part.empty() && std::all_of(part.begin(), part.end(), [](char c) {
            return is_digit(static_cast<unsigned char>(c));
          });
          if (ok) items.push_back(part);
          break;
      }
    }
    if (ok) return RouteMatch{route.resource, std::move(items)};
  }
  return std::nullopt;
}

}  // namespace rapid::rapi
