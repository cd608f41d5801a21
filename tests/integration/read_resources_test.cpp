// The read resources, beyond what the recordings of the real daemon show
// (captures_test.cpp): each behaviour with its exact HTTP answer and the exact
// LUXI calls, as rlib2/baserlib of Ganeti 3.0.2 produce them
// (lib/rapi/rlib2.py, doc/rapi.rst, test/py/ganeti.rapi.rlib2_unittest.py, and
// behaviour observed on the real daemon).
#include <gtest/gtest.h>

#include <atomic>
#include <memory>

#include "support/ganeti_errors.h"
#include "support/rapid_server.h"
#include "util/json.h"

namespace rapid::testing {
namespace {

const std::vector<std::string> kInstanceFields = {"name",
                                                  "admin_state",
                                                  "os",
                                                  "pnode",
                                                  "snodes",
                                                  "disk_template",
                                                  "nic.ips",
                                                  "nic.macs",
                                                  "nic.modes",
                                                  "nic.uuids",
                                                  "nic.names",
                                                  "nic.links",
                                                  "nic.networks",
                                                  "nic.networks.names",
                                                  "nic.bridges",
                                                  "network_port",
                                                  "disk.sizes",
                                                  "disk.spindles",
                                                  "disk_usage",
                                                  "disk.uuids",
                                                  "disk.names",
                                                  "beparams",
                                                  "hvparams",
                                                  "oper_state",
                                                  "oper_ram",
                                                  "oper_vcpus",
                                                  "status",
                                                  "custom_hvparams",
                                                  "custom_beparams",
                                                  "custom_nicparams",
                                                  "ctime",
                                                  "mtime",
                                                  "uuid",
                                                  "serial_no",
                                                  "tags"};
const std::vector<std::string> kNodeFields = {"name",       "offline",        "master_candidate",
                                              "drained",    "dtotal",         "dfree",
                                              "sptotal",    "spfree",         "mtotal",
                                              "mnode",      "mfree",          "pinst_cnt",
                                              "sinst_cnt",  "ctotal",         "cnos",
                                              "cnodes",     "csockets",       "pip",
                                              "sip",        "role",           "pinst_list",
                                              "sinst_list", "master_capable", "vm_capable",
                                              "ndparams",   "group.uuid",     "ctime",
                                              "mtime",      "uuid",           "serial_no",
                                              "tags"};
const std::vector<std::string> kGroupFields = {"alloc_policy", "name",
                                               "node_cnt",     "node_list",
                                               "ipolicy",      "custom_ipolicy",
                                               "diskparams",   "custom_diskparams",
                                               "ndparams",     "custom_ndparams",
                                               "ctime",        "mtime",
                                               "uuid",         "serial_no",
                                               "tags"};
const std::vector<std::string> kNetworkFields = {
    "name",       "network",        "gateway", "network6",   "gateway6",  "mac_prefix",
    "free_count", "reserved_count", "map",     "group_list", "inst_list", "external_reservations",
    "ctime",      "mtime",          "uuid",    "serial_no",  "tags"};
const std::vector<std::string> kJobFieldsBulk = {"id",       "ops",         "status",   "summary",
                                                 "opstatus", "received_ts", "start_ts", "end_ts"};
const std::vector<std::string> kJobFields = {"id",       "ops",         "status",   "summary",
                                             "opstatus", "received_ts", "start_ts", "end_ts",
                                             "oplog",    "opresult"};
const std::vector<std::string> kFilterFields = {"watermark", "priority",     "predicates",
                                                "action",    "reason_trail", "uuid"};

std::string ok_body(const Json& value) { return dump_python(value) + "\n"; }

Json strings(const std::vector<std::string>& items) {
  Json list = Json::array();
  for (const auto& item : items) list.push_back(item);
  return list;
}

// A row with a distinct value per field ("<field>:<tag>"), with overrides.
Json row_for(const std::vector<std::string>& fields, const std::string& tag,
             const Json& overrides = Json::object()) {
  Json row = Json::array();
  for (const auto& field : fields) {
    row.push_back(overrides.contains(field) ? overrides[field] : Json(field + ":" + tag));
  }
  return row;
}

Json object_for(const std::vector<std::string>& fields, const Json& row) {
  Json object = Json::object();
  for (std::size_t i = 0; i < fields.size(); ++i) object[fields[i]] = row[i];
  return object;
}

Json parse(const std::string& text) {
  auto parsed = parse_json(text);
  if (!parsed) throw std::runtime_error("bad JSON in test: " + text);
  return *parsed;
}

class ReadResources : public ::testing::Test {
 protected:
  RapidServer rapid{RapidServerOptions{.luxi_timeout = std::chrono::milliseconds(2000)}};

  FakeLuxi& luxi() { return rapid.luxi(); }

  // Answers every call with `reply` regardless of the method.
  void answer(LuxiReply reply) {
    luxi().on_request([reply](const LuxiRequest&) { return reply; });
  }
  void answer_success(const Json& result) { answer(LuxiReply::success(result)); }
  void answer_failure(const Json& result) { answer(LuxiReply::failure(result)); }

  // Replies in order, one per call; calls beyond the script fail the test.
  void answer_in_order(std::vector<LuxiReply> replies) {
    auto next = std::make_shared<std::atomic<std::size_t>>(0);
    luxi().on_request([replies = std::move(replies), next](const LuxiRequest& request) {
      const std::size_t index = (*next)++;
      if (index < replies.size()) return replies[index];
      ADD_FAILURE() << "unexpected LUXI call " << request.raw;
      return LuxiReply::failure("unexpected call");
    });
  }

  HttpResponse get(const std::string& target, const std::string& body = {}) {
    auto response = rapid.admin("GET", target, body);
    if (!response) throw std::runtime_error("no response for " + target);
    return *response;
  }

