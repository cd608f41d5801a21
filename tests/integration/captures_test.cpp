// Replays the real ganeti-rapi 3.0.2's recorded requests (tests/data/captures,
// trimmed copies of ganeti-sandbox/captures) against rapid, with a LUXI peer
// that answers every call with the bytes luxid sent in the recording, and
// checks that rapid answers exactly as the original did (status, header names
// and values in order, body bytes) and sent luxid the same calls (method and
// arguments, in order).
//
// All 104 recordings are replayed (read and write requests, with and without
// --require-authentication); an exclusion would have to be listed with its
// reason in kExcluded below and in tests/data/captures/README.md: nothing is
// skipped silently (ReplayedSetIsComplete fails when a recording is neither
// replayed nor listed as excluded).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "support/rapid_server.h"
#include "support/test_data.h"
#include "util/json.h"

namespace rapid::testing {
namespace {

namespace fs = std::filesystem;

// Recordings of the original run that are not replayed here, with the reason
// (they are then not copied into tests/data/captures). Every recording
// replays faithfully at present, write requests included (their SubmitJob
// opcodes are compared too), so the list is empty.
const std::map<std::string, std::string> kExcluded = {};

// How many recordings the original run produced (ganeti-sandbox/captures:
// 097 with --require-authentication, 7 without).
constexpr std::size_t kRecorded = 97 + 7;

Json load(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = parse_json(text.str());
  if (!parsed) throw std::runtime_error("cannot parse " + path.string());
  return *parsed;
}

std::vector<std::string> capture_files() {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(captures_dir())) {
    if (entry.path().extension() == ".json") files.push_back(entry.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The reason trail timestamps of SubmitJob opcodes change from run to run:
// check their shape (an integer; rapid's close to now) and blank them.
void normalise_reason_timestamps(Json& args, bool ours, std::vector<std::string>& problems) {
  if (!args.is_array() || args.empty() || !args[0].is_array()) return;
  for (auto& op : args[0]) {
    if (!op.is_object() || !op.contains("reason") || !op["reason"].is_array()) continue;
    for (auto& entry : op["reason"]) {
      if (!entry.is_array() || entry.size() != 3) {
        problems.push_back("reason entry of unexpected shape: " + entry.dump());
        continue;
      }
      Json& ts = entry[2];
      if (!ts.is_number_integer()) {
        problems.push_back("reason timestamp is not an integer: " + entry.dump());
      } else if (ours && std::llabs(ts.get<std::int64_t>() - now_ns()) > 120'000'000'000LL) {
        problems.push_back("reason timestamp not close to now: " + entry.dump());
      }
      ts = 0;
    }
  }
}

// One rapid per daemon configuration, shared by the suite and created when
// first needed (ctest runs each test in its own process). Plain HTTP: the
// recordings were made over TLS, which changes nothing in the answers (TLS is
// covered by the HTTP tests).
class CaptureReplay : public ::testing::TestWithParam<std::string> {
 public:
  static void TearDownTestSuite() {
    with_auth_.reset();
    without_auth_.reset();
  }

 protected:
  static RapidServer& server(bool require_authentication) {
    auto& server = require_authentication ? with_auth_ : without_auth_;
    if (!server) {
      server = std::make_unique<RapidServer>(
          RapidServerOptions{.require_authentication = require_authentication});
    }
    return *server;
  }

  static inline std::unique_ptr<RapidServer> with_auth_;
  static inline std::unique_ptr<RapidServer> without_auth_;
};

TEST_P(CaptureReplay, AnswersAndLuxiCallsAsRecorded) {
  const Json capture = load(captures_dir() / GetParam());
  const Json& request = capture["request"];
  const Json& expected = capture["response"];
  SCOPED_TRACE(GetParam() + ": " + request["method"].get<std::string>() + " " +
               request["path"].get<std::string>());
  RapidServer& rapid = server(capture["require_authentication"].get<bool>());

  // luxid's recorded answers, in order.
  std::vector<std::string> replies;
  std::vector<Json> expected_calls;
  for (const auto& message : capture["luxi"]) {
    const std::string raw = message["raw"].get<std::string>();
    if (message["dir"] == "resp") {
      replies.push_back(raw);
    } else {
      auto parsed = parse_json(raw);
      ASSERT_TRUE(parsed) << raw;
      expected_calls.push_back(*parsed);
    }
  }
  ASSERT_EQ(replies.size(), expected_calls.size());
  auto next = std::make_shared<std::atomic<std::size_t>>(0);
  rapid.luxi().on_request([replies, next](const LuxiRequest&) {
    const std::size_t index = (*next)++;
    if (index < replies.size()) return LuxiReply::text(replies[index]);
    return LuxiReply::failure("unexpected extra LUXI call in the replay");
  });
  rapid.luxi().clear_requests();

  // The original closes every connection ("Connection: close" on every
  // answer); rapid keeps HTTP/1.1 connections open unless the client asks
  // otherwise (docs/compatibility.md). The recorded clients closed after each
  // answer anyway; saying so makes rapid's answer comparable header by header.
  std::string raw = request["raw"].get<std::string>();
  const auto head_end = raw.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos);
  raw.insert(head_end + 2, "Connection: close\r\n");

  HttpClient client("127.0.0.1", rapid.port(), rapid.tls());
  ASSERT_TRUE(client.connect());
  ASSERT_TRUE(client.send(raw));
  auto response = client.read_response(std::chrono::seconds(5));
  ASSERT_TRUE(response) << "no response";

  // Status and body.
  EXPECT_EQ(response->status, expected["status"].get<int>());
  const std::string expected_body = expected["body"].get<std::string>();
  if (request["path"] == "/2/features") {
    // The original iterates a frozenset: the order is not part of the answer.
    auto ours = parse_json(response->body);
    auto theirs = parse_json(expected_body);
    ASSERT_TRUE(ours && ours->is_array()) << response->body;
    std::multiset<std::string> a, b;
    for (auto& v : *ours) a.insert(v.get<std::string>());
    for (auto& v : *theirs) b.insert(v.get<std::string>());
    EXPECT_EQ(a, b);
    EXPECT_TRUE(response->body.ends_with("]\n"));
  } else {
    EXPECT_EQ(response->body, expected_body);
  }

  // Headers: same names in the same order, same values except Date.
  std::vector<std::pair<std::string, std::string>> expected_headers;
  for (const auto& header : expected["headers"]) {
    expected_headers.emplace_back(header[0].get<std::string>(), header[1].get<std::string>());
  }
  ASSERT_EQ(response->headers.size(), expected_headers.size())
      << ::testing::PrintToString(response->headers);
  for (std::size_t i = 0; i < expected_headers.size(); ++i) {
    EXPECT_EQ(response->headers[i].first, expected_headers[i].first) << "header #" << i;
    if (expected_headers[i].first == "Date") {
      // "Thu, 26 Nov 2026 19:36:21 GMT"
      EXPECT_EQ(response->headers[i].second.size(), 29u) << response->headers[i].second;
      EXPECT_TRUE(response->headers[i].second.ends_with(" GMT")) << response->headers[i].second;
    } else if (expected_headers[i].first == "Content-Length" && request["path"] == "/2/features") {
      EXPECT_EQ(response->headers[i].second, std::to_string(response->body.size()));
    } else {
      EXPECT_EQ(response->headers[i].second, expected_headers[i].second)
          << "header " << expected_headers[i].first;
    }
  }

  // LUXI calls: same methods and arguments, in order.
  const auto calls = rapid.luxi().requests();
  ASSERT_EQ(calls.size(), expected_calls.size());
  for (std::size_t i = 0; i < calls.size(); ++i) {
    SCOPED_TRACE("LUXI call #" + std::to_string(i));
    EXPECT_EQ(calls[i].method, expected_calls[i]["method"].get<std::string>());
    Json ours = calls[i].args;
    Json theirs = expected_calls[i]["args"];
    if (calls[i].method == "SubmitJob") {
      std::vector<std::string> problems;
      normalise_reason_timestamps(ours, true, problems);
      normalise_reason_timestamps(theirs, false, problems);
      EXPECT_TRUE(problems.empty()) << ::testing::PrintToString(problems);
    }
    // Compared as text: key order and number types (1 vs 1.0) count.
    EXPECT_EQ(dump_python(ours), dump_python(theirs));
    // rapid sends the envelope as the Python client does.
    auto envelope = parse_json(calls[i].raw);
    ASSERT_TRUE(envelope);
    EXPECT_EQ((*envelope)["version"], 3000000);
  }
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name;
  for (char c : info.param.substr(0, info.param.size() - 5)) {
    name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  }
  return "c" + name;
}

INSTANTIATE_TEST_SUITE_P(Captures, CaptureReplay, ::testing::ValuesIn(capture_files()), test_name);

// Every recording is either replayed or excluded with a reason.
TEST(CaptureReplaySet, ReplayedSetIsComplete) {
  const auto files = capture_files();
  EXPECT_EQ(files.size() + kExcluded.size(), kRecorded);
  for (const auto& [name, reason] : kExcluded) {
    EXPECT_FALSE(fs::exists(captures_dir() / name)) << name << " is both excluded and present";
    EXPECT_FALSE(reason.empty());
  }
  // The anonymous (no --require-authentication) recordings are all there.
  std::size_t anonymous = 0;
  for (const auto& file : files) {
    if (!load(captures_dir() / file)["require_authentication"].get<bool>()) ++anonymous;
  }
  EXPECT_EQ(anonymous, 7u);
}

}  // namespace
}  // namespace rapid::testing
