// Tests of rapid::rapi::fill_opcode / build_opcode_unchecked: the FillOpcode
// pipeline (body type, renames, static parameters, unknown parameters,
// validation order, messages), validation corner cases (lib/ht.py,
// BaseOpCode.Validate in lib/opcodes_base.py), the table check made at start-up
// and the exact opcodes the real ganeti-rapi 3.0.2 submitted (captures).

#include "rapi/opcode.h"

#include <gtest/gtest.h>

#include <cctype>
#include <optional>
#include <set>
#include <string>

#include "rapi/api_error.h"
#include "rapi/opcode_table.h"
#include "util/json.h"

namespace rapid::rapi {
namespace {

Json J(std::string_view text) {
  auto value = parse_json(text);
  if (!value) throw std::invalid_argument("bad JSON in test: " + std::string(text));
  return *value;
}

const Json kNoStatic = Json::object();

// The error fill_opcode raises, as "<status> <message>" ("ok" if none).
std::string fill_error(std::string_view op_id, const Json* body, const Json& statics = kNoStatic,
                       std::span<const Rename> renames = {}) {
  try {
    fill_opcode(op_id, body, statics, renames);
    return "ok";
  } catch (const ApiError& err) {
    return std::to_string(err.status()) + " " + err.message();
  }
}

std::string fill_error(std::string_view op_id, std::string_view body,
                       std::string_view statics = "{}", std::span<const Rename> renames = {}) {
  const Json b = J(body);
  return fill_error(op_id, &b, J(statics), renames);
}

std::string fails(std::string_view op_id, std::string_view param) {
  return "400 Invalid body parameters: (\"Parameter '" + std::string(op_id) + "." +
         std::string(param) + "' fails validation\", 'wrong_input')";
}

Json fill(std::string_view op_id, std::string_view body, std::string_view statics = "{}",
          std::span<const Rename> renames = {}) {
  const Json b = J(body);
  return fill_opcode(op_id, &b, J(statics), renames);
}

// ---------------------------------------------------------------------------
// Step 3: body type.

TEST(FillOpcodeBody, NoBodyMeansNoParameters) {
  const Json result = fill_opcode("OP_CLUSTER_REDIST_CONF", nullptr, kNoStatic);
  EXPECT_EQ(dump_python(result),
            R"({"dry_run": null, "debug_level": null, "priority": 0, "depends": null, )"
            R"("comment": null, "reason": [], "OP_ID": "OP_CLUSTER_REDIST_CONF"})");
}

TEST(FillOpcodeBody, JsonNullBodyIsPythonNone) {
  const Json null_body;
  EXPECT_EQ(fill_error("OP_CLUSTER_REDIST_CONF", &null_body), "ok");
}

TEST(FillOpcodeBody, NonObjectBodyIsRejectedWithPythonTypeName) {
  const std::pair<const char*, const char*> cases[] = {
      {"[]", "list"},   {"[1]", "list"},  {"\"x\"", "str"},  {"1", "int"},
      {"1.5", "float"}, {"true", "bool"}, {"false", "bool"},
  };
  for (const auto& [body, type] : cases) {
    EXPECT_EQ(fill_error("OP_CLUSTER_REDIST_CONF", body),
              std::string("400 Body contents: Type is '") + type + "', but 'dict' is expected")
        << body;
  }
}

TEST(FillOpcodeBody, BodyTypeIsCheckedBeforeAnythingElse) {
  const Rename renames[] = {{"a", "b"}};
  EXPECT_EQ(fill_error("OP_GROUP_ADD", "[]", R"({"dry_run": true})", renames),
            "400 Body contents: Type is 'list', but 'dict' is expected");
}

// ---------------------------------------------------------------------------
// Step 4: renames.

TEST(FillOpcodeRenames, OldNameIsMovedToNewName) {
  const Rename renames[] = {{"name", "group_name"}};
  const Json result = fill("OP_GROUP_ADD", R"({"name": "g1"})", "{}", renames);
  EXPECT_EQ(result["group_name"], "g1");
  EXPECT_FALSE(result.contains("name"));
}

TEST(FillOpcodeRenames, BothNamesGiven) {
  const Rename renames[] = {{"name", "group_name"}};
  EXPECT_EQ(fill_error("OP_GROUP_ADD", R"({"group_name": "a", "name": "b"})", "{}", renames),
            "400 Parameter 'name' was renamed to 'group_name', but both are specified");
}

TEST(FillOpcodeRenames, AppliedInOrder) {
  const Rename renames[] = {{"os", "os_type"}, {"name", "instance_name"}};
  // The first conflicting rename wins.
  EXPECT_EQ(fill_error("OP_INSTANCE_CREATE",
                       R"({"name": 1, "instance_name": 2, "os": 3, "os_type": 4})", "{}", renames),
            "400 Parameter 'os' was renamed to 'os_type', but both are specified");
  // A rename can feed the next one.
  const Rename chain[] = {{"a", "b"}, {"b", "group_name"}};
  EXPECT_EQ(fill("OP_GROUP_ADD", R"({"a": "g"})", "{}", chain)["group_name"], "g");
}

TEST(FillOpcodeRenames, RenamedKeyMovesToTheEnd) {
  // Python: params[new] = params.pop(old). The unknown-parameter check then
  // sees "bogus" before the renamed (also unknown) key.
  const Rename renames[] = {{"a", "zzz_renamed"}};
  EXPECT_EQ(fill_error("OP_GROUP_ADD", R"({"a": 1, "bogus": 2})", "{}", renames),
            "400 Invalid body parameters: Object OpGroupAdd doesn't support the parameter "
            "'bogus'");
}

TEST(FillOpcodeRenames, RenameBeforeStaticCheck) {
  // The renamed key collides with a static parameter.
  const Rename renames[] = {{"name", "group_name"}};
  EXPECT_EQ(fill_error("OP_GROUP_RENAME", R"({"name": "x"})", R"({"group_name": "g"})", renames),
            "400 Can't overwrite static parameters {'group_name'}");
}

// ---------------------------------------------------------------------------
// Steps 5-6: static parameters.

TEST(FillOpcodeStatic, OverwriteIsRejected) {
  EXPECT_EQ(fill_error("OP_GROUP_ADD", R"({"group_name": "g", "dry_run": true})",
                       R"({"reason": [], "dry_run": false})"),
            "400 Can't overwrite static parameters {'dry_run'}");
}

TEST(FillOpcodeStatic, SeveralOverwrittenKeysInBodyOrder) {
  EXPECT_EQ(fill_error("OP_INSTANCE_STARTUP", R"({"force": true, "x": 1, "dry_run": true})",
                       R"({"dry_run": false, "instance_name": "i", "force": false})"),
            "400 Can't overwrite static parameters {'force', 'dry_run'}");
}

TEST(FillOpcodeStatic, ReasonInBodyIsRejected) {
  EXPECT_EQ(fill_error("OP_GROUP_ADD", R"({"group_name": "g", "reason": []})",
                       R"({"reason": [["gnt:library:rlib2:groups", "", 1]]})"),
            "400 Can't overwrite static parameters {'reason'}");
}

TEST(FillOpcodeStatic, OverwriteCheckedBeforeUnknownParameters) {
  EXPECT_EQ(fill_error("OP_GROUP_ADD", R"({"bogus": 1, "dry_run": true})", R"({"dry_run": false})"),
            "400 Can't overwrite static parameters {'dry_run'}");
}

TEST(FillOpcodeStatic, StaticValuesAreUsed) {
  const Json result = fill("OP_GROUP_RENAME", R"({"new_name": "b"})",
                           R"({"reason": [["x", "", 1]], "group_name": "a", "dry_run": true})");
  EXPECT_EQ(dump_python(result),
            R"({"group_name": "a", "new_name": "b", "dry_run": true, "debug_level": null, )"
            R"("priority": 0, "depends": null, "comment": null, "reason": [["x", "", 1]], )"
            R"("OP_ID": "OP_GROUP_RENAME"})");
}

TEST(FillOpcodeStatic, StaticKeysComeAfterBodyKeys) {
  // Both unknown: the body's key is reported first.
  EXPECT_EQ(fill_error("OP_GROUP_ADD", R"({"body_key": 1})", R"({"static_key": 1})"),
            "400 Invalid body parameters: Object OpGroupAdd doesn't support the parameter "
            "'body_key'");
  EXPECT_EQ(fill_error("OP_GROUP_ADD", R"({"group_name": "g"})", R"({"static_key": 1})"),
            "400 Invalid body parameters: Object OpGroupAdd doesn't support the parameter "
            "'static_key'");
}

// ---------------------------------------------------------------------------
// Step 7: unknown parameters.

TEST(FillOpcodeUnknown, FirstUnknownKeyInBodyOrder) {
  EXPECT_EQ(fill_error("OP_INSTANCE_CREATE", R"({"zeta": 1, "alpha": 2})"),
            "400 Invalid body parameters: Object OpInstanceCreate doesn't support the parameter "
            "'zeta'");
  EXPECT_EQ(fill_error("OP_CLUSTER_REDIST_CONF", R"({"OP_ID": "OP_CLUSTER_REDIST_CONF"})"),
            "400 Invalid body parameters: Object OpClusterRedistConf doesn't support the "
            "parameter 'OP_ID'");
}

TEST(FillOpcodeUnknown, KeyIsNotQuoted) {
  // '%s' formatting: the key appears verbatim, quotes and all.
  EXPECT_EQ(fill_error("OP_GROUP_REMOVE", R"({"it's \"x\"": 1})"),
            "400 Invalid body parameters: Object OpGroupRemove doesn't support the parameter "
            "'it's \"x\"'");
}

TEST(FillOpcodeUnknown, CheckedBeforeValidation) {
  EXPECT_EQ(fill_error("OP_GROUP_ADD", R"({"priority": 5, "bogus": 1})"),
            "400 Invalid body parameters: Object OpGroupAdd doesn't support the parameter "
            "'bogus'");
}

TEST(FillOpcodeUnknown, CommonParametersAreKnownEverywhere) {
  for (const auto& op : opcode_defs()) {
    Json body = Json::object();
    for (const auto& param : op.params) body[std::string(param.name)] = nullptr;
    for (const auto& param : common_opcode_params()) body[std::string(param.name)] = nullptr;
    const std::string error = fill_error(op.op_id, &body);
    EXPECT_EQ(error.find("doesn't support"), std::string::npos) << op.op_id << ": " << error;
  }
}

// ---------------------------------------------------------------------------
// Step 8: validation.

TEST(FillOpcodeValidation, MissingRequiredParameter) {
  EXPECT_EQ(fill_error("OP_GROUP_ADD", nullptr), fails("OP_GROUP_ADD", "group_name"));
  EXPECT_EQ(fill_error("OP_GROUP_ADD", "{}"), fails("OP_GROUP_ADD", "group_name"));
  EXPECT_EQ(fill_error("OP_GROUP_ADD", R"({"group_name": null})"),
            fails("OP_GROUP_ADD", "group_name"));
  EXPECT_EQ(fill_error("OP_NODE_EVACUATE", R"({"node_name": "n"})"),
            fails("OP_NODE_EVACUATE", "mode"));
}

TEST(FillOpcodeValidation, FirstFailureInDefinitionOrder) {
  // instance_name (first own parameter) before disks, mode, nics...
  EXPECT_EQ(fill_error("OP_INSTANCE_CREATE", R"({"nics": 5, "disks": 5})"),
            fails("OP_INSTANCE_CREATE", "instance_name"));
  EXPECT_EQ(fill_error("OP_INSTANCE_CREATE", R"({"instance_name": "i", "nics": 5, "disks": 5})"),
            fails("OP_INSTANCE_CREATE", "disks"));
  // Own parameters before the common ones, whatever the body order.
  EXPECT_EQ(fill_error("OP_GROUP_ADD", R"({"priority": 5, "alloc_policy": "x"})"),
            fails("OP_GROUP_ADD", "group_name"));
  EXPECT_EQ(fill_error("OP_GROUP_ADD", R"({"priority": 5, "group_name": "g", "dry_run": 1})"),
            fails("OP_GROUP_ADD", "dry_run"));
}

TEST(FillOpcodeValidation, MessageQuotingFollowsPythonRepr) {
  // The tuple repr: double quotes around the first element (it contains
  // single quotes), single quotes around 'wrong_input'.
  EXPECT_EQ(fill_error("OP_TAGS_SET", R"({"kind": "instance", "tags": "x"})"),
            "400 Invalid body parameters: (\"Parameter 'OP_TAGS_SET.tags' fails validation\", "
            "'wrong_input')");
}

TEST(FillOpcodeValidation, NullForDefaultedParameterFails) {
  // lib/rapi/client.py CreateNetwork sends tags: null when given no tags.
  EXPECT_EQ(fill_error("OP_NETWORK_ADD",
                       R"({"network_name": "n", "network": "10.0.0.0/24", "tags": null})"),
            fails("OP_NETWORK_ADD", "tags"));
}

TEST(FillOpcodeValidation, PriorityComparesLikePython) {
  // 7.4: enumerations use Python equality; values are sent as given.
  EXPECT_EQ(fill("OP_GROUP_REMOVE", R"({"group_name": "g", "priority": false})")["priority"],
            Json(false));
  const Json zero = fill("OP_GROUP_REMOVE", R"({"group_name": "g", "priority": 0.0})");
  EXPECT_EQ(dump_python(zero["priority"]), "0.0");
  EXPECT_EQ(fill("OP_GROUP_REMOVE", R"({"group_name": "g", "priority": -10})")["priority"], -10);
  EXPECT_EQ(
      dump_python(fill("OP_GROUP_REMOVE", R"({"group_name": "g", "priority": 10.0})")["priority"]),
      "10.0");
  EXPECT_EQ(fill_error("OP_GROUP_REMOVE", R"({"group_name": "g", "priority": 5})"),
            fails("OP_GROUP_REMOVE", "priority"));
  EXPECT_EQ(fill_error("OP_GROUP_REMOVE", R"({"group_name": "g", "priority": true})"),
            fails("OP_GROUP_REMOVE", "priority"));
  EXPECT_EQ(fill_error("OP_GROUP_REMOVE", R"({"group_name": "g", "priority": "0"})"),
            fails("OP_GROUP_REMOVE", "priority"));
  EXPECT_EQ(fill_error("OP_GROUP_REMOVE", R"({"group_name": "g", "priority": null})"),
            fails("OP_GROUP_REMOVE", "priority"));
  EXPECT_EQ(fill_error("OP_GROUP_REMOVE", R"({"group_name": "g", "priority": [0]})"),
            "400 Invalid body parameters: unhashable type: 'list'");
}

TEST(FillOpcodeValidation, IntRejectsBoolAndFloat) {
  for (const char* value : {"true", "false", "1.0", "120.0", "\"120\""}) {
    EXPECT_EQ(
        fill_error("OP_INSTANCE_REMOVE",
                   std::string(R"({"instance_name": "i", "shutdown_timeout": )") + value + "}"),
        fails("OP_INSTANCE_REMOVE", "shutdown_timeout"))
        << value;
  }
  EXPECT_EQ(fill_error("OP_INSTANCE_REMOVE", R"({"instance_name": "i", "shutdown_timeout": -1})"),
            fails("OP_INSTANCE_REMOVE", "shutdown_timeout"));
  EXPECT_EQ(fill("OP_INSTANCE_REMOVE",
                 R"({"instance_name": "i", "shutdown_timeout": 0})")["shutdown_timeout"],
            0);
}

TEST(FillOpcodeValidation, FloatAcceptsIntegersUnchanged) {
  const char* base = R"({"instance_name": "i", "target_node": "n", "zeroing_timeout_per_mib": )";
  const Json as_int = fill("OP_BACKUP_EXPORT", std::string(base) + "5}");
  EXPECT_EQ(dump_python(as_int["zeroing_timeout_per_mib"]), "5");
  const Json as_float = fill("OP_BACKUP_EXPORT", std::string(base) + "0.5}");
  EXPECT_EQ(dump_python(as_float["zeroing_timeout_per_mib"]), "0.5");
  EXPECT_EQ(fill_error("OP_BACKUP_EXPORT", std::string(base) + "true}"),
            fails("OP_BACKUP_EXPORT", "zeroing_timeout_per_mib"));
  EXPECT_EQ(fill_error("OP_BACKUP_EXPORT", std::string(base) + "\"1\"}"),
            fails("OP_BACKUP_EXPORT", "zeroing_timeout_per_mib"));
}

TEST(FillOpcodeValidation, InstanceNameMayBeEmptyNodeNameMayNot) {
  EXPECT_EQ(fill_error("OP_INSTANCE_REMOVE", R"({"instance_name": ""})"), "ok");
  EXPECT_EQ(fill_error("OP_NODE_POWERCYCLE", R"({"node_name": ""})"),
            fails("OP_NODE_POWERCYCLE", "node_name"));
  EXPECT_EQ(fill_error("OP_GROUP_REMOVE", R"({"group_name": ""})"),
            fails("OP_GROUP_REMOVE", "group_name"));
  EXPECT_EQ(fill_error("OP_NETWORK_REMOVE", R"({"network_name": ""})"),
            fails("OP_NETWORK_REMOVE", "network_name"));
}

const char* kCreateBase = R"("instance_name": "i", "mode": "create", "disk_template": "plain")";

std::string create_with(std::string_view rest) {
  return "{" + std::string(kCreateBase) + ", " + std::string(rest) + "}";
}

TEST(FillOpcodeValidation, NicDictRejectsUnknownKeys) {
  EXPECT_EQ(fill_error("OP_INSTANCE_CREATE", create_with(R"("disks": [], "nics": [{}])")), "ok");
  EXPECT_EQ(fill_error("OP_INSTANCE_CREATE",
                       create_with(R"("disks": [], "nics": [{"ip": "1.2.3.4", "mac": null,
                                      "link": "br0", "vlan": "", "bridge": "b", "mode": "m",
                                      "name": "n", "network": "x"}])")),
            "ok");
  EXPECT_EQ(fill_error("OP_INSTANCE_CREATE",
                       create_with(R"("disks": [], "nics": [{"_unknown_": false}])")),
            fails("OP_INSTANCE_CREATE", "nics"));
  EXPECT_EQ(fill_error("OP_INSTANCE_CREATE", create_with(R"("disks": [], "nics": [{"link": 5}])")),
            fails("OP_INSTANCE_CREATE", "nics"));
  EXPECT_EQ(fill_error("OP_INSTANCE_CREATE", create_with(R"("disks": [], "nics": [[]])")),
            fails("OP_INSTANCE_CREATE", "nics"));
}

TEST(FillOpcodeValidation, DiskDictValues) {
  for (const char* ok : {R"({"size": 1024})", R"({"size": "10G"})", R"({"mode": "rw"})",
                         R"({"anything": -1})", "{}"}) {
    EXPECT_EQ(fill_error("OP_INSTANCE_CREATE",
                         create_with(std::string(R"("nics": [], "disks": [)") + ok + "]")),
              "ok")
        << ok;
  }
  for (const char* bad :
       {R"({"size": true})", R"({"size": null})", R"({"size": 1.5})", R"({"size": ""})",
        R"({"": "x"})", R"({"size": [1]})", R"({"size": {}})"}) {
    EXPECT_EQ(fill_error("OP_INSTANCE_CREATE",
                         create_with(std::string(R"("nics": [], "disks": [)") + bad + "]")),
              fails("OP_INSTANCE_CREATE", "disks"))
        << bad;
  }
}

std::string modify(std::string_view field, std::string_view value) {
  return fill_error("OP_INSTANCE_SET_PARAMS", R"({"instance_name": "i", ")" + std::string(field) +
                                                  "\": " + std::string(value) + "}");
}

TEST(FillOpcodeValidation, ModificationLists) {
  const std::string nics_fail = fails("OP_INSTANCE_SET_PARAMS", "nics");
  const std::string disks_fail = fails("OP_INSTANCE_SET_PARAMS", "disks");
  // New form (triples), any action, int or str index.
  EXPECT_EQ(modify("nics", R"([["add", -1, {"ip": "1.2.3.4"}]])"), "ok");
  EXPECT_EQ(modify("nics", R"([["modify", "nic0", {"link": null}], ["remove", 0, {}]])"), "ok");
  EXPECT_EQ(modify("disks", R"([["attach", 1, {"name": "d"}], ["detach", "x", {}]])"), "ok");
  // Old form (pairs): action without modify, or a non-negative index.
  EXPECT_EQ(modify("disks", R"([[0, {"mode": "rw"}]])"), "ok");
  EXPECT_EQ(modify("disks", R"([["add", {"size": 1024}], ["remove", {}]])"), "ok");
  EXPECT_EQ(modify("disks", R"([["modify", {}]])"), disks_fail);
  EXPECT_EQ(modify("disks", R"([[-1, {}]])"), disks_fail);
  // Mixing the forms in one list is not allowed.
  EXPECT_EQ(modify("nics", R"([["add", -1, {}], [0, {}]])"), nics_fail);
  EXPECT_EQ(modify("nics", R"([[0, {}], ["add", -1, {}]])"), nics_fail);
  // Item checks.
  EXPECT_EQ(modify("nics", R"([["add", -1, {"_unknown_": false}]])"), nics_fail);
  EXPECT_EQ(modify("disks", R"([["add", -1, {"size": true}]])"), disks_fail);
  EXPECT_EQ(modify("nics", R"([["add", true, {}]])"), nics_fail);
  EXPECT_EQ(modify("nics", R"([["add", 1.0, {}]])"), nics_fail);
  EXPECT_EQ(modify("nics", R"([["bogus", 0, {}]])"), nics_fail);
  EXPECT_EQ(modify("nics", R"({"add": 1})"), nics_fail);
  EXPECT_EQ(modify("nics", "[]"), "ok");
  EXPECT_EQ(modify("nics", "null"), nics_fail);
  // Strings and dicts have a length: no error, just a failure.
  EXPECT_EQ(modify("nics", R"(["abc"])"), nics_fail);
  EXPECT_EQ(modify("nics", R"([{"add": 1, "x": 2, "y": 3}])"), nics_fail);
}

TEST(FillOpcodeValidation, ModificationListsRaiseLikePython) {
  // len() of a number/None/bool raises TypeError, caught by FillOpcode.
  EXPECT_EQ(modify("nics", "[5]"),
            "400 Invalid body parameters: object of type 'int' has no len()");
  EXPECT_EQ(modify("nics", "[null]"),
            "400 Invalid body parameters: object of type 'NoneType' has no len()");
  EXPECT_EQ(modify("disks", "[true]"),
            "400 Invalid body parameters: object of type 'bool' has no len()");
  EXPECT_EQ(modify("disks", "[1.5]"),
            "400 Invalid body parameters: object of type 'float' has no len()");
  // The new form is tried first and stops at its first failing element.
  EXPECT_EQ(modify("nics", R"([[0, {}], 5])"),
            "400 Invalid body parameters: object of type 'int' has no len()");
  EXPECT_EQ(modify("nics", R"([["add", -1, {}], 5])"),
            "400 Invalid body parameters: object of type 'int' has no len()");
  // Membership in a frozenset hashes the action.
  EXPECT_EQ(modify("nics", R"([[[], 1, {}]])"),
            "400 Invalid body parameters: unhashable type: 'list'");
  EXPECT_EQ(modify("nics", R"([[{}, {}]])"),
            "400 Invalid body parameters: unhashable type: 'dict'");
}

TEST(FillOpcodeValidation, RecreateDisks) {
  auto recreate = [](std::string_view disks) {
    return fill_error("OP_INSTANCE_RECREATE_DISKS",
                      R"({"instance_name": "i", "disks": )" + std::string(disks) + "}");
  };
  const std::string bad = fails("OP_INSTANCE_RECREATE_DISKS", "disks");
  EXPECT_EQ(recreate("[]"), "ok");
  EXPECT_EQ(recreate("[0, 1, 15, 16]"), "ok");
  EXPECT_EQ(recreate(R"([[0, {"size": 5}], [1, {}]])"), "ok");
  EXPECT_EQ(recreate(R"([[0, {"size": true}]])"), bad);
  EXPECT_EQ(recreate(R"([[-1, {}]])"), bad);
  EXPECT_EQ(recreate(R"([["a", {}]])"), bad);
  EXPECT_EQ(recreate(R"(["ab"])"), bad);
  EXPECT_EQ(recreate(R"({"a": 1})"), bad);
  // A mix: the integer list fails, then len() of 1 raises.
  EXPECT_EQ(recreate(R"([[0, {}], 1])"),
            "400 Invalid body parameters: object of type 'int' has no len()");
  EXPECT_EQ(recreate("[-1]"), "400 Invalid body parameters: object of type 'int' has no len()");
  EXPECT_EQ(recreate("[true]"), "400 Invalid body parameters: object of type 'bool' has no len()");
}

TEST(FillOpcodeValidation, ExportTarget) {
  auto export_to = [](std::string_view target) {
    return fill_error("OP_BACKUP_EXPORT",
                      R"({"instance_name": "i", "target_node": )" + std::string(target) + "}");
  };
  EXPECT_EQ(export_to(R"("node1")"), "ok");
  EXPECT_EQ(export_to("[]"), "ok");
  EXPECT_EQ(export_to(R"([["node1", 1234, "magic"], 5, null])"), "ok");
  EXPECT_EQ(export_to(R"("")"), fails("OP_BACKUP_EXPORT", "target_node"));
  EXPECT_EQ(export_to("{}"), fails("OP_BACKUP_EXPORT", "target_node"));
  EXPECT_EQ(export_to("null"), fails("OP_BACKUP_EXPORT", "target_node"));
}

TEST(FillOpcodeValidation, Depends) {
  auto depends = [](std::string_view value) {
    return fill_error("OP_GROUP_REMOVE",
                      R"({"group_name": "g", "depends": )" + std::string(value) + "}");
  };
  const std::string bad = fails("OP_GROUP_REMOVE", "depends");
  EXPECT_EQ(depends("null"), "ok");
  EXPECT_EQ(depends("[]"), "ok");
  EXPECT_EQ(depends(R"([[1, ["success"]], [-2, ["error", "canceled"]], ["17", []]])"), "ok");
  EXPECT_EQ(depends(R"([["12\n", []]])"), "ok");          // re "$" before a final newline
  EXPECT_EQ(depends(R"([["\u0661\u0662", []]])"), "ok");  // Unicode digits match "\d"
  EXPECT_EQ(depends(R"([["-1", []]])"), bad);
  EXPECT_EQ(depends(R"([["abc", []]])"), bad);
  EXPECT_EQ(depends(R"([["", []]])"), bad);
  EXPECT_EQ(depends(R"([[1.0, []]])"), bad);
  EXPECT_EQ(depends(R"([[true, []]])"), bad);
  EXPECT_EQ(depends(R"([[1, ["bogus"]]])"), bad);
  EXPECT_EQ(depends(R"([[1, "success"]])"), bad);
  EXPECT_EQ(depends(R"([[1]])"), bad);
  EXPECT_EQ(depends(R"([[1, [], 2]])"), bad);
  EXPECT_EQ(depends("[1]"), bad);
  EXPECT_EQ(depends(R"({"a": 1})"), bad);
  EXPECT_EQ(depends(R"([[1, [[]]]])"), "400 Invalid body parameters: unhashable type: 'list'");
}

TEST(FillOpcodeValidation, NetworkQuirks) {
  auto network = [](std::string_view field, std::string_view value) {
    return fill_error("OP_NETWORK_ADD", R"({"network_name": "n", "network": "10.0.0.0/8", ")" +
                                            std::string(field) + "\": \"" + std::string(value) +
                                            "\"}");
  };
  EXPECT_EQ(network("network", "10.0.0.1/24"), "500 10.0.0.1/24 has host bits set");
  EXPECT_EQ(network("network", "10.0.0.0/33"), "500 '33' is not a valid netmask");
  EXPECT_EQ(network("network", "10.0.0.0/255.0.255.0"), "500 '255.0.255.0' is not a valid netmask");
  EXPECT_EQ(network("network", "10.0.0.1/255.255.255.0"), "500 10.0.0.1/24 has host bits set");
  EXPECT_EQ(network("network", "10.0.0.300/24"), fails("OP_NETWORK_ADD", "network"));
  EXPECT_EQ(network("network", "bogus/33"), fails("OP_NETWORK_ADD", "network"));
  EXPECT_EQ(network("network", "10.0.0.0/24/1"), fails("OP_NETWORK_ADD", "network"));
  EXPECT_EQ(network("network6", "2001:DB8::1/64"), "500 2001:db8::1/64 has host bits set");
  EXPECT_EQ(network("network6", "2001:db8::/129"), "500 '129' is not a valid netmask");
  EXPECT_EQ(network("network6", "2001:db8::/64"), "ok");
  EXPECT_EQ(network("network6", "2001:db8:::/64"), fails("OP_NETWORK_ADD", "network6"));
  EXPECT_EQ(network("gateway", "10.0.0.1/32"), fails("OP_NETWORK_ADD", "gateway"));
  EXPECT_EQ(network("gateway", "10.0.0.1"), "ok");
  EXPECT_EQ(network("gateway6", "fe80::1%eth0"), "ok");
  // The network is validated before the (invalid) gateway: 500 wins.
  EXPECT_EQ(fill_error("OP_NETWORK_ADD",
                       R"({"network_name": "n", "network": "10.0.0.1/8", "gateway": 5})"),
            "500 10.0.0.1/8 has host bits set");
  EXPECT_EQ(fill_error("OP_NETWORK_ADD", R"({"network_name": "", "network": "10.0.0.1/8"})"),
            fails("OP_NETWORK_ADD", "network_name"));
}

