// No access log line is lost: the rapid binary answers requests on several
// kept-alive connections at once, then gets SIGTERM right after the last
// answer (and, in the other test, a logrotate-style rename and SIGHUP in
// the middle); every request's line is in the log file(s), exactly once.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/process.h"
#include "support/rapid_server.h"

namespace rapid::testing {
namespace {

using namespace std::chrono_literals;

constexpr int kClients = 4;
constexpr int kRequestsPerClient = 250;

std::string target_of(int client, int request) {
  return "/version?client=" + std::to_string(client) + "&n=" + std::to_string(request);
}

// `count` requests on one kept-alive connection, each waiting for its answer;
// `on_answer(n)` after the n-th (from 0). False when one went unanswered.
template <class OnAnswer>
bool run_client(std::uint16_t port, int client, int count, OnAnswer on_answer) {
  HttpClient connection("127.0.0.1", port, false);
  if (!connection.connect()) return false;
  for (int n = 0; n < count; ++n) {
    if (!connection.send(HttpClient::build_request("GET", target_of(client, n)))) return false;
    const auto response = connection.read_response(5s);
    if (!response || response->status != 200) return false;
    on_answer(n);
  }
  return true;
}

// How often each logged target appears in `text`.
std::multiset<std::string> logged_targets(const std::string& text) {
  std::multiset<std::string> found;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const auto get = line.find(" GET /version?client=");
    if (get == std::string::npos) continue;
    const auto start = get + 5;
    found.insert(line.substr(start, line.find(' ', start) - start));
  }
  return found;
}

void expect_every_line_once(const std::multiset<std::string>& logged) {
  EXPECT_EQ(logged.size(), static_cast<std::size_t>(kClients * kRequestsPerClient));
  for (int client = 0; client < kClients; ++client) {
    for (int n = 0; n < kRequestsPerClient; ++n) {
      ASSERT_EQ(logged.count(target_of(client, n)), 1u) << target_of(client, n);
    }
  }
}

TEST(ProcessAccessLog, SigtermRightAfterTheLastAnswerLosesNoLine) {
  Sandbox box;
  RapidProcess rapid(box.dir, box.args({"--threads", "2"}));
  ASSERT_TRUE(rapid.wait_ready());
  std::atomic<int> done{0};
  std::vector<std::thread> clients;
  std::atomic<bool> all_answered{true};
  for (int client = 0; client < kClients; ++client) {
    clients.emplace_back([&, client] {
      if (!run_client(rapid.port(), client, kRequestsPerClient, [](int) {})) all_answered = false;
      // The last client to finish signals at once.
      if (++done == kClients) rapid.signal(SIGTERM);
    });
  }
  for (auto& thread : clients) thread.join();
  ASSERT_TRUE(all_answered);
  EXPECT_EQ(exit_code(rapid.wait_exit(10s)), 0);
  expect_every_line_once(logged_targets(read_file(box.dir + "/rapid.log")));
}

TEST(ProcessAccessLog, RenameAndSighupUnderLoadLoseNoLine) {
  Sandbox box;
  RapidProcess rapid(box.dir, box.args({"--threads", "2"}));
  ASSERT_TRUE(rapid.wait_ready());
  const std::string log = box.dir + "/rapid.log";
  const std::string rotated = box.dir + "/rapid.log.1";
  std::atomic<int> done{0};
  std::atomic<bool> all_answered{true};
  std::vector<std::thread> clients;
  for (int client = 0; client < kClients; ++client) {
    clients.emplace_back([&, client] {
      const bool answered = run_client(rapid.port(), client, kRequestsPerClient, [&](int n) {
        // Half-way through the first client: what logrotate does.
        if (client == 0 && n == kRequestsPerClient / 2) {
          std::rename(log.c_str(), rotated.c_str());
          rapid.signal(SIGHUP);
        }
      });
      if (!answered) all_answered = false;
      if (++done == kClients) rapid.signal(SIGTERM);
    });
  }
  for (auto& thread : clients) thread.join();
  ASSERT_TRUE(all_answered);
  EXPECT_EQ(exit_code(rapid.wait_exit(10s)), 0);
  std::multiset<std::string> logged = logged_targets(read_file(rotated));
  const std::multiset<std::string> after = logged_targets(read_file(log));
  EXPECT_FALSE(after.empty());  // the reopen happened while requests came
  logged.insert(after.begin(), after.end());
  expect_every_line_once(logged);
}

}  // namespace
}  // namespace rapid::testing