  // Exactly one LUXI call, with this method and these arguments (JSON text,
  // compared in Python's serialisation: key order and number types count).
  void expect_single_call(const std::string& method, const std::string& args) {
    const auto calls = luxi().requests();
    ASSERT_EQ(calls.size(), 1u);
    expect_call(calls[0], method, args);
  }
  void expect_call(const LuxiRequest& call, const std::string& method, const std::string& args) {
    EXPECT_EQ(call.method, method);
    EXPECT_EQ(dump_python(call.args), dump_python(parse(args)));
  }
  void expect_no_call() { EXPECT_TRUE(luxi().requests().empty()); }
};

const std::string kSyncQueries =
    "(&#x27;Sync queries are not allowed&#x27;, &#x27;wrong_input&#x27;)";

Json sync_queries_error() {
  return parse(R"(["OpPrereqError", ["Sync queries are not allowed", "wrong_input"]])");
}

// --- bulk=1 --------------------------------------------------------------------

TEST_F(ReadResources, InstancesBulkMapsFieldsAndAddsMemoryLast) {
  Json zeta_overrides = Json::object();
  zeta_overrides["beparams"] = parse(R"({"maxmem": 512, "minmem": 256, "vcpus": 2})");
  Json alpha_overrides = Json::object();
  alpha_overrides["beparams"] = parse(R"({"vcpus": 1, "maxmem": 128, "memory": 1})");
  const Json zeta = row_for(kInstanceFields, "zeta", zeta_overrides);
  const Json alpha = row_for(kInstanceFields, "alpha", alpha_overrides);
  Json rows = Json::array();
  rows.push_back(zeta);  // luxid's order is kept (no sorting with bulk=1)
  rows.push_back(alpha);
  answer_success(rows);

  auto response = get("/2/instances?bulk=1");
  EXPECT_EQ(response.status, 200);
  Json expected = Json::array();
  expected.push_back(object_for(kInstanceFields, zeta));
  expected.push_back(object_for(kInstanceFields, alpha));
  expected[0]["beparams"] = parse(R"({"maxmem": 512, "minmem": 256, "vcpus": 2, "memory": 512})");
  expected[1]["beparams"] = parse(R"({"vcpus": 1, "maxmem": 128, "memory": 128})");
  EXPECT_EQ(response.body, ok_body(expected));
  Json args = Json::array({Json::array(), strings(kInstanceFields), false});
  expect_single_call("QueryInstances", args.dump());
}

TEST_F(ReadResources, InstanceBeparamsWithoutMaxmemIs500) {
  Json overrides = Json::object();
  overrides["beparams"] = parse(R"({"minmem": 128})");
  answer_success(Json::array({row_for(kInstanceFields, "a", overrides)}));
  auto response = get("/2/instances?bulk=1");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body, ganeti_error_body(500, "&#x27;maxmem&#x27;"));

  // The single-instance GET applies the same fix.
  response = get("/2/instances/a");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body, ganeti_error_body(500, "&#x27;maxmem&#x27;"));

  overrides["beparams"] = nullptr;
  answer_success(Json::array({row_for(kInstanceFields, "a", overrides)}));
  response = get("/2/instances/a");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body,
            ganeti_error_body(500, "&#x27;NoneType&#x27; object is not subscriptable"));
}

TEST_F(ReadResources, NodesBulk) {
  const Json row = row_for(kNodeFields, "n2");
  answer_success(Json::array({row}));
  // lock is ignored by the node list (always false).
  auto response = get("/2/nodes?bulk=1&lock=1");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, ok_body(Json::array({object_for(kNodeFields, row)})));
  expect_single_call("QueryNodes",
                     Json::array({Json::array(), strings(kNodeFields), false}).dump());
}

TEST_F(ReadResources, GroupsBulk) {
  const Json b = row_for(kGroupFields, "b");
  const Json a = row_for(kGroupFields, "a");
  answer_success(Json::array({b, a}));
  auto response = get("/2/groups?bulk=1&lock=1");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body,
            ok_body(Json::array({object_for(kGroupFields, b), object_for(kGroupFields, a)})));
  expect_single_call("QueryGroups",
                     Json::array({Json::array(), strings(kGroupFields), false}).dump());
}

TEST_F(ReadResources, NetworksBulk) {
  const Json row = row_for(kNetworkFields, "net1");
  answer_success(Json::array({row}));
  auto response = get("/2/networks?bulk=1&lock=1");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, ok_body(Json::array({object_for(kNetworkFields, row)})));
  expect_single_call("QueryNetworks",
                     Json::array({Json::array(), strings(kNetworkFields), false}).dump());
}

TEST_F(ReadResources, JobsBulkKeepsLuxidOrder) {
  const Json ten = row_for(kJobFieldsBulk, "10", parse(R"({"id": 10})"));
  const Json nine = row_for(kJobFieldsBulk, "9", parse(R"({"id": 9})"));
  answer_success(Json::array({ten, nine}));
  auto response = get("/2/jobs?bulk=1");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(
      response.body,
      ok_body(Json::array({object_for(kJobFieldsBulk, ten), object_for(kJobFieldsBulk, nine)})));
  expect_single_call("QueryJobs", Json::array({nullptr, strings(kJobFieldsBulk)}).dump());
}

TEST_F(ReadResources, FiltersBulk) {
  const Json row = row_for(kFilterFields, "f");
  answer_success(Json::array({row}));
  auto response = get("/2/filters?bulk=1");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, ok_body(Json::array({object_for(kFilterFields, row)})));
  expect_single_call("QueryFilters", Json::array({nullptr, strings(kFilterFields)}).dump());
}

TEST_F(ReadResources, BulkRowOfWrongLengthIs500) {
  answer_success(parse(R"([["a", "b"]])"));
  auto response = get("/2/groups?bulk=1");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body, ganeti_error_body(500, "Names and data must have the same length"));
}

TEST_F(ReadResources, InvalidBulkValueIs400WithoutLuxi) {
  for (const std::string path :
       {"/2/instances", "/2/nodes", "/2/groups", "/2/networks", "/2/jobs", "/2/filters"}) {
    SCOPED_TRACE(path);
    for (const std::string value : {"abc", "1.0", "true", "0x1"}) {
      auto response = get(path + "?bulk=" + value);
      EXPECT_EQ(response.status, 400);
      EXPECT_EQ(response.body,
                ganeti_error_body(400, "Invalid value for the &#x27;bulk&#x27; parameter"));
    }
  }
  expect_no_call();
}

// --- lists: sorting ----------------------------------------------------------------

TEST_F(ReadResources, ListsSortByPlainStringComparison) {
  const Json names = parse(R"([["b"], ["inst10"], ["B"], ["\u00e9"], ["a"], ["inst9"], ["A"]])");
  const std::vector<std::string> sorted = {"A", "B", "a", "b", "inst10", "inst9", "\xc3\xa9"};
  struct Case {
    std::string path, method, key;
  };
  const Case cases[] = {{"/2/instances", "QueryInstances", "id"},
                        {"/2/nodes", "QueryNodes", "id"},
                        {"/2/groups", "QueryGroups", "name"},
                        {"/2/networks", "QueryNetworks", "name"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.path);
    luxi().clear_requests();
    answer_success(names);
    auto response = get(c.path);
    EXPECT_EQ(response.status, 200);
    Json expected = Json::array();
    for (const auto& name : sorted) {
      Json entry = Json::object();
      entry[c.key] = name;
      entry["uri"] = c.path + "/" + name;
      expected.push_back(entry);
    }
    EXPECT_EQ(response.body, ok_body(expected));
    expect_single_call(c.method, R"([[], ["name"], false])");
  }
}