TEST(FillOpcodeValidation, AllocPolicyIsAListNotAFrozenset) {
  // VALID_ALLOC_POLICIES is a Python list: no "unhashable type" error.
  EXPECT_EQ(fill_error("OP_GROUP_ADD", R"({"group_name": "g", "alloc_policy": []})"),
            fails("OP_GROUP_ADD", "alloc_policy"));
  EXPECT_EQ(fill_error("OP_GROUP_ADD", R"({"group_name": "g", "alloc_policy": "preferred"})"),
            "ok");
  // ... whereas the disk templates are a frozenset.
  EXPECT_EQ(fill_error("OP_INSTANCE_CREATE", create_with(R"("disks": [], "nics": [],
                                                           "hypervisor": {})")),
            "400 Invalid body parameters: unhashable type: 'dict'");
}

// ---------------------------------------------------------------------------
// Step 9: the serialised opcode.

TEST(FillOpcodeOutput, DefinitionOrderDefaultsAndOpId) {
  const Json result =
      fill("OP_INSTANCE_SHUTDOWN", R"({"no_remember": true, "instance_name": "i", "timeout": 5})");
  EXPECT_EQ(dump_python(result),
            R"({"instance_name": "i", "instance_uuid": null, "force": false, )"
            R"("ignore_offline_nodes": false, "timeout": 5, "no_remember": true, )"
            R"("admin_state_source": null, "dry_run": null, "debug_level": null, "priority": 0, )"
            R"("depends": null, "comment": null, "reason": [], "OP_ID": "OP_INSTANCE_SHUTDOWN"})");
}

TEST(FillOpcodeOutput, EveryParameterOfEveryOpcode) {
  for (const auto& op : opcode_defs()) {
    const Json result = build_opcode_unchecked(op.op_id, Json::object());
    std::vector<std::string> expected;
    for (const auto& param : op.params) expected.emplace_back(param.name);
    for (const char* name :
         {"dry_run", "debug_level", "priority", "depends", "comment", "reason"}) {
      expected.emplace_back(name);
    }
    expected.emplace_back("OP_ID");
    std::vector<std::string> keys;
    for (const auto& item : result.items()) keys.push_back(item.key());
    EXPECT_EQ(keys, expected) << op.op_id;
    EXPECT_EQ(result["OP_ID"], std::string(op.op_id));
  }
}

TEST(FillOpcodeOutput, ValuesPassedThroughUnchanged) {
  const Json result = fill("OP_INSTANCE_STARTUP",
                           R"({"instance_name": "i", "hvparams": {"b": 1.0, "a": [1, "x"]},
                               "comment": "h\u00e9"})");
  EXPECT_EQ(dump_python(result["hvparams"]), R"({"b": 1.0, "a": [1, "x"]})");
  EXPECT_EQ(result["comment"], "h\u00e9");
}

