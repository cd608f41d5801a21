#pragma once
// Standard HTTP status texts (Python http.server's table, which Ganeti's
// error bodies quote).

#include <string_view>

namespace rapid::http {

// "Not Found", "Bad Gateway", ...
std::string_view reason_phrase(int status);

// The long description: "Nothing matches the given URI", ...
std::string_view status_explain(int status);

}  // namespace rapid::http
