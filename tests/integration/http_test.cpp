// The HTTP layer over real sockets (lib/http/server.py, lib/http/__init__.py;
// items of test/py/ganeti.server.rapi_unittest.py (S), ganeti.http_unittest.py
// (H), ganeti.rapi.rlib2_unittest.py (R), and behaviour observed on the real
// 3.0.2 daemon (O)): response framing and header order, keep-alive, protocol
// errors, limits and timeouts, Expect: 100-continue, pipelining,
// --max-clients, TLS.
//
// Intended deviations from ganeti-rapi 3.0.2 tested here as rapid's
// behaviour: keep-alive (the original always closes), 431/413 answers for
// oversized headers/bodies (the original closes silently), a request
// without header lines is answered (the original hangs), HTTP/0.9 is not
// supported (400), 100 Continue is sent.
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <ctime>
#include <regex>
#include <set>
#include <thread>
#include <tuple>

#include "support/ganeti_errors.h"
#include "support/rapid_server.h"

namespace rapid::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::vector<std::string> kOkHeaders = {"Content-Type", "Connection", "Date", "Server",
                                             "Content-Length"};
const std::vector<std::string> k401Headers = {"Content-Type", "WWW-Authenticate", "Connection",
                                              "Date",         "Server",           "Content-Length"};

std::string get(const std::string& target, const std::vector<std::string>& headers = {},
                const std::string& version = "HTTP/1.1") {
  std::string request = "GET " + target + " " + version + "\r\nHost: 127.0.0.1\r\n";
  for (const auto& header : headers) request += header + "\r\n";
  return request + "\r\n";
}

std::unique_ptr<HttpClient> connect(RapidServer& rapid) {
  auto client = std::make_unique<HttpClient>("127.0.0.1", rapid.port(), rapid.tls());
  EXPECT_TRUE(client->connect());
  return client;
}

// One raw exchange on a fresh connection.
std::optional<HttpResponse> round_trip(RapidServer& rapid, const std::string& bytes,
                                       std::chrono::milliseconds timeout = 5s) {
  auto client = connect(rapid);
  if (!client->send(bytes)) return std::nullopt;
  return client->read_response(timeout);
}

void expect_version_answer(const std::optional<HttpResponse>& response,
                           const std::string& version = "HTTP/1.1") {
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status_line, version + " 200 OK");
  EXPECT_EQ(response->body, "2\n");
}

// --- Response framing -----------------------------------------------------------

void check_framing(bool tls) {
  RapidServer rapid({.tls = tls});
  const auto ok = rapid.request("GET", "/version");
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(ok->header_names(), kOkHeaders);
  EXPECT_EQ(ok->header("Content-Type"), "application/json");
  EXPECT_EQ(ok->header("Server"), "Ganeti 3.0.2");
  EXPECT_EQ(ok->header("Content-Length"), "2");
  EXPECT_EQ(ok->header("Connection"), "close");  // the request said so
  EXPECT_EQ(ok->body, "2\n");

  const auto unauthorized = rapid.request("POST", "/2/instances");
  ASSERT_TRUE(unauthorized.has_value());
  EXPECT_EQ(unauthorized->status_line, "HTTP/1.1 401 Unauthorized");
  EXPECT_EQ(unauthorized->header_names(), k401Headers);
  EXPECT_EQ(unauthorized->header("WWW-Authenticate"), "Basic realm=\"Ganeti Remote API\"");
  EXPECT_EQ(unauthorized->body, ganeti_error_body(401, "Unauthorized"));
  EXPECT_EQ(unauthorized->header("Content-Length"), std::to_string(unauthorized->body.size()));

  for (const auto& [method, target, status] :
       std::vector<std::tuple<std::string, std::string, int>>{
           {"GET", "/nosuch", 404}, {"DELETE", "/version", 501}, {"PUT", "/2/tags", 401}}) {
    const auto response = rapid.request(method, target);
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, status);
    EXPECT_EQ(response->header_names(), status == 401 ? k401Headers : kOkHeaders) << target;
    EXPECT_EQ(response->header("Content-Type"), "application/json");
    EXPECT_EQ(response->body.back(), '\n');
  }

  // S/R: GET / and GET /2 -> null; GET /version -> 2; features.
  const auto root = rapid.request("GET", "/");
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ(root->body, "null\n");
  EXPECT_EQ(rapid.request("GET", "/2")->body, "null\n");
  const auto features = rapid.request("GET", "/2/features");
  ASSERT_TRUE(features.has_value());
  EXPECT_EQ(features->body.back(), '\n');
  const auto parsed = parse_json(features->body);
  ASSERT_TRUE(parsed && parsed->is_array());
  std::set<std::string> names;
  for (const auto& f : *parsed) names.insert(f.get<std::string>());
  EXPECT_EQ(names, (std::set<std::string>{"instance-create-reqv1", "instance-reinstall-reqv1",
                                          "node-migrate-reqv1", "node-evac-res1"}));
}