TEST(FillOpcodeOutput, DefaultsAreFreshCopies) {
  Json first = fill("OP_INSTANCE_STARTUP", R"({"instance_name": "i"})");
  first["hvparams"]["x"] = 1;
  first["reason"].push_back(1);
  const Json second = fill("OP_INSTANCE_STARTUP", R"({"instance_name": "i"})");
  EXPECT_EQ(second["hvparams"], Json::object());
  EXPECT_EQ(second["reason"], Json::array());
}

TEST(FillOpcodeOutput, UnknownOpcodeIsAProgrammingError) {
  EXPECT_THROW(fill_opcode("OP_NO_SUCH_THING", nullptr, kNoStatic), std::invalid_argument);
  EXPECT_THROW(build_opcode_unchecked("OP_NO_SUCH_THING", Json::object()), std::invalid_argument);
}

TEST(FillOpcodeOutput, MultiAllocPassesInstanceOpcodesThrough) {
  const Json inst = fill("OP_INSTANCE_CREATE", create_with(R"("disks": [], "nics": [])"));
  Json body = Json::object();
  body["instances"] = Json::array({inst});
  const Json result = fill_opcode("OP_INSTANCE_MULTI_ALLOC", &body, J(R"({"dry_run": false})"));
  EXPECT_EQ(result["instances"][0], inst);
  EXPECT_EQ(dump_python(result["instances"][0]), dump_python(inst));
}

