// The LUXI client against a misbehaving or absent luxid: through HTTP where
// the status mapping matters (lib/rapi/baserlib.py, lib/server/rapi.py),
// directly on luxi::Client where that is simpler. Also the guarantees of the
// connection pool: reuse, reconnection, bounded size, no blocked worker, and
// that a call which may have changed the cluster is never sent twice.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <cstring>
#include <future>
#include <memory>
#include <set>
#include <thread>

#include "luxi/client.h"
#include "luxi/error.h"
#include "support/ganeti_errors.h"
#include "support/rapid_server.h"
#include "support/test_helpers.h"
#include "util/json.h"

namespace rapid::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::string bad_gateway(const std::string& message) { return ganeti_error_body(502, message); }
std::string internal_error(const std::string& message) { return ganeti_error_body(500, message); }

long long ms_since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

const char* kInfo = R"({"name": "cluster"})";
const std::string kInfoBody = "{\"name\": \"cluster\"}\n";
const std::string kMayHaveBeenSubmitted =
    "the request may have been carried out (for a job submission: the job may have been submitted; "
    "check "
    "/2/jobs before retrying)";

// --- master absent -------------------------------------------------------------------

TEST(LuxiClient, MasterAbsentIs502AtOnce) {
  RapidServer rapid;
  const std::string path = rapid.luxi().socket_path();
  rapid.luxi().stop();  // removes the socket: ENOENT
  const auto start = Clock::now();
  auto response = must(rapid.admin("GET", "/2/info"));
  EXPECT_LT(ms_since(start), 500);
  EXPECT_EQ(response.status, 502);
  EXPECT_EQ(response.body, bad_gateway("Can&#x27;t connect to master daemon: " + path));

  // baserlib.SubmitJob's own wording.
  response = must(rapid.admin("GET", "/2/os"));
  EXPECT_EQ(response.status, 502);
  EXPECT_EQ(response.body, bad_gateway("Master seems to be unreachable: " + path));
}

TEST(LuxiClient, SocketWithoutListenerIs502) {
  // A stale socket file nobody listens on: ECONNREFUSED.
  RapidServer rapid;
  const std::string path = rapid.luxi().socket_path();
  rapid.luxi().stop();
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ::close(fd);  // bound, never listening
  auto response = must(rapid.admin("GET", "/2/info"));
  EXPECT_EQ(response.status, 502);
  EXPECT_EQ(response.body, bad_gateway("Can&#x27;t connect to master daemon: " + path));
  ::unlink(path.c_str());
}

// --- broken replies ------------------------------------------------------------------

TEST(LuxiClient, ClosingMidReplyIs502) {
  RapidServer rapid;
  LuxiReply partial = LuxiReply::text(R"({"success":true,"result":{"na)");
  partial.raw = true;  // no terminator
  partial.close_after_reply = true;
  rapid.luxi().on_request([partial](const LuxiRequest&) { return partial; });
  auto response = must(rapid.admin("GET", "/2/info"));
  EXPECT_EQ(response.status, 502);
  EXPECT_EQ(response.body, bad_gateway("Connection closed while reading"));

  LuxiReply nothing = LuxiReply::success(1);
  nothing.close_before_reply = true;
  rapid.luxi().on_request([nothing](const LuxiRequest&) { return nothing; });
  response = must(rapid.admin("GET", "/2/info"));
  EXPECT_EQ(response.status, 502);
  EXPECT_EQ(response.body, bad_gateway("Connection closed while reading"));
}

