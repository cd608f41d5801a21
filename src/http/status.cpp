#include "http/status.h"

namespace rapid::http {
namespace {

struct StatusText {
  int status;
  std::string_view phrase;
  std::string_view explain;
};

// Python 3's http.HTTPStatus table: Ganeti's error bodies carry these.
constexpr StatusText kStatusTexts[] = {
    {100, "Continue", "Request received, please continue"},
    {200, "OK", "Request fulfilled, document follows"},
    {400, "Bad Request", "Bad request syntax or unsupported method"},
    {401, "Unauthorized", "No permission -- see authorization schemes"},
    {403, "Forbidden", "Request forbidden -- authorization will not help"},
    {404, "Not Found", "Nothing matches the given URI"},
    {405, "Method Not Allowed", "Specified method is invalid for this resource"},
    {408, "Request Timeout", "Request timed out; try again later"},
    {411, "Length Required", "Client must specify Content-Length"},
    {413, "Request Entity Too Large", "Entity is too large"},
    {414, "Request-URI Too Long", "URI is too long"},
    {415, "Unsupported Media Type", "Entity body in unsupported format"},
    {431, "Request Header Fields Too Large",
     "The server refused this request because the request header fields are too large"},
    {500, "Internal Server Error", "Server got itself in trouble"},
    {501, "Not Implemented", "Server does not support this operation"},
    {502, "Bad Gateway", "Invalid responses from another server/proxy"},
    {503, "Service Unavailable", "The server cannot process the request due to a high load"},
    {504, "Gateway Timeout", "The gateway server did not receive a timely response"},
    {505, "HTTP Version Not Supported", "Cannot fulfill request"},
};

const StatusText* find(int status) {
  for (const auto& entry : kStatusTexts) {
    if (entry.status == status) return &entry;
  }
  return nullptr;
}

}  // namespace

std::string_view reason_phrase(int status) {
  const auto* entry = find(status);
  return entry ? entry->phrase : std::string_view("Unknown");
}

std::string_view status_explain(int status) {
  const auto* entry = find(status);
  return entry ? entry->explain : std::string_view("");
}

}  // namespace rapid::http
