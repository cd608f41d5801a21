// Permissions and roles in the users file (upstream Ganeti's role-based
// access control, ganeti/ganeti 0641adfb) over real sockets: an @operator,
// a "@readonly,+jobs.cancel" user, reloads that take write access away,
// and the 3.0 answers they keep (the 403 body is 3.0's and never names the
// missing permission). Users with only 3.0's words are covered, unchanged,
// by auth_access_test.cpp.
//
// rapid-specific behaviour: all of it (Ganeti 3.0 reads "@operator" as an
// unknown option: no rights).
#include <gtest/gtest.h>
#include <signal.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include "rapi/resource.h"
#include "support/ganeti_errors.h"
#include "support/process.h"
#include "support/rapid_server.h"

namespace rapid::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kUsers =
    "admin adminpass write\n"
    "ops opspass @operator\n"
    "mon monpass @readonly,+jobs.cancel\n"
    "nolist nolistpass @readonly,-instances.list\n";

// 403 with 3.0's body, or what came instead.
::testing::AssertionResult forbidden(const std::optional<HttpResponse>& response) {
  if (!response) return ::testing::AssertionFailure() << "no response";
  if (response->status != 403 || response->body != ganeti_error_body(403)) {
    return ::testing::AssertionFailure() << response->status << " " << response->body;
  }
  return ::testing::AssertionSuccess();
}

// A concrete path for a table pattern.
std::string instantiate(std::string pattern) {
  for (const auto& [placeholder, value] : {std::pair<std::string, std::string>{"[name]", "inst1"},
                                           {"[job_id]", "5"},
                                           {"[disk_index]", "0"}}) {
    for (auto pos = pattern.find(placeholder); pos != std::string::npos;
         pos = pattern.find(placeholder)) {
      pattern.replace(pos, placeholder.size(), value);
    }
  }
  return pattern;
}

TEST(Permissions, OperatorRunsInstancesButCreatesRemovesMigratesNothing) {
  RapidServer rapid({.users = kUsers});
  rapid.luxi().reply("SubmitJob", 7);
  for (const auto& [method, target] :
       std::vector<std::pair<std::string, std::string>>{{"POST", "/2/instances/inst1/reboot"},
                                                        {"PUT", "/2/instances/inst1/startup"},
                                                        {"PUT", "/2/instances/inst1/shutdown"}}) {
    SCOPED_TRACE(method + " " + target);
    const auto response = rapid.request(method, target, "ops:opspass");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200) << response->body;
    EXPECT_EQ(response->body, "7\n");
  }
  const auto jobs = rapid.luxi().requests("SubmitJob");
  ASSERT_EQ(jobs.size(), 3u);
  EXPECT_EQ(jobs[0].args[0][0]["OP_ID"], "OP_INSTANCE_REBOOT");
  EXPECT_EQ(jobs[1].args[0][0]["OP_ID"], "OP_INSTANCE_STARTUP");
  EXPECT_EQ(jobs[2].args[0][0]["OP_ID"], "OP_INSTANCE_SHUTDOWN");

  rapid.luxi().clear_requests();
  const std::string create = R"({"__version__": 1, "name": "new1", "mode": "create"})";
  EXPECT_TRUE(forbidden(rapid.request("POST", "/2/instances", "ops:opspass", create)));
  EXPECT_TRUE(forbidden(rapid.request("DELETE", "/2/instances/inst1", "ops:opspass")));
  EXPECT_TRUE(forbidden(rapid.request("POST", "/2/nodes/node1/migrate", "ops:opspass")));
  EXPECT_TRUE(forbidden(rapid.request("PUT", "/2/instances/inst1/modify", "ops:opspass", "{}")));
  EXPECT_TRUE(forbidden(rapid.request("PUT", "/2/instances/inst1/tags?tag=x", "ops:opspass")));
  EXPECT_TRUE(rapid.luxi().requests().empty());
  // What is refused to ops is there for admin.
  rapid.luxi().reply("SubmitJob", 8);
  EXPECT_EQ(status_of(rapid.request("POST", "/2/nodes/node1/migrate", "admin:adminpass")), 200);
}

TEST(Permissions, OperatorSeesTheConsole) {
  RapidServer rapid({.users = kUsers});
  Json console = Json::object();
  console["instance"] = "inst1";
  console["kind"] = "vnc";
  rapid.luxi().reply("QueryInstances", Json::array({Json::array({console, true})}));
  EXPECT_EQ(status_of(rapid.request("GET", "/2/instances/inst1/console", "ops:opspass")), 200);
  // @readonly has no console (3.0's "read" has).
  EXPECT_TRUE(forbidden(rapid.request("GET", "/2/instances/inst1/console", "mon:monpass")));
}

