#pragma once
// The request and response as the HTTP layer hands them to a handler and
// takes them back. Plain data: no sockets, no Beast types.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rapid::http {

struct Header {
  std::string name;
  std::string value;
};

struct Request {
  std::string method;           // as sent; matching is the handler's business
  std::string target;           // raw request-target, never percent-decoded
  unsigned version = 11;        // 10 = HTTP/1.0, 11 = HTTP/1.1
  std::vector<Header> headers;  // in arrival order
  std::string body;
  std::string peer;  // "address:port" of the client, for logs

  // First occurrence of a header, case-insensitive (repeats are ignored, as
  // Python's mimetools did).
  std::optional<std::string_view> header(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  // Written right after Content-Type (e.g. WWW-Authenticate on 401).
  std::vector<Header> extra_headers;
  std::string body;
  // When set, the body instead of `body`: an answer shared with other
  // responses, written as it is (never copied).
  std::shared_ptr<const std::string> shared_body;
  // Who the handler authenticated, for the access log only (never sent);
  // empty: nobody.
  std::string principal;

  std::string_view body_text() const { return shared_body ? *shared_body : body; }
};

// "HTTP/1.1" etc.
std::string version_string(unsigned version);

// Appends the status line and header block of `response` to `out`, in
// Ganeti's header order: Content-Type, the extra headers, Connection, Date,
// Server, Content-Length (of `body_bytes`), then the empty line. `version` is
// the answer's (10 or 11). Appending to a string kept per connection
// allocates nothing once it has grown.
void append_response_head(std::string& out, const Response& response, unsigned version,
                          bool keep_alive, std::string_view date, std::string_view server,
                          std::size_t body_bytes);

}  // namespace rapid::http
