// Tests of the opcode parameter type checks (spec/README.md vocabulary with
// the semantics of Ganeti's ht.py), the generated table, and a replay of the
// outcomes the real baserlib.FillOpcode produced for thousands of probe values
// (tests/unit/data/opcode_vectors.json, written by
// tests/e2e/check_opcode_table.py --write-vectors).

#include "rapi/param_types.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "rapi/opcode_table.h"
#include "rapi/python_ipaddress.h"
#include "rapi/api_error.h"
#include "rapi/opcode.h"
#include "util/json.h"

namespace rapid::rapi {
namespace {

Json J(std::string_view text) {
  auto value = parse_json(text);
  if (!value) throw std::invalid_argument("bad JSON in test: " + std::string(text));
  return *value;
}

// "ok", "fail", "TypeError: <msg>" or "ValueError: <msg>".
std::string outcome(std::string_view type, std::string_view value) {
  const ParamTypePtr checker = parse_param_type(type);
  try {
    return checker->check(J(value)) ? "ok" : "fail";
  } catch (const PyCheckError& err) {
    return std::string(err.kind() == PyCheckError::Kind::type_error ? "TypeError: "
                                                                    : "ValueError: ") +
           err.what();
  }
}

void expect_all(std::string_view type, std::initializer_list<const char*> values,
                std::string_view expected) {
  for (const char* value : values) {
    EXPECT_EQ(outcome(type, value), expected) << type << " <- " << value;
  }
}

// ---------------------------------------------------------------------------
// The table.

TEST(OpcodeTable, EveryTypeExpressionParses) {
  std::size_t count = 0;
  for (const auto& param : common_opcode_params()) {
    EXPECT_NO_THROW(parse_param_type(param.type)) << param.name << ": " << param.type;
    ++count;
  }
  for (const auto& op : opcode_defs()) {
    for (const auto& param : op.params) {
      EXPECT_NO_THROW(parse_param_type(param.type))
          << op.op_id << "." << param.name << ": " << param.type;
      ++count;
    }
  }
  EXPECT_EQ(count, 337u);  // 331 own parameters + 6 common
}

TEST(OpcodeTable, DefaultsAreJsonAndRequiredMeansNullRejected) {
  for (const auto& op : opcode_defs()) {
    for (const auto& param : op.params) {
      const auto value = parse_json(param.default_json);
      ASSERT_TRUE(value) << op.op_id << "." << param.name;
      const bool null_ok = parse_param_type(param.type)->check(nullptr);
      EXPECT_EQ(param.required, value->is_null() && !null_ok) << op.op_id << "." << param.name;
    }
  }
}

TEST(OpcodeTable, ContainsTheOpcodesRapiUses) {
  std::set<std::string> ids;
  for (const auto& op : opcode_defs()) {
    EXPECT_TRUE(ids.insert(std::string(op.op_id)).second) << "duplicate " << op.op_id;
    EXPECT_TRUE(op.class_name.starts_with("Op")) << op.class_name;
  }
  EXPECT_EQ(ids.size(), 41u);
  for (const char* id : {"OP_OS_DIAGNOSE", "OP_INSTANCE_CREATE", "OP_INSTANCE_MULTI_ALLOC",
                         "OP_NETWORK_SET_PARAMS", "OP_TAGS_DEL", "OP_REPAIR_NODE_STORAGE",
                         "OP_CLUSTER_REDIST_CONF", "OP_INSTANCE_QUERY_DATA"}) {
    EXPECT_TRUE(ids.contains(id)) << id;
  }
  std::vector<std::string> common;
  for (const auto& param : common_opcode_params()) common.emplace_back(param.name);
  EXPECT_EQ(common, (std::vector<std::string>{"dry_run", "debug_level", "priority", "depends",
                                              "comment", "reason"}));
}

// ---------------------------------------------------------------------------
// Parser.

TEST(ParamTypeParser, RejectsMalformedExpressions) {
  for (const char* bad :
       {"", "bogus", "list<", "list<int", "list<int,int>", "dict<str>", "pair<int>", "int or",
        "enum{}", "enum{a,}", "enum{a", "int>=1", "bool bool", "mods<>", "nestr or null)"}) {
    EXPECT_THROW(parse_param_type(bad), std::invalid_argument) << bad;
  }
}

TEST(ParamTypeParser, WhitespaceAndNesting) {
  EXPECT_EQ(outcome(" list< pair< int , int > >  or  null ", "[[1, 2]]"), "ok");
  EXPECT_EQ(outcome("list<int>=0>", "[0, 1]"), "ok");
  EXPECT_EQ(outcome("list<int>=0>", "[-1]"), "fail");
  EXPECT_EQ(outcome("list<int>0>", "[0]"), "fail");
  EXPECT_EQ(outcome("dict<str, list<nestr>>", R"({"a": ["x"]})"), "ok");
  EXPECT_EQ(outcome("enum{ a , b c }", R"("b c")"), "ok");
}

// ---------------------------------------------------------------------------
// Vocabulary (spec/README.md) with ht.py semantics.

TEST(ParamTypes, Bool) {
  expect_all("bool", {"true", "false"}, "ok");
  expect_all("bool", {"0", "1", "null", "\"true\"", "[]", "0.0"}, "fail");
}

TEST(ParamTypes, Int) {
  expect_all("int", {"0", "-5", "9223372036854775807", "18446744073709551615"}, "ok");
  expect_all("int", {"true", "false", "1.0", "1e3", "\"1\"", "null", "[1]"}, "fail");
  expect_all("int>=0", {"0", "7", "18446744073709551615"}, "ok");
  expect_all("int>=0", {"-1", "true", "0.0"}, "fail");
  expect_all("int>0", {"1", "18446744073709551615"}, "ok");
  expect_all("int>0", {"0", "-1", "1.5"}, "fail");
  expect_all("disk-index", {"0", "15"}, "ok");
  expect_all("disk-index", {"16", "-1", "18446744073709551615", "1.0", "false"}, "fail");
}

TEST(ParamTypes, Float) {
  // The checker itself is ht.TFloat; integers pass through the Validate
  // fallback (see FillOpcodeValidation.FloatAcceptsIntegersUnchanged).
  expect_all("float", {"0.0", "-1.5", "1e300"}, "ok");
  expect_all("float", {"1", "true", "\"1.0\"", "null"}, "fail");
}

TEST(ParamTypes, Strings) {
  expect_all("str", {R"("")", R"("x")", R"("h\u00e9")"}, "ok");
  expect_all("str", {"null", "1", "[]", "{}", "true"}, "fail");
  expect_all("nestr", {R"("x")", R"(" ")"}, "ok");
  expect_all("nestr", {R"("")", "null", "0"}, "fail");
}

TEST(ParamTypes, Enums) {
  expect_all("enum{a,b}", {R"("a")", R"("b")"}, "ok");
  expect_all("enum{a,b}", {R"("A")", R"("")", "null", "0", "true", "1.0"}, "fail");
  // Frozenset membership hashes the value.
  EXPECT_EQ(outcome("enum{a,b}", "[]"), "TypeError: unhashable type: 'list'");
  EXPECT_EQ(outcome("enum{a,b}", R"({"a": 1})"), "TypeError: unhashable type: 'dict'");
  // A list compares by equality only.
  expect_all("enum-nohash{a,b}", {"[]", R"({"a": 1})", R"(["a"])"}, "fail");
  EXPECT_EQ(outcome("enum-nohash{a,b}", R"("a")"), "ok");
  // Integer members: Python equality (False == 0, 10.0 == 10).
  expect_all("enum{-10,0,10}", {"0", "-10", "10", "false", "0.0", "-0.0", "10.0", "-10.0"}, "ok");
  expect_all("enum{-10,0,10}", {"5", "1", "true", "\"0\"", "null", "0.5", "18446744073709551615"},
             "fail");
}

TEST(ParamTypes, NamedEnums) {
  expect_all("DISK_TEMPLATE", {R"("plain")", R"("drbd")", R"("diskless")", R"("sharedfile")"},
             "ok");
  expect_all("DISK_TEMPLATE", {R"("lvm")", R"("PLAIN")"}, "fail");
  expect_all("HYPERVISOR", {R"("kvm")", R"("xen-pvm")", R"("chroot")"}, "ok");
  expect_all("HYPERVISOR", {R"("xen")"}, "fail");
  expect_all("STORAGE_TYPE", {R"("lvm-vg")", R"("lvm-pv")", R"("rados")", R"("file")"}, "ok");
  expect_all("STORAGE_TYPE", {R"("plain")"}, "fail");
  EXPECT_EQ(outcome("STORAGE_TYPE", "[]"), "TypeError: unhashable type: 'list'");
}

TEST(ParamTypes, AnyDictList) {
  expect_all("any", {"null", "1", "[]", "{}", "\"\""}, "ok");
  expect_all("dict", {"{}", R"({"a": [null]})"}, "ok");
  expect_all("dict", {"[]", "null", "\"{}\""}, "fail");
  expect_all("dict<str,dict>", {"{}", R"({"kvm": {}})"}, "ok");
  expect_all("dict<str,dict>", {R"({"kvm": []})", R"({"kvm": null})"}, "fail");
  expect_all("dict<str,bool>", {R"({"a": true})"}, "ok");
  expect_all("dict<str,bool>", {R"({"a": 1})"}, "fail");
  expect_all("dict<str,int>", {R"({"a": 1})"}, "ok");
  expect_all("dict<str,int>", {R"({"a": 1.0})", R"({"a": false})"}, "fail");
  expect_all("dict<DISK_TEMPLATE, dict>", {R"({"plain": {}, "drbd": {"x": 1}})"}, "ok");
  expect_all("dict<DISK_TEMPLATE, dict>", {R"({"bogus": {}})", R"({"plain": 5})"}, "fail");
  expect_all("list<nestr>", {"[]", R"(["a", "b"])"}, "ok");
  expect_all("list<nestr>", {R"(["a", ""])", R"("a")", "null", "{}"}, "fail");
  expect_all("list<any>", {"[]", "[null, 1, {}]"}, "ok");
  expect_all("list<str>", {R"([""])"}, "ok");
}

TEST(ParamTypes, Pairs) {
  expect_all("pair<int,int>", {"[1, 2]"}, "ok");
  expect_all("pair<int,int>",
             {"[1]", "[1, 2, 3]", "[1, true]", R"({"a": 1, "b": 2})", "5", "null", R"("ab")"},
             "fail");
  expect_all("list<pair<enum{add,attach,detach,remove}, nestr>>",
             {R"([["add", "debian"], ["remove", "x"]])"}, "ok");
  expect_all("list<pair<enum{add,attach,detach,remove}, nestr>>",
             {R"([["modify", "x"]])", R"([["add", ""]])"}, "fail");
  EXPECT_EQ(outcome("list<pair<enum{add,attach,detach,remove}, nestr>>", R"([[[], "x"]])"),
            "TypeError: unhashable type: 'list'");
}

TEST(ParamTypes, OrNull) {
  expect_all("int or null", {"null", "5"}, "ok");
  expect_all("null or int", {"null", "5"}, "ok");
  expect_all("int or null", {"\"5\""}, "fail");
  // None is tested first (ht.TMaybe): no hashing of None needed anyway, but
  // a raising alternative is not reached for null.
  EXPECT_EQ(outcome("enum{a} or null", "null"), "ok");
  EXPECT_EQ(outcome("enum{a} or null", "[]"), "TypeError: unhashable type: 'list'");
}

TEST(ParamTypes, NicDict) {
  expect_all("nic-dict", {"{}", R"({"ip": "1.2.3.4", "mac": null, "vlan": ""})"}, "ok");
  expect_all("nic-dict", {R"({"_unknown_": false})", R"({"ip": 5})", R"({"link": true})", "[]"},
             "fail");
}

TEST(ParamTypes, DiskDict) {
  expect_all("disk-dict",
             {"{}", R"({"size": 1024})", R"({"size": "10G", "mode": "rw"})", R"({"x": -1})"}, "ok");
  expect_all("disk-dict",
             {R"({"size": true})", R"({"size": null})", R"({"size": 1.5})", R"({"size": ""})",
              R"({"": 1})", R"({"a": []})"},
             "fail");
}

TEST(ParamTypes, PrivateDict) {
  // The body decoder has wrapped every value already (serializer.WrapPrivateValues).
  expect_all("private-dict", {"{}", R"({"a": 1, "b": {"c": null}})"}, "ok");
  expect_all("private-dict", {"[]", "\"x\""}, "fail");
  expect_all("dict<str, private-dict>", {R"({"debian": {"pw": "x"}})"}, "ok");
  expect_all("dict<str, private-dict>", {R"({"debian": 5})"}, "fail");
}

TEST(ParamTypes, Mods) {
  expect_all("mods<nic-dict>",
             {"[]", R"([["add", -1, {"ip": "1.2.3.4"}]])", R"([["modify", "nic1", {}]])",
              R"([[0, {"mode": "bridged"}]])", R"([["remove", {}]])"},
             "ok");
  expect_all(
      "mods<nic-dict>",
      {R"([["add", -1, {}], [0, {}]])", R"([["modify", {}]])", R"([["add", 0, {"x": 1}]])",
       R"([[-1, {}]])", "null", "{}", R"(["abc"])", R"(["ab"])", R"([{"add": 1, "b": 2, "c": 3}])"},
      "fail");
  EXPECT_EQ(outcome("mods<disk-dict>", "[0]"), "TypeError: object of type 'int' has no len()");
  EXPECT_EQ(outcome("mods<disk-dict>", R"([["add", -1, {}], null])"),
            "TypeError: object of type 'NoneType' has no len()");
  EXPECT_EQ(outcome("mods<disk-dict>", R"([[{}, {}]])"), "TypeError: unhashable type: 'dict'");
  // A string item of length 3 is iterated character by character.
  EXPECT_EQ(outcome("mods<disk-dict>", R"(["h\u00e9\u00e9"])"), "fail");
}

TEST(ParamTypes, RecreateDisks) {
  expect_all("recreate-disks", {"[]", "[0, 3]", R"([[0, {"size": 1}], [2, {}]])"}, "ok");
  expect_all("recreate-disks", {R"([[0, {"size": 1.0}]])", R"([[0]])", R"(["ab"])", "{}"}, "fail");
  EXPECT_EQ(outcome("recreate-disks", "[-1]"), "TypeError: object of type 'int' has no len()");
  EXPECT_EQ(outcome("recreate-disks", "[1.0]"), "TypeError: object of type 'float' has no len()");
}

TEST(ParamTypes, ExportTarget) {
  expect_all("export-target", {R"("node1")", "[]", R"([["a", 1, "b"]])"}, "ok");
  expect_all("export-target", {R"("")", "{}", "null", "1"}, "fail");
}

TEST(ParamTypes, Depends) {
  expect_all("depends",
             {"null", "[]", R"([[5, []]])", R"([[-5, ["success"]]])", R"([["5", ["error"]]])",
              R"([["5\n", []]])", R"([["\u0665", []]])", R"([["\ud835\udfce", []]])",
              R"([[18446744073709551615, ["canceled", "error", "success"]]])"},
             "ok");
  expect_all("depends",
             {R"([["5\n\n", []]])", R"([["\n", []]])", R"([[" 5", []]])", R"([["\u00b2", []]])",
              R"([[5]])", R"([[5, "success"]])", R"([[5, ["queued"]]])", R"([[5.0, []]])",
              R"([[false, []]])", R"({"5": []})", "[5]"},
             "fail");
  EXPECT_EQ(outcome("depends", R"([[5, [{}]]])"), "TypeError: unhashable type: 'dict'");
}

// ---------------------------------------------------------------------------
// ipaddress.

TEST(PythonIpaddress, Ipv4Address) {
  for (const char* ok : {"0.0.0.0", "1.2.3.4", "255.255.255.255", "10.0.0.1"}) {
    EXPECT_TRUE(python_ipv4_address_ok(ok)) << ok;
  }
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.256", "1.2.3.4 ",
                          "1.2.3.4/32", "1..3.4", "1.2.3.+4", "\u0661.2.3.4", "1.2.3.0004"}) {
    EXPECT_FALSE(python_ipv4_address_ok(bad)) << bad;
  }
}

