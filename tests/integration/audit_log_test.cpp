// The audit log of writes (docs/audit-log.md) over real sockets, with the
// fake luxid: every write row of the resource table gives exactly one line
// per request (the recorded write cases of write_resources_test, which the
// original answered), with the user, method, path, outcome, status and job
// id; reads give none; secrets never reach the file; lines from many
// connections stay whole; the binary reopens the file on SIGHUP and refuses
// to start on an audit log it cannot open.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "rapi/resource.h"
#include "rapi/router.h"
#include "support/process.h"
#include "support/rapid_server.h"
#include "support/test_data.h"

namespace rapid::testing {
namespace {

namespace fs = std::filesystem;

std::vector<Json> read_lines(const std::string& path) {
  std::vector<Json> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    auto json = parse_json(line);
    EXPECT_TRUE(json && json->is_object()) << "not a JSON object line: " << line;
    lines.push_back(json ? *json : Json());
  }
  return lines;
}

// The audited rows, stated apart from rapi::is_audited: opcode rows and
// write handlers, not the job wait (a read of a job's progress).
bool audited_row(const rapi::Resource& resource, const rapi::MethodDef& def) {
  return !def.opcode.empty() ||
         (def.access == rapi::Access::write && resource.id() != "jobs_id_wait");
}

std::string credentials_of(const Json& user) {
  if (user.is_null()) return {};
  static const std::map<std::string, std::string> passwords = {
      {"admin", "adminpass"}, {"reader", "readpass"}, {"plain", "plainpass"}};
  return user.get<std::string>() + ":" + passwords.at(user.get<std::string>());
}

const Json& write_cases() {
  static const Json cases = [] {
    auto data = parse_json(read_file((tests_dir() / "integration" / "data" / "write_cases.json")));
    return data ? (*data)["cases"] : Json::array();
  }();
  return cases;
}

// A path of `pattern` with every placeholder filled in.
std::string concrete_path(std::string_view pattern) {
  std::string path(pattern);
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"[name]", "inst1"}, {"[job_id]", "1"}, {"[disk_index]", "0"}}) {
    for (auto at = path.find(from); at != std::string::npos; at = path.find(from)) {
      path.replace(at, from.size(), to);
    }
  }
  return path;
}

class AuditLogTest : public ::testing::Test {
 protected:
  RapidServer& server(bool require_auth) {
    auto& slot = servers_[require_auth];
    if (!slot) {
      slot = std::make_unique<RapidServer>(
          RapidServerOptions{.require_authentication = require_auth, .audit_log = "audit.log"});
    }
    return *slot;
  }
  std::map<bool, std::unique_ptr<RapidServer>> servers_;
};

