#include "rapi/query_args.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

#include "rapi/api_error.h"
#include "rapi/python_semantics.h"
#include "util/text.h"

namespace rapid::rapi {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string unquote_plus(std::string_view text) {
  std::string bytes;
  bytes.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      bytes += ' ';
    } else if (c == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
               hex_value(text[i + 2]) >= 0) {
      bytes += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      bytes += c;
    }
  }
  return utf8_sanitize(bytes);
}

QueryArgs QueryArgs::parse(std::string_view query) {
  QueryArgs args;
  for (const auto& part : split(query, '&')) {
    const auto eq = part.find('=');
    if (eq == std::string::npos) continue;  // no "=": dropped
    std::string_view value(part);
    value.remove_prefix(eq + 1);
    if (value.empty()) continue;  // empty value: dropped
    args.pairs_.emplace_back(unquote_plus(std::string_view(part).substr(0, eq)),
                             unquote_plus(value));
  }
  return args;
}

QueryArgs QueryArgs::parse(std::string_view query, std::span<const QueryParam> declared,
                           Undeclared undeclared) {
  QueryArgs args = parse(query);
  args.declared_ = declared;
  args.undeclared_ = undeclared;
  return args;
}

void QueryArgs::check_declared(std::string_view name) const {
  if (!declared_) return;
  for (const auto& param : *declared_) {
    if (param.name == name) return;
  }
  const std::string error =
      "query argument '" + std::string(name) + "' is read but not declared in the resource table";
  if (undeclared_ == Undeclared::refuse) throw std::logic_error(error);
  SPDLOG_ERROR("{} (a bug of rapid: the OpenAPI description leaves it out)", error);
}

bool QueryArgs::has(std::string_view name) const {
  check_declared(name);
  return std::any_of(pairs_.begin(), pairs_.end(), [&](const auto& p) { return p.first == name; });
}

std::optional<std::string> QueryArgs::first(std::string_view name) const {
  check_declared(name);
  for (const auto& [key, value] : pairs_) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::vector<std::string> QueryArgs::all(std::string_view name) const {
  check_declared(name);
  std::vector<std::string> values;
  for (const auto& [key, value] : pairs_) {
    if (key == name) values.push_back(value);
  }
  return values;
}

std::vector<std::string> QueryArgs::names() const {
  std::vector<std::string> names;
  for (const auto& [key, value] : pairs_) {
    if (std::find(names.begin(), names.end(), key) == names.end()) names.push_back(key);
  }
  return names;
}

bool QueryArgs::flag(std::string_view name, bool absent) const {
  const auto value = first(name);
  if (!value) return absent;
  bool nonzero = false;
  if (!parse_python_int(*value, nonzero)) {
    throw bad_request("Invalid value for the '" + std::string(name) + "' parameter");
  }
  return nonzero;
}

}  // namespace rapid::rapi