TEST(PythonIpaddress, Ipv6Address) {
  for (const char* ok :
       {"::", "::1", "1::", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8",
        "::ffff:1.2.3.4", "1:2:3:4:5:6:1.2.3.4", "fe80::1%eth0", "ABCD::ef", "fe80::1%\u00e9"}) {
    EXPECT_TRUE(python_ipv6_address_ok(ok)) << ok;
  }
  for (const char* bad :
       {"", ":", "1:2", "1::2::3", ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:", "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7:8::", "12345::", "g::", "::1.2.3", "::1.2.3.04", "1:2:3:4:5:6:7:1.2.3.4",
        "fe80::1%", "fe80::1%a%b", "::/0", "::01234"}) {
    EXPECT_FALSE(python_ipv6_address_ok(bad)) << bad;
  }
}

std::string network_outcome(bool (*fn)(std::string_view), std::string_view text) {
  try {
    return fn(text) ? "ok" : "fail";
  } catch (const PyCheckError& err) {
    EXPECT_EQ(err.kind(), PyCheckError::Kind::value_error);
    return err.what();
  }
}

TEST(PythonIpaddress, Ipv4Network) {
  const std::pair<const char*, const char*> cases[] = {
      {"10.0.0.0/24", "ok"},
      {"10.0.0.0", "ok"},
      {"0.0.0.0/0", "ok"},
      {"10.0.0.0/255.255.255.0", "ok"},
      {"10.0.0.0/0.0.0.255", "ok"},
      {"10.0.0.0/024", "ok"},
      {"1.2.3.0/00000000024", "ok"},
      {"1.2.3.4/255.255.255.255", "ok"},
      {"10.0.0.1/24", "10.0.0.1/24 has host bits set"},
      {"1.2.3.4/0.0.0.0", "1.2.3.4/0 has host bits set"},
      {"1.2.3.4/0.255.255.255", "1.2.3.4/8 has host bits set"},
      {"10.0.0.0/33", "'33' is not a valid netmask"},
      {"10.0.0.0/", "'' is not a valid netmask"},
      {"10.0.0.0/+24", "'+24' is not a valid netmask"},
      {"10.0.0.0/255.0.255.0", "'255.0.255.0' is not a valid netmask"},
      {"10.0.0.0/24\n", "'24\\n' is not a valid netmask"},
      {"1.2.3.4/'q'", "\"'q'\" is not a valid netmask"},
      {"10.0.0.0/24/1", "fail"},
      {"10.0.0.256/24", "fail"},
      {"/24", "fail"},
      {"bogus/33", "fail"},
  };
  for (const auto& [text, expected] : cases) {
    EXPECT_EQ(network_outcome(python_ipv4_network_ok, text), expected) << text;
  }
}