// ---------------------------------------------------------------------------
// build_opcode_unchecked (reinstall's hand-built job).

TEST(BuildOpcodeUnchecked, DefaultsOverriddenWithoutValidation) {
  const Json reinstall = build_opcode_unchecked(
      "OP_INSTANCE_REINSTALL", J(R"({"instance_name": "i", "os_type": 5, "osparams": null})"));
  EXPECT_EQ(dump_python(reinstall),
            R"({"instance_name": "i", "instance_uuid": null, "force_variant": false, )"
            R"("os_type": 5, "osparams": null, "osparams_private": null, )"
            R"("osparams_secret": null, "dry_run": null, "debug_level": null, "priority": 0, )"
            R"("depends": null, "comment": null, "reason": [], "OP_ID": "OP_INSTANCE_REINSTALL"})");
  const Json startup =
      build_opcode_unchecked("OP_INSTANCE_STARTUP", J(R"({"instance_name": "i", "force": false})"));
  EXPECT_EQ(
      dump_python(startup),
      R"({"instance_name": "i", "instance_uuid": null, "force": false, )"
      R"("ignore_offline_nodes": false, "hvparams": {}, "beparams": {}, "no_remember": false, )"
      R"("startup_paused": false, "shutdown_timeout": 120, "dry_run": null, )"
      R"("debug_level": null, "priority": 0, "depends": null, "comment": null, )"
      R"("reason": [], "OP_ID": "OP_INSTANCE_STARTUP"})");
  // A missing required parameter is simply null.
  EXPECT_EQ(build_opcode_unchecked("OP_INSTANCE_SHUTDOWN", Json::object())["instance_name"],
            nullptr);
}

