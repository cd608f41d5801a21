// Coalescing of identical read-only LUXI queries (luxi/coalescer.h) over
// real sockets, with the events ordered at the fake luxid: identical
// requests share a call, a request that arrives after a call was sent gets
// the next call's answer, only query calls coalesce, errors reach every
// waiter, access is still checked per request, --no-coalesce makes one call
// per request, an unchanged reply is still asked for by every request, and a
// shared body is byte-for-byte the unshared one.
//
// rapid-specific behaviour: the original makes one call per request.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "support/ganeti_errors.h"
#include "support/rapid_server.h"
#include "support/test_helpers.h"
#include "util/json.h"

namespace rapid::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kUsers =
    "admin adminpass write\n"
    "nolist nolistpass @readonly,-instances.list\n";

// Calls of `method` at the fake luxid wait until the test releases them;
// the n-th call (from 1) is answered with reply(n). Other calls get null.
class HeldCalls {
 public:
  HeldCalls(FakeLuxi& fake, std::string method, std::function<LuxiReply(int)> reply)
      : method_(std::move(method)), reply_(std::move(reply)) {
    fake.on_request([this](const LuxiRequest& request) { return answer(request); });
  }
  ~HeldCalls() { release(1000); }

  // Waits until `n` calls have arrived; false after `timeout`.
  bool arrived(int n, std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return arrived_ >= n; });
  }
  int arrived_count() {
    std::lock_guard lock(mutex_);
    return arrived_;
  }
  // Lets `n` more calls answer.
  void release(int n = 1) {
    std::lock_guard lock(mutex_);
    released_ += n;
    changed_.notify_all();
  }

 private:
  LuxiReply answer(const LuxiRequest& request) {
    if (request.method != method_) return LuxiReply::success(nullptr);
    std::unique_lock lock(mutex_);
    const int n = ++arrived_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return released_ >= n; });
    return reply_(n);
  }

  std::string method_;
  std::function<LuxiReply(int)> reply_;
  std::mutex mutex_;
  std::condition_variable changed_;
  int arrived_ = 0;
  int released_ = 0;
};

LuxiReply info_reply(int n) {
  Json info = Json::object();
  info["name"] = "cluster";
  info["call"] = n;
  return LuxiReply::success(info);
}

std::string info_body(int n) {
  return "{\"name\": \"cluster\", \"call\": " + std::to_string(n) + "}\n";
}

std::future<HttpResponse> get_async(RapidServer& rapid, std::string target,
                                    std::string credentials = "admin:adminpass") {
  return std::async(std::launch::async, [&rapid, target, credentials] {
    return must(rapid.request("GET", target, credentials));
  });
}

bool ready(std::future<HttpResponse>& future, std::chrono::milliseconds wait = 0ms) {
  return future.wait_for(wait) == std::future_status::ready;
}

TEST(Coalescing, ConcurrentIdenticalRequestsMakeOneCall) {
  // One LUXI connection, held by a call of another key: the /2/info call
  // waits for it unsent, and every /2/info request joins that one call.
  RapidServer rapid({.luxi_connections = 1});
  HeldCalls held(rapid.luxi(), "QueryNodes", [](int) { return LuxiReply::success(Json::array()); });
  rapid.luxi().reply("QueryClusterInfo", parse(R"({"name": "cluster"})"));
  auto blocker = get_async(rapid, "/2/nodes");
  ASSERT_TRUE(held.arrived(1));
  std::vector<std::future<HttpResponse>> requests;
  for (int i = 0; i < 8; ++i) requests.push_back(get_async(rapid, "/2/info"));
  std::this_thread::sleep_for(300ms);  // all eight are waiting
  EXPECT_TRUE(rapid.luxi().requests("QueryClusterInfo").empty());
  held.release();
  for (auto& request : requests) {
    const HttpResponse response = request.get();
    EXPECT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.body, "{\"name\": \"cluster\"}\n");
  }
  EXPECT_EQ(blocker.get().status, 200);
  EXPECT_EQ(rapid.luxi().requests("QueryClusterInfo").size(), 1u);
}

TEST(Coalescing, RequestAfterTheCallWasSentGetsTheNextCallsAnswer) {
  RapidServer rapid;
  HeldCalls held(rapid.luxi(), "QueryClusterInfo", info_reply);
  auto first = get_async(rapid, "/2/info");
  ASSERT_TRUE(held.arrived(1));  // call 1 is at luxid: its request was sent
  auto second = get_async(rapid, "/2/info");
  std::this_thread::sleep_for(200ms);
  EXPECT_FALSE(ready(second));
  EXPECT_EQ(held.arrived_count(), 1);  // no second call while the first is in flight
  held.release();                      // call 1 answers X
  EXPECT_EQ(first.get().body, info_body(1));
  ASSERT_TRUE(held.arrived(2));  // only now call 2 is sent
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(ready(second));  // and the second request waits for it, not for X
  held.release();               // call 2 answers Y
  EXPECT_EQ(second.get().body, info_body(2));
  EXPECT_EQ(rapid.luxi().requests("QueryClusterInfo").size(), 2u);
}

