// Body framing by RFC 9112 §6 over real sockets: a request whose body a
// proxy could frame differently (unsupported transfer codings, chunked not
// last, Content-Length together with Transfer-Encoding) is refused from its
// header, before any body byte is read, and its connection closed.
//
// rapid's own behaviour (docs/compatibility.md, HTTP layer): the original
// (lib/http/__init__.py, _ParseHeaders) ignores Transfer-Encoding and
// frames every body by Content-Length or by what one read brings.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/ganeti_errors.h"
#include "support/rapid_server.h"

namespace rapid::testing {
namespace {

using namespace std::chrono_literals;

// A write that submits a job when its body reaches the handler.
std::string submit_job(const std::vector<std::string>& framing, const std::string& body) {
  std::string request = "PUT /2/redistribute-config HTTP/1.1\r\nHost: x\r\nAuthorization: Basic " +
                        base64("admin:adminpass") + "\r\nContent-Type: application/json\r\n";
  for (const auto& line : framing) request += line + "\r\n";
  return request + "\r\n" + body;
}

const std::string kChunkedBody = "2\r\n{}\r\n0\r\n\r\n";

struct Case {
  std::vector<std::string> framing;
  std::string body;
  int status;
  std::string message;  // as on the wire (HTML-escaped)
  std::string version = "HTTP/1.1";
};

std::string quoted(const std::string& text) { return "&#x27;" + text + "&#x27;"; }

std::string not_supported(const std::string& codings) {
  return "Transfer-Encoding " + quoted(codings) + " is not supported";
}

std::string chunked_not_last(const std::string& codings) {
  return "Bad request: Transfer-Encoding " + quoted(codings) +
         " does not end with a single chunked";
}

const std::string kBoth = "Bad request: both Content-Length and Transfer-Encoding given";

const std::vector<Case> kCases = {
    // An unsupported coding before chunked: Beast would take it as chunked.
    {{"Transfer-Encoding: gzip, chunked"}, kChunkedBody, 501, not_supported("gzip, chunked")},
    {{"Transfer-Encoding: gzip", "Transfer-Encoding: chunked"},
     kChunkedBody,
     501,
     not_supported("gzip, chunked")},
    {{"Transfer-Encoding: identity"}, "{}", 501, not_supported("identity")},
    {{"Transfer-Encoding: gzip"}, "{}", 501, not_supported("gzip")},
    {{"Transfer-Encoding: x-unknown"}, kChunkedBody, 501, not_supported("x-unknown")},
    // chunked not last: the body would become the next request.
    {{"Transfer-Encoding: chunked, gzip"}, kChunkedBody, 400, chunked_not_last("chunked, gzip")},
    {{"Transfer-Encoding: chunked", "Transfer-Encoding: gzip"},
     kChunkedBody,
     400,
     chunked_not_last("chunked, gzip")},
    {{"Transfer-Encoding: chunked", "Transfer-Encoding: chunked"},
     kChunkedBody,
     400,
     chunked_not_last("chunked, chunked")},
    // Both lengths, in either order, whatever the coding.
    {{"Content-Length: 2", "Transfer-Encoding: chunked"}, kChunkedBody, 400, kBoth},
    {{"Transfer-Encoding: chunked", "Content-Length: 2"}, kChunkedBody, 400, kBoth},
    {{"Transfer-Encoding: gzip", "Content-Length: 2"}, "{}", 400, kBoth},
    {{"Content-Length: 2", "Transfer-Encoding: identity"}, "{}", 400, kBoth},
    // HTTP/1.0 has no transfer codings.
    {{"Transfer-Encoding: chunked"},
     kChunkedBody,
     400,
     "Bad request: Transfer-Encoding " + quoted("chunked") + " in an HTTP/1.0 request",
     "HTTP/1.0"},
};

void expect_refused(bool tls) {
  RapidServer rapid({.tls = tls});
  rapid.luxi().reply("SubmitJob", 77);
  for (const auto& c : kCases) {
    std::string bytes = submit_job(c.framing, c.body);
    if (c.version != "HTTP/1.1") bytes.replace(bytes.find("HTTP/1.1"), 8, c.version);
    SCOPED_TRACE(::testing::PrintToString(bytes));
    HttpClient client("127.0.0.1", rapid.port(), tls);
    ASSERT_TRUE(client.connect());
    ASSERT_TRUE(client.send(bytes));
    const auto response = client.read_response(3s);
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, c.status);
    EXPECT_EQ(response->body, ganeti_error_body(c.status, c.message));
    EXPECT_EQ(response->header("Connection"), "close");
    EXPECT_TRUE(client.closed_by_peer(3s));
  }
  EXPECT_TRUE(rapid.luxi().requests().empty());
  EXPECT_TRUE(rapid.access_log().empty());
}

TEST(BodyFraming, MisframedRequestsRefusedAndClosed) { expect_refused(false); }
TEST(BodyFraming, MisframedRequestsRefusedAndClosedOverTls) { expect_refused(true); }

// Nothing after a refused header is read as a request of its own.
TEST(BodyFraming, BytesAfterARefusedHeaderAreNotARequest) {
  RapidServer rapid;
  rapid.luxi().reply("SubmitJob", 77);
  const std::string smuggled = submit_job({"Content-Length: 2"}, "{}");
  HttpClient client("127.0.0.1", rapid.port(), false);
  ASSERT_TRUE(client.connect());
  ASSERT_TRUE(client.send(submit_job({"Transfer-Encoding: chunked, gzip"}, smuggled)));
  const auto response = client.read_response(3s);
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 400);
  EXPECT_FALSE(client.read_response(1s).has_value());
  EXPECT_TRUE(rapid.luxi().requests().empty());
}

// What stays accepted: exactly chunked, in any case and with whitespace.
TEST(BodyFraming, ChunkedAloneIsAccepted) {
  RapidServer rapid;
  rapid.luxi().reply("SubmitJob", 77);
  for (const std::string te : {"chunked", "Chunked", "CHUNKED  "}) {
    SCOPED_TRACE(te);
    HttpClient client("127.0.0.1", rapid.port(), false);
    ASSERT_TRUE(client.connect());
    ASSERT_TRUE(client.send(submit_job({"Transfer-Encoding: " + te}, kChunkedBody)));
    const auto response = client.read_response(3s);
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "77\n");
  }
  EXPECT_EQ(rapid.luxi().requests("SubmitJob").size(), 3u);
}

}  // namespace
}  // namespace rapid::testing
