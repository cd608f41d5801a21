#pragma once
// Small helpers the LUXI-facing integration tests share.

#include <optional>
#include <stdexcept>
#include <string>

#include "support/http_client.h"
#include "util/json.h"

namespace rapid::testing {

// A JSON literal of the test (a typo fails the test at once).
inline Json parse(const std::string& text) {
  auto parsed = parse_json(text);
  if (!parsed) throw std::runtime_error("bad JSON in test: " + text);
  return *parsed;
}

// The response that must have come.
inline HttpResponse must(std::optional<HttpResponse> response) {
  if (!response) throw std::runtime_error("no HTTP response");
  return *response;
}

}  // namespace rapid::testing
