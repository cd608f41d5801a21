#include "rapi/resource.h"

#include <utility>

namespace rapid::rapi {

std::string_view method_name(Method method) {
  switch (method) {
    case Method::get:
      return "GET";
    case Method::put:
      return "PUT";
    case Method::post:
      return "POST";
    case Method::del:
      return "DELETE";
  }
  return "?";
}

std::optional<Method> parse_method(std::string_view name) {
  for (const Method method : kMethods) {
    if (method_name(method) == name) return method;
  }
  return std::nullopt;
}

Resource::Resource(std::string_view pattern, std::string_view id,
                   std::vector<std::pair<Method, MethodDef>> methods)
    : pattern_(pattern), id_(id) {
  for (auto& [method, def] : methods) methods_[static_cast<std::size_t>(method)] = std::move(def);
}

const MethodDef* Resource::method(Method m) const {
  const auto& def = methods_[static_cast<std::size_t>(m)];
  return def ? &*def : nullptr;
}

std::string_view tag_kind(const Context& ctx) {
  const std::string_view pattern = ctx.resource.pattern();
  if (pattern.starts_with("/2/instances/")) return "instance";
  if (pattern.starts_with("/2/nodes/")) return "node";
  if (pattern.starts_with("/2/groups/")) return "nodegroup";
  if (pattern.starts_with("/2/networks/")) return "network";
  return "cluster";
}

}  // namespace rapid::rapi