TEST(HttpFraming, HeaderOrderAndBody) { check_framing(false); }
TEST(HttpFraming, HeaderOrderAndBodyOverTls) { check_framing(true); }

TEST(HttpFraming, DateHeader) {
  RapidServer rapid;
  const auto response = rapid.request("GET", "/version");
  ASSERT_TRUE(response.has_value());
  const std::string date = response->header("Date").value_or("");
  const std::regex format(
      R"(^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-3][0-9] (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} [0-2][0-9]:[0-5][0-9]:[0-6][0-9] GMT$)");
  ASSERT_TRUE(std::regex_match(date, format)) << date;
  std::tm tm{};
  ASSERT_NE(strptime(date.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm), nullptr);
  const std::time_t sent = timegm(&tm);
  const std::time_t now = std::time(nullptr);
  EXPECT_LE(std::abs(static_cast<long>(now - sent)), 5L) << date;
  // The weekday is the right one for the date.
  std::tm check{};
  gmtime_r(&sent, &check);
  EXPECT_EQ(check.tm_wday, tm.tm_wday) << date;
}

// --- Keep-alive ---------------------------------------------------------------------

void keep_alive(bool tls) {
  RapidServer rapid({.tls = tls});
  rapid.luxi().reply("QueryClusterInfo", Json::object());
  auto client = connect(rapid);
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    ASSERT_TRUE(client->send(get(i == 1 ? "/2/info" : "/version")));
    const auto response = client->read_response();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->header("Connection"), "keep-alive");
    EXPECT_EQ(response->header_names(), kOkHeaders);
    EXPECT_EQ(response->body, i == 1 ? "{}\n" : "2\n");
  }
  // An error does not end a healthy connection either.
  ASSERT_TRUE(client->send(get("/nosuch")));
  const auto not_found = client->read_response();
  ASSERT_TRUE(not_found.has_value());
  EXPECT_EQ(not_found->status, 404);
  EXPECT_EQ(not_found->header("Connection"), "keep-alive");
  // "Connection: close": the answer, then the end.
  ASSERT_TRUE(client->send(get("/version", {"Connection: close"})));
  const auto last = client->read_response();
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->status, 200);
  EXPECT_EQ(last->header("Connection"), "close");
  EXPECT_TRUE(client->closed_by_peer(2s));
}

TEST(KeepAlive, SeveralRequestsOnOneConnection) { keep_alive(false); }
TEST(KeepAlive, SeveralRequestsOnOneTlsConnection) { keep_alive(true); }

