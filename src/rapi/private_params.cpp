#include "rapi/private_params.h"

#include <string_view>
#include <vector>

#include "util/pyrepr.h"
#include "util/utf8.h"

namespace rapid::rapi {
namespace {

bool is_private_field(std::string_view name) {
  return name == "osparams_private" || name == "osparams_secret" ||
         name == "osparams_private_cluster";
}

bool is_cluster_field(std::string_view name) { return name == "osparams_private_cluster"; }

// The text simplejson writes for a dict key that is not a string.
std::optional<std::string> key_text(const Json& key) {
  if (key.is_string()) return key.get<std::string>();
  if (key.is_boolean()) return key.get<bool>() ? "true" : "false";
  if (key.is_null()) return "null";
  if (key.is_number()) return python_repr(key);
  return std::nullopt;  // lists and dicts are unhashable
}

// PrivateDict(value): dict(value) semantics.
std::optional<Json> to_private_dict(const Json& value) {
  if (value.is_null()) return Json::object();
  if (value.is_object()) return value;
  if (!value.is_array()) return std::nullopt;  // not iterable as pairs
  Json dict = Json::object();
  for (const auto& item : value) {
    if (item.is_array() && item.size() == 2) {
      auto key = key_text(item[0]);
      if (!key) return std::nullopt;
      dict[*key] = item[1];
    } else if (item.is_string()) {
      // A two-character string unpacks into a key and a value.
      const auto chars = utf8::split_code_points(item.get_ref<const std::string&>());
      if (chars.size() != 2) return std::nullopt;
      dict[std::string(chars[0])] = std::string(chars[1]);
    } else {
      return std::nullopt;
    }
  }
  return dict;
}

// Calls `on_private(dict)` for every private dict in `root`, where Ganeti's
// WrapPrivateValues finds them: the value of an osparams_private or
// osparams_secret member, and each value of an osparams_private_cluster
// member (never looking inside them). Stops at the first false. A cluster
// member that is neither null nor an object is skipped, or, with `strict`,
// makes it return false.
template <typename Fn>
bool for_each_private_dict(Json& root, bool strict, Fn&& on_private) {
  std::vector<Json*> todo{&root};
  while (!todo.empty()) {
    Json* node = todo.back();
    todo.pop_back();
    if (node->is_array()) {
      for (auto& item : *node) todo.push_back(&item);
    } else if (node->is_object()) {
      for (auto& [key, value] : node->items()) {
        if (!is_private_field(key)) {
          todo.push_back(&value);
        } else if (!is_cluster_field(key)) {
          if (!on_private(value)) return false;
        } else if (value.is_object()) {
          for (auto& [os, params] : value.items()) {
            if (!on_private(params)) return false;
          }
        } else if (strict && !value.is_null()) {
          return false;
        }
      }
    }
  }
  return true;
}

}  // namespace

bool wrap_private_values(Json& body) {
  return for_each_private_dict(body, /*strict=*/true, [](Json& value) {
    auto dict = to_private_dict(value);
    if (!dict) return false;
    value = std::move(*dict);
    return true;
  });
}

void redact_private_values(Json& root) {
  for_each_private_dict(root, /*strict=*/false, [](Json& value) {
    // A value Ganeti could not have wrapped is left alone.
    if (auto dict = to_private_dict(value)) {
      for (auto& [k, v] : dict->items()) v = nullptr;
      value = std::move(*dict);
    }
    return true;
  });
}

std::optional<Json> private_key_names(std::string_view field, const Json& value) {
  if (!is_private_field(field)) return std::nullopt;
  const auto keys = [](const Json& dict) {
    Json names = Json::array();
    if (dict.is_object()) {
      for (const auto& item : dict.items()) names.push_back(item.key());
    }
    return names;
  };
  if (!is_cluster_field(field)) return keys(value);
  Json per_os = Json::object();
  if (value.is_object()) {
    for (const auto& [os, params] : value.items()) per_os[os] = keys(params);
  }
  return per_os;
}

}  // namespace rapid::rapi