TEST_F(ReadResources, FilterListUsesUuidKey) {
  answer_success(parse(R"([["c1"], ["A2"], ["b3"]])"));
  auto response = get("/2/filters");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body,
            "[{\"uuid\": \"A2\", \"uri\": \"/2/filters/A2\"}, {\"uuid\": \"b3\", \"uri\": "
            "\"/2/filters/b3\"}, {\"uuid\": \"c1\", \"uri\": \"/2/filters/c1\"}]\n");
  expect_single_call("QueryFilters", R"([null, ["uuid"]])");
}

TEST_F(ReadResources, JobListSortsNumerically) {
  answer_success(parse("[[10], [9], [100], [1]]"));
  auto response = get("/2/jobs");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body,
            "[{\"id\": 1, \"uri\": \"/2/jobs/1\"}, {\"id\": 9, \"uri\": \"/2/jobs/9\"}, "
            "{\"id\": 10, \"uri\": \"/2/jobs/10\"}, {\"id\": 100, \"uri\": \"/2/jobs/100\"}]\n");
  expect_single_call("QueryJobs", R"([null, ["id"]])");
}

// --- lock=1 ----------------------------------------------------------------------

TEST_F(ReadResources, LockIsPassedToLuxidWhichRejectsIt) {
  struct Case {
    std::string path, method, args;
  };
  const Json instance_fields = strings(kInstanceFields);
  const Case cases[] = {
      {"/2/instances?lock=1", "QueryInstances", R"([[], ["name"], true])"},
      {"/2/instances?bulk=1&lock=1", "QueryInstances",
       Json::array({Json::array(), instance_fields, true}).dump()},
      {"/2/instances/inst1?lock=1", "QueryInstances",
       Json::array({Json::array({"inst1"}), instance_fields, true}).dump()},
      {"/2/nodes/node1?lock=1", "QueryNodes",
       Json::array({Json::array({"node1"}), strings(kNodeFields), true}).dump()},
      {"/2/nodes/node1/role?lock=1", "QueryNodes", R"([["node1"], ["role"], true])"},
      {"/2/groups/g1?lock=1", "QueryGroups",
       Json::array({Json::array({"g1"}), strings(kGroupFields), true}).dump()},
      {"/2/networks/n1?lock=1", "QueryNetworks",
       Json::array({Json::array({"n1"}), strings(kNetworkFields), true}).dump()},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.path);
    luxi().clear_requests();
    answer_failure(sync_queries_error());
    auto response = get(c.path);
    EXPECT_EQ(response.status, 500);
    EXPECT_EQ(response.body, ganeti_error_body(500, kSyncQueries));
    expect_single_call(c.method, c.args);
  }
}

TEST_F(ReadResources, InvalidLockValueIs400) {
  for (const std::string path : {"/2/instances", "/2/instances/x", "/2/nodes/x", "/2/nodes/x/role",
                                 "/2/groups/x", "/2/networks/x"}) {
    auto response = get(path + "?lock=yes");
    EXPECT_EQ(response.status, 400) << path;
    EXPECT_EQ(response.body,
              ganeti_error_body(400, "Invalid value for the &#x27;lock&#x27; parameter"))
        << path;
  }
  expect_no_call();
  // The node, group and network lists never read it.
  answer_success(Json::array());
  for (const std::string path : {"/2/nodes", "/2/groups", "/2/networks"}) {
    EXPECT_EQ(get(path + "?lock=yes").status, 200) << path;
  }
}

// --- single items ----------------------------------------------------------------

struct ItemCase {
  std::string path, method, args;
};

std::vector<ItemCase> item_cases() {
  return {
      {"/2/instances/inst1", "QueryInstances",
       Json::array({Json::array({"inst1"}), strings(kInstanceFields), false}).dump()},
      {"/2/nodes/node1", "QueryNodes",
       Json::array({Json::array({"node1"}), strings(kNodeFields), false}).dump()},
      {"/2/groups/default", "QueryGroups",
       Json::array({Json::array({"default"}), strings(kGroupFields), false}).dump()},
      {"/2/networks/net1", "QueryNetworks",
       Json::array({Json::array({"net1"}), strings(kNetworkFields), false}).dump()},
      {"/2/filters/0a1b-c", "QueryFilters",
       Json::array({Json::array({"0a1b-c"}), strings(kFilterFields)}).dump()},
  };
}

TEST_F(ReadResources, ItemEmptyResultIs404) {
  for (const auto& c : item_cases()) {
    SCOPED_TRACE(c.path);
    luxi().clear_requests();
    answer_success(Json::array());
    auto response = get(c.path);
    EXPECT_EQ(response.status, 404);
    EXPECT_EQ(response.body, ganeti_error_body(404, "Not Found"));
    expect_single_call(c.method, c.args);
  }
}

TEST_F(ReadResources, ItemUnknownEntityIs404) {
  for (const auto& c : item_cases()) {
    SCOPED_TRACE(c.path);
    answer_failure(parse(R"(["OpPrereqError", ["Instance 'inst1' not known", "unknown_entity"]])"));
    auto response = get(c.path);
    EXPECT_EQ(response.status, 404);
    EXPECT_EQ(response.body, ganeti_error_body(404, "Not Found"));
  }
}

TEST_F(ReadResources, ItemOtherErrorsAre500) {
  for (const auto& c : item_cases()) {
    SCOPED_TRACE(c.path);
    answer_failure(
        parse(R"(["OpPrereqError", ["Unknown output fields selected: x", "wrong_input"]])"));
    auto response = get(c.path);
    EXPECT_EQ(response.status, 500);
    EXPECT_EQ(response.body,
              ganeti_error_body(
                  500, "(&#x27;Unknown output fields selected: x&#x27;, &#x27;wrong_input&#x27;)"));

    // OpPrereqError with one argument, other classes.
    answer_failure(parse(R"(["OpPrereqError", ["unknown_entity"]])"));
    response = get(c.path);
    EXPECT_EQ(response.status, 500);
    EXPECT_EQ(response.body, ganeti_error_body(500, "unknown_entity"));
    answer_failure(
        parse(R"(["ConfigurationError", ["I do not have access to a valid configuration"]])"));
    response = get(c.path);
    EXPECT_EQ(response.status, 500);
    EXPECT_EQ(response.body,
              ganeti_error_body(500, "I do not have access to a valid configuration"));
  }
}

