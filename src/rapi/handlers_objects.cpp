// Lists and single objects: instances, nodes, groups, networks; the node
// role, the instance console, and instance reinstall (a hand-built job).
#include "rapi/answers.h"
#include "rapi/handlers.h"
#include "rapi/luxi_calls.h"
#include "rapi/python_semantics.h"
#include "util/pyrepr.h"

namespace rapid::rapi {

const std::vector<std::string_view> kInstanceFields = {"name",
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

const std::vector<std::string_view> kNodeFields = {
    "name",       "offline",        "master_candidate",
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

const std::vector<std::string_view> kGroupFields = {"alloc_policy", "name",
                                                    "node_cnt",     "node_list",
                                                    "ipolicy",      "custom_ipolicy",
                                                    "diskparams",   "custom_diskparams",
                                                    "ndparams",     "custom_ndparams",
                                                    "ctime",        "mtime",
                                                    "uuid",         "serial_no",
                                                    "tags"};

const std::vector<std::string_view> kNetworkFields = {
    "name",       "network",        "gateway", "network6",   "gateway6",  "mac_prefix",
    "free_count", "reserved_count", "map",     "group_list", "inst_list", "external_reservations",
    "ctime",      "mtime",          "uuid",    "serial_no",  "tags"};

namespace {

// luxid's one-letter node roles and rlib2's names for them (_NR_MAP in lib/rapi/rlib2.py).
constexpr std::pair<const char*, const char*> kNodeRoles[] = {{"M", "master"},
                                                              {"C", "master-candidate"},
                                                              {"D", "drained"},
                                                              {"O", "offline"},
                                                              {"R", "regular"}};

// Old clients read beparams.memory; Ganeti keeps it as a copy of maxmem.
Json& add_memory_alias(Json& instance) {
  Json& beparams = instance["beparams"];
  if (!beparams.is_object()) throw subscript_error(beparams);
  if (!beparams.contains("maxmem")) throw key_error("maxmem");
  beparams["memory"] = beparams["maxmem"];
  return instance;
}

// Classic queries: [names, fields, use_locking].
Json classic_args(Json names, std::span<const std::string_view> fields, bool lock) {
  return json_list(std::move(names), field_list(fields), lock);
}

// The classic queries' list arguments: [[], fields, lock].
ListQuery classic_list(std::string_view method, std::span<const std::string_view> fields,
                       std::string_view key, std::string_view uri_prefix, bool lock) {
  return ListQuery{method,    json_list(Json::array()), json_list(lock), fields, "name", key,
                   uri_prefix};
}

ListQuery instances_list(bool lock) {
  ListQuery list = classic_list("QueryInstances", kInstanceFields, "id", "/2/instances/", lock);
  list.adjust_object = [](Json& instance) { add_memory_alias(instance); };
  return list;
}

boost::asio::awaitable<Json> get_object(Context& ctx, std::string_view method,
                                        std::span<const std::string_view> fields) {
  const bool lock = ctx.query.flag("lock");
  Json rows = co_await query_item(ctx, method, classic_args(json_list(ctx.item(0)), fields, lock));
  co_return map_fields(fields, index_or_500(rows, 0));
}

}  // namespace

Awaitable get_instances(Context& ctx) {
  co_return co_await list_resource(ctx, instances_list(ctx.query.flag("lock")));
}

Awaitable get_instance(Context& ctx) {
  Json instance = co_await get_object(ctx, "QueryInstances", kInstanceFields);
  co_return add_memory_alias(instance);
}

Awaitable get_instance_console(Context& ctx) {
  Json rows =
      co_await query(ctx, "QueryInstances",
                     json_list(json_list(ctx.item(0)), json_list("console", "oper_state"), false));
  const auto row = unpack(index_or_500(rows, 0), 2);  // (console, oper_state)
  if (!truthy(row[1])) throw ApiError(503, "Instance console unavailable");
  if (!row[0].is_object()) throw ApiError(500, "");  // rlib2 asserts a dict
  co_return row[0];
}

// The 2-3 opcode job of a reinstall (rlib2._ParseInstanceReinstallRequest),
// built by hand: no validation, empty reason trails. A plain function: see
// "Coroutine rules" in docs/architecture.md.
static Json reinstall_job(Context& ctx) {
  Json params;
  const Json* body = ctx.body_or_null();
  if (body && truthy(*body)) {
    if (!ctx.query.empty()) throw bad_request("Can't combine query and body parameters");
    params = *body;
  } else if (!ctx.query.empty()) {
    auto os = ctx.query.first("os");
    params = Json::object();
    params["os"] = os ? Json(*os) : Json();
    params["start"] = !ctx.query.flag("nostartup");
  } else {
    params = Json::object();
  }
  if (!params.is_object()) throw bad_request("Invalid body contents, not a dictionary");
  const Json os = params.value("os", Json());
  const Json start = params.value("start", Json(true));
  if (!start.is_boolean()) {
    throw wrong_type_error("'start' parameter", start, "bool");
  }
  const Json osparams = params.value("osparams", Json());
  const std::string& name = ctx.item(0);

  Json ops = Json::array();
  ops.push_back(build_opcode_unchecked("OP_INSTANCE_SHUTDOWN", Json{{"instance_name", name}}));
  ops.push_back(build_opcode_unchecked(
      "OP_INSTANCE_REINSTALL",
      Json{{"instance_name", name}, {"os_type", os}, {"osparams", osparams}}));
  if (start.get<bool>()) {
    ops.push_back(build_opcode_unchecked("OP_INSTANCE_STARTUP",
                                         Json{{"instance_name", name}, {"force", false}}));
  }
  return ops;
}

Awaitable post_instance_reinstall(Context& ctx) {
  co_return co_await submit_job(ctx, reinstall_job(ctx));
}

Awaitable get_nodes(Context& ctx) {
  co_return co_await list_resource(
      ctx, classic_list("QueryNodes", kNodeFields, "id", "/2/nodes/", false));
}

Awaitable get_node(Context& ctx) {
  Json node = co_await get_object(ctx, "QueryNodes", kNodeFields);
  if (node.contains("sip")) {
    if (node.contains("secondary_ip")) {
      throw bad_request(
          "Parameter 'sip' has an alias of 'secondary_ip', but both values are "
          "present in response");
    }
    node["secondary_ip"] = node["sip"];
  }
  co_return node;
}

Awaitable get_node_role(Context& ctx) {
  const bool lock = ctx.query.flag("lock");
  Json rows =
      co_await query(ctx, "QueryNodes", json_list(json_list(ctx.item(0)), json_list("role"), lock));
  const Json& role = index_or_500(index_or_500(rows, 0), 0);
  for (const auto& [letter, word] : kNodeRoles) {
    if (role == letter) co_return word;
  }
  throw ApiError(500, python_repr(role));  // KeyError
}

Awaitable get_groups(Context& ctx) {
  co_return co_await list_resource(
      ctx, classic_list("QueryGroups", kGroupFields, "name", "/2/groups/", false));
}

Awaitable get_group(Context& ctx) {
  co_return co_await get_object(ctx, "QueryGroups", kGroupFields);
}

Awaitable get_networks(Context& ctx) {
  co_return co_await list_resource(
      ctx, classic_list("QueryNetworks", kNetworkFields, "name", "/2/networks/", false));
}

Awaitable get_network(Context& ctx) {
  co_return co_await get_object(ctx, "QueryNetworks", kNetworkFields);
}

}  // namespace rapid::rapi