// Each recorded request to each row of the table: one line on an audited
// row, none on the others.
TEST_F(AuditLogTest, OneLinePerRequestToEveryWriteRow) {
  ASSERT_GE(write_cases().size(), 550u);
  const rapi::Router router(rapi::resources());
  std::set<std::pair<std::string_view, rapi::Method>> submitted_rows;
  int audited_rows = 0;
  for (const auto& resource : rapi::resources()) {
    for (const rapi::Method m : rapi::kMethods) {
      const rapi::MethodDef* def = resource.method(m);
      if (!def) continue;
      const bool audited = audited_row(resource, *def);
      audited_rows += audited;
      int cases_of_row = 0;
      for (const Json& spec : write_cases()) {
        const std::string target = spec["target"].get<std::string>();
        const auto route = router.match(std::string_view(target).substr(0, target.find('?')));
        if (!route || route->resource != &resource ||
            spec["method"].get<std::string>() != rapi::method_name(m)) {
          continue;
        }
        ++cases_of_row;
        SCOPED_TRACE("case " + spec["name"].get<std::string>() + ": " +
                     spec["method"].get<std::string>() + " " + target);
        RapidServer& rapid = server(spec.value("require_auth", false));
        const Json replies = spec["luxi_replies"];
        const Json failures = spec.value("luxi_failures", Json::object());
        rapid.luxi().on_request([replies, failures](const LuxiRequest& request) {
          if (auto failure = failures.find(request.method); failure != failures.end()) {
            return LuxiReply::failure(*failure);
          }
          auto it = replies.find(request.method);
          return LuxiReply::success(it == replies.end() ? Json() : *it);
        });
        const std::size_t before = read_lines(rapid.audit_log_file()).size();
        const std::string body = spec["body"].is_null() ? "" : spec["body"].get<std::string>();
        const auto response = rapid.request(spec["method"].get<std::string>(), target,
                                            credentials_of(spec["user"]), body);
        ASSERT_TRUE(response);
        ASSERT_EQ(response->status, spec["status"].get<int>());
        const auto lines = read_lines(rapid.audit_log_file());
        if (!audited) {
          EXPECT_EQ(lines.size(), before) << "a line for a request that writes nothing";
          continue;
        }
        ASSERT_EQ(lines.size(), before + 1) << "not exactly one line";
        const Json& line = lines.back();
        EXPECT_EQ(line["user"], spec["user"]);
        EXPECT_EQ(line["method"], spec["method"]);
        EXPECT_EQ(line["path"], target);
        EXPECT_EQ(line["status"], response->status);
        EXPECT_EQ(line["peer"].get<std::string>().rfind("127.0.0.1:", 0), 0u) << line["peer"];
        const bool sent = !spec["luxi"].empty();
        const bool declined = replies.contains("CancelJob") && replies["CancelJob"][0] == false;
        const std::string outcome =
            !sent ? "refused" : (response->status == 200 && !declined ? "submitted" : "failed");
        EXPECT_EQ(line["outcome"], outcome) << line.dump();
        EXPECT_EQ(line["error"].is_null(), outcome == "submitted") << line.dump();
        if (outcome != "submitted") continue;
        submitted_rows.insert({resource.id(), m});
        const Json answer = parse_json(response->body).value_or(Json());
        const std::string& call = spec["luxi"][0]["method"].get_ref<const std::string&>();
        if (call == "SubmitJob") {
          EXPECT_EQ(line["job_id"], answer);
          const Json& opcodes = spec["luxi"][0]["args"][0];
          ASSERT_EQ(line["opcodes"].size(), opcodes.size());
          for (std::size_t i = 0; i < opcodes.size(); ++i) {
            EXPECT_EQ(line["opcodes"][i]["OP_ID"], opcodes[i]["OP_ID"]);
          }
        } else if (call == "CancelJob") {
          EXPECT_EQ(line["job_id"], spec["luxi"][0]["args"][0]);
        } else {
          ASSERT_TRUE(call == "ReplaceFilter" || call == "DeleteFilter") << call;
          EXPECT_EQ(line["filter"],
                    call == "ReplaceFilter" ? answer : rapid.luxi().requests().back().args[0]);
        }
      }
      if (cases_of_row > 0 || audited) continue;
      // A read the cases do not cover: no line either.
      RapidServer& rapid = server(false);
      rapid.luxi().on_request([](const LuxiRequest&) { return LuxiReply::success(Json()); });
      const std::size_t before = read_lines(rapid.audit_log_file()).size();
      const auto response =
          rapid.request(std::string(rapi::method_name(m)), concrete_path(resource.pattern()),
                        "admin:adminpass", m == rapi::Method::get ? "" : "{}");
      ASSERT_TRUE(response) << resource.pattern();
      EXPECT_EQ(read_lines(rapid.audit_log_file()).size(), before)
          << rapi::method_name(m) << " " << resource.pattern() << " wrote an audit line";
    }
  }
  EXPECT_EQ(audited_rows, 53);
  EXPECT_EQ(submitted_rows.size(), 53u) << "a write row without a submitted case";
}

