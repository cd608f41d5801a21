// Graceful shutdown under load (what SIGTERM does, app::Rapid::shut_down):
// every request whose connection the kernel accepted before the shutdown
// gets the answer it would have got without it, whatever the LUXI pool
// size: requests in flight, requests waiting for a LUXI connection, new
// connections whose request has not arrived yet, and connections still in
// the kernel's accept backlog. Only a kept-alive connection waiting for its
// next request is closed at once.
//
// rapid's own behaviour: the original (lib/daemon.py, the asyncore loop)
// stops at the first SIGTERM without finishing requests.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <thread>
#include <vector>

#include "support/process.h"
#include "support/rapid_server.h"

namespace rapid::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::string kInfo = "GET /2/info HTTP/1.1\r\nHost: x\r\n\r\n";
const std::string kInfoBody = "{\"name\": \"drain\"}\n";

// luxid answering QueryClusterInfo after `delay`.
void slow_master(FakeLuxi& luxi, std::chrono::milliseconds delay) {
  luxi.on_request([delay](const LuxiRequest& request) {
    LuxiReply reply = LuxiReply::success(Json::object());
    if (request.method == "QueryClusterInfo") {
      Json info = Json::object();
      info["name"] = "drain";
      reply = LuxiReply::success(info);
      reply.delay = delay;
    }
    return reply;
  });
}

// `count` clients, each on its own connection and thread: connect, send
// GET /2/info, read the answer. Every `late`-th client (none with 0) sends
// its request 1 s after connecting, as a slow client or network would.
class Clients {
 public:
  Clients(std::uint16_t port, bool tls, int count, int late = 0) : results_(count) {
    for (int i = 0; i < count; ++i) {
      const bool slow = late > 0 && i % late == 0;
      threads_.emplace_back([this, port, tls, i, slow] {
        HttpClient client("127.0.0.1", port, tls);
        const bool connected = client.connect();
        if (slow) {
          ++ready_;
          std::this_thread::sleep_for(1000ms);
        }
        const bool sent = connected && client.send(kInfo);
        if (!slow) ++ready_;
        if (sent) results_[i] = client.read_response(30s);
      });
    }
  }
  ~Clients() { join(); }

  // Until every client has sent its request, or connected for the late ones.
  bool wait_ready(std::chrono::milliseconds timeout) {
    return eventually([&] { return ready_ == static_cast<int>(results_.size()); }, timeout);
  }
  void join() {
    for (auto& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }
  // How many got 200 with the right body; the others are printed.
  int answered() {
    join();
    int good = 0;
    for (std::size_t i = 0; i < results_.size(); ++i) {
      const auto& response = results_[i];
      if (response && response->status == 200 && response->body == kInfoBody) {
        ++good;
      } else {
        ADD_FAILURE() << "client " << i << ": "
                      << (response ? response->status_line + " " + response->body : "no answer");
      }
    }
    return good;
  }

 private:
  std::vector<std::optional<HttpResponse>> results_;
  std::atomic<int> ready_{0};
  std::vector<std::thread> threads_;
};

RapidServerOptions drain_options(bool tls) {
  RapidServerOptions options;
  options.tls = tls;
  options.luxi_connections = 32;
  options.coalesce = false;  // one LUXI call per request: rounds of calls through the pool
  options.luxi_timeout = 30s;
  options.shutdown_timeout = 20s;
  return options;
}

// 100 requests, a pool of 32, a master answering after 1 s, the shutdown
// 0.5 s after the requests were sent (a tenth of them only 0.5 s after
// it): four rounds of LUXI calls, all answered.
void drain_round(bool tls) {
  RapidServer rapid(drain_options(tls));
  slow_master(rapid.luxi(), 1000ms);
  Clients clients(rapid.port(), tls, 100, 10);
  ASSERT_TRUE(clients.wait_ready(20s));
  std::this_thread::sleep_for(500ms);
  const auto start = Clock::now();
  rapid.shut_down();
  EXPECT_EQ(clients.answered(), 100);
  EXPECT_EQ(rapid.luxi().requests("QueryClusterInfo").size(), 100u);
  EXPECT_LT(Clock::now() - start, 15s);
}

TEST(ShutdownDrain, HundredRequestsThroughAPoolOf32) {
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE(round);
    drain_round(false);
  }
}

