// app::Rapid's start-up and shutdown order, run in-process by the fixture
// (the same code main() runs): the users file is watched before it is read;
// shutting down answers the requests in flight, bounded by the shutdown
// timeout; stop_now() does not wait.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <thread>

#include "support/rapid_server.h"

namespace rapid::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

template <typename Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds timeout = 1s) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    if (predicate()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
}

int login(RapidServer& rapid, const std::string& credentials) {
  const auto response = rapid.request("GET", "/version", credentials);
  return response ? response->status : -1;
}

// Answers QueryClusterInfo (GET /2/info) with {} after `delay`.
void delay_cluster_info(RapidServer& rapid, std::chrono::milliseconds delay) {
  rapid.luxi().on_request([delay](const LuxiRequest& request) {
    LuxiReply reply = LuxiReply::success(Json::object());
    if (request.method == "QueryClusterInfo") reply.delay = delay;
    return reply;
  });
}

// Sends GET /2/info on `client` and waits until it has reached luxid.
void send_cluster_info(RapidServer& rapid, HttpClient& client) {
  ASSERT_TRUE(client.connect());
  ASSERT_TRUE(client.send(HttpClient::build_request("GET", "/2/info")));
  ASSERT_TRUE(eventually([&] { return !rapid.luxi().requests("QueryClusterInfo").empty(); }, 2s));
}

TEST(RapidApp, UsersFileChangeRightAfterStartIsSeen) {
  for (int round = 0; round < 10; ++round) {
    RapidServer rapid;
    rapid.write_users("fresh freshpass write\n");
    EXPECT_TRUE(eventually([&] { return login(rapid, "fresh:freshpass") == 200; })) << round;
    EXPECT_EQ(login(rapid, "admin:adminpass"), 401) << round;
  }
}

TEST(RapidApp, DestroyingTheFixtureAnswersTheRequestInFlight) {
  auto rapid = std::make_unique<RapidServer>();
  delay_cluster_info(*rapid, 300ms);
  HttpClient client("127.0.0.1", rapid->port(), false);
  send_cluster_info(*rapid, client);
  // The client reads while the fixture goes away, and then closes (the
  // server waits for that before it lets the connection go).
  std::optional<HttpResponse> response;
  bool closed_by_server = false;
  std::thread reader([&] {
    response = client.read_response(3s);
    closed_by_server = client.closed_by_peer(1s);
    client.close();
  });
  const auto start = Clock::now();
  rapid.reset();
  EXPECT_LT(Clock::now() - start, 1500ms);  // drained, not cut off by the 2 s timeout
  reader.join();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "{}\n");
  EXPECT_EQ(response->header("Connection"), "close");
  EXPECT_TRUE(closed_by_server);
}

TEST(RapidApp, ShutdownTimeoutEndsAHangingRequest) {
  RapidServerOptions options;
  options.shutdown_timeout = 300ms;
  RapidServer rapid(options);
  delay_cluster_info(rapid, 1500ms);
  HttpClient client("127.0.0.1", rapid.port(), false);
  send_cluster_info(rapid, client);
  const auto start = Clock::now();
  rapid.shut_down();
  const auto elapsed = Clock::now() - start;
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 1200ms);  // before luxid's answer
  EXPECT_FALSE(client.read_response(500ms).has_value());
}

TEST(RapidApp, StopNowDoesNotWait) {
  RapidServer rapid;
  delay_cluster_info(rapid, 1000ms);
  HttpClient client("127.0.0.1", rapid.port(), false);
  send_cluster_info(rapid, client);
  const auto start = Clock::now();
  rapid.stop_now();
  EXPECT_LT(Clock::now() - start, 500ms);
  EXPECT_FALSE(client.read_response(500ms).has_value());
}

}  // namespace
}  // namespace rapid::testing