// The requests an operator cares most about being refused, on their own.
TEST_F(AuditLogTest, RefusedWritesAreLoggedWithTheirStatus) {
  RapidServer& rapid = server(false);
  ASSERT_EQ(status_of(rapid.request("DELETE", "/2/instances/web1")), 401);
  ASSERT_EQ(status_of(rapid.request("DELETE", "/2/instances/web1", "admin:wrong")), 401);
  ASSERT_EQ(status_of(rapid.request("DELETE", "/2/instances/web1", "reader:readpass")), 403);
  ASSERT_EQ(status_of(rapid.admin("PUT", "/2/instances/web1/modify", "{not json")), 400);
  ASSERT_EQ(status_of(rapid.request("PUT", "/2/instances/web1/modify", "admin:adminpass", "{}",
                                    "text/plain")),
            415);
  RapidServer& strict = server(true);
  ASSERT_EQ(status_of(strict.request("POST", "/2/filters")), 401);  // before routing
  ASSERT_EQ(status_of(strict.request("GET", "/2/info")), 401);      // a read: no line
  EXPECT_TRUE(rapid.luxi().requests().empty());

  const auto lines = read_lines(rapid.audit_log_file());
  ASSERT_EQ(lines.size(), 5u);
  const std::vector<std::pair<Json, int>> expected = {
      {nullptr, 401}, {nullptr, 401}, {"reader", 403}, {"admin", 400}, {"admin", 415}};
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i]["outcome"], "refused") << lines[i].dump();
    EXPECT_EQ(lines[i]["user"], expected[i].first) << lines[i].dump();
    EXPECT_EQ(lines[i]["status"], expected[i].second) << lines[i].dump();
    EXPECT_TRUE(lines[i]["error"].is_string()) << lines[i].dump();
  }
  EXPECT_EQ(lines[3]["error"], "Unable to parse JSON data");
  const auto strict_lines = read_lines(strict.audit_log_file());
  ASSERT_EQ(strict_lines.size(), 1u);
  EXPECT_EQ(strict_lines[0]["path"], "/2/filters");
  EXPECT_EQ(strict_lines[0]["status"], 401);
}

// Private parameters, passwords and the Authorization header never reach the
// file, in submitted, refused and failed writes alike; the keys do.
TEST_F(AuditLogTest, SecretsNeverAppear) {
  RapidServer& rapid = server(false);
  rapid.luxi().reply("SubmitJob", 77);
  const std::string secrets = R"("osparams_private": {"root_pw": "S3CRET-private-1"},)"
                              R"( "osparams_secret": {"api_token": "S3CRET-secret-2"})";
  const std::string create =
      R"({"__version__": 1, "mode": "create", "name": "inst9.example.com",
          "disk_template": "plain", "disks": [{"size": 1024}], "nics": [{}],
          "os_type": "debootstrap", "pnode": "node1.example.com", )" +
      secrets + "}";
  ASSERT_EQ(status_of(rapid.admin("POST", "/2/instances", create)), 200);
  ASSERT_EQ(status_of(rapid.admin("PUT", "/2/instances/web1/modify",
                                  R"({"osparams_private": {"root_pw": "S3CRET-modify-4"}})")),
            200);
  // Refused: an unknown parameter beside the secrets; and as a user who may not.
  ASSERT_EQ(
      status_of(rapid.admin("PUT", "/2/instances/web1/modify", "{\"bogus\": 1, " + secrets + "}")),
      400);
  ASSERT_EQ(status_of(rapid.request("POST", "/2/instances", "reader:readpass", create)), 403);
  ASSERT_EQ(status_of(rapid.admin("PUT", "/2/instances/web1/modify",
                                  R"({"osparams_secret": ["S3CRET-not-a-dict-3"]})")),
            400);
  // Failed: luxid refuses the job.
  rapid.luxi().on_request([](const LuxiRequest&) {
    return LuxiReply::failure(Json::array({"JobQueueFull", Json::array()}));
  });
  ASSERT_EQ(status_of(rapid.admin("POST", "/2/instances", create)), 503);

  const std::string text = read_file(rapid.audit_log_file());
  EXPECT_EQ(read_lines(rapid.audit_log_file()).size(), 6u);
  for (const std::string secret : {"S3CRET", "adminpass", "readpass", "Basic", "YWRtaW46",
                                   "cmVhZGVyOn", "Authorization", "debootstrap"}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in\n" << text;
  }
  const auto lines = read_lines(rapid.audit_log_file());
  EXPECT_EQ(lines[0]["opcodes"][0]["osparams_private"], Json::array({"root_pw"}));
  EXPECT_EQ(lines[0]["opcodes"][0]["osparams_secret"], Json::array({"api_token"}));
  EXPECT_EQ(lines[0]["opcodes"][0]["instance_name"], "inst9.example.com");
  EXPECT_EQ(lines[0]["opcodes"][0]["pnode"], "node1.example.com");
  EXPECT_EQ(lines[0]["job_id"], 77);
  EXPECT_EQ(lines[1]["opcodes"][0]["osparams_private"], Json::array({"root_pw"}));
  EXPECT_EQ(lines[5]["outcome"], "failed");
  EXPECT_EQ(lines[5]["status"], 503);
}