TEST(BuildOpcodeUnchecked, UnknownParameterIsAProgrammingError) {
  EXPECT_THROW(build_opcode_unchecked("OP_INSTANCE_SHUTDOWN", J(R"({"bogus": 1})")),
               std::invalid_argument);
  EXPECT_THROW(build_opcode_unchecked("OP_INSTANCE_SHUTDOWN", J("[]")), std::invalid_argument);
}

// ---------------------------------------------------------------------------
// validate_opcode_table: a malformed table is refused as a whole, at start-up.

constexpr OpcodeParamDef kTestCommon[] = {{"dry_run", "bool or null", "null", false}};
constexpr OpcodeParamDef kTestParams[] = {{"node_name", "nestr", "null", true},
                                          {"force", "bool", "false", false}};

// "ok", or the OpcodeTableError's message.
std::string table_fault(std::span<const OpcodeDef> opcodes,
                        std::span<const OpcodeParamDef> common = kTestCommon) {
  try {
    validate_opcode_table(opcodes, common);
    return "ok";
  } catch (const OpcodeTableError& err) {
    return err.what();
  }
}

// The fault of a table whose one opcode has the one parameter `param`.
std::string param_fault(const OpcodeParamDef& param) {
  const OpcodeParamDef params[] = {param};
  const OpcodeDef opcodes[] = {{"OP_TEST", "OpTest", params}};
  return table_fault(opcodes);
}