TEST(KeepAlive, Http10ClosesUnlessAsked) {
  RapidServer rapid;
  {
    auto client = connect(rapid);
    ASSERT_TRUE(client->send(get("/version", {}, "HTTP/1.0")));
    const auto response = client->read_response();
    expect_version_answer(response, "HTTP/1.0");
    EXPECT_EQ(response->header("Connection"), "close");
    EXPECT_TRUE(client->closed_by_peer(2s));
  }
  {
    auto client = connect(rapid);
    for (int i = 0; i < 2; ++i) {
      ASSERT_TRUE(client->send(get("/version", {"Connection: keep-alive"}, "HTTP/1.0")));
      const auto response = client->read_response();
      expect_version_answer(response, "HTTP/1.0");
      EXPECT_EQ(response->header("Connection"), "keep-alive");
    }
  }
  // HTTP/1.0 needs no Host header, and may come without any header at all
  // (the original waits for its read timeout there; rapid answers).
  expect_version_answer(round_trip(rapid, "GET /version HTTP/1.0\r\n\r\n"), "HTTP/1.0");
  expect_version_answer(round_trip(rapid, "GET /version HTTP/1.0\r\nX-Any: y\r\n\r\n"), "HTTP/1.0");
}

TEST(KeepAlive, PipelinedRequestsAnsweredInOrder) {
  RapidServer rapid;
  rapid.luxi().reply("QueryClusterInfo", Json::object());
  auto client = connect(rapid);
  ASSERT_TRUE(client->send(get("/2/info") + get("/version") + get("/nosuch")));
  const auto first = client->read_response();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->body, "{}\n");
  const auto second = client->read_response();
  expect_version_answer(second);
  const auto third = client->read_response();
  ASSERT_TRUE(third.has_value());
  EXPECT_EQ(third->status, 404);
  // With a body in between.
  const std::string put =
      "PUT /2/query/instance HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 2\r\n\r\n{}";
  ASSERT_TRUE(client->send(put + get("/version")));
  const auto unauthorized = client->read_response();
  ASSERT_TRUE(unauthorized.has_value());
  EXPECT_EQ(unauthorized->status, 401);
  expect_version_answer(client->read_response());
}

TEST(KeepAlive, IdleConnectionClosedAfterIdleTimeout) {
  http::Limits limits;
  limits.idle_timeout = 300ms;
  RapidServer rapid({.limits = limits});
  auto client = connect(rapid);
  ASSERT_TRUE(client->send(get("/version")));
  expect_version_answer(client->read_response());
  const auto start = Clock::now();
  EXPECT_TRUE(client->closed_by_peer(3s));
  const auto elapsed = Clock::now() - start;
  EXPECT_GE(elapsed, 200ms);
  EXPECT_LT(elapsed, 2s);
}

// --- Request line and headers -------------------------------------------------------

void expect_rejected(RapidServer& rapid, const std::string& bytes, int status,
                     const std::string& message) {
  SCOPED_TRACE(bytes);
  auto client = connect(rapid);
  ASSERT_TRUE(client->send(bytes));
  const auto response = client->read_response();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, status);
  EXPECT_EQ(response->body, ganeti_error_body(status, message));
  EXPECT_EQ(response->header("Connection"), "close");
  EXPECT_TRUE(client->closed_by_peer(2s));
}

TEST(RequestLine, MissingHostOnHttp11) {
  RapidServer rapid;
  // O: HTTP/1.1 without Host -> 400 "Missing Host header".
  expect_rejected(rapid, "GET /version HTTP/1.1\r\nX: y\r\n\r\n", 400, "Missing Host header");
  expect_rejected(rapid, "GET /version HTTP/1.1\r\n\r\n", 400, "Missing Host header");
}