// Many connections on several io threads: every line whole, one per job.
TEST(AuditLogConcurrency, LinesFromManyConnectionsStayWhole) {
  RapidServer rapid(RapidServerOptions{.threads = 4, .audit_log = "audit.log"});
  std::atomic<int> next_job{1000};
  rapid.luxi().on_request(
      [&next_job](const LuxiRequest&) { return LuxiReply::success(next_job++); });
  constexpr int kClients = 8;
  constexpr int kRequests = 25;
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&rapid, &ok, c] {
      for (int i = 0; i < kRequests; ++i) {
        const std::string target = "/2/instances/inst" + std::to_string(c) + "-" +
                                   std::to_string(i) + "/startup?reason=" + std::string(200, 'r');
        if (status_of(rapid.admin("PUT", target)) == 200) ++ok;
      }
    });
  }
  for (auto& client : clients) client.join();
  ASSERT_EQ(ok.load(), kClients * kRequests);
  const auto lines = read_lines(rapid.audit_log_file());
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(kClients * kRequests));
  std::set<long long> jobs;
  std::set<std::string> names;
  for (const Json& line : lines) {
    ASSERT_TRUE(line.is_object());
    EXPECT_EQ(line["outcome"], "submitted");
    jobs.insert(line["job_id"].get<long long>());
    names.insert(line["opcodes"][0]["instance_name"].get<std::string>());
  }
  EXPECT_EQ(jobs.size(), lines.size());
  EXPECT_EQ(names.size(), lines.size());
}

// The binary: SIGHUP after logrotate's rename, and the start-up rules.
TEST(AuditLogProcess, SighupReopensAfterRename) {
  Sandbox box;
  box.luxi.reply("SubmitJob", 9001);
  RapidProcess rapid(box.dir, box.args());
  ASSERT_TRUE(rapid.wait_ready());
  const std::string audit = box.dir + "/audit.log";
  ASSERT_EQ(status_of(call(rapid, "PUT", "/2/instances/web1/startup", "admin:adminpass")), 200);
  fs::rename(audit, audit + ".1");
  rapid.signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return fs::exists(audit); }, std::chrono::seconds(5)));
  box.luxi.reply("SubmitJob", 9002);
  ASSERT_EQ(status_of(call(rapid, "PUT", "/2/instances/web1/shutdown", "admin:adminpass")), 200);
  const auto old_lines = read_lines(audit + ".1");
  const auto new_lines = read_lines(audit);
  ASSERT_EQ(old_lines.size(), 1u);
  ASSERT_EQ(new_lines.size(), 1u);
  EXPECT_EQ(old_lines[0]["job_id"], 9001);
  EXPECT_EQ(old_lines[0]["user"], "admin");
  EXPECT_EQ(new_lines[0]["job_id"], 9002);
  EXPECT_EQ(new_lines[0]["path"], "/2/instances/web1/shutdown");
  rapid.signal(SIGTERM);
  EXPECT_EQ(exit_code(rapid.wait_exit()), 0);
  EXPECT_EQ(rapid.log().find("ERROR"), std::string::npos) << rapid.log();
}

TEST(AuditLogProcess, StartUpOnAFileItCannotOpen) {
  Sandbox box;
  // Asked for: exit 1 with the reason.
  const auto refused = run_rapid(
      box.dir, box.direct_args({"--no-master-check", "--audit-log", box.dir + "/no/audit.log"}));
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.err.find("Cannot open audit log " + box.dir +
                             "/no/audit.log: No such file or directory"),
            std::string::npos)
      << refused.err;
  // --no-audit-log: no file at all.
  box.luxi.reply("SubmitJob", 5);
  RapidProcess rapid(box.dir, box.args({"--no-audit-log"}));
  ASSERT_TRUE(rapid.wait_ready());
  ASSERT_EQ(status_of(call(rapid, "PUT", "/2/instances/web1/startup", "admin:adminpass")), 200);
  EXPECT_FALSE(fs::exists(box.dir + "/audit.log"));
}

}  // namespace
}  // namespace rapid::testing