TEST(PythonIpaddress, Ipv6Network) {
  const std::pair<const char*, const char*> cases[] = {
      {"::/0", "ok"},
      {"2001:db8::/32", "ok"},
      {"2001:db8::", "ok"},
      {"fe80::%eth0/64", "ok"},
      {"2001:db8::/032", "ok"},
      {"2001:DB8::1/64", "2001:db8::1/64 has host bits set"},
      {"1:0:0:2:0:0:3:4/64", "1::2:0:0:3:4/64 has host bits set"},
      {"0:0:1:0:0:1:0:0/16", "::1:0:0:1:0:0/16 has host bits set"},
      {"1:2:3:4:5:6:7:8/112", "1:2:3:4:5:6:7:8/112 has host bits set"},
      {"::ffff:1.2.3.4/120", "::ffff:102:304/120 has host bits set"},
      {"fe80::1%eth0/64", "fe80::1%eth0/64 has host bits set"},
      {"1::/15", "1::/15 has host bits set"},
      {"2001:db8::/129", "'129' is not a valid netmask"},
      {"2001:db8::/ffff::", "'ffff::' is not a valid netmask"},
      {"2001:db8::/", "'' is not a valid netmask"},
      {"2001:db8::/64/1", "fail"},
      {"2001:db8:::/64", "fail"},
      {"10.0.0.0/8", "fail"},
  };
  for (const auto& [text, expected] : cases) {
    EXPECT_EQ(network_outcome(python_ipv6_network_ok, text), expected) << text;
  }
}