TEST(Permissions, ReadonlyPlusCancelCancelsAndWritesNothingElse) {
  RapidServer rapid({.users = kUsers});
  rapid.luxi().reply("CancelJob", Json::array({true, "Job 5 will be canceled"}));
  const auto cancelled = rapid.request("DELETE", "/2/jobs/5", "mon:monpass");
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(cancelled->status, 200) << cancelled->body;
  EXPECT_EQ(rapid.luxi().requests("CancelJob").size(), 1u);

  // Every other method that needs 3.0's write access is refused, before
  // luxid hears of it.
  rapid.luxi().clear_requests();
  std::size_t refused = 0;
  for (const auto& resource : rapi::resources()) {
    for (const rapi::Method m : rapi::kMethods) {
      const rapi::MethodDef* def = resource.method(m);
      if (!def || def->access != rapi::Access::write) continue;
      if (def->permission == auth::Permission("jobs.cancel")) continue;
      const std::string target = instantiate(std::string(resource.pattern()));
      const std::string method(rapi::method_name(m));
      SCOPED_TRACE(method + " " + target);
      EXPECT_TRUE(forbidden(rapid.request(method, target, "mon:monpass")));
      ++refused;
    }
  }
  EXPECT_GT(refused, 50u);
  EXPECT_TRUE(rapid.luxi().requests().empty());
  // Reads it has.
  EXPECT_EQ(status_of(rapid.request("GET", "/version", "mon:monpass")), 200);
  rapid.luxi().reply("Query", Json::object({{"data", Json::array()}, {"fields", Json::array()}}));
  EXPECT_EQ(status_of(rapid.request("GET", "/2/query/instance?fields=name", "mon:monpass")), 200);
}

TEST(Permissions, WithoutRequireAuthenticationTheAnonymousReadsStay) {
  RapidServer rapid({.users = kUsers});
  rapid.luxi().reply("QueryInstances", Json::array());
  EXPECT_EQ(status_of(rapid.request("GET", "/2/instances")), 200);
  EXPECT_EQ(status_of(rapid.request("GET", "/2/instances", "mon:monpass")), 200);
  // Credentials sent are checked, and then the permission decides.
  EXPECT_TRUE(forbidden(rapid.request("GET", "/2/instances", "nolist:nolistpass")));
  EXPECT_EQ(status_of(rapid.request("GET", "/2/instances", "nolist:wrong")), 401);
  // The version resources need no permission.
  EXPECT_EQ(status_of(rapid.request("GET", "/", "nolist:nolistpass")), 200);
  EXPECT_EQ(status_of(rapid.request("GET", "/2/features", "nolist:nolistpass")), 200);
}

TEST(Permissions, WithRequireAuthentication) {
  RapidServer rapid({.require_authentication = true, .users = kUsers});
  for (const char* target : {"/", "/2", "/version", "/2/features"}) {
    EXPECT_EQ(status_of(rapid.request("GET", target)), 401) << target;
    EXPECT_EQ(status_of(rapid.request("GET", target, "nolist:nolistpass")), 200) << target;
  }
  EXPECT_TRUE(forbidden(rapid.request("GET", "/2/instances", "nolist:nolistpass")));
  // Unknown paths: still 404 once the credentials are good.
  EXPECT_EQ(status_of(rapid.request("GET", "/nosuch", "ops:opspass")), 404);
}

TEST(Permissions, RefusalIsLoggedWithThePermission) {
  auto ring = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(200);
  spdlog::default_logger()->sinks().push_back(ring);
  {
    RapidServer rapid({.users = kUsers});
    EXPECT_TRUE(forbidden(rapid.request("DELETE", "/2/instances/inst1", "ops:opspass")));
  }
  bool logged = false;
  for (const auto& line : ring->last_formatted()) {
    if (line.find("User 'ops' lacks permission 'instances.remove' for DELETE /2/instances/inst1") !=
        std::string::npos)
      logged = true;
  }
  EXPECT_TRUE(logged);
  spdlog::default_logger()->sinks().pop_back();
}

TEST(PermissionsReload, AdminToReadonlyLosesWriteWithinASecond) {
  auto ring = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(400);
  spdlog::default_logger()->sinks().push_back(ring);
  {
    RapidServer rapid({.users = "u upass @admin\n"});
    rapid.luxi().reply("SubmitJob", 5);
    EXPECT_EQ(status_of(rapid.request("PUT", "/2/redistribute-config", "u:upass")), 200);
    rapid.write_users("u upass @readonly\nx xpass @boss\n");
    EXPECT_TRUE(eventually(
        [&] { return status_of(rapid.request("PUT", "/2/redistribute-config", "u:upass")) == 403; },
        1s));
    EXPECT_EQ(status_of(rapid.request("GET", "/version", "u:upass")), 200);
  }
  // The unknown role is logged once for that reload, with its line.
  std::size_t warnings = 0;
  for (const auto& line : ring->last_formatted()) {
    if (line.find("Ignoring unknown role '@boss' (line 2)") != std::string::npos) ++warnings;
    EXPECT_EQ(line.find("xpass"), std::string::npos) << line;
  }
  EXPECT_EQ(warnings, 1u);
  spdlog::default_logger()->sinks().pop_back();
}

TEST(PermissionsReload, AdminToReadonlyOnSighup) {
  Sandbox box;
  const std::string users = box.link_users_file("u upass @admin\n");  // edits need SIGHUP
  box.luxi.reply("SubmitJob", 5);
  RapidProcess rapid(box.dir, box.args());
  ASSERT_TRUE(rapid.wait_ready());
  EXPECT_EQ(status_of(call(rapid, "PUT", "/2/redistribute-config", "u:upass")), 200);

  write_file(users, "u upass @readonly\n");
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(status_of(call(rapid, "PUT", "/2/redistribute-config", "u:upass")), 200);
  rapid.signal(SIGHUP);
  EXPECT_TRUE(eventually(
      [&] { return status_of(call(rapid, "PUT", "/2/redistribute-config", "u:upass")) == 403; },
      1s));
  EXPECT_EQ(status_of(call(rapid, "GET", "/version", "u:upass")), 200);
  rapid.signal(SIGTERM);
  EXPECT_EQ(exit_code(rapid.wait_exit(5s)), 0);
}

}  // namespace
}  // namespace rapid::testing