TEST_F(ReadResources, NodeAddsSecondaryIpAlias) {
  Json overrides = Json::object();
  overrides["sip"] = "192.0.2.2";
  const Json row = row_for(kNodeFields, "node1", overrides);
  answer_success(Json::array({row}));
  auto response = get("/2/nodes/node1");
  EXPECT_EQ(response.status, 200);
  Json expected = object_for(kNodeFields, row);
  expected["secondary_ip"] = "192.0.2.2";
  EXPECT_EQ(response.body, ok_body(expected));
}

TEST_F(ReadResources, GroupAndNetworkObjects) {
  const Json group = row_for(kGroupFields, "g");
  answer_success(Json::array({group}));
  auto response = get("/2/groups/g");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, ok_body(object_for(kGroupFields, group)));

  const Json network = row_for(kNetworkFields, "n");
  answer_success(Json::array({network}));
  response = get("/2/networks/n");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, ok_body(object_for(kNetworkFields, network)));

  const Json filter = row_for(kFilterFields, "f");
  answer_success(Json::array({filter}));
  response = get("/2/filters/f");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, ok_body(object_for(kFilterFields, filter)));
}

// --- node role -------------------------------------------------------------------

TEST_F(ReadResources, NodeRoleMapsEveryLetter) {
  const std::pair<const char*, const char*> roles[] = {{"M", "master"},
                                                       {"C", "master-candidate"},
                                                       {"D", "drained"},
                                                       {"O", "offline"},
                                                       {"R", "regular"}};
  for (const auto& [letter, word] : roles) {
    luxi().clear_requests();
    answer_success(Json::array({Json::array({letter})}));
    auto response = get("/2/nodes/node1/role");
    EXPECT_EQ(response.status, 200) << letter;
    EXPECT_EQ(response.body, "\"" + std::string(word) + "\"\n");
    expect_single_call("QueryNodes", R"([["node1"], ["role"], false])");
  }
}

TEST_F(ReadResources, NodeRoleOfUnknownNodeIs500) {
  answer_success(Json::array());
  auto response = get("/2/nodes/nosuch/role");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body, ganeti_error_body(500, "list index out of range"));

  // An unknown letter is Python's KeyError.
  answer_success(parse(R"([["X"]])"));
  response = get("/2/nodes/node1/role");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body, ganeti_error_body(500, "&#x27;X&#x27;"));
}

// --- tags ------------------------------------------------------------------------

TEST_F(ReadResources, TagsOfEveryKind) {
  struct Case {
    std::string path, args;
  };
  const Case cases[] = {{"/2/tags", R"(["cluster", ""])"},
                        {"/2/nodes/node1/tags", R"(["node", "node1"])"},
                        {"/2/instances/inst1/tags", R"(["instance", "inst1"])"},
                        {"/2/groups/default/tags", R"(["nodegroup", "default"])"},
                        {"/2/networks/net1/tags", R"(["network", "net1"])"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.path);
    luxi().clear_requests();
    // luxid's order is kept.
    answer_success(parse(R"(["zz", "aa", "m:1"])"));
    auto response = get(c.path);
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, "[\"zz\", \"aa\", \"m:1\"]\n");
    expect_single_call("QueryTags", c.args);
  }
}

TEST_F(ReadResources, TagsOfUnknownObjectAre500) {
  for (const std::string path : {"/2/nodes/nosuch/tags", "/2/instances/nosuch/tags",
                                 "/2/groups/nosuch/tags", "/2/networks/nosuch/tags"}) {
    answer_failure(parse(R"(["OpPrereqError", ["Object nosuch not found", "unknown_entity"]])"));
    auto response = get(path);
    EXPECT_EQ(response.status, 500) << path;
    EXPECT_EQ(
        response.body,
        ganeti_error_body(500, "(&#x27;Object nosuch not found&#x27;, &#x27;unknown_entity&#x27;)"))
        << path;
  }
}

// --- console ---------------------------------------------------------------------

TEST_F(ReadResources, ConsoleOfRunningInstanceIsLuxidsObject) {
  answer_success(parse(
      R"([[{"instance": "inst1", "kind": "vnc", "host": "node1", "port": 11000, "display": 5100, "message": null}, true]])"));
  auto response = get("/2/instances/inst1/console");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body,
            "{\"instance\": \"inst1\", \"kind\": \"vnc\", \"host\": \"node1\", \"port\": 11000, "
            "\"display\": 5100, \"message\": null}\n");
  expect_single_call("QueryInstances", R"([["inst1"], ["console", "oper_state"], false])");
}

TEST_F(ReadResources, ConsoleOfStoppedInstanceIs503) {
  for (const char* state : {"false", "null", "0"}) {
    answer_success(
        parse(std::string(R"([[{"instance": "inst1", "kind": "msg"}, )") + state + "]]"));
    auto response = get("/2/instances/inst1/console");
    EXPECT_EQ(response.status, 503) << state;
    EXPECT_EQ(response.body, ganeti_error_body(503, "Instance console unavailable"));
  }
}

TEST_F(ReadResources, ConsoleOfUnknownInstanceIs500) {
  answer_success(Json::array());
  auto response = get("/2/instances/nosuch/console");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body, ganeti_error_body(500, "list index out of range"));

  // The row is unpacked into two values (Python's ValueError texts).
  answer_success(parse(R"([[{"kind": "msg"}]])"));
  response = get("/2/instances/x/console");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body,
            ganeti_error_body(500, "not enough values to unpack (expected 2, got 1)"));
  answer_success(parse(R"([[{"kind": "msg"}, true, 1]])"));
  response = get("/2/instances/x/console");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body, ganeti_error_body(500, "too many values to unpack (expected 2)"));
  // A console that is not an object fails rlib2's assert (no message).
  answer_success(parse(R"([["text", true]])"));
  response = get("/2/instances/x/console");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body, ganeti_error_body(500, "Internal Server Error"));
}

