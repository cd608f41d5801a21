#include "http/message.h"

#include <charconv>

#include "http/status.h"
#include "util/text.h"

namespace rapid::http {

std::optional<std::string_view> Request::header(std::string_view name) const {
  for (const auto& h : headers) {
    if (iequals(h.name, name)) return std::string_view(h.value);
  }
  return std::nullopt;
}

std::string version_string(unsigned version) {
  return "HTTP/" + std::to_string(version / 10) + "." + std::to_string(version % 10);
}

namespace {
void append_field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}
}  // namespace

void append_response_head(std::string& out, const Response& response, unsigned version,
                          bool keep_alive, std::string_view date, std::string_view server,
                          std::size_t body_bytes) {
  char number[24];
  out.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  auto end = std::to_chars(number, number + sizeof number, response.status).ptr;
  out.append(number, end).append(" ").append(reason_phrase(response.status)).append("\r\n");
  append_field(out, "Content-Type", response.content_type);
  for (const auto& header : response.extra_headers) append_field(out, header.name, header.value);
  append_field(out, "Connection", keep_alive ? "keep-alive" : "close");
  append_field(out, "Date", date);
  append_field(out, "Server", server);
  end = std::to_chars(number, number + sizeof number, body_bytes).ptr;
  append_field(out, "Content-Length", std::string_view(number, end - number));
  out.append("\r\n");
}

}  // namespace rapid::http
