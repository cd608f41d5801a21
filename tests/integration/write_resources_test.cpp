// Every write resource (and every GET that submits a job), request by
// request, against what the original ganeti-rapi 3.0.2 does:
//
// * data/write_cases.json: ~600 requests with the status, the body and the
//   exact LUXI calls (SubmitJob opcodes with all parameters, CancelJob,
//   ReplaceFilter, DeleteFilter) recorded from the real Ganeti 3.0.2 Python
//   code by data/gen_write_cases.py (run once; these tests never need
//   Python);
// * data/write_captures.json: the write requests of the sandbox captures
//   (062, 063, 070-091, 093, 094, 096; a real cluster), with the messages the
//   real ganeti-rapi sent to luxid.
//
// Opcodes are compared as JSON values (object key order ignored, number
// types strict); reason-trail timestamps must be integer nanoseconds taken
// while the request was in flight and are then compared as 0. Error cases
// must not send anything to LUXI.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "rapi/resource.h"
#include "rapi/router.h"
#include "support/ganeti_errors.h"
#include "support/rapid_server.h"
#include "support/test_data.h"

namespace rapid::testing {
namespace {

const std::filesystem::path kDataDir = tests_dir() / "integration" / "data";

struct WriteCase {
  std::string name;
  Json spec;
};

Json load_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = parse_json(text.str());
  if (!parsed) throw std::runtime_error("cannot parse " + path.string());
  return *parsed;
}

std::string& load_errors() {
  static std::string errors;
  return errors;
}

std::vector<WriteCase> load_cases(const char* file) {
  std::vector<WriteCase> cases;
  try {
    const Json data = load_json(kDataDir / file);
    for (const auto& spec : data.at("cases")) {
      cases.push_back({spec["name"].get<std::string>(), spec});
    }
  } catch (const std::exception& error) {
    // Reported by WriteCaseData.Loaded (never a silent skip).
    load_errors() += std::string(error.what()) + "\n";
  }
  return cases;
}

const std::vector<WriteCase>& generated_cases() {
  static const std::vector<WriteCase> cases = load_cases("write_cases.json");
  return cases;
}

const std::vector<WriteCase>& capture_cases() {
  static const std::vector<WriteCase> cases = load_cases("write_captures.json");
  return cases;
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool is_integer(const Json& v) { return v.is_number_integer() || v.is_number_unsigned(); }

// The first difference between two JSON values ("" when equal): objects as
// unordered maps, integers and floats never equal to each other.
std::string json_difference(const Json& expected, const Json& actual, const std::string& where) {
  const auto mismatch = [&] {
    return where + ": expected " + expected.dump() + ", got " + actual.dump();
  };
  if (is_integer(expected) && is_integer(actual)) {
    if (expected.is_number_unsigned() || actual.is_number_unsigned()) {
      const bool negative_e = expected.is_number_integer() && expected.get<std::int64_t>() < 0;
      const bool negative_a = actual.is_number_integer() && actual.get<std::int64_t>() < 0;
      if (negative_e != negative_a) return mismatch();
      if (negative_e)
        return expected.get<std::int64_t>() == actual.get<std::int64_t>() ? "" : mismatch();
      return expected.get<std::uint64_t>() == actual.get<std::uint64_t>() ? "" : mismatch();
    }
    return expected.get<std::int64_t>() == actual.get<std::int64_t>() ? "" : mismatch();
  }
  if (expected.type() != actual.type()) return mismatch();
  if (expected.is_object()) {
    for (const auto& [key, value] : expected.items()) {
      if (!actual.contains(key))
        return where + ": missing key \"" + key + "\" (expected " + value.dump() + ")";
    }
    for (const auto& [key, value] : actual.items()) {
      if (!expected.contains(key))
        return where + ": unexpected key \"" + key + "\" = " + value.dump();
      auto diff = json_difference(expected[key], value, where + "." + key);
      if (!diff.empty()) return diff;
    }
    return "";
  }
  if (expected.is_array()) {
    if (expected.size() != actual.size()) return mismatch();
    for (std::size_t i = 0; i < expected.size(); ++i) {
      auto diff = json_difference(expected[i], actual[i], where + "[" + std::to_string(i) + "]");
      if (!diff.empty()) return diff;
    }
    return "";
  }
  return expected == actual ? "" : mismatch();
}

// Checks every reason-trail entry of the submitted opcodes (["source",
// "text", <integer ns between `before` and `after`>], non-decreasing) and
// sets its timestamp to 0, as in the recorded expectations.
void normalize_reason_timestamps(Json& args, std::int64_t before, std::int64_t after) {
  ASSERT_TRUE(args.is_array() && args.size() == 1 && args[0].is_array()) << args.dump();
  for (auto& op : args[0]) {
    ASSERT_TRUE(op.is_object()) << op.dump();
    auto reason = op.find("reason");
    if (reason == op.end() || !reason->is_array()) continue;
    std::int64_t previous = 0;
    for (auto& entry : *reason) {
      ASSERT_TRUE(entry.is_array() && entry.size() == 3) << entry.dump();
      ASSERT_TRUE(entry[0].is_string() && entry[1].is_string()) << entry.dump();
      ASSERT_TRUE(entry[2].is_number_integer() || entry[2].is_number_unsigned()) << entry.dump();
      const auto ns = entry[2].get<std::int64_t>();
      EXPECT_GE(ns, before) << entry.dump();
      EXPECT_LE(ns, after) << entry.dump();
      EXPECT_GE(ns, previous) << "reason timestamps must not go backwards: " << reason->dump();
      previous = ns;
      entry[2] = 0;
    }
  }
}

std::string credentials_of(const Json& user) {
  if (user.is_null()) return {};
  static const std::map<std::string, std::string> passwords = {
      {"admin", "adminpass"}, {"reader", "readpass"}, {"plain", "plainpass"}};
  const auto name = user.get<std::string>();
  return name + ":" + passwords.at(name);
}

std::string test_name(std::string name) {
  for (auto& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

// The cases of one resource and method (one test each, so that ctest's
// process per test stays cheap), in file order.
struct CaseGroup {
  std::string name;
  std::vector<const WriteCase*> cases;
};

void PrintTo(const CaseGroup& group, std::ostream* out) {
  *out << group.name << " (" << group.cases.size() << " cases)";
}

std::vector<CaseGroup> group_by_resource(const std::vector<WriteCase>& cases) {
  const rapi::Router router(rapi::resources());
  std::vector<CaseGroup> groups;
  for (const auto& c : cases) {
    const auto target = c.spec["target"].get<std::string>();
    const auto route = router.match(std::string_view(target).substr(0, target.find('?')));
    const std::string name =
        (route ? std::string(route->resource->id()) : std::string("unrouted")) + "_" +
        c.spec["method"].get<std::string>();
    auto it =
        std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.name == name; });
    if (it == groups.end()) it = groups.insert(groups.end(), CaseGroup{name, {}});
    it->cases.push_back(&c);
  }
  return groups;
}

// One rapid per authentication mode, shared by all cases (requests are
// sequential; each case scripts the peer and clears its record).
class WriteResources : public ::testing::TestWithParam<CaseGroup> {
 public:
  static void TearDownTestSuite() { servers().clear(); }

 protected:
  static std::map<bool, std::unique_ptr<RapidServer>>& servers() {
    static std::map<bool, std::unique_ptr<RapidServer>> instances;
    return instances;
  }
  static RapidServer& server(bool require_auth) {
    auto& slot = servers()[require_auth];
    if (!slot)
      slot =
          std::make_unique<RapidServer>(RapidServerOptions{.require_authentication = require_auth});
    return *slot;
  }

  void run_case(const Json& spec) {
    RapidServer& rapid = server(spec.value("require_auth", false));
    const Json replies = spec["luxi_replies"];
    const Json failures = spec.value("luxi_failures", Json::object());
    rapid.luxi().clear_requests();
    rapid.luxi().on_request([replies, failures](const LuxiRequest& request) {
      if (auto failure = failures.find(request.method); failure != failures.end()) {
        return LuxiReply::failure(*failure);
      }
      auto it = replies.find(request.method);
      return LuxiReply::success(it == replies.end() ? Json() : *it);
    });

    const std::string body =
        spec["body"].is_null() ? std::string() : spec["body"].get<std::string>();
    const std::int64_t before = now_ns();
    auto response =
        rapid.request(spec["method"].get<std::string>(), spec["target"].get<std::string>(),
                      credentials_of(spec["user"]), body);
    const std::int64_t after = now_ns();
    ASSERT_TRUE(response) << "no response";
    EXPECT_EQ(response->status, spec["status"].get<int>());
    EXPECT_EQ(response->body, spec["response"].get<std::string>());

    const auto requests = rapid.luxi().requests();
    const Json& expected = spec["luxi"];
    if (expected.empty()) {
      EXPECT_TRUE(requests.empty())
          << "nothing may reach LUXI; first call: " << requests.front().method << " "
          << requests.front().args.dump();
      return;
    }
    ASSERT_EQ(requests.size(), expected.size());
    for (std::size_t i = 0; i < requests.size(); ++i) {
      const Json& call = expected[i];
      EXPECT_EQ(requests[i].method, call["method"].get<std::string>());
      Json args = requests[i].args;
      if (requests[i].method == "SubmitJob") {
        normalize_reason_timestamps(args, before, after);
        if (HasFatalFailure()) return;
      }
      const std::string diff = json_difference(call["args"], args, requests[i].method);
      EXPECT_TRUE(diff.empty()) << diff << "\n  expected: " << call["args"].dump()
                                << "\n  sent:     " << args.dump();
    }
  }
};

TEST_P(WriteResources, AsTheOriginal) {
  for (const WriteCase* c : GetParam().cases) {
    SCOPED_TRACE("case " + c->name + ": " + c->spec["method"].get<std::string>() + " " +
                 c->spec["target"].get<std::string>() + " body " + c->spec["body"].dump());
    run_case(c->spec);
  }
}

INSTANTIATE_TEST_SUITE_P(Generated, WriteResources,
                         ::testing::ValuesIn(group_by_resource(generated_cases())),
                         [](const auto& info) { return test_name(info.param.name); });

using WriteCaptures = WriteResources;
TEST_P(WriteCaptures, AsTheRealCluster) {
  for (const WriteCase* c : GetParam().cases) {
    SCOPED_TRACE("capture " + c->name);
    run_case(c->spec);
  }
}

INSTANTIATE_TEST_SUITE_P(Sandbox, WriteCaptures,
                         ::testing::Values(CaseGroup{"captures",
                                                     [] {
                                                       std::vector<const WriteCase*> all;
                                                       for (const auto& c : capture_cases())
                                                         all.push_back(&c);
                                                       return all;
                                                     }()}),
                         [](const auto& info) { return test_name(info.param.name); });

// The data files are there, complete, and cover every write resource.
TEST(WriteCaseData, Loaded) {
  EXPECT_GE(generated_cases().size(), 550u)
      << "tests/integration/data/write_cases.json missing or short";
  EXPECT_EQ(load_errors(), "");
  std::set<std::string> captured;
  for (const auto& c : capture_cases()) captured.insert(c.name.substr(0, 3));
  const std::set<std::string> expected = {"062", "063", "070", "071", "072", "073", "074",
                                          "076", "077", "079", "080", "081", "082", "085",
                                          "087", "088", "089", "091", "093", "094", "096"};
  EXPECT_EQ(captured, expected);
}

TEST(WriteCaseData, EveryWriteMethodHasASuccessfulCase) {
  const rapi::Router router(rapi::resources());
  const std::map<std::string, rapi::Method> methods = {{"GET", rapi::Method::get},
                                                       {"PUT", rapi::Method::put},
                                                       {"POST", rapi::Method::post},
                                                       {"DELETE", rapi::Method::del}};
  std::set<std::pair<std::string_view, rapi::Method>> covered;
  for (const auto& c : generated_cases()) {
    if (c.spec["status"] != 200 || c.spec["luxi"].empty()) continue;
    const auto target = c.spec["target"].get<std::string>();
    auto route = router.match(std::string_view(target).substr(0, target.find('?')));
    ASSERT_TRUE(route) << c.name;
    covered.insert({route->resource->id(), methods.at(c.spec["method"].get<std::string>())});
  }
  int write_methods = 0;
  for (const auto& resource : rapi::resources()) {
    for (auto method : rapi::kMethods) {
      const auto* def = resource.method(method);
      if (!def) continue;
      // Everything that needs write access or submits a job, except the job
      // wait (a read of a job's progress, tested elsewhere).
      const bool writes = !def->opcode.empty() || def->access == rapi::Access::write;
      if (!writes || resource.id() == "jobs_id_wait") continue;
      ++write_methods;
      EXPECT_TRUE(covered.contains({resource.id(), method}))
          << resource.pattern() << " method " << static_cast<int>(method)
          << " has no successful case";
    }
  }
  EXPECT_EQ(write_methods, 53);
}

// The two reason-trail entries, read directly (the table compares them
// after checking the timestamps).
TEST(WriteResourcesReason, UserEntryFirstThenLibraryEntry) {
  RapidServer rapid;
  rapid.luxi().reply("SubmitJob", 46);
  const std::int64_t before = now_ns();
  auto response = rapid.admin("PUT", "/2/instances/i1/startup?reason=Hello%20there");
  const std::int64_t after = now_ns();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "46\n");
  auto requests = rapid.luxi().requests("SubmitJob");
  ASSERT_EQ(requests.size(), 1u);
  const Json& reason = requests[0].args[0][0]["reason"];
  ASSERT_EQ(reason.size(), 2u) << reason.dump();
  EXPECT_EQ(reason[0][0], "gnt:user");
  EXPECT_EQ(reason[0][1], "Hello there");
  EXPECT_EQ(reason[1][0], "gnt:library:rlib2:instances_name_startup");
  EXPECT_EQ(reason[1][1], "");
  for (const auto& entry : reason) {
    ASSERT_TRUE(entry[2].is_number_integer()) << entry.dump();
    EXPECT_GE(entry[2].get<std::int64_t>(), before);
    EXPECT_LE(entry[2].get<std::int64_t>(), after);
  }
  // The raw message carries the timestamps as plain integers (no exponent).
  EXPECT_EQ(requests[0].raw.find("e+"), std::string::npos) << requests[0].raw;
}

// docs/compatibility.md: integers beyond 64 bits become floats (the
// original keeps Python's big integers and accepts this timeout).
TEST(WriteResourcesDeviation, IntegerBeyond64BitsFailsValidation) {
  RapidServer rapid;
  auto response = rapid.admin("PUT", "/2/instances/i1/shutdown",
                              R"({"timeout": 123456789012345678901234567890})");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(response->body,
            ganeti_error_body(400,
                              "Invalid body parameters: (&quot;Parameter "
                              "&#x27;OP_INSTANCE_SHUTDOWN.timeout&#x27; fails validation&quot;, "
                              "&#x27;wrong_input&#x27;)"));
  EXPECT_TRUE(rapid.luxi().requests().empty());
}

}  // namespace
}  // namespace rapid::testing