TEST(ShutdownDrain, HundredRequestsThroughAPoolOf32OverTls) {
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE(round);
    drain_round(true);
  }
}

// Connections beyond --max-clients wait in the kernel's backlog; closing
// the listening socket would reset them. They are taken and served.
void backlog_served(bool tls) {
  http::Limits limits;
  limits.max_clients = 4;
  RapidServerOptions options = drain_options(tls);
  options.limits = limits;
  RapidServer rapid(options);
  slow_master(rapid.luxi(), 500ms);
  // Plain TCP: connect() completes in the kernel and the request waits in
  // the socket. (A TLS client would wait for its handshake answer, which
  // only comes once rapid accepts.)
  std::vector<std::unique_ptr<HttpClient>> clients;
  for (int i = 0; i < 10; ++i) {
    clients.push_back(std::make_unique<HttpClient>("127.0.0.1", rapid.port(), false));
    ASSERT_TRUE(clients.back()->connect());
    ASSERT_TRUE(clients.back()->send(kInfo));
  }
  ASSERT_TRUE(eventually([&] { return rapid.luxi().requests().size() == 4; }, 3s));
  EXPECT_EQ(rapid.server().open_connections(), 4u);
  std::thread stopper([&] { rapid.shut_down(); });
  // (No ASSERT while the stopper runs: it must be joined.)
  for (auto& client : clients) {
    const auto response = client->read_response(15s);
    EXPECT_TRUE(response.has_value());
    if (!response) continue;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, kInfoBody);
    EXPECT_EQ(response->header("Connection"), "close");
  }
  stopper.join();
  EXPECT_EQ(rapid.luxi().requests().size(), 10u);
}

TEST(ShutdownDrain, ConnectionsInTheBacklogAreServed) { backlog_served(false); }

// A connection accepted before the shutdown whose request comes later is
// waited for (within the header timeout) and answered.
void late_first_request(bool tls) {
  RapidServer rapid(drain_options(tls));
  slow_master(rapid.luxi(), 0ms);
  HttpClient client("127.0.0.1", rapid.port(), tls);
  ASSERT_TRUE(client.connect());
  ASSERT_TRUE(eventually([&] { return rapid.server().open_connections() == 1; }, 2s));
  // A kept-alive connection that has had its answer is closed at once.
  HttpClient kept("127.0.0.1", rapid.port(), tls);
  ASSERT_TRUE(kept.connect());
  ASSERT_TRUE(kept.send(kInfo));
  ASSERT_TRUE(kept.read_response(3s).has_value());
  std::thread stopper([&] { rapid.shut_down(); });
  EXPECT_TRUE(kept.closed_by_peer(2s));
  std::this_thread::sleep_for(300ms);
  // (No ASSERT while the stopper runs: it must be joined.)
  EXPECT_TRUE(client.send(kInfo));
  const auto response = client.read_response(5s);
  EXPECT_TRUE(response.has_value());
  if (response) {
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, kInfoBody);
    EXPECT_EQ(response->header("Connection"), "close");
    EXPECT_TRUE(client.closed_by_peer(2s));
  }
  stopper.join();
}

TEST(ShutdownDrain, FirstRequestArrivingAfterTheShutdownIsAnswered) { late_first_request(false); }
TEST(ShutdownDrain, FirstRequestArrivingAfterTheShutdownIsAnsweredOverTls) {
  late_first_request(true);
}

// The same through the binary and a real SIGTERM.
TEST(ShutdownDrain, SigtermAnswersAHundredRequestsThroughAPoolOf32) {
  Sandbox box;
  slow_master(box.luxi, 1000ms);
  RapidProcess rapid(box.dir, box.args({"--luxi-connections", "32", "--no-coalesce"}));
  ASSERT_TRUE(rapid.wait_ready());
  Clients clients(rapid.port(), false, 100, 10);
  ASSERT_TRUE(clients.wait_ready(20s));
  std::this_thread::sleep_for(500ms);
  rapid.signal(SIGTERM);
  EXPECT_EQ(clients.answered(), 100);
  EXPECT_EQ(box.luxi.requests("QueryClusterInfo").size(), 100u);
  EXPECT_EQ(exit_code(rapid.wait_exit(15s)), 0);
}

}  // namespace
}  // namespace rapid::testing