// ---------------------------------------------------------------------------
// Replay of the real FillOpcode outcomes.

TEST(RealGanetiVectors, FillOpcodeOutcomesMatch) {
  std::ifstream file(RAPID_OPCODE_VECTORS);
  ASSERT_TRUE(file) << "cannot open " << RAPID_OPCODE_VECTORS;
  std::stringstream text;
  text << file.rdbuf();
  const auto vectors = parse_json(text.str());
  ASSERT_TRUE(vectors);
  std::size_t cases = 0;
  std::set<std::string> types_seen;
  for (const auto& entry : (*vectors)["types"]) {
    const std::string op_id = entry["op"];
    const std::string param = entry["param"];
    types_seen.insert(entry["type"].get<std::string>());
    const std::string fail_message = "Invalid body parameters: (\"Parameter '" + op_id + "." +
                                     param + "' fails validation\", 'wrong_input')";
    for (const auto& item : entry["cases"]) {
      const Json& value = item[0];
      const Json& expected = item[1];
      Json body = entry["base"];
      body[param] = value;
      std::string got;
      try {
        const Json result = fill_opcode(op_id, &body, Json::object());
        got = result.at(param) == value ? "ok" : "wrong value";
      } catch (const ApiError& err) {
        got = err.status() == 400 && err.message() == fail_message
                  ? "fail"
                  : std::to_string(err.status()) + " " + err.message();
      }
      const std::string want = expected.is_string() ? expected.get<std::string>()
                                                    : std::to_string(expected[0].get<int>()) + " " +
                                                          expected[1].get<std::string>();
      EXPECT_EQ(got, want) << entry["type"] << " (" << op_id << "." << param << ") <- "
                           << dump_python(value);
      ++cases;
    }
  }
  EXPECT_GT(cases, 10000u);
  // Every type expression of the table is covered.
  for (const auto& op : opcode_defs()) {
    for (const auto& p : op.params) EXPECT_TRUE(types_seen.contains(std::string(p.type))) << p.type;
  }
}

}  // namespace
}  // namespace rapid::rapi