TEST(OpcodeTableValidation, TheGeneratedTableIsValid) {
  EXPECT_NO_THROW(validate_opcode_table());
  EXPECT_EQ(table_fault(opcode_defs(), common_opcode_params()), "ok");
}

TEST(OpcodeTableValidation, WellFormedTableIsAccepted) {
  const OpcodeDef opcodes[] = {{"OP_TEST", "OpTest", kTestParams},
                               {"OP_EMPTY", "OpEmpty", std::span<const OpcodeParamDef>{}}};
  EXPECT_EQ(table_fault(opcodes), "ok");
}

TEST(OpcodeTableValidation, BadTypeExpression) {
  EXPECT_EQ(param_fault({"p", "list<int", "null", true}),
            "opcode table: OP_TEST.p: type expression 'list<int': expected '>' at offset 8");
  EXPECT_EQ(
      param_fault({"p", "integer", "null", true}),
      "opcode table: OP_TEST.p: type expression 'integer': unknown type 'integer' at offset 7");
}

TEST(OpcodeTableValidation, BadDefault) {
  EXPECT_EQ(param_fault({"p", "int", "{1", false}),
            "opcode table: OP_TEST.p: default is not JSON: {1");
  EXPECT_EQ(param_fault({"p", "int", "\"x\"", false}),
            "opcode table: OP_TEST.p: default \"x\" fails its type");
  EXPECT_EQ(param_fault({"p", "enum{a,b}", "[]", false}),
            "opcode table: OP_TEST.p: default [] fails its type");  // raises in Python
  EXPECT_EQ(param_fault({"p", "float", "1", false}), "ok");         // retried as 1.0
}

TEST(OpcodeTableValidation, RequiredMeansNullDefaultThatFails) {
  EXPECT_EQ(param_fault({"p", "int", "0", true}),
            "opcode table: OP_TEST.p: required, but has a default");
  EXPECT_EQ(param_fault({"p", "int or null", "null", true}),
            "opcode table: OP_TEST.p: required, but null passes");
  EXPECT_EQ(param_fault({"p", "int", "null", false}),
            "opcode table: OP_TEST.p: default null fails its type");
}

TEST(OpcodeTableValidation, DuplicateOpcode) {
  const OpcodeDef opcodes[] = {{"OP_TEST", "OpTest", kTestParams},
                               {"OP_TEST", "OpTest", kTestParams}};
  EXPECT_EQ(table_fault(opcodes), "opcode table: OP_TEST: opcode listed twice");
}

TEST(OpcodeTableValidation, DuplicateParameter) {
  const OpcodeParamDef twice[] = {{"force", "bool", "false", false},
                                  {"force", "bool", "true", false}};
  const OpcodeDef own[] = {{"OP_TEST", "OpTest", twice}};
  EXPECT_EQ(table_fault(own), "opcode table: OP_TEST.force: listed twice");
  const OpcodeParamDef shadowing[] = {{"dry_run", "bool", "false", false}};
  const OpcodeDef common[] = {{"OP_TEST", "OpTest", shadowing}};
  EXPECT_EQ(table_fault(common), "opcode table: OP_TEST.dry_run: listed twice");
}

TEST(OpcodeTableValidation, EmptyNames) {
  const OpcodeDef no_id[] = {{"", "OpTest", kTestParams}};
  EXPECT_EQ(table_fault(no_id), "opcode table: : empty OP_ID or class name");
  EXPECT_EQ(param_fault({"", "bool", "false", false}),
            "opcode table: OP_TEST: empty parameter name");
}

TEST(OpcodeTableValidation, BrokenCommonParameterFailsEveryTable) {
  const OpcodeParamDef broken[] = {{"reason", "list<any> or null", "[", false}};
  const OpcodeDef opcodes[] = {{"OP_TEST", "OpTest", kTestParams}};
  EXPECT_EQ(table_fault(opcodes, broken), "opcode table: OP_TEST.reason: default is not JSON: [");
}

// ---------------------------------------------------------------------------
// The opcodes the real daemon submitted (ganeti-sandbox captures), byte for
// byte. Each case: the body and specific static parameters the resource
// passes; the reason trail is taken from the captured opcode.