TEST_F(ReadResources, ConsoleNeedsReadOrWriteUser) {
  answer_success(parse(R"([[{"kind": "msg"}, true]])"));
  auto anonymous = rapid.request("GET", "/2/instances/x/console");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  auto plain = rapid.request("GET", "/2/instances/x/console", "plain:plainpass");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 403);
  auto reader = rapid.request("GET", "/2/instances/x/console", "reader:readpass");
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->status, 200);
}

// --- jobs ------------------------------------------------------------------------

TEST_F(ReadResources, JobWithRowOfNullsIs200) {
  answer_success(parse("[[77, null, null, null, null, null, null, null, null, null]]"));
  auto response = get("/2/jobs/77");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body,
            "{\"id\": 77, \"ops\": null, \"status\": null, \"summary\": null, \"opstatus\": null, "
            "\"received_ts\": null, \"start_ts\": null, \"end_ts\": null, \"oplog\": null, "
            "\"opresult\": null}\n");
  // The id goes to luxid as the URL's string.
  expect_single_call("QueryJobs", Json::array({Json::array({"77"}), strings(kJobFields)}).dump());
}

TEST_F(ReadResources, JobNullRowIs404) {
  answer_success(parse("[null]"));
  auto response = get("/2/jobs/0012");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.body, ganeti_error_body(404, "Not Found"));
  expect_single_call("QueryJobs", Json::array({Json::array({"0012"}), strings(kJobFields)}).dump());

  answer_success(Json::array());
  response = get("/2/jobs/5");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body, ganeti_error_body(500, "list index out of range"));
}

// --- /2/jobs/[id]/wait -------------------------------------------------------------

TEST_F(ReadResources, JobWaitBodyValidation) {
  struct Case {
    std::string body;
    int status;
    std::string message;
  };
  const Case cases[] = {
      // rlib2 indexes the body without checking its type: Python TypeErrors.
      {"", 500, "&#x27;NoneType&#x27; object is not subscriptable"},
      {R"(["fields"])", 500, "list indices must be integers or slices, not str"},
      {R"("fields")", 500, "string indices must be integers, not &#x27;str&#x27;"},
      {"5", 500, "&#x27;int&#x27; object is not subscriptable"},
      {"{}", 400, "Required parameter &#x27;fields&#x27; is missing"},
      {R"({"previous_job_info": 5})", 400, "Required parameter &#x27;fields&#x27; is missing"},
      {R"({"fields": "status"})", 400, "The &#x27;fields&#x27; parameter should be a list"},
      {R"({"fields": null})", 400, "The &#x27;fields&#x27; parameter should be a list"},
      {R"({"fields": {"a": 1}})", 400, "The &#x27;fields&#x27; parameter should be a list"},
      {R"({"fields": "status", "previous_job_info": 5})", 400,
       "The &#x27;fields&#x27; parameter should be a list"},
      {R"({"fields": [], "previous_job_info": "x"})", 400,
       "The &#x27;previous_job_info&#x27; parameter should be a list"},
      {R"({"fields": [], "previous_job_info": {}})", 400,
       "The &#x27;previous_job_info&#x27; parameter should be a list"},
      {R"({"fields": [], "previous_job_info": 1, "previous_log_serial": "x"})", 400,
       "The &#x27;previous_job_info&#x27; parameter should be a list"},
      {R"({"fields": [], "previous_log_serial": 1.5})", 400,
       "The &#x27;previous_log_serial&#x27; parameter should be a number"},
      {R"({"fields": [], "previous_log_serial": 1.0})", 400,
       "The &#x27;previous_log_serial&#x27; parameter should be a number"},
      {R"({"fields": [], "previous_log_serial": "1"})", 400,
       "The &#x27;previous_log_serial&#x27; parameter should be a number"},
      {R"({"fields": [], "previous_log_serial": []})", 400,
       "The &#x27;previous_log_serial&#x27; parameter should be a number"},
  };
  for (const auto& c : cases) {
    auto response = get("/2/jobs/5/wait", c.body);
    EXPECT_EQ(response.status, c.status) << c.body;
    EXPECT_EQ(response.body, ganeti_error_body(c.status, c.message)) << c.body;
  }
  expect_no_call();
}

TEST_F(ReadResources, JobWaitCallsLuxidWithUrlStringAndTenSeconds) {
  struct Case {
    std::string body, args;
  };
  const Case cases[] = {
      {R"({"fields": ["status"]})", R"(["0042", ["status"], null, null, 10])"},
      {R"({"fields": ["status", "opstatus"], "previous_job_info": null, "previous_log_serial": null})",
       R"(["0042", ["status", "opstatus"], null, null, 10])"},
      {R"({"fields": [], "previous_job_info": ["running", [1]], "previous_log_serial": 7})",
       R"(["0042", [], ["running", [1]], 7, 10])"},
      // isinstance(True, int): booleans pass the check and go to luxid as is.
      {R"({"fields": ["status"], "previous_log_serial": true})",
       R"(["0042", ["status"], null, true, 10])"},
      {R"({"fields": ["status"], "previous_log_serial": -3, "extra": 1})",
       R"(["0042", ["status"], null, -3, 10])"},
  };
  for (const auto& c : cases) {
    luxi().clear_requests();
    answer_success(parse(R"([["running", [1]], [[8, [1700000000, 5], "message", "hello"]]])"));
    auto response = get("/2/jobs/0042/wait", c.body);
    EXPECT_EQ(response.status, 200) << c.body;
    EXPECT_EQ(response.body,
              "{\"job_info\": [\"running\", [1]], \"log_entries\": [[8, [1700000000, 5], "
              "\"message\", \"hello\"]]}\n");
    expect_single_call("WaitForJobChange", c.args);
  }
}

TEST_F(ReadResources, JobWaitResults) {
  // Falsy result -> 404; the legacy "nochange" -> null.
  answer_success(nullptr);
  auto response = get("/2/jobs/5/wait", R"({"fields": ["status"]})");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.body, ganeti_error_body(404, "Not Found"));
  answer_success(Json::array());
  EXPECT_EQ(get("/2/jobs/5/wait", R"({"fields": ["status"]})").status, 404);
  answer_success("nochange");
  response = get("/2/jobs/5/wait", R"({"fields": ["status"]})");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "null\n");

  // The result is unpacked as (job_info, log_entries).
  answer_success(parse(R"([["running"], [], 1])"));
  response = get("/2/jobs/5/wait", R"({"fields": ["status"]})");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body, ganeti_error_body(500, "too many values to unpack (expected 2)"));
  answer_success("x");
  response = get("/2/jobs/5/wait", R"({"fields": ["status"]})");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body,
            ganeti_error_body(500, "not enough values to unpack (expected 2, got 1)"));

  // luxid's JobLost (unknown or archived job) -> 500, not 404.
  answer_failure(parse(R"(["JobLost", ["Job 5 not found"]])"));
  response = get("/2/jobs/5/wait", R"({"fields": ["status"]})");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body, ganeti_error_body(500, "Job 5 not found"));
}