TEST(LuxiClient, ReplySplitAcrossManySmallWrites) {
  RapidServer rapid;
  Json info = Json::object();
  for (int i = 0; i < 200; ++i) info["key" + std::to_string(i)] = "value " + std::to_string(i);
  LuxiReply reply = LuxiReply::success(info);
  reply.chunk_size = 7;
  rapid.luxi().on_request([reply](const LuxiRequest&) { return reply; });
  auto response = must(rapid.admin("GET", "/2/info"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, dump_python(info) + "\n");
}

TEST(LuxiClient, TwoRepliesInOneWriteAreKeptApart) {
  // Bytes after a terminator belong to the next message. A reply nobody asked
  // for must never be taken for the next call's answer: the connection that
  // carried it is not reused.
  RapidServer rapid;
  std::atomic<int> calls{0};
  rapid.luxi().on_request([&calls](const LuxiRequest&) {
    if (calls++ == 0) {
      LuxiReply both = LuxiReply::text(std::string(R"({"success":true,"result":{"n":1}})") +
                                       '\x03' + R"({"success":true,"result":{"n":"stray"}})");
      return both;
    }
    return LuxiReply::success(parse(R"({"n": 2})"));
  });
  EXPECT_EQ(must(rapid.admin("GET", "/2/info")).body, "{\"n\": 1}\n");
  EXPECT_EQ(must(rapid.admin("GET", "/2/info")).body, "{\"n\": 2}\n");
}

TEST(LuxiClient, GarbageRepliesAre502) {
  RapidServer rapid;
  const std::pair<std::string, std::string> cases[] = {
      {"not json", "Error while deserializing response: not valid JSON"},
      {"[1, 2]", "Invalid response from server: [1, 2]"},
      {"\"ok\"", "Invalid response from server: &#x27;ok&#x27;"},
      {R"({"success": true})", "Invalid response from server: {&#x27;success&#x27;: True}"},
      {R"({"result": 5})", "Invalid response from server: {&#x27;result&#x27;: 5}"},
  };
  for (const auto& [reply, message] : cases) {
    rapid.luxi().on_request([reply](const LuxiRequest&) { return LuxiReply::text(reply); });
    auto response = must(rapid.admin("GET", "/2/info"));
    EXPECT_EQ(response.status, 502) << reply;
    EXPECT_EQ(response.body, bad_gateway(message)) << reply;
  }
  // The connection is still usable afterwards.
  rapid.luxi().reply("QueryClusterInfo", parse(kInfo));
  EXPECT_EQ(must(rapid.admin("GET", "/2/info")).body, kInfoBody);
}

TEST(LuxiClient, OversizedReplyIsAnErrorNotACrash) {
  FakeLuxi fake;
  fake.on_request([](const LuxiRequest&) { return LuxiReply::success(std::string(10'000, 'x')); });
  boost::asio::io_context io;
  luxi::ClientConfig config;
  config.socket_path = fake.socket_path();
  config.call_timeout = 2s;
  config.max_reply_bytes = 1024;
  luxi::Client client(io.get_executor(), config);
  auto future =
      boost::asio::co_spawn(io, client.call("QueryClusterInfo", Json::array(), luxi::Resend::safe),
                            boost::asio::use_future);
  io.run();
  try {
    future.get();
    ADD_FAILURE() << "no error";
  } catch (const luxi::Error& error) {
    EXPECT_EQ(error.kind(), luxi::ErrorKind::protocol);
    EXPECT_EQ(error.detail(), "Response larger than 1024 bytes");
  }
  // A reply within the limit on the same client works.
  fake.on_request([](const LuxiRequest&) { return LuxiReply::success("small"); });
  io.restart();
  auto second =
      boost::asio::co_spawn(io, client.call("QueryClusterInfo", Json::array(), luxi::Resend::safe),
                            boost::asio::use_future);
  io.run();
  EXPECT_EQ(second.get(), Json("small"));
}

TEST(LuxiClient, DirectCallWritesThePythonEnvelope) {
  FakeLuxi fake;
  fake.on_request([](const LuxiRequest&) { return LuxiReply::success(parse(R"([["a"]])")); });
  boost::asio::io_context io;
  luxi::ClientConfig config;
  config.socket_path = fake.socket_path();
  config.call_timeout = 2s;
  luxi::Client client(io.get_executor(), config);
  auto future = boost::asio::co_spawn(
      io, client.call("QueryNodes", parse(R"([[], ["name"], false])"), luxi::Resend::safe),
      boost::asio::use_future);
  io.run();
  EXPECT_EQ(future.get(), parse(R"([["a"]])"));
  ASSERT_EQ(fake.requests().size(), 1u);
  EXPECT_EQ(
      fake.requests()[0].raw,
      "{\"method\": \"QueryNodes\", \"args\": [[], [\"name\"], false], \"version\": 3000000}\n");
  EXPECT_EQ(client.idle_connections(), 1u);
}

TEST(LuxiClient, SlowReplyIs504AndTheNextRequestWorks) {
  RapidServer rapid({.luxi_timeout = 300ms});
  std::atomic<int> calls{0};
  rapid.luxi().on_request([&calls](const LuxiRequest&) {
    LuxiReply reply = LuxiReply::success(parse(kInfo));
    if (calls++ == 0) reply.delay = 1000ms;
    return reply;
  });
  const auto start = Clock::now();
  auto response = must(rapid.admin("GET", "/2/info"));
  EXPECT_LT(ms_since(start), 900);
  EXPECT_EQ(response.status, 504);
  EXPECT_EQ(response.body, ganeti_error_body(504, "Gateway Timeout"));
  response = must(rapid.admin("GET", "/2/info"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, kInfoBody);
}

// --- encoded errors --------------------------------------------------------------------

TEST(LuxiClient, EncodedErrorsMapToStatuses) {
  RapidServer rapid;
  struct Case {
    std::string method, target, failure;
    int status;
    std::string body;
  };
  const Case cases[] = {
      {"GET", "/2/info", R"(["OpPrereqError", ["Sync queries are not allowed", "wrong_input"]])",
       500, internal_error("(&#x27;Sync queries are not allowed&#x27;, &#x27;wrong_input&#x27;)")},
      {"GET", "/2/info", R"(["ConfigurationError", ["No config"]])", 500,
       internal_error("No config")},
      {"GET", "/2/info", R"(["JobQueueFull", []])", 500, internal_error("Internal Server Error")},
      {"GET", "/2/info", R"(["NoSuchError", ["x"]])", 502,
       bad_gateway("[&#x27;NoSuchError&#x27;, [&#x27;x&#x27;]]")},
      {"GET", "/2/info", R"("Failed to parse request: nonsense")", 502,
       bad_gateway("Failed to parse request: nonsense")},
      {"PUT", "/2/instances/inst1/startup", R"(["JobQueueFull", []])", 503,
       ganeti_error_body(503, "Job queue is full, needs archiving")},
      {"PUT", "/2/instances/inst1/startup", R"(["JobQueueDrainError", ["drained"]])", 503,
       ganeti_error_body(503, "Job queue is drained, cannot submit")},
      // What 3.0's luxid really sends for a drained queue.
      {"PUT", "/2/instances/inst1/startup", R"(["GenericError", ["Queue drained"]])", 500,
       internal_error("Queue drained")},
      {"PUT", "/2/instances/inst1/startup", R"(["NoSuchError", []])", 502,
       bad_gateway("[&#x27;NoSuchError&#x27;, []]")},
      {"PUT", "/2/instances/inst1/startup",
       R"("Failed to parse request: SubmitJob: key 'reason' not found")", 502,
       bad_gateway("Failed to parse request: SubmitJob: key &#x27;reason&#x27; not found")},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.target + " " + c.failure);
    rapid.luxi().clear_requests();
    const Json failure = parse(c.failure);
    rapid.luxi().on_request([failure](const LuxiRequest&) { return LuxiReply::failure(failure); });
    auto response = must(rapid.admin(c.method, c.target));
    EXPECT_EQ(response.status, c.status);
    EXPECT_EQ(response.body, c.body);
    // An answer, even an error, is never a reason to send again.
    EXPECT_EQ(rapid.luxi().requests().size(), 1u);
  }
}

// --- the pool ----------------------------------------------------------------------------

TEST(LuxiClient, SequentialRequestsShareOneConnection) {
  RapidServer rapid;
  rapid.luxi().reply("QueryClusterInfo", parse(kInfo));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(must(rapid.admin("GET", "/2/info")).status, 200);
  EXPECT_EQ(rapid.luxi().connections_accepted(), 1);
  for (const auto& request : rapid.luxi().requests()) EXPECT_EQ(request.connection, 1);
  EXPECT_EQ(rapid.luxi().requests().size(), 5u);
}

TEST(LuxiClient, ReconnectsAfterLuxidRestarts) {
  RapidServer rapid;
  rapid.luxi().reply("QueryClusterInfo", parse(kInfo));
  EXPECT_EQ(must(rapid.admin("GET", "/2/info")).status, 200);  // leaves an idle connection
  const std::string path = rapid.luxi().socket_path();
  rapid.luxi().stop();

  // While luxid is down: 502 at once.
  auto response = must(rapid.admin("GET", "/2/info"));
  EXPECT_EQ(response.status, 502);

  FakeLuxi restarted(path);
  restarted.reply("QueryClusterInfo", parse(R"({"name": "restarted"})"));
  // The stale pooled connection is never used: the first request after the
  // restart already succeeds, on a new connection.
  for (int i = 0; i < 2; ++i) {
    response = must(rapid.admin("GET", "/2/info"));
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, "{\"name\": \"restarted\"}\n");
  }
  EXPECT_EQ(restarted.connections_accepted(), 1);
  EXPECT_EQ(restarted.requests().size(), 2u);
}

TEST(LuxiClient, StalePooledConnectionIsReplacedWithoutLoss) {
  // luxid restarts while a connection sits in the pool (no request in between).
  RapidServer rapid;
  rapid.luxi().reply("QueryClusterInfo", parse(kInfo));
  EXPECT_EQ(must(rapid.admin("GET", "/2/info")).status, 200);
  const std::string path = rapid.luxi().socket_path();
  rapid.luxi().stop();
  FakeLuxi restarted(path);
  restarted.reply("QueryClusterInfo", parse(kInfo));
  auto response = must(rapid.admin("GET", "/2/info"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(restarted.requests().size(), 1u);
}

TEST(LuxiClient, IdempotentCallIsRetriedOnceWhenPooledConnectionCloses) {
  RapidServer rapid;
  // luxid takes the second request on the first connection, then closes it
  // without answering (as when it drops an idle client at that moment).
  auto seen_on_first = std::make_shared<std::atomic<int>>(0);
  rapid.luxi().on_request([seen_on_first](const LuxiRequest& request) {
    LuxiReply reply = LuxiReply::success(parse(kInfo));
    if (request.connection == 1 && ++*seen_on_first == 2) reply.close_before_reply = true;
    return reply;
  });
  EXPECT_EQ(must(rapid.admin("GET", "/2/info")).status, 200);
  auto response = must(rapid.admin("GET", "/2/info"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, kInfoBody);
  const auto requests = rapid.luxi().requests("QueryClusterInfo");
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[1].connection, 1);
  EXPECT_EQ(requests[2].connection, 2);
  EXPECT_EQ(requests[1].raw, requests[2].raw);
}

TEST(LuxiClient, IdempotentCallIsRetriedOnlyOnce) {
  RapidServer rapid;
  std::atomic<int> calls{0};
  rapid.luxi().on_request([&calls](const LuxiRequest&) {
    LuxiReply reply = LuxiReply::success(parse(kInfo));
    if (calls++ > 0) reply.close_before_reply = true;  // every later exchange breaks
    return reply;
  });
  EXPECT_EQ(must(rapid.admin("GET", "/2/info")).status, 200);
  auto response = must(rapid.admin("GET", "/2/info"));
  EXPECT_EQ(response.status, 502);
  EXPECT_EQ(response.body, bad_gateway("Connection closed while reading"));
  EXPECT_EQ(calls.load(), 3);  // the first call, the failed call, one retry
}

struct NeverResent {
  std::string name, method, target, body, luxi_method;
};

void PrintTo(const NeverResent& c, std::ostream* os) { *os << c.method << " " << c.target; }

class LuxiNeverResent : public ::testing::TestWithParam<NeverResent> {};

TEST_P(LuxiNeverResent, ConnectionLostAfterWriting) {
  const auto& c = GetParam();
  RapidServer rapid;
  // A pooled connection exists (a previous read), so a resend would be easy.
  rapid.luxi().reply("QueryClusterInfo", parse(kInfo));
  EXPECT_EQ(must(rapid.admin("GET", "/2/info")).status, 200);
  rapid.luxi().on_request([](const LuxiRequest& request) {
    LuxiReply reply = LuxiReply::success(1);
    if (request.method != "QueryClusterInfo") reply.close_before_reply = true;
    return reply;
  });
  auto response = must(rapid.admin(c.method, c.target, c.body));
  EXPECT_EQ(response.status, 502);
  EXPECT_EQ(
      response.body,
      bad_gateway(
          "Lost the connection to the master daemon after sending the request (Connection closed "
          "while reading); " +
          kMayHaveBeenSubmitted));
  std::this_thread::sleep_for(100ms);  // a resend would arrive by now
  EXPECT_EQ(rapid.luxi().requests(c.luxi_method).size(), 1u);
  EXPECT_EQ(rapid.luxi().requests().size(), 2u);
}

TEST_P(LuxiNeverResent, TimeoutAfterWriting) {
  const auto& c = GetParam();
  RapidServer rapid({.luxi_timeout = 300ms});
  rapid.luxi().on_request([](const LuxiRequest&) {
    LuxiReply reply = LuxiReply::success(1);
    reply.delay = 800ms;
    return reply;
  });
  auto response = must(rapid.admin(c.method, c.target, c.body));
  EXPECT_EQ(response.status, 504);
  EXPECT_EQ(response.body,
            ganeti_error_body(
                504, "Timeout while talking to the master daemon after sending the request; " +
                         kMayHaveBeenSubmitted));
  std::this_thread::sleep_for(700ms);
  EXPECT_EQ(rapid.luxi().requests(c.luxi_method).size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(
    Calls, LuxiNeverResent,
    ::testing::Values(
        NeverResent{"SubmitJob", "PUT", "/2/instances/inst1/startup", "", "SubmitJob"},
        NeverResent{"SubmitJobOfOs", "GET", "/2/os", "", "SubmitJob"},
        NeverResent{"CancelJob", "DELETE", "/2/jobs/5", "", "CancelJob"},
        NeverResent{"ReplaceFilterPost", "POST", "/2/filters", "{}", "ReplaceFilter"},
        NeverResent{"ReplaceFilterPut", "PUT", "/2/filters/0b1c", "{}", "ReplaceFilter"},
        NeverResent{"DeleteFilter", "DELETE", "/2/filters/0b1c", "", "DeleteFilter"}),
    [](const auto& info) { return info.param.name; });

// --- a busy luxid: full listen backlog ---------------------------------------------------------

// The result of a call as text, or the error it failed with.
std::string outcome(std::future<Json>& call) {
  try {
    return call.get().dump();
  } catch (const luxi::Error& error) {
    return "luxi::Error: " + error.detail();
  }
}

// While luxid does not accept, connect() on its socket fails with EAGAIN once
// the backlog is full. That is a busy master, not a lost one: every call must
// wait and be answered once it accepts again, writes exactly once.
TEST(LuxiClient, FullBacklogDelaysCallsButFailsNone) {
  FakeLuxi fake({}, 1);
  fake.on_request([](const LuxiRequest& request) {
    if (request.method == "SubmitJob") return LuxiReply::success(17);
    return LuxiReply::success(parse(kInfo));
  });
  fake.pause_accepting();
  boost::asio::io_context io;
  luxi::ClientConfig config;
  config.socket_path = fake.socket_path();
  config.call_timeout = 10s;
  config.max_connections = 24;
  config.coalesce = false;  // one call per read: the backlog holds them all
  luxi::Client client(io.get_executor(), config);
  std::vector<std::future<Json>> reads;
  std::vector<std::future<Json>> submits;
  for (int i = 0; i < 16; ++i) {
    reads.push_back(boost::asio::co_spawn(
        io, client.call("QueryClusterInfo", Json::array(), luxi::Resend::safe),
        boost::asio::use_future));
  }
  for (int i = 0; i < 8; ++i) {
    submits.push_back(boost::asio::co_spawn(
        io, client.call("SubmitJob", Json::array({Json::array()}), luxi::Resend::never),
        boost::asio::use_future));
  }
  std::thread runner_a([&io] { io.run(); });
  std::thread runner_b([&io] { io.run(); });
  std::this_thread::sleep_for(400ms);  // every connect has hit the full backlog by now
  EXPECT_EQ(fake.connections_accepted(), 0);
  fake.resume_accepting();
  runner_a.join();
  runner_b.join();
  for (auto& read : reads) EXPECT_EQ(outcome(read), parse(kInfo).dump());
  for (auto& submit : submits) EXPECT_EQ(outcome(submit), "17");
  EXPECT_EQ(fake.requests("SubmitJob").size(), 8u);
  EXPECT_EQ(fake.requests("QueryClusterInfo").size(), 16u);
}

TEST(LuxiClient, FullBacklogUntilTheDeadlineIsATimeout) {
  FakeLuxi fake({}, 1);
  fake.pause_accepting();
  // Fill the backlog from outside, so rapid's own connect sees EAGAIN.
  std::vector<int> fillers;
  for (int i = 0; i < 4; ++i) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, fake.socket_path().c_str(), sizeof addr.sun_path - 1);
    ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    fillers.push_back(fd);
  }
  boost::asio::io_context io;
  luxi::ClientConfig config;
  config.socket_path = fake.socket_path();
  config.call_timeout = 300ms;
  luxi::Client client(io.get_executor(), config);
  auto call = boost::asio::co_spawn(
      io, client.call("SubmitJob", Json::array({Json::array()}), luxi::Resend::never),
      boost::asio::use_future);
  const auto start = Clock::now();
  io.run();
  try {
    call.get();
    ADD_FAILURE() << "no error";
  } catch (const luxi::Error& error) {
    EXPECT_EQ(error.kind(), luxi::ErrorKind::timeout);
    EXPECT_EQ(error.detail(), "Connect timed out");
    EXPECT_FALSE(error.may_have_executed());  // nothing was written
  }
  EXPECT_GE(ms_since(start), 250);
  EXPECT_LT(ms_since(start), 1000);
  for (int fd : fillers) ::close(fd);
  fake.resume_accepting();
  EXPECT_TRUE(fake.requests().empty());
}

TEST(LuxiClient, FullBacklogThroughHttp) {
  RapidServer rapid({.luxi_connections = 16, .luxi_backlog = 1});
  rapid.luxi().reply("QueryClusterInfo", parse(kInfo));
  rapid.luxi().pause_accepting();
  std::vector<std::future<HttpResponse>> requests;
  for (int i = 0; i < 24; ++i) {
    requests.push_back(
        std::async(std::launch::async, [&] { return must(rapid.admin("GET", "/2/info")); }));
  }
  std::this_thread::sleep_for(400ms);
  rapid.luxi().resume_accepting();
  for (auto& request : requests) {
    const HttpResponse response = request.get();
    EXPECT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.body, kInfoBody);
  }
}

// --- concurrency ----------------------------------------------------------------------------

TEST(LuxiClient, SlowLuxidCallsBlockNoWorker) {
  RapidServer rapid;  // 2 worker threads, 8 LUXI connections
  rapid.luxi().on_request([](const LuxiRequest& request) {
    if (request.method == "QueryInstances") {
      std::this_thread::sleep_for(1000ms);
      return LuxiReply::success(parse(R"([["inst1"]])"));
    }
    return LuxiReply::success(parse(kInfo));
  });
  std::vector<std::future<int>> slow;
  for (int i = 0; i < 3; ++i) {
    slow.push_back(std::async(std::launch::async,
                              [&] { return must(rapid.admin("GET", "/2/instances")).status; }));
  }
  std::this_thread::sleep_for(100ms);  // the slow calls are now waiting on luxid
  const auto start = Clock::now();
  std::vector<std::future<std::pair<int, long long>>> quick;
  for (int i = 0; i < 10; ++i) {
    quick.push_back(std::async(std::launch::async, [&] {
      const int status = must(rapid.admin("GET", "/2/info")).status;
      return std::make_pair(status, ms_since(start));
    }));
  }
  for (auto& q : quick) {
    const auto [status, elapsed] = q.get();
    EXPECT_EQ(status, 200);
    EXPECT_LT(elapsed, 600);  // well before the slow ones' second is over
  }
  for (auto& s : slow) EXPECT_EQ(s.get(), 200);
}

TEST(LuxiClient, PoolBoundHolds) {
  // One call per request, so that ten of them contend for the pool.
  RapidServer rapid({.luxi_connections = 3, .coalesce = false});
  std::atomic<int> in_flight{0};
  std::atomic<int> most{0};
  rapid.luxi().on_request([&](const LuxiRequest&) {
    const int now = ++in_flight;
    int seen = most.load();
    while (now > seen && !most.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(200ms);
    --in_flight;
    return LuxiReply::success(parse(kInfo));
  });
  std::vector<std::future<int>> requests;
  for (int i = 0; i < 10; ++i) {
    requests.push_back(
        std::async(std::launch::async, [&] { return must(rapid.admin("GET", "/2/info")).status; }));
  }
  for (auto& r : requests) EXPECT_EQ(r.get(), 200);
  EXPECT_EQ(most.load(), 3);
  EXPECT_LE(rapid.luxi().connections_accepted(), 3);
  EXPECT_EQ(rapid.luxi().requests().size(), 10u);
}

TEST(LuxiClient, WaitingForAFreeConnectionHonoursTheDeadline) {
  // One connection, held 800 ms by a slow call: a call with a 200 ms
  // deadline gives up waiting for it, without ever reaching luxid.
  FakeLuxi fake;
  fake.on_request([](const LuxiRequest&) {
    LuxiReply reply = LuxiReply::success(1);
    reply.delay = 800ms;
    return reply;
  });
  boost::asio::io_context io;
  luxi::ClientConfig config;
  config.socket_path = fake.socket_path();
  config.call_timeout = 2s;
  config.max_connections = 1;
  luxi::Client client(io.get_executor(), config);
  auto slow =
      boost::asio::co_spawn(io, client.call("QueryClusterInfo", Json::array(), luxi::Resend::safe),
                            boost::asio::use_future);
  auto waiting =
      boost::asio::co_spawn(io, client.call("QueryNodes", Json::array(), luxi::Resend::safe, 200ms),
                            boost::asio::use_future);
  const auto start = Clock::now();
  std::thread runner([&io] { io.run(); });
  try {
    waiting.get();
    ADD_FAILURE() << "no error";
  } catch (const luxi::Error& error) {
    EXPECT_EQ(error.kind(), luxi::ErrorKind::timeout);
    EXPECT_EQ(error.detail(), "No free connection to the master daemon in time");
  }
  EXPECT_LT(ms_since(start), 700);
  EXPECT_TRUE(fake.requests("QueryNodes").empty());
  EXPECT_EQ(slow.get(), Json(1));
  runner.join();
  EXPECT_TRUE(fake.requests("QueryNodes").empty());
}

TEST(LuxiClient, LongPollsDoNotHoldUpOtherCalls) {
  // The whole pool (2) is taken by WaitForJobChange calls that hold their
  // connection 800 ms: a QueryClusterInfo still gets a connection at once.
  FakeLuxi fake;
  fake.on_request([](const LuxiRequest& request) {
    LuxiReply reply =
        LuxiReply::success(request.method == "WaitForJobChange" ? Json("nochange") : Json(1));
    if (request.method == "WaitForJobChange") reply.delay = 800ms;
    return reply;
  });
  boost::asio::io_context io;
  luxi::ClientConfig config;
  config.socket_path = fake.socket_path();
  config.call_timeout = 3s;
  config.max_connections = 2;
  config.max_wait_connections = 4;
  luxi::Client client(io.get_executor(), config);
  std::vector<std::future<Json>> polls;
  for (int i = 0; i < 4; ++i) {
    polls.push_back(boost::asio::co_spawn(
        io, client.call("WaitForJobChange", Json::array(), luxi::Resend::safe),
        boost::asio::use_future));
  }
  std::thread runner([&io] { io.run(); });
  std::this_thread::sleep_for(200ms);  // the polls are at luxid by now
  const auto start = Clock::now();
  auto info =
      boost::asio::co_spawn(io, client.call("QueryClusterInfo", Json::array(), luxi::Resend::safe),
                            boost::asio::use_future);
  EXPECT_EQ(info.get(), Json(1));
  EXPECT_LT(ms_since(start), 300);
  for (auto& poll : polls) EXPECT_EQ(poll.get(), Json("nochange"));
  runner.join();
  EXPECT_EQ(fake.requests("WaitForJobChange").size(), 4u);
}

}  // namespace
}  // namespace rapid::testing