constexpr Rename kInstanceCreateRenames[] = {{"os", "os_type"}, {"name", "instance_name"}};
constexpr Rename kInstanceModifyRenames[] = {{"custom_beparams", "beparams"},
                                             {"custom_hvparams", "hvparams"}};
constexpr Rename kNameToGroupName[] = {{"name", "group_name"}};
constexpr Rename kNameToNetworkName[] = {{"name", "network_name"}};

struct CaptureCase {
  const char* capture;
  const char* op_id;
  const char* body;     // nullptr: no body
  const char* statics;  // without "reason"
  std::span<const Rename> renames;
  const char* expected;  // the opcode in the SubmitJob request
};

const CaptureCase kCaptureCases[] = {
    {"062-instance-create-dry-run", "OP_INSTANCE_CREATE",
     R"({"mode": "create", "name": "inst4.example.com", "disk_template": "diskless", "disks": [], "nics": [{}], "os_type": "noop", "pnode": "node1.example.com", "name_check": false, "ip_check": false, "beparams": {"memory": 128, "vcpus": 1}})",
     R"({"dry_run": true})", kInstanceCreateRenames,
     R"({"instance_name": "inst4.example.com", "force_variant": false, "wait_for_sync": true, "name_check": false, "ignore_ipolicy": false, "opportunistic_locking": false, "beparams": {"memory": 128, "vcpus": 1}, "disks": [], "disk_template": "diskless", "group_name": null, "file_driver": null, "file_storage_dir": null, "hvparams": {}, "hypervisor": null, "iallocator": null, "identify_defaults": false, "ip_check": false, "conflicts_check": true, "mode": "create", "nics": [{}], "no_install": null, "osparams": {}, "osparams_private": null, "osparams_secret": null, "os_type": "noop", "pnode": "node1.example.com", "pnode_uuid": null, "snode": null, "snode_uuid": null, "source_handshake": null, "source_instance_name": null, "source_shutdown_timeout": 120, "source_x509_ca": null, "src_node": null, "src_node_uuid": null, "src_path": null, "compress": "none", "start": true, "forthcoming": false, "commit": false, "tags": [], "instance_communication": false, "helper_startup_timeout": null, "helper_shutdown_timeout": null, "dry_run": true, "debug_level": null, "priority": 0, "depends": null, "comment": null, "reason": [["gnt:library:rlib2:instances", "", 1795721789018912768]], "OP_ID": "OP_INSTANCE_CREATE"})"},
    {"063-instance-create", "OP_INSTANCE_CREATE",
     R"({"mode": "create", "name": "inst4.example.com", "disk_template": "diskless", "disks": [], "nics": [{}], "os_type": "noop", "pnode": "node1.example.com", "name_check": false, "ip_check": false, "beparams": {"memory": 128, "vcpus": 1}})",
     R"({"dry_run": false})", kInstanceCreateRenames,
     R"({"instance_name": "inst4.example.com", "force_variant": false, "wait_for_sync": true, "name_check": false, "ignore_ipolicy": false, "opportunistic_locking": false, "beparams": {"memory": 128, "vcpus": 1}, "disks": [], "disk_template": "diskless", "group_name": null, "file_driver": null, "file_storage_dir": null, "hvparams": {}, "hypervisor": null, "iallocator": null, "identify_defaults": false, "ip_check": false, "conflicts_check": true, "mode": "create", "nics": [{}], "no_install": null, "osparams": {}, "osparams_private": null, "osparams_secret": null, "os_type": "noop", "pnode": "node1.example.com", "pnode_uuid": null, "snode": null, "snode_uuid": null, "source_handshake": null, "source_instance_name": null, "source_shutdown_timeout": 120, "source_x509_ca": null, "src_node": null, "src_node_uuid": null, "src_path": null, "compress": "none", "start": true, "forthcoming": false, "commit": false, "tags": [], "instance_communication": false, "helper_startup_timeout": null, "helper_shutdown_timeout": null, "dry_run": false, "debug_level": null, "priority": 0, "depends": null, "comment": null, "reason": [["gnt:library:rlib2:instances", "", 1795721789694602752]], "OP_ID": "OP_INSTANCE_CREATE"})"},
    {"070-instance-reboot",
     "OP_INSTANCE_REBOOT",
     nullptr,
     R"({"instance_name": "inst4.example.com", "reboot_type": "hard", "ignore_secondaries": false, "dry_run": false})",
     {},
     R"({"instance_name": "inst4.example.com", "instance_uuid": null, "shutdown_timeout": 120, "ignore_secondaries": false, "reboot_type": "hard", "dry_run": false, "debug_level": null, "priority": 0, "depends": null, "comment": null, "reason": [["gnt:library:rlib2:instances_name_reboot", "", 1795721791456219136]], "OP_ID": "OP_INSTANCE_REBOOT"})"},
    {"071-instance-shutdown",
     "OP_INSTANCE_SHUTDOWN",
     R"({"timeout": 10})",
     R"({"instance_name": "inst4.example.com", "no_remember": false, "dry_run": false})",
     {},
     R"({"instance_name": "inst4.example.com", "instance_uuid": null, "force": false, "ignore_offline_nodes": false, "timeout": 10, "no_remember": false, "admin_state_source": null, "dry_run": false, "debug_level": null, "priority": 0, "depends": null, "comment": null, "reason": [["gnt:library:rlib2:instances_name_shutdown", "", 1795721792135378688]], "OP_ID": "OP_INSTANCE_SHUTDOWN"})"},
    {"072-instance-rename",
     "OP_INSTANCE_RENAME",
     R"({"new_name": "inst5.example.com", "name_check": false, "ip_check": false})",
     R"({"instance_name": "inst4.example.com"})",
     {},
     R"({"instance_name": "inst4.example.com", "instance_uuid": null, "new_name": "inst5.example.com", "name_check": false, "ip_check": false, "dry_run": null, "debug_level": null, "priority": 0, "depends": null, "comment": null, "reason": [["gnt:library:rlib2:instances_name_rename", "", 1795721792813520640]], "OP_ID": "OP_INSTANCE_RENAME"})"},
    {"073-instance-startup",
     "OP_INSTANCE_STARTUP",
     R"({})",
     R"({"instance_name": "inst5.example.com", "force": false, "dry_run": false, "no_remember": false})",
     {},
     R"({"instance_name": "inst5.example.com", "instance_uuid": null, "force": false, "ignore_offline_nodes": false, "hvparams": {}, "beparams": {}, "no_remember": false, "startup_paused": false, "shutdown_timeout": 120, "dry_run": false, "debug_level": null, "priority": 0, "depends": null, "comment": null, "reason": [["gnt:library:rlib2:instances_name_startup", "", 1795721793687364096]], "OP_ID": "OP_INSTANCE_STARTUP"})"},
    {"074-instance-modify", "OP_INSTANCE_SET_PARAMS", R"({"beparams": {"vcpus": 2}})",
     R"({"instance_name": "inst5.example.com"})",
     kInstanceModifyRenames, R"({"instance_name": "inst5.example.com", "instance_uuid": null, "force": false, "force_variant": false, "ignore_ipolicy": false, "nics": [], "disks": [], "beparams": {"vcpus": 2}, "runtime_mem": null, "hvparams": {}, "disk_template": null, "ext_params": {}, "file_driver": null, "file_storage_dir": null, "pnode": null, "pnode_uuid": null, "remote_node": null, "remote_node_uuid": null, "iallocator": null, "os_name": null, "osparams": {}, "osparams_private": null, "wait_for_sync": true, "offline": null, "conflicts_check": true, "hotplug": false, "hotplug_if_possible": false, "instance_communication": null, "dry_run": null, "debug_level": null, "priority": 0, "depends": null, "comment": null, "reason": [["gnt:library:rlib2:instances_name_modify", "", 1795721794357108736]], "OP_ID": "OP_INSTANCE_SET_PARAMS"})"},
    {"076-instance-tags-put",
     "OP_TAGS_SET",
     R"({})",
     R"({"kind": "instance", "name": "inst5.example.com", "tags": ["foo", "bar"], "dry_run": false})",
     {},
     R"({"kind": "instance", "tags": ["foo", "bar"], "name": "inst5.example.com", "dry_run": false, "debug_level": null, "priority": 0, "depends": null, "comment": null, "reason": [["gnt:library:rlib2:instances_name_tags", "", 1795721795136116992]], "OP_ID": "OP_TAGS_SET"})"},
    {"079-cluster-tags-put",
     "OP_TAGS_SET",
     R"({})",
     R"({"kind": "cluster", "name": null, "tags": ["captured"], "dry_run": false})",
     {},
     R"({"kind": "cluster", "tags": ["captured"], "name": null, "dry_run": false, "debug_level": null, "priority": 0, "depends": null, "comment": null, "reason": [["gnt:library:rlib2:tags", "", 1795721796214318592]], "OP_ID": "OP_TAGS_SET"})"},
    {"082-node-role-put",
     "OP_NODE_SET_PARAMS",
     R"({})",
     R"({"node_name": "node1.example.com", "master_candidate": true, "offline": null, "drained": null, "force": false, "auto_promote": false})",
     {},
     R"({"node_name": "node1.example.com", "node_uuid": null, "force": false, "hv_state": null, "disk_state": null, "master_candidate": true, "offline": null, "drained": null, "auto_promote": false, "master_capable": null, "vm_capable": null, "secondary_ip": null, "ndparams": null, "powered": null, "dry_run": null, "debug_level": null, "priority": 0, "depends": null, "comment": null, "reason": [["gnt:library:rlib2:nodes_name_role", "", 1795721797660529408]], "OP_ID": "OP_NODE_SET_PARAMS"})"},
    {"085-group-create", "OP_GROUP_ADD", R"({"name": "group2"})", R"({"dry_run": false})",
     kNameToGroupName,
     R"({"group_name": "group2", "alloc_policy": null, "ndparams": null, "diskparams": null, "hv_state": null, "disk_state": null, "ipolicy": null, "dry_run": false, "debug_level": null, "priority": 0, "depends": null, "comment": null, "reason": [["gnt:library:rlib2:groups", "", 1795721798295041792]], "OP_ID": "OP_GROUP_ADD"})"},
    {"087-group-rename",
     "OP_GROUP_RENAME",
     R"({"new_name": "group3"})",
     R"({"group_name": "group2", "dry_run": false})",
     {},
     R"({"group_name": "group2", "new_name": "group3", "dry_run": false, "debug_level": null, "priority": 0, "depends": null, "comment": null, "reason": [["gnt:library:rlib2:groups_name_rename", "", 1795721799072390912]], "OP_ID": "OP_GROUP_RENAME"})"},
    {"088-group-delete",
     "OP_GROUP_REMOVE",
     R"({})",
     R"({"group_name": "group3", "dry_run": false})",
     {},
     R"({"group_name": "group3", "dry_run": false, "debug_level": null, "priority": 0, "depends": null, "comment": null, "reason": [["gnt:library:rlib2:groups_name", "", 1795721799746364672]], "OP_ID": "OP_GROUP_REMOVE"})"},
    {"089-network-create", "OP_NETWORK_ADD", R"({"network_name": "net1", "network": "203.0.113.0/24"})", R"({"dry_run": false})", kNameToNetworkName, R"({"network_name": "net1", "network": "203.0.113.0/24", "gateway": null, "network6": null, "gateway6": null, "mac_prefix": null, "add_reserved_ips": null, "conflicts_check": true, "tags": [], "dry_run": false, "debug_level": null, "priority": 0, "depends": null, "comment": null, "reason": [["gnt:library:rlib2:networks", "", 1795721800452451584]], "OP_ID": "OP_NETWORK_ADD"})"},
    {"091-network-delete",
     "OP_NETWORK_REMOVE",
     nullptr,
     R"({"network_name": "net1", "dry_run": false})",
     {},
     R"({"network_name": "net1", "force": false, "dry_run": false, "debug_level": null, "priority": 0, "depends": null, "comment": null, "reason": [["gnt:library:rlib2:networks_name", "", 1795721801236213504]], "OP_ID": "OP_NETWORK_REMOVE"})"},
    {"096-instance-delete",
     "OP_INSTANCE_REMOVE",
     nullptr,
     R"({"instance_name": "inst5.example.com", "ignore_failures": false, "dry_run": false})",
     {},
     R"({"instance_name": "inst5.example.com", "instance_uuid": null, "shutdown_timeout": 120, "ignore_failures": false, "dry_run": false, "debug_level": null, "priority": 0, "depends": null, "comment": null, "reason": [["gnt:library:rlib2:instances_name", "", 1795721812649474048]], "OP_ID": "OP_INSTANCE_REMOVE"})"},
};

class CapturedOpcode : public ::testing::TestWithParam<CaptureCase> {};

TEST_P(CapturedOpcode, MatchesTheRealDaemon) {
  const CaptureCase& c = GetParam();
  const Json expected = J(c.expected);
  Json statics = Json::object();
  statics["reason"] = expected["reason"];
  const Json specific = J(c.statics);
  for (const auto& item : specific.items()) statics[item.key()] = item.value();
  std::optional<Json> body;
  if (c.body != nullptr) body = J(c.body);
  const Json result = fill_opcode(c.op_id, body ? &*body : nullptr, statics, c.renames);
  EXPECT_EQ(dump_python(result), c.expected);
}

INSTANTIATE_TEST_SUITE_P(Captures, CapturedOpcode, ::testing::ValuesIn(kCaptureCases),
                         [](const ::testing::TestParamInfo<CaptureCase>& info) {
                           std::string name = "c";
                           for (const char* p = info.param.capture; *p != '\0'; ++p) {
                             name += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace rapid::rapi
