// The rapid binary's signals: SIGHUP re-reads the users file and reopens the
// log file, SIGTERM lets the request in flight finish, a second SIGTERM stops
// at once (lib/server/rapi.py, daemon.GenericMain in lib/daemon.py).
//
// rapid-specific behaviour tested here: SIGHUP re-reads the users file (3.0
// only reopens logs there; later Ganeti versions do both).
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <thread>

#include "support/process.h"
#include "support/rapid_server.h"

namespace rapid::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

// The rapid binary with one GET /2/info in flight, which luxid answers
// after `delay`.
struct InfoInFlight {
  InfoInFlight(Sandbox& box, std::chrono::milliseconds delay)
      : rapid(box.dir, box.args()), client("127.0.0.1", rapid.port(), false) {
    box.luxi.on_request([delay](const LuxiRequest& request) {
      LuxiReply reply = LuxiReply::success(Json::object());
      if (request.method == "QueryClusterInfo") reply.delay = delay;
      return reply;
    });
    EXPECT_TRUE(rapid.wait_ready());
    EXPECT_TRUE(client.connect());
    EXPECT_TRUE(client.send(HttpClient::build_request("GET", "/2/info")));
    EXPECT_TRUE(eventually([&] { return !box.luxi.requests("QueryClusterInfo").empty(); }, 2s));
  }
  RapidProcess rapid;
  HttpClient client;
};

TEST(Process, SighupReReadsTheUsersFile) {
  Sandbox box;
  // Only SIGHUP makes rapid see changes of the link's target.
  const std::string users = box.link_users_file("before beforepass write\n");
  RapidProcess rapid(box.dir, box.args());
  ASSERT_TRUE(rapid.wait_ready());
  EXPECT_EQ(status_of(call(rapid, "GET", "/version", "before:beforepass")), 200);

  write_file(users, "after afterpass write\n");
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(status_of(call(rapid, "GET", "/version", "after:afterpass")), 401);  // not seen yet

  rapid.signal(SIGHUP);
  EXPECT_TRUE(eventually(
      [&] { return status_of(call(rapid, "GET", "/version", "after:afterpass")) == 200; }));
  EXPECT_EQ(status_of(call(rapid, "GET", "/version", "before:beforepass")), 401);
  EXPECT_TRUE(eventually([&] { return rapid.log().find("SIGHUP received") != std::string::npos; }));
  const std::string log = rapid.log();
  const auto sighup = log.find("SIGHUP received");
  EXPECT_NE(log.find("Reading users file at " + box.dir + "/users", sighup), std::string::npos)
      << log;
  rapid.signal(SIGTERM);
  EXPECT_EQ(exit_code(rapid.wait_exit(5s)), 0);
}

TEST(Process, SighupReopensTheLogFile) {
  Sandbox box;
  RapidProcess rapid(box.dir, box.args());
  ASSERT_TRUE(rapid.wait_ready());
  EXPECT_EQ(status_of(call(rapid, "GET", "/version")), 200);
  const std::string log = box.dir + "/rapid.log";
  const std::string rotated = box.dir + "/rapid.log.1";
  EXPECT_TRUE(eventually(
      [&] { return read_file(log).find("GET /version HTTP/1.1 200") != std::string::npos; }));
  ASSERT_EQ(::rename(log.c_str(), rotated.c_str()), 0);
  rapid.signal(SIGHUP);
  EXPECT_TRUE(eventually([&] { return fs::exists(log); }));
  EXPECT_EQ(status_of(call(rapid, "GET", "/2", "admin:adminpass")), 200);
  EXPECT_TRUE(
      eventually([&] { return read_file(log).find("GET /2 HTTP/1.1 200") != std::string::npos; }));
  const std::string old_text = read_file(rotated);
  const std::string new_text = read_file(log);
  EXPECT_NE(old_text.find("ganeti-rapi daemon startup"), std::string::npos);
  EXPECT_EQ(old_text.find("GET /2 HTTP/1.1"), std::string::npos);
  EXPECT_EQ(new_text.find("daemon startup"), std::string::npos);
  EXPECT_NE(new_text.find("SIGHUP received"), std::string::npos);
  rapid.signal(SIGTERM);
  EXPECT_EQ(exit_code(rapid.wait_exit(5s)), 0);
}

TEST(Process, SigtermLetsTheRequestInFlightFinish) {
  Sandbox box;
  InfoInFlight in_flight(box, 1000ms);
  auto& [rapid, client] = in_flight;
  ASSERT_FALSE(HasFailure());
  const auto signalled = Clock::now();
  rapid.signal(SIGTERM);
  // New connections are refused from now on.
  EXPECT_TRUE(eventually([&] {
    HttpClient probe("127.0.0.1", rapid.port(), false);
    return !probe.connect();
  }));
  // The request in flight is answered.
  const auto response = client.read_response(3s);
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "{}\n");
  EXPECT_EQ(response->header("Connection"), "close");
  EXPECT_TRUE(client.closed_by_peer(2s));
  client.close();
  EXPECT_EQ(exit_code(rapid.wait_exit(5s)), 0);
  EXPECT_LT(Clock::now() - signalled, 4s);
  EXPECT_NE(rapid.log().find("GET /2/info HTTP/1.1 200"), std::string::npos);
  EXPECT_NE(rapid.log().find("ganeti-rapi daemon shutdown"), std::string::npos);
  // The PID file is gone.
  EXPECT_FALSE(fs::exists(box.dir + "/rapid.pid"));
}

TEST(Process, IdleConnectionsDoNotDelayShutdown) {
  Sandbox box;
  RapidProcess rapid(box.dir, box.args());
  ASSERT_TRUE(rapid.wait_ready());
  HttpClient idle("127.0.0.1", rapid.port(), false);
  ASSERT_TRUE(idle.connect());
  ASSERT_TRUE(idle.send(HttpClient::build_request("GET", "/version")));
  ASSERT_TRUE(idle.read_response().has_value());  // keep-alive, now idle
  const auto start = Clock::now();
  rapid.signal(SIGTERM);
  EXPECT_TRUE(idle.closed_by_peer(2s));
  idle.close();
  EXPECT_EQ(exit_code(rapid.wait_exit(5s)), 0);
  EXPECT_LT(Clock::now() - start, 2s);
}

TEST(Process, SecondSigtermStopsAtOnce) {
  Sandbox box;
  InfoInFlight in_flight(box, 1500ms);
  auto& [rapid, client] = in_flight;
  ASSERT_FALSE(HasFailure());
  rapid.signal(SIGTERM);
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(rapid.wait_exit(0ms).has_value());  // still waiting for the request
  const auto start = Clock::now();
  rapid.signal(SIGTERM);
  EXPECT_EQ(exit_code(rapid.wait_exit(3s)), 0);
  EXPECT_LT(Clock::now() - start, 800ms);              // well before luxid's answer
  EXPECT_FALSE(client.read_response(1s).has_value());  // cut off, no answer
}

}  // namespace
}  // namespace rapid::testing