TEST(Coalescing, RequestsGatheringBehindACallShareTheNextOne) {
  RapidServer rapid;
  HeldCalls held(rapid.luxi(), "QueryClusterInfo", info_reply);
  auto first = get_async(rapid, "/2/info");
  ASSERT_TRUE(held.arrived(1));
  std::vector<std::future<HttpResponse>> later;
  for (int i = 0; i < 6; ++i) later.push_back(get_async(rapid, "/2/info"));
  std::this_thread::sleep_for(300ms);
  held.release(2);
  EXPECT_EQ(first.get().body, info_body(1));
  for (auto& request : later) EXPECT_EQ(request.get().body, info_body(2));
  EXPECT_EQ(rapid.luxi().requests("QueryClusterInfo").size(), 2u);
}

// The bodies of an unchanged reply are reused (luxi/repeated_replies.h), but
// every request still makes its call: a reply that changes shows at once.
TEST(Coalescing, AnUnchangedReplyIsStillAskedForEveryTime) {
  RapidServer rapid;
  HeldCalls held(rapid.luxi(), "QueryClusterInfo",
                 [](int n) { return info_reply(n < 3 ? 1 : n); });
  for (int n = 1; n <= 4; ++n) {
    auto request = get_async(rapid, "/2/info");
    ASSERT_TRUE(held.arrived(n));
    held.release();
    EXPECT_EQ(request.get().body, info_body(n < 3 ? 1 : n)) << "request " << n;
  }
  EXPECT_EQ(rapid.luxi().requests("QueryClusterInfo").size(), 4u);
}

TEST(Coalescing, DifferentArgumentsDoNotCoalesce) {
  RapidServer rapid;
  HeldCalls held(rapid.luxi(), "QueryInstances",
                 [](int) { return LuxiReply::success(parse(R"([["inst1"]])")); });
  auto names = get_async(rapid, "/2/instances");
  auto one = get_async(rapid, "/2/instances/inst1/console");
  auto other = get_async(rapid, "/2/instances/inst2/console");
  EXPECT_TRUE(held.arrived(3));  // three calls in flight at once
  held.release(3);
  EXPECT_EQ(names.get().status, 200);
  one.get();
  other.get();
  const auto calls = rapid.luxi().requests("QueryInstances");
  ASSERT_EQ(calls.size(), 3u);
}

TEST(Coalescing, JobSubmissionsNeverCoalesce) {
  RapidServer rapid;
  HeldCalls held(rapid.luxi(), "SubmitJob", [](int n) { return LuxiReply::success(n); });
  std::vector<std::future<HttpResponse>> posts;
  for (int i = 0; i < 2; ++i) {
    posts.push_back(std::async(std::launch::async, [&] {
      return must(rapid.admin("POST", "/2/instances/inst1/reboot", "{}"));
    }));
  }
  EXPECT_TRUE(held.arrived(2));  // both submissions are at luxid, identical as they are
  held.release(2);
  std::multiset<std::string> bodies;
  for (auto& post : posts) bodies.insert(post.get().body);
  EXPECT_EQ(bodies, (std::multiset<std::string>{"1\n", "2\n"}));
  EXPECT_EQ(rapid.luxi().requests("SubmitJob").size(), 2u);
}

TEST(Coalescing, AnErrorReachesEveryWaiter) {
  RapidServer rapid;
  HeldCalls held(rapid.luxi(), "QueryClusterInfo", [](int n) {
    if (n == 1) return info_reply(n);
    return LuxiReply::failure(parse(R"(["OpExecError", ["luxid broke"]])"));
  });
  auto first = get_async(rapid, "/2/info");
  ASSERT_TRUE(held.arrived(1));
  std::vector<std::future<HttpResponse>> later;
  for (int i = 0; i < 4; ++i) later.push_back(get_async(rapid, "/2/info"));
  std::this_thread::sleep_for(300ms);
  held.release(2);
  EXPECT_EQ(first.get().status, 200);
  for (auto& request : later) {
    const HttpResponse response = request.get();
    EXPECT_EQ(response.status, 500);
    EXPECT_EQ(response.body, ganeti_error_body(500, "luxid broke"));
  }
  EXPECT_EQ(rapid.luxi().requests("QueryClusterInfo").size(), 2u);
}

TEST(Coalescing, AccessIsCheckedPerRequest) {
  RapidServer rapid({.users = kUsers});
  HeldCalls held(rapid.luxi(), "QueryInstances",
                 [](int) { return LuxiReply::success(parse(R"([["inst1"]])")); });
  auto allowed = get_async(rapid, "/2/instances");
  ASSERT_TRUE(held.arrived(1));
  auto allowed_too = get_async(rapid, "/2/instances");
  auto refused = get_async(rapid, "/2/instances", "nolist:nolistpass");
  auto wrong = get_async(rapid, "/2/instances", "nolist:wrong");
  // Refused at once, while the call the others wait for is still held.
  const HttpResponse forbidden = refused.get();
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_EQ(forbidden.body, ganeti_error_body(403));
  EXPECT_EQ(wrong.get().status, 401);
  EXPECT_FALSE(ready(allowed));
  held.release(2);
  const std::string list = "[{\"id\": \"inst1\", \"uri\": \"/2/instances/inst1\"}]\n";
  EXPECT_EQ(allowed.get().body, list);
  EXPECT_EQ(allowed_too.get().body, list);
  EXPECT_EQ(rapid.luxi().requests("QueryInstances").size(), 2u);
}

