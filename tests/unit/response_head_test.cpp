// http::append_response_head against what Beast's serializer wrote for the
// same answer before it replaced it (status line, Ganeti's header order,
// the empty line): byte for byte, for the answers rapid gives. And the
// cached Date: the same text as formatting now.
#include <gtest/gtest.h>

#include <boost/beast/core/span.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <sstream>
#include <string>

#include "http/http_date.h"
#include "http/message.h"
#include "http/status.h"

namespace rapid::http {
namespace {

namespace bhttp = boost::beast::http;

// The head and body as session.cpp wrote them with Beast.
std::string with_beast(const Response& response, unsigned version, bool keep_alive,
                       const std::string& date, const std::string& server) {
  bhttp::response<bhttp::span_body<const char>> message(
      static_cast<bhttp::status>(response.status), version);
  message.reason(reason_phrase(response.status));
  message.set(bhttp::field::content_type, response.content_type);
  for (const auto& header : response.extra_headers) message.insert(header.name, header.value);
  message.set(bhttp::field::connection, keep_alive ? "keep-alive" : "close");
  message.set(bhttp::field::date, date);
  message.set(bhttp::field::server, server);
  const std::string_view body = response.body_text();
  message.set(bhttp::field::content_length, std::to_string(body.size()));
  message.body() = boost::beast::span<const char>(body.data(), body.size());
  std::ostringstream out;
  out << message;
  return out.str();
}

std::string by_hand(const Response& response, unsigned version, bool keep_alive,
                    const std::string& date, const std::string& server) {
  std::string out = "left over";
  out.clear();  // a reused buffer
  append_response_head(out, response, version, keep_alive, date, server,
                       response.body_text().size());
  return out + std::string(response.body_text());
}

TEST(ResponseHead, IsWhatBeastWroteForEveryKindOfAnswer) {
  const std::string date = "Wed, 02 Dec 2026 02:30:00 GMT";
  Response ok;
  ok.body = "2\n";
  Response unauthorized;
  unauthorized.status = 401;
  unauthorized.extra_headers.push_back({"WWW-Authenticate", "Basic realm=\"Ganeti Remote API\""});
  unauthorized.body = R"({"code": 401, "message": "Unauthorized", "explain": "No permission"})";
  Response shared;
  shared.shared_body = std::make_shared<const std::string>(std::string(70000, 'x'));
  Response empty;
  empty.status = 500;
  empty.content_type = "text/plain";
  Response unknown;  // a status the table does not name: "Unknown"
  unknown.status = 299;
  Response limits;
  limits.status = 431;
  for (const Response* response : {&ok, &unauthorized, &shared, &empty, &unknown, &limits}) {
    for (unsigned version : {10u, 11u}) {
      for (bool keep_alive : {false, true}) {
        EXPECT_EQ(by_hand(*response, version, keep_alive, date, "Ganeti 3.0.2"),
                  with_beast(*response, version, keep_alive, date, "Ganeti 3.0.2"))
            << response->status << " HTTP/" << version << " keep-alive " << keep_alive;
      }
    }
  }
}

TEST(ResponseHead, CachedDateIsTheDateOfNow) {
  // Formatted around the call: equal to one of the two (a second may pass).
  const std::string before = format_http_date(std::chrono::system_clock::now());
  const std::string cached(current_http_date());
  const std::string after = format_http_date(std::chrono::system_clock::now());
  EXPECT_TRUE(cached == before || cached == after) << cached;
  EXPECT_EQ(std::string(current_http_date()).size(), before.size());
}

}  // namespace
}  // namespace rapid::http