TEST_F(ReadResources, JobWaitNeedsWriteUser) {
  answer_success(parse(R"([["running"], []])"));
  auto reader =
      rapid.request("GET", "/2/jobs/5/wait", "reader:readpass", R"({"fields": ["status"]})");
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->status, 403);
  expect_no_call();
}

// --- /2/query ----------------------------------------------------------------------

const char* kQueryReply =
    R"({"fields": [{"doc": "Instance name", "kind": "text", "title": "Instance", "name": "name"}], )"
    R"("data": [[[0, "inst1"]], [[0, "inst2"]]]})";
const char* kQueryAnswer =
    "{\"data\": [[[0, \"inst1\"]], [[0, \"inst2\"]]], \"fields\": [{\"name\": \"name\", \"title\": "
    "\"Instance\", "
    "\"kind\": \"text\", \"doc\": \"Instance name\"}]}\n";

TEST_F(ReadResources, QueryFieldsAreSplitAndStripped) {
  answer_success(parse(kQueryReply));
  auto response = get("/2/query/instance?fields=name,%20name%09,name%20");
  EXPECT_EQ(response.status, 200);
  // Reordered: data, then fields; field definitions name, title, kind, doc.
  EXPECT_EQ(response.body, kQueryAnswer);
  expect_single_call("Query", R"(["instance", ["name", "name", "name"], null])");

  // Empty parts are kept; only the first "fields" value counts.
  luxi().clear_requests();
  EXPECT_EQ(get("/2/query/node?fields=name,,%20&fields=x").status, 200);
  expect_single_call("Query", R"(["node", ["name", "", ""], null])");

  // str.strip() removes Unicode whitespace too (NBSP, ideographic space, \x1f).
  luxi().clear_requests();
  EXPECT_EQ(get("/2/query/node?fields=%C2%A0name%E3%80%80,%1Fx%C3%A9%0B").status, 200);
  expect_single_call("Query", R"(["node", ["name", "x\u00e9"], null])");
}

TEST_F(ReadResources, QueryWithoutFieldsIs400) {
  for (const std::string target :
       {"/2/query/instance", "/2/query/instance?fields=", "/2/query/instance?x=1"}) {
    auto response = get(target);
    EXPECT_EQ(response.status, 400) << target;
    EXPECT_EQ(response.body, ganeti_error_body(400, "Missing &#x27;fields&#x27; query argument"));
  }
  expect_no_call();
}

TEST_F(ReadResources, QueryPutBody) {
  struct Case {
    std::string target, body, args;
  };
  const Case cases[] = {
      {"/2/query/node", R"({"fields": ["name"], "filter": ["=", "name", "a"]})",
       R"(["node", ["name"], ["=", "name", "a"]])"},
      // qfilter wins over the legacy filter, unless it is null.
      {"/2/query/node",
       R"({"fields": ["name"], "qfilter": ["?", "x"], "filter": ["=", "name", "a"]})",
       R"(["node", ["name"], ["?", "x"]])"},
      {"/2/query/node", R"({"fields": ["name"], "qfilter": null, "filter": ["=", "name", "a"]})",
       R"(["node", ["name"], ["=", "name", "a"]])"},
      {"/2/query/node", R"({"fields": ["name"]})", R"(["node", ["name"], null])"},
      // Body fields are passed as they are; the query string is the fallback.
      {"/2/query/node?fields=pip", R"({"fields": "name"})", R"(["node", "name", null])"},
      {"/2/query/node?fields=pip,%20sip", R"({"qfilter": ["=", "name", "a"]})",
       R"(["node", ["pip", "sip"], ["=", "name", "a"]])"},
      {"/2/query/node?fields=pip", "", R"(["node", ["pip"], null])"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body);
    luxi().clear_requests();
    answer_success(parse(kQueryReply));
    auto response = rapid.admin("PUT", c.target, c.body.empty() ? "{}" : c.body);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, kQueryAnswer);
    expect_single_call("Query", c.args);
  }
}

TEST_F(ReadResources, QueryPutBadBodies) {
  struct Case {
    std::string body;
    std::string message;
  };
  const Case cases[] = {
      {"", "Body contents: Type is &#x27;NoneType&#x27;, but &#x27;dict&#x27; is expected"},
      {R"(["name"])", "Body contents: Type is &#x27;list&#x27;, but &#x27;dict&#x27; is expected"},
      {R"("name")", "Body contents: Type is &#x27;str&#x27;, but &#x27;dict&#x27; is expected"},
      {R"({"filter": null})", "Missing &#x27;fields&#x27; query argument"},
  };
  for (const auto& c : cases) {
    auto response = rapid.admin("PUT", "/2/query/instance", c.body);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 400) << c.body;
    EXPECT_EQ(response->body, ganeti_error_body(400, c.message)) << c.body;
  }
  expect_no_call();
}

TEST_F(ReadResources, QueryResponseShapes) {
  // Unknown members of luxid's objects are rejected as objects.QueryResponse
  // and QueryFieldDefinition do; null members are dropped; fields default to [].
  struct Case {
    std::string reply;
    int status;
    std::string body;
  };
  const Case cases[] = {
      {R"({"data": [], "fields": [{"name": "n", "title": null, "kind": "text", "doc": null}]})",
       200, "{\"data\": [], \"fields\": [{\"name\": \"n\", \"kind\": \"text\"}]}\n"},
      {R"({"data": [[[1, null]]]})", 200, "{\"data\": [[[1, null]]], \"fields\": []}\n"},
      {R"({"fields": null, "data": null})", 200, "{\"fields\": []}\n"},
      {R"({"data": [], "fields": [], "extra": 1})", 500,
       ganeti_error_body(
           500, "Object QueryResponse doesn&#x27;t support the parameter &#x27;extra&#x27;")},
      {R"({"data": [], "fields": [{"name": "n", "width": 3}]})", 500,
       ganeti_error_body(
           500,
           "Object QueryFieldDefinition doesn&#x27;t support the parameter &#x27;width&#x27;")},
      {R"({"data": [], "fields": ["name"]})", 500,
       ganeti_error_body(
           500,
           "Invalid object passed to FromDict: expected dict, got &lt;class &#x27;str&#x27;&gt;")},
      {R"([1, 2])", 500,
       ganeti_error_body(
           500,
           "Invalid object passed to FromDict: expected dict, got &lt;class &#x27;list&#x27;&gt;")},
  };
  for (const auto& c : cases) {
    answer_success(parse(c.reply));
    auto response = get("/2/query/instance?fields=n");
    EXPECT_EQ(response.status, c.status) << c.reply;
    EXPECT_EQ(response.body, c.body) << c.reply;
  }
}

