#pragma once

#include <chrono>
#include <string>

namespace rapid::http {

// RFC 1123 date in GMT: "Thu, 02 Jan 2008 03:04:05 GMT".
std::string format_http_date(std::chrono::system_clock::time_point when);

}  // namespace rapid::http
