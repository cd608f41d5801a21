#include "support/ganeti_errors.h"

namespace rapid::testing {
namespace {

struct StatusTexts {
  int status;
  std::string_view reason;
  std::string_view explain;
};

// The statuses of Ganeti's HttpException classes (lib/http/__init__.py),
// texts from Python 3.11's http.server.BaseHTTPRequestHandler.responses.
constexpr StatusTexts kResponses[] = {
    {400, "Bad Request", "Bad request syntax or unsupported method"},
    {401, "Unauthorized", "No permission -- see authorization schemes"},
    {403, "Forbidden", "Request forbidden -- authorization will not help"},
    {404, "Not Found", "Nothing matches the given URI"},
    {405, "Method Not Allowed", "Specified method is invalid for this resource"},
    {406, "Not Acceptable", "URI not available in preferred format"},
    {408, "Request Timeout", "Request timed out; try again later"},
    {409, "Conflict", "Request conflict"},
    {410, "Gone", "URI no longer exists and has been permanently removed"},
    {411, "Length Required", "Client must specify Content-Length"},
    {412, "Precondition Failed", "Precondition in headers is false"},
    {415, "Unsupported Media Type", "Entity body in unsupported format"},
    {500, "Internal Server Error", "Server got itself in trouble"},
    {501, "Not Implemented", "Server does not support this operation"},
    {502, "Bad Gateway", "Invalid responses from another server/proxy"},
    {503, "Service Unavailable", "The server cannot process the request due to a high load"},
    {504, "Gateway Timeout", "The gateway server did not receive a timely response"},
    {505, "HTTP Version Not Supported", "Cannot fulfill request"},
};

const StatusTexts* find(int status) {
  for (const auto& entry : kResponses) {
    if (entry.status == status) return &entry;
  }
  return nullptr;
}

}  // namespace

std::string_view ganeti_reason(int status) {
  const auto* entry = find(status);
  return entry ? entry->reason : "Unknown";
}

std::string_view ganeti_explain(int status) {
  const auto* entry = find(status);
  return entry ? entry->explain : "Unknown";
}

std::string ganeti_error_body(int status, std::string_view message) {
  if (message.empty()) message = ganeti_reason(status);
  std::string body = "{\"code\": " + std::to_string(status) + ", \"message\": \"";
  body += message;
  body += "\", \"explain\": \"";
  body += ganeti_explain(status);
  body += "\"}\n";
  return body;
}

}  // namespace rapid::testing
