#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace rapid::http {

// RFC 1123 date in GMT: "Thu, 02 Jan 2008 03:04:05 GMT".
std::string format_http_date(std::chrono::system_clock::time_point when);

// The date of now, formatted once per second and thread; valid until the
// calling thread's next call.
std::string_view current_http_date();

}  // namespace rapid::http