TEST(Coalescing, NoCoalesceMakesOneCallPerRequest) {
  RapidServer rapid({.coalesce = false});
  HeldCalls held(rapid.luxi(), "QueryClusterInfo", info_reply);
  std::vector<std::future<HttpResponse>> requests;
  for (int i = 0; i < 4; ++i) requests.push_back(get_async(rapid, "/2/info"));
  EXPECT_TRUE(held.arrived(4));  // four identical calls in flight at once
  held.release(4);
  std::multiset<std::string> bodies;
  for (auto& request : requests) bodies.insert(request.get().body);
  EXPECT_EQ(bodies,
            (std::multiset<std::string>{info_body(1), info_body(2), info_body(3), info_body(4)}));
}

// Rows for every list: private values to redact, an instance's beparams
// for its memory alias.
void script_cluster(FakeLuxi& fake) {
  fake.on_request([](const LuxiRequest& request) {
    const Json& fields = request.args.size() > 1 ? request.args[1] : Json();
    if (request.method == "QueryClusterInfo") {
      return LuxiReply::success(parse(
          R"({"name": "c", "volume_group_name": "xenvg", "osparams_private_cluster": {"debian": {"pw": "s3cret"}}})"));
    }
    if (request.method == "QueryJobs") {
      Json rows = Json::array();
      for (int id : {12, 3, 7}) {
        Json row = Json::array();
        for (std::size_t i = 0; i < request.args[1].size(); ++i)
          row.push_back(i == 0 ? Json(id) : Json("x"));
        rows.push_back(row);
      }
      return LuxiReply::success(rows);
    }
    Json rows = Json::array();
    for (const char* name : {"b.example", "a.example", "c.example"}) {
      Json row = Json::array();
      for (const auto& field : fields) {
        if (field == "name") {
          row.push_back(name);
        } else if (field == "beparams") {
          row.push_back(parse(R"({"maxmem": 128, "osparams_secret": {"k": "v"}})"));
        } else if (field == "hvparams") {
          row.push_back(parse(R"({"osparams_private": [["a", "b"]], "ünï": 1.5e-7})"));
        } else {
          row.push_back(Json::array({1, "two", nullptr, true}));
        }
      }
      rows.push_back(row);
    }
    return LuxiReply::success(rows);
  });
}

TEST(Coalescing, SharedBodiesAreTheUnsharedOnesByteForByte) {
  const std::vector<std::string> targets = {"/2/info",
                                            "/2/instances",
                                            "/2/instances?bulk=1",
                                            "/2/nodes",
                                            "/2/nodes?bulk=1",
                                            "/2/groups?bulk=1",
                                            "/2/jobs",
                                            "/2/jobs?bulk=1",
                                            "/2/networks",
                                            "/2/instances/a.example"};
  std::map<std::string, HttpResponse> unshared;
  {
    RapidServer rapid({.coalesce = false});
    script_cluster(rapid.luxi());
    for (const auto& target : targets) unshared[target] = must(rapid.admin("GET", target));
  }
  RapidServer rapid;
  script_cluster(rapid.luxi());
  for (const auto& target : targets) {
    SCOPED_TRACE(target);
    std::vector<std::future<HttpResponse>> requests;
    for (int i = 0; i < 4; ++i) requests.push_back(get_async(rapid, target));
    const HttpResponse& expected = unshared[target];
    EXPECT_EQ(expected.status, 200) << expected.body;
    for (auto& request : requests) {
      const HttpResponse response = request.get();
      EXPECT_EQ(response.status_line, expected.status_line);
      EXPECT_EQ(response.header_names(), expected.header_names());
      EXPECT_EQ(response.header("Content-Length"), expected.header("Content-Length"));
      EXPECT_EQ(response.header("Content-Type"), expected.header("Content-Type"));
      EXPECT_EQ(response.body, expected.body);
    }
  }
  // The redaction and the alias are there, in the shared bodies too.
  const std::string instances = must(rapid.admin("GET", "/2/instances?bulk=1")).body;
  EXPECT_NE(instances.find("\"memory\": 128"), std::string::npos);
  EXPECT_EQ(instances.find("s3cret"), std::string::npos);
  EXPECT_NE(instances.find("\"osparams_secret\": {\"k\": null}"), std::string::npos);
  EXPECT_EQ(must(rapid.admin("GET", "/2/info")).body.find("s3cret"), std::string::npos);
}

}  // namespace
}  // namespace rapid::testing