TEST_F(ReadResources, QueryOfUnknownResourceIs502) {
  answer_failure("Failed to parse request: Can't parse value 'nosuch' as \"QueryTypeLuxi\"");
  auto response = get("/2/query/nosuch?fields=name");
  EXPECT_EQ(response.status, 502);
  EXPECT_EQ(
      response.body,
      ganeti_error_body(502,
                        "Failed to parse request: Can&#x27;t parse value &#x27;nosuch&#x27; as "
                        "&quot;QueryTypeLuxi&quot;"));
  expect_single_call("Query", R"(["nosuch", ["name"], null])");

  // cluster/os/extstorage parse but luxid does not support them: 500.
  answer_failure(parse(R"(["GenericError", ["Query 'cluster' not supported"]])"));
  response = get("/2/query/cluster?fields=name");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body, ganeti_error_body(500, "Query &#x27;cluster&#x27; not supported"));
}

TEST_F(ReadResources, QueryNeedsReadOrWriteUser) {
  answer_success(parse(kQueryReply));
  auto anonymous = rapid.request("GET", "/2/query/instance?fields=name");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  auto reader = rapid.request("GET", "/2/query/instance?fields=name", "reader:readpass");
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->status, 200);
  // The field list is anonymous.
  answer_success(parse(R"({"fields": []})"));
  auto fields = rapid.request("GET", "/2/query/instance/fields");
  ASSERT_TRUE(fields);
  EXPECT_EQ(fields->status, 200);
}

TEST_F(ReadResources, QueryFieldsResource) {
  answer_success(parse(
      R"({"fields": [{"kind": "text", "name": "name", "doc": "Node name", "title": "Node"}]})"));
  auto response = get("/2/query/node/fields");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body,
            "{\"fields\": [{\"name\": \"name\", \"title\": \"Node\", \"kind\": \"text\", \"doc\": "
            "\"Node name\"}]}\n");
  expect_single_call("QueryFields", R"(["node", null])");

  luxi().clear_requests();
  EXPECT_EQ(get("/2/query/node/fields?fields=name,%20role%20,").status, 200);
  expect_single_call("QueryFields", R"(["node", ["name", "role", ""]])");

  // A "data" member is not part of a QueryFieldsResponse.
  answer_success(parse(R"({"fields": [], "data": []})"));
  response = get("/2/query/node/fields");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(
      response.body,
      ganeti_error_body(
          500, "Object QueryFieldsResponse doesn&#x27;t support the parameter &#x27;data&#x27;"));
}

// --- /2/info -----------------------------------------------------------------------

TEST_F(ReadResources, InfoAliasConflictIs400) {
  answer_success(parse(R"({"volume_group_name": "xenvg", "vg_name": "other"})"));
  auto response = get("/2/info");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.body,
            ganeti_error_body(400,
                              "Parameter &#x27;volume_group_name&#x27; has an alias of "
                              "&#x27;vg_name&#x27;, but both values are present in response"));
  // Without the source keys no alias is added.
  answer_success(parse(R"({"name": "c"})"));
  EXPECT_EQ(get("/2/info").body, "{\"name\": \"c\"}\n");
  expect_call(luxi().requests().back(), "QueryClusterInfo", "[]");
}

// --- /2/os -------------------------------------------------------------------------

const char* kOsSubmit =
    R"([[{"output_fields": ["name", "variants"], "names": [], "dry_run": null, "debug_level": null, )"
    R"("priority": 0, "depends": null, "comment": null, "reason": [], "OP_ID": "OP_OS_DIAGNOSE"}]])";

TEST_F(ReadResources, OsPollsTheJobLikeGenericPollJob) {
  answer_in_order({
      LuxiReply::success(7),
      LuxiReply::success(parse(R"([["queued"], []])")),
      LuxiReply::success(
          parse(R"([["running"], [[1, [1, 2], "message", "m1"], [2, [1, 3], "message", "m2"]]])")),
      // A final status with log entries: another round is needed.
      LuxiReply::success(parse(R"([["success"], [[3, [1, 4], "message", "m3"]]])")),
      LuxiReply::success(parse(R"([["success"], []])")),
      LuxiReply::success(parse(
          R"([["success", ["success"], [[["debian", ["squeeze", "wheezy"]], ["noop", []], ["lenny", null]]]]])")),
  });
  auto response = get("/2/os");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "[\"debian+squeeze\", \"debian+wheezy\", \"noop\", \"lenny\"]\n");
  const auto calls = luxi().requests();
  ASSERT_EQ(calls.size(), 6u);
  expect_call(calls[0], "SubmitJob", kOsSubmit);
  // The job id as luxid returned it (an integer), a 20 s wait.
  expect_call(calls[1], "WaitForJobChange", R"([7, ["status"], null, null, 20])");
  expect_call(calls[2], "WaitForJobChange", R"([7, ["status"], ["queued"], null, 20])");
  expect_call(calls[3], "WaitForJobChange", R"([7, ["status"], ["running"], 2, 20])");
  expect_call(calls[4], "WaitForJobChange", R"([7, ["status"], ["success"], 3, 20])");
  expect_call(calls[5], "QueryJobs", R"([[7], ["status", "opstatus", "opresult"]])");
}

TEST_F(ReadResources, OsLogSerialIsTheMaximumSeen) {
  answer_in_order({
      LuxiReply::success(8),
      LuxiReply::success(
          parse(R"([["running"], [[5, [1, 2], "message", "a"], [3, [1, 3], "message", "b"]]])")),
      LuxiReply::success(parse(R"([["error"], []])")),
      LuxiReply::success(parse(R"([["error", ["error"], [["OpExecError", ["boom"]]]]])")),
  });
  auto response = get("/2/os");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body, ganeti_error_body(500, "boom"));
  const auto calls = luxi().requests();
  ASSERT_EQ(calls.size(), 4u);
  expect_call(calls[2], "WaitForJobChange", R"([8, ["status"], ["running"], 5, 20])");
}