TEST(RequestLine, UnsupportedVersions) {
  RapidServer rapid;
  // O: HTTP/2.0 -> 505 (the original's status line is a bare HTTP/0.9 one).
  expect_rejected(rapid, get("/version", {}, "HTTP/2.0"), 505, "Invalid HTTP Version (2.0)");
  expect_rejected(rapid, get("/version", {}, "HTTP/3.0"), 505, "Invalid HTTP Version (3.0)");
  // O: FOO/1.0 -> 400 (HTML-escaped quotes).
  expect_rejected(rapid, get("/version", {}, "FOO/1.0"), 400,
                  "Bad request version (&#x27;FOO/1.0&#x27;)");
  expect_rejected(rapid, get("/version", {}, "HTTP/1.x"), 400,
                  "Bad request version (&#x27;HTTP/1.x&#x27;)");
  expect_rejected(rapid, get("/version", {}, "HTTP/02.0"), 505, "Invalid HTTP Version (02.0)");
  expect_rejected(rapid, get("/version", {}, "HTTP/10.1"), 505, "Invalid HTTP Version (10.1)");
}

TEST(RequestLine, MalformedRequestLines) {
  RapidServer rapid;
  for (const std::string bytes : {"GARBAGE\r\n\r\n", "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n",
                                  "GET  HTTP/1.1\r\nHost: x\r\n\r\n", "\x01\x02\x03\r\n\r\n",
                                  // HTTP/0.9 is not supported.
                                  "GET /version\r\n\r\n"}) {
    SCOPED_TRACE(::testing::PrintToString(bytes));
    auto client = connect(rapid);
    ASSERT_TRUE(client->send(bytes));
    const auto response = client->read_response();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 400);
    EXPECT_EQ(response->header("Connection"), "close");
    EXPECT_NE(response->body.find("\"code\": 400"), std::string::npos) << response->body;
    EXPECT_TRUE(client->closed_by_peer(2s));
  }
  // Ganeti's messages quote the line.
  expect_rejected(rapid, "GARBAGE\r\n\r\n", 400, "Bad request syntax (&#x27;GARBAGE&#x27;)");
  expect_rejected(rapid, "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", 400,
                  "Bad request syntax (&#x27;GET /a b HTTP/1.1&#x27;)");
  // A two-word (HTTP/0.9) line is refused the same way.
  expect_rejected(rapid, "GET /version\r\n\r\n", 400,
                  "Bad request syntax (&#x27;GET /version&#x27;)");
}

TEST(RequestLine, LowercaseMethodWorks) {
  RapidServer rapid;
  expect_version_answer(round_trip(rapid, "get /version HTTP/1.1\r\nHost: x\r\n\r\n"));
  expect_version_answer(round_trip(rapid, "gEt /version HTTP/1.1\r\nHost: x\r\n\r\n"));
}

TEST(RequestLine, LeadingEmptyLinesSkipped) {
  RapidServer rapid;
  // RFC 7230 3.5, and the original does it.
  expect_version_answer(round_trip(rapid, "\r\n\r\nGET /version HTTP/1.1\r\nHost: x\r\n\r\n"));
  // Also when the empty lines come in pieces, and between keep-alive requests.
  auto client = connect(rapid);
  ASSERT_TRUE(client->send("\r"));
  std::this_thread::sleep_for(20ms);
  ASSERT_TRUE(client->send("\n\r"));
  std::this_thread::sleep_for(20ms);
  ASSERT_TRUE(client->send("\n" + get("/version")));
  expect_version_answer(client->read_response());
  ASSERT_TRUE(client->send("\r\n" + get("/version")));
  expect_version_answer(client->read_response());
  // Bare LFs count as empty lines too.
  expect_version_answer(round_trip(rapid, "\n\r\n\nGET /version HTTP/1.1\r\nHost: x\r\n\r\n"));
}

TEST(RequestLine, HeadIs501WithBodyAndCloses) {
  RapidServer rapid;
  for (const char* target : {"/version", "/2/info", "/nosuch-but-head"}) {
    SCOPED_TRACE(target);
    auto client = connect(rapid);
    ASSERT_TRUE(client->send("HEAD " + std::string(target) + " HTTP/1.1\r\nHost: x\r\n\r\n"));
    const auto response = client->read_response();
    ASSERT_TRUE(response.has_value());
    if (std::string(target) == "/nosuch-but-head") {
      EXPECT_EQ(response->status, 404);
    } else {
      EXPECT_EQ(response->status, 501);
      EXPECT_EQ(response->body, ganeti_error_body(501, "Method HEAD is unsupported for path " +
                                                           std::string(target)));
    }
    EXPECT_EQ(response->header("Content-Length"), std::to_string(response->body.size()));
    EXPECT_EQ(response->header("Connection"), "close");
    EXPECT_TRUE(client->closed_by_peer(2s));
  }
}

TEST(RequestLine, OtherMethodsAre501) {
  RapidServer rapid;
  for (const char* method : {"OPTIONS", "PATCH", "TRACE", "FOO"}) {
    const auto response =
        round_trip(rapid, std::string(method) + " /2/info HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(response.has_value()) << method;
    EXPECT_EQ(response->status, 501) << method;
    EXPECT_EQ(response->body, ganeti_error_body(501, std::string("Method ") + method +
                                                         " is unsupported for path /2/info"));
  }
}

// --- Limits and timeouts ----------------------------------------------------------------

void oversized_header(bool tls) {
  http::Limits limits;
  limits.max_header_bytes = 1024;
  RapidServer rapid({.tls = tls, .limits = limits});
  // Just below the limit: fine.
  expect_version_answer(round_trip(rapid, get("/version", {"X-Pad: " + std::string(800, 'a')})));
  auto client = connect(rapid);
  ASSERT_TRUE(client->send(get("/version", {"X-Pad: " + std::string(2000, 'a')})));
  const auto response = client->read_response();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 431);
  EXPECT_EQ(response->status_line, "HTTP/1.1 431 Request Header Fields Too Large");
  EXPECT_EQ(response->header("Connection"), "close");
  EXPECT_NE(response->body.find("\"code\": 431"), std::string::npos);
  EXPECT_TRUE(client->closed_by_peer(2s));
  // A long request line counts too.
  auto long_line = connect(rapid);
  ASSERT_TRUE(long_line->send(get("/version?x=" + std::string(2000, 'a'))));
  const auto line_response = long_line->read_response();
  ASSERT_TRUE(line_response.has_value());
  EXPECT_EQ(line_response->status, 431);
  EXPECT_TRUE(long_line->closed_by_peer(2s));
  // Many short lines, each written on its own, add up to the same limit.
  auto trickle = connect(rapid);
  ASSERT_TRUE(trickle->send("GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
  // Lines of 42 bytes until the block passes the 1024-byte limit, and no
  // more: a write after rapid's close would be a broken pipe here.
  std::size_t block = std::string("GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\n").size();
  for (int i = 10; block < 1024; ++i) {
    const std::string line = "X-Pad-" + std::to_string(i) + ": " + std::string(32, 'a') + "\r\n";
    ASSERT_TRUE(trickle->send(line));
    block += line.size();
    std::this_thread::sleep_for(5ms);
  }
  const auto trickle_response = trickle->read_response();
  ASSERT_TRUE(trickle_response.has_value());
  EXPECT_EQ(trickle_response->status, 431);
  EXPECT_TRUE(trickle->closed_by_peer(2s));
}

TEST(Limits, OversizedHeaderIs431) { oversized_header(false); }
TEST(Limits, OversizedHeaderIs431OverTls) { oversized_header(true); }

TEST(Limits, OversizedBodyIs413) {
  http::Limits limits;
  limits.max_body_bytes = 1000;
  RapidServer rapid({.limits = limits});
  rapid.luxi().reply("Query", Json::object());
  // At the limit: fine (the body reaches the handler: 401 here).
  const std::string fits(1000, ' ');
  EXPECT_EQ(rapid.request("PUT", "/2/query/node", "", fits)->status, 401);
  auto client = connect(rapid);
  const std::string body(5000, ' ');
  ASSERT_TRUE(
      client->send("PUT /2/query/node HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   "Content-Length: 5000\r\n\r\n" +
                   body));
  const auto response = client->read_response();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(response->header("Connection"), "close");
  EXPECT_NE(response->body.find("\"code\": 413"), std::string::npos);
  EXPECT_TRUE(client->closed_by_peer(3s));
  EXPECT_EQ(rapid.luxi().requests().size(), 0u);
}

TEST(Limits, SlowClientCutOffWithoutResponse) {
  http::Limits limits;
  limits.header_timeout = 300ms;
  RapidServer rapid({.limits = limits});
  auto client = connect(rapid);
  ASSERT_TRUE(client->send("GET /version HTTP/1.1\r\nHost: x\r\n"));  // no final empty line
  const auto start = Clock::now();
  EXPECT_FALSE(client->read_response(3s).has_value());
  const auto elapsed = Clock::now() - start;
  EXPECT_GE(elapsed, 200ms);
  EXPECT_LT(elapsed, 2500ms);  // closed by the server, not our own timeout
  EXPECT_TRUE(client->closed_by_peer(100ms));
  // A client that sends nothing at all is cut off too.
  auto silent = connect(rapid);
  EXPECT_TRUE(silent->closed_by_peer(2s));
  // The server is fine afterwards.
  expect_version_answer(rapid.request("GET", "/version"));
}

TEST(Limits, SlowBodyCutOffWithoutResponse) {
  http::Limits limits;
  limits.body_timeout = 300ms;
  RapidServer rapid({.limits = limits});
  auto client = connect(rapid);
  // O: a declared length larger than what is sent: no answer.
  ASSERT_TRUE(
      client->send("PUT /2/query/node HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   "Content-Length: 100\r\n\r\n{\"fields\""));
  const auto start = Clock::now();
  EXPECT_FALSE(client->read_response(3s).has_value());
  EXPECT_LT(Clock::now() - start, 2500ms);
  EXPECT_EQ(rapid.luxi().requests().size(), 0u);
}

// A body trickling in one byte per second is cut at the body timeout, which
// covers the whole body (not the gap between bytes), without an answer.
void slow_body_cut_at_deadline(bool tls) {
  http::Limits limits;
  limits.body_timeout = 1000ms;
  RapidServer rapid({.tls = tls, .limits = limits});
  auto client = connect(rapid);
  ASSERT_TRUE(
      client->send("PUT /2/query/node HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   "Content-Length: 100\r\n\r\n"));
  const auto start = Clock::now();
  bool closed = false;
  for (int second = 0; second < 5 && !closed; ++second) {
    client->send("{");
    closed = client->closed_by_peer(1000ms);
  }
  const auto elapsed = Clock::now() - start;
  EXPECT_TRUE(closed);
  EXPECT_GE(elapsed, 900ms);
  EXPECT_LT(elapsed, 2000ms);
  EXPECT_EQ(rapid.luxi().requests().size(), 0u);
  EXPECT_TRUE(rapid.access_log().empty());
}

TEST(Limits, SlowBodyCutAtTheBodyTimeout) { slow_body_cut_at_deadline(false); }
TEST(Limits, SlowBodyCutAtTheBodyTimeoutOverTls) { slow_body_cut_at_deadline(true); }

TEST(Limits, BodyTimeoutDefaultsTo10Seconds) {
  EXPECT_EQ(http::Limits().body_timeout, std::chrono::seconds(10));
}

// --- Expect: 100-continue --------------------------------------------------------------

void expect_continue(bool tls) {
  RapidServer rapid({.tls = tls});
  rapid.luxi().reply("SubmitJob", 77);
  auto client = connect(rapid);
  const std::string body = "{}";
  ASSERT_TRUE(
      client->send("PUT /2/redistribute-config HTTP/1.1\r\nHost: x\r\nAuthorization: Basic " +
                   base64("admin:adminpass") +
                   "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                   "Expect: 100-continue\r\n\r\n"));
  const auto interim = client->read_response(2s);
  ASSERT_TRUE(interim.has_value());
  EXPECT_EQ(interim->status_line, "HTTP/1.1 100 Continue");
  EXPECT_TRUE(interim->body.empty());
  EXPECT_EQ(rapid.luxi().requests().size(), 0u);  // nothing done before the body
  ASSERT_TRUE(client->send(body));
  const auto response = client->read_response();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "77\n");
  // Without a body to wait for there is no interim answer.
  ASSERT_TRUE(client->send(get("/version", {"Expect: 100-continue"})));
  expect_version_answer(client->read_response());
}

TEST(ExpectContinue, InterimResponseThenAnswer) { expect_continue(false); }
TEST(ExpectContinue, InterimResponseThenAnswerOverTls) { expect_continue(true); }

// --- --max-clients ---------------------------------------------------------------------

TEST(MaxClients, ExtraConnectionsWaitForAFreeSlot) {
  http::Limits limits;
  limits.max_clients = 2;
  RapidServer rapid({.limits = limits});
  auto first = connect(rapid);
  auto second = connect(rapid);
  // Both are served (and stay open).
  ASSERT_TRUE(first->send(get("/version")));
  expect_version_answer(first->read_response());
  ASSERT_TRUE(second->send(get("/version")));
  expect_version_answer(second->read_response());

  // The third connection is accepted by the kernel but not served.
  auto third = connect(rapid);
  ASSERT_TRUE(third->send(get("/version")));
  EXPECT_FALSE(third->read_response(400ms).has_value());
  EXPECT_LE(rapid.server().open_connections(), 2u);

  // A slot frees: the third gets its answer.
  first->close();
  const auto start = Clock::now();
  expect_version_answer(third->read_response(3s));
  EXPECT_LT(Clock::now() - start, 2s);
  // And the server keeps working for everyone.
  ASSERT_TRUE(second->send(get("/version")));
  expect_version_answer(second->read_response());
  second->close();
  third->close();
  for (int i = 0; i < 5; ++i) expect_version_answer(rapid.request("GET", "/version"));
}

TEST(MaxClients, ManyConnectionsBeyondTheLimit) {
  http::Limits limits;
  limits.max_clients = 2;
  RapidServer rapid({.limits = limits});
  std::vector<std::unique_ptr<HttpClient>> clients;
  for (int i = 0; i < 8; ++i) {
    clients.push_back(connect(rapid));
    ASSERT_TRUE(clients.back()->send(get("/version", {"Connection: close"})));
  }
  // Each is answered in turn as the earlier ones go away.
  for (auto& client : clients) {
    expect_version_answer(client->read_response(3s));
    EXPECT_LE(rapid.server().open_connections(), 2u);
    client->close();
  }
}

// --- TLS -----------------------------------------------------------------------------

struct TlsProbe {
  bool connected = false;
  bool client_could_not_try = false;
  int version = 0;
  bool certificate_requested = false;
};

int g_cert_requests = 0;

TlsProbe tls_probe(std::uint16_t port, int version) {
  TlsProbe probe;
  const int fd = connect_loopback(port);
  if (fd < 0) return probe;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  // Let the client offer old protocols if this OpenSSL can at all.
  SSL_CTX_set_security_level(ctx, 0);
  SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0");
  const bool set = SSL_CTX_set_min_proto_version(ctx, version) == 1 &&
                   SSL_CTX_set_max_proto_version(ctx, version) == 1;
  g_cert_requests = 0;
  SSL_CTX_set_client_cert_cb(ctx, [](SSL*, X509**, EVP_PKEY**) {
    ++g_cert_requests;
    return 0;
  });
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  ERR_clear_error();
  if (!set) {
    probe.client_could_not_try = true;
  } else if (SSL_connect(ssl) == 1) {
    probe.connected = true;
    probe.version = SSL_version(ssl);
    const std::string request = get("/version", {"Connection: close"});
    SSL_write(ssl, request.data(), static_cast<int>(request.size()));
    char buffer[4096];
    const int n = SSL_read(ssl, buffer, sizeof buffer);
    if (n <= 0 ||
        std::string(buffer, static_cast<std::size_t>(n)).rfind("HTTP/1.1 200 OK", 0) != 0) {
      probe.connected = false;
    }
  } else {
    const unsigned long error = ERR_peek_error();
    const int reason = ERR_GET_REASON(error);
    probe.client_could_not_try = reason == SSL_R_NO_PROTOCOLS_AVAILABLE ||
                                 reason == SSL_R_NO_CIPHERS_AVAILABLE ||
                                 reason == SSL_R_NO_SUITABLE_SIGNATURE_ALGORITHM;
  }
  probe.certificate_requested = g_cert_requests > 0;
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  ::close(fd);
  return probe;
}

TEST(Tls, Tls12And13AcceptedWithoutClientCertificate) {
  RapidServer rapid({.tls = true});
  const auto v12 = tls_probe(rapid.port(), TLS1_2_VERSION);
  EXPECT_TRUE(v12.connected);
  EXPECT_EQ(v12.version, TLS1_2_VERSION);
  EXPECT_FALSE(v12.certificate_requested);
  const auto v13 = tls_probe(rapid.port(), TLS1_3_VERSION);
  EXPECT_TRUE(v13.connected);
  EXPECT_EQ(v13.version, TLS1_3_VERSION);
  EXPECT_FALSE(v13.certificate_requested);
}

TEST(Tls, OldProtocolsRefused) {
  RapidServer rapid({.tls = true});
  for (const int version : {TLS1_1_VERSION, TLS1_VERSION}) {
    SCOPED_TRACE(version);
    const auto probe = tls_probe(rapid.port(), version);
    if (probe.client_could_not_try) {
      std::cerr << "OpenSSL cannot offer protocol " << std::hex << version << std::dec
                << " here; refusal not testable\n";
      continue;
    }
    EXPECT_FALSE(probe.connected);
  }
  // The server is fine afterwards.
  EXPECT_TRUE(tls_probe(rapid.port(), TLS1_3_VERSION).connected);
}

TEST(Tls, PlainHttpOnTheTlsPortGetsNoAnswer) {
  RapidServer rapid({.tls = true});
  HttpClient plain("127.0.0.1", rapid.port(), false);
  ASSERT_TRUE(plain.connect());
  ASSERT_TRUE(plain.send(get("/version")));
  EXPECT_FALSE(plain.read_response(2s).has_value());
  // A client that connects and leaves at once does no harm.
  for (int i = 0; i < 3; ++i) {
    HttpClient leaving("127.0.0.1", rapid.port(), false);
    ASSERT_TRUE(leaving.connect());
  }
  expect_version_answer(rapid.request("GET", "/version"));
}

TEST(Tls, ErrorsAndCloseOverTls) {
  RapidServer rapid({.tls = true});
  // HEAD closes over TLS as well.
  auto head = connect(rapid);
  ASSERT_TRUE(head->send("HEAD /version HTTP/1.1\r\nHost: x\r\n\r\n"));
  const auto response = head->read_response();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 501);
  EXPECT_TRUE(head->closed_by_peer(2s));
  // Missing Host.
  auto no_host = connect(rapid);
  ASSERT_TRUE(no_host->send("GET /version HTTP/1.1\r\n\r\n"));
  const auto bad = no_host->read_response();
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->status, 400);
  EXPECT_TRUE(no_host->closed_by_peer(2s));
  // Pipelining.
  auto piped = connect(rapid);
  ASSERT_TRUE(piped->send(get("/version") + get("/version", {"Connection: close"})));
  expect_version_answer(piped->read_response());
  expect_version_answer(piped->read_response());
  EXPECT_TRUE(piped->closed_by_peer(2s));
}

}  // namespace
}  // namespace rapid::testing