TEST_F(ReadResources, OsJobErrors) {
  struct Case {
    std::string query_jobs;
    int status;
    std::string message;
  };
  const Case cases[] = {
      // An encoded Ganeti error: that exception's text.
      {R"([["error", ["error"], [["OpPrereqError", ["No OS found", "environment_error"]]]]])", 500,
       "(&#x27;No OS found&#x27;, &#x27;environment_error&#x27;)"},
      // Anything else: str() of the result.
      {R"([["error", ["error"], ["plain failure"]]])", 500, "plain failure"},
      {R"([["error", ["success", "error"], [1, ["Unknown", ["x"]]]]])", 500,
       "partial failure (opcode 1): [&#x27;Unknown&#x27;, [&#x27;x&#x27;]]"},
      {R"([["error", ["success"], [[1]]]])", 500, "[[1]]"},
      {R"([["canceled", ["canceled"], [null]]])", 500, "Job was canceled"},
      {R"([["canceling", ["canceled"], [null]]])", 500, "Job was canceled"},
      // The result of a successful job that is not a list.
      {R"([["success", ["success"], [{"noop": []}]]])", 502, "Can&#x27;t get OS list"},
      {R"([["success", ["success"], [null]]])", 502, "Can&#x27;t get OS list"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.query_jobs);
    answer_in_order({LuxiReply::success(9), LuxiReply::success(parse(R"([["error"], []])")),
                     LuxiReply::success(parse(c.query_jobs))});
    auto response = get("/2/os");
    EXPECT_EQ(response.status, c.status);
    EXPECT_EQ(response.body, ganeti_error_body(c.status, c.message));
  }
}

TEST_F(ReadResources, OsUnexpectedShapes) {
  struct Case {
    std::vector<std::string> replies;  // after SubmitJob
    int status;
    std::string body;
  };
  const Case cases[] = {
      // (job_info, log_entries) = result; (status, ) = job_info
      {{R"([["success"], [], 1])"},
       500,
       ganeti_error_body(500, "too many values to unpack (expected 2)")},
      {{R"([["success", 1], []])"},
       500,
       ganeti_error_body(500, "too many values to unpack (expected 1)")},
      {{R"([null, []])"},
       500,
       ganeti_error_body(500, "cannot unpack non-iterable NoneType object")},
      // (serial, timestamp, log_type, message) = log_entry
      {{R"([["running"], [[1, [0, 0], "message"]]])"},
       500,
       ganeti_error_body(500, "not enough values to unpack (expected 4, got 3)")},
      // status, opstatus, result = jobs[0]
      {{R"([["success"], []])", R"([["success", ["success"]]])"},
       500,
       ganeti_error_body(500, "not enough values to unpack (expected 3, got 2)")},
      {{R"([["success"], []])", "[]"}, 500, ganeti_error_body(500, "Job with id 12 lost")},
      // for (name, variants) in diagnose_data
      {{R"([["success"], []])", R"([["success", ["success"], [[["noop"]]]]])"},
       500,
       ganeti_error_body(500, "not enough values to unpack (expected 2, got 1)")},
      // cli.CalculateOSNames keeps a name without variants as it is.
      {{R"([["success"], []])", R"([["success", ["success"], [[[1, []], ["x", ["a"]]]]]])"},
       200,
       "[1, \"x+a\"]\n"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.replies.back());
    std::vector<LuxiReply> replies = {LuxiReply::success(12)};
    for (const auto& reply : c.replies) replies.push_back(LuxiReply::success(parse(reply)));
    answer_in_order(replies);
    auto response = get("/2/os");
    EXPECT_EQ(response.status, c.status);
    EXPECT_EQ(response.body, c.body);
  }
}

TEST_F(ReadResources, OsSubmitAndWaitFailures) {
  answer_failure(parse(R"(["JobQueueFull", []])"));
  auto response = get("/2/os");
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(response.body, ganeti_error_body(503, "Job queue is full, needs archiving"));
  ASSERT_EQ(luxi().requests().size(), 1u);

  luxi().clear_requests();
  answer_in_order(
      {LuxiReply::success(10), LuxiReply::failure(parse(R"(["JobLost", ["Job 10 lost"]])"))});
  response = get("/2/os");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body, ganeti_error_body(500, "Job 10 lost"));
  EXPECT_EQ(luxi().requests().size(), 2u);

  // An empty WaitForJobChange result: cli's JobLost.
  luxi().clear_requests();
  answer_in_order({LuxiReply::success(11), LuxiReply::success(nullptr)});
  response = get("/2/os");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body, ganeti_error_body(500, "Job with id 11 lost"));
}

// --- private parameters ---------------------------------------------------------------

TEST_F(ReadResources, PrivateParametersAreRedacted) {
  const Json op = parse(R"({"OP_ID": "OP_INSTANCE_CREATE", "instance_name": "i1",
      "osparams": {"visible": 1},
      "osparams_private": {"password": "s3cr3t", "nested": {"a": 1}},
      "osparams_secret": null,
      "osparams_private_cluster": {"debian": {"key": "v"}, "other": null},
      "nics": [{"osparams_secret": [["k", "v"]]}]})");
  Json row = Json::array({5, Json::array({op})});
  for (int i = 0; i < 8; ++i) row.push_back(nullptr);
  answer_success(Json::array({row}));
  auto response = get("/2/jobs/5");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(
      response.body,
      "{\"id\": 5, \"ops\": [{\"OP_ID\": \"OP_INSTANCE_CREATE\", \"instance_name\": \"i1\", "
      "\"osparams\": {\"visible\": 1}, \"osparams_private\": {\"password\": null, \"nested\": "
      "null}, "
      "\"osparams_secret\": {}, \"osparams_private_cluster\": {\"debian\": {\"key\": null}, "
      "\"other\": {}}, "
      "\"nics\": [{\"osparams_secret\": {\"k\": null}}]}], \"status\": null, \"summary\": null, "
      "\"opstatus\": null, \"received_ts\": null, \"start_ts\": null, \"end_ts\": null, \"oplog\": "
      "null, "
      "\"opresult\": null}\n");

  // osparams_private_cluster: null stays null; the redaction applies to any
  // answer (here /2/info).
  answer_success(
      parse(R"({"osparams_private_cluster": null, "x": {"osparams_private": {"a": "b"}}})"));
  response = get("/2/info");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body,
            "{\"osparams_private_cluster\": null, \"x\": {\"osparams_private\": {\"a\": null}}}\n");
}

}  // namespace
}  // namespace rapid::testing
