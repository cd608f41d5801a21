// The hand-written handlers' answers and bodies, the query arguments'
// meanings and the opcode inputs with bodies of their own, for the OpenAPI
// description. Shapes follow the handlers (handlers_*.cpp, answers.cpp)
// and the original's answers recorded in tests/data/captures, which
// tests/openapi validates against them.
#include <stdexcept>
#include <string>

#include "rapi/handlers.h"
#include "rapi/openapi_parts.h"

namespace rapid::rapi::openapi {

namespace {

Json typed(const char* type, const char* description = nullptr) {
  Json schema = Json::object();
  schema["type"] = type;
  if (description) schema["description"] = description;
  return schema;
}

Json array_of(Json items, const char* description = nullptr) {
  Json schema = typed("array", description);
  schema["items"] = std::move(items);
  return schema;
}

Json nullable(Json schema) {
  Json out = Json::object();
  out["anyOf"] = Json::array({typed("null"), std::move(schema)});
  return out;
}

// One object of rlib2's field list: luxid's values, of whatever type.
Json fields_object(std::span<const std::string_view> fields) {
  Json properties = Json::object();
  for (const auto field : fields) properties[std::string(field)] = Json::object();
  Json schema = typed("object");
  schema["properties"] = std::move(properties);
  return schema;
}

// A list resource: [{key, uri}] sorted by id, or with bulk=1 the objects.
Json list_of(std::string_view key, std::span<const std::string_view> bulk_fields) {
  Json entry = typed("object");
  entry["required"] = Json::array({key, "uri"});
  entry["properties"] = {{std::string(key), Json::object()}, {"uri", typed("string")}};
  Json schema = Json::object();
  schema["description"] = "Without bulk=1 the URIs of the objects, with it the objects.";
  schema["anyOf"] = Json::array({array_of(std::move(entry)), array_of(fields_object(bulk_fields))});
  return schema;
}

Json string_list() { return array_of(typed("string")); }

// objects.QueryResponse / QueryFieldsResponse as dicts.
Json field_definitions() {
  Json definition = typed("object");
  definition["properties"] = {{"name", typed("string")},
                              {"title", typed("string")},
                              {"kind", typed("string")},
                              {"doc", typed("string")}};
  return array_of(std::move(definition));
}
Json query_result() {
  Json schema = typed("object");
  schema["required"] = Json::array({"fields"});
  schema["properties"] = {
      {"data", array_of(array_of(typed("array", "[status, value] of one field")))},
      {"fields", field_definitions()}};
  return schema;
}
Json query_fields_result() {
  Json schema = typed("object");
  schema["required"] = Json::array({"fields"});
  schema["properties"] = {{"fields", field_definitions()}};
  return schema;
}

Json null_answer() { return typed("null"); }
Json version_answer() {
  Json schema = typed("integer", "The RAPI version.");
  schema["const"] = 2;
  return schema;
}
Json features_answer() { return array_of(typed("string"), "The optional features the RAPI has."); }
Json object_answer() { return typed("object"); }
Json os_answer() { return array_of(typed("string"), "OS names, \"name+variant\" per variant."); }
Json tags_answer() { return string_list(); }
Json jobs_answer() { return list_of("id", kJobFieldsBulk); }
Json job_answer() { return fields_object(kJobFields); }
Json cancel_answer() {
  Json schema = typed("array", "[success, message] of luxid's CancelJob.");
  schema["prefixItems"] = Json::array({typed("boolean"), typed("string")});
  schema["minItems"] = 2;
  schema["maxItems"] = 2;
  return schema;
}
Json wait_answer() {
  Json change = typed("object");
  change["required"] = Json::array({"job_info", "log_entries"});
  change["properties"] = {{"job_info", typed("array", "The requested fields' values.")},
                          {"log_entries", typed("array")}};
  Json schema = nullable(std::move(change));
  schema["description"] = "null: nothing changed within the wait (10 s).";
  return schema;
}
Json wait_body() {
  Json schema = typed("object");
  schema["required"] = Json::array({"fields"});
  schema["properties"] = {{"fields", string_list()},
                          {"previous_job_info", nullable(typed("array"))},
                          {"previous_log_serial", nullable(typed("integer"))}};
  return schema;
}
Json query_body() {
  Json schema = typed("object");
  schema["properties"] = {
      {"fields", array_of(typed("string"), "Overrides the fields query argument.")},
      {"qfilter", typed("array", "A query filter (qlang); \"filter\" is read when it is null.")},
      {"filter", typed("array")}};
  return schema;
}
Json filters_answer() { return list_of("uuid", kFilterFields); }
Json filter_answer() { return fields_object(kFilterFields); }
Json uuid_answer() { return typed("string", "The filter rule's UUID."); }
Json filter_body() {
  Json schema = typed("object");
  schema["additionalProperties"] = false;
  Json priority = Json::object();
  priority["type"] = Json::array({"integer", "boolean"});  // isinstance(x, int)
  priority["default"] = 0;
  Json predicates = typed("array");
  predicates["default"] = Json::array();
  Json action = Json::object();
  action["default"] = "CONTINUE";
  Json reason = typed("array");
  reason["default"] = Json::array();
  schema["properties"] = {{"priority", std::move(priority)},
                          {"predicates", std::move(predicates)},
                          {"action", std::move(action)},
                          {"reason", std::move(reason)}};
  return schema;
}
Json instances_answer() { return list_of("id", kInstanceFields); }
Json instance_answer() { return fields_object(kInstanceFields); }
Json job_answer_ref() { return ref("JobId"); }
// The job is built without validation: os and osparams go to the opcodes as
// they are; a false-like body counts as none.
Json reinstall_body() {
  Json parameters = typed("object");
  Json start = typed("boolean");
  start["default"] = true;
  Json os = Json::object();
  os["description"] = "The OS (os_type), not checked here.";
  Json osparams = Json::object();
  osparams["description"] = "The OS parameters, not checked here.";
  parameters["properties"] = {
      {"os", std::move(os)}, {"start", std::move(start)}, {"osparams", std::move(osparams)}};
  Json schema = Json::object();
  schema["description"] = "Or the query arguments os and nostartup, never both.";
  schema["anyOf"] = Json::array({std::move(parameters), falsy()});
  return schema;
}
Json nodes_answer() { return list_of("id", kNodeFields); }
Json node_answer() { return fields_object(kNodeFields); }
Json role_answer() {
  Json schema = typed("string");
  schema["enum"] = Json::array({"master", "master-candidate", "drained", "offline", "regular"});
  return schema;
}
Json groups_answer() { return list_of("name", kGroupFields); }
Json group_answer() { return fields_object(kGroupFields); }
Json networks_answer() { return list_of("name", kNetworkFields); }
Json network_answer() { return fields_object(kNetworkFields); }
Json document_answer() { return typed("object", "This OpenAPI 3.1 document."); }

const HandlerDoc kHandlers[] = {
    {get_null, "Nothing (null)", null_answer},
    {get_version, "The RAPI version (2)", version_answer},
    {get_features, "The RAPI's optional features", features_answer},
    {get_info, "Cluster information", object_answer},
    {get_os, "The operating systems (submits OP_OS_DIAGNOSE and waits for it)", os_answer},
    {get_tags, "The tags", tags_answer},
    {get_jobs, "The jobs", jobs_answer},
    {get_job, "One job", job_answer},
    {cancel_job, "Cancels a job", cancel_answer},
    {wait_for_job, "Waits (up to 10 s) for a job to change", wait_answer, wait_body, true},
    {get_query, "A query of any resource kind", query_result},
    {put_query, "A query with a filter", query_result, query_body, true},
    {get_query_fields, "The fields of a resource kind", query_fields_result},
    {get_filters, "The job filter rules", filters_answer},
    {post_filter, "Adds a job filter rule", uuid_answer, filter_body, true},
    {get_filter, "One job filter rule", filter_answer},
    {put_filter, "Replaces (or adds) a job filter rule", uuid_answer, filter_body, true},
    {delete_filter, "Removes a job filter rule", null_answer},
    {get_instances, "The instances", instances_answer},
    {get_instance, "One instance", instance_answer},
    {get_instance_console, "How to reach the instance's console", object_answer},
    {post_instance_reinstall, "Reinstalls an instance (a job of 2-3 opcodes)", job_answer_ref,
     reinstall_body},
    {get_nodes, "The nodes", nodes_answer},
    {get_node, "One node", node_answer},
    {get_node_role, "The node's role", role_answer},
    {get_groups, "The node groups", groups_answer},
    {get_group, "One node group", group_answer},
    {get_networks, "The networks", networks_answer},
    {get_network, "One network", network_answer},
    {get_openapi, "This description", document_answer},
};

struct QueryDoc {
  std::string_view name;
  std::string_view description;
};

const QueryDoc kQueryArgs[] = {
    {"bulk", "1: the objects with their fields instead of a list of URIs."},
    {"lock", "1: query with locks."},
    {"dry-run", "1: the job only checks (the opcode's dry_run)."},
    {"force", "1: the opcode's force."},
    {"reason", "A reason for the job's reason trail (gnt:user)."},
    {"mode", "The opcode's mode."},
    {"storage_type", "The storage type."},
    {"name", "The storage unit's name."},
    {"output_fields", "Comma-separated fields of the storage units."},
    {"allocatable", "0/1: whether the storage unit may be allocated."},
    {"tag", "A tag (repeat for several)."},
    {"auto-promote", "1: promote other nodes to master candidates as needed."},
    {"live", "0/1: live or non-live migration (the pre-2.5 form: the body is then not read)."},
    {"static", "1: only the configuration, no live data."},
    {"type", "The reboot type (default hard)."},
    {"ignore_secondaries", "1: the opcode's ignore_secondaries."},
    {"no_remember", "1: do not record the new state in the configuration."},
    {"os", "The OS to reinstall with (without a body)."},
    {"nostartup", "1: do not start the instance after reinstalling it (without a body)."},
    {"remote_node", "The new secondary node (without a body)."},
    {"disks", "Comma-separated disk indices (without a body)."},
    {"iallocator", "The iallocator (without a body)."},
    {"ignore_size", "1: the opcode's ignore_size."},
    {"fields", "Comma-separated field names."},
};

// POST /2/instances: the body carries a request version that must be 1.
Json create_probe() { return {{"__version__", 1}}; }
void create_adjust(Json& body, const Json&) {
  Json version = Json::object();
  version["enum"] = Json::array({1, true});  // Python: True == 1
  version["description"] = "The request version: 1 (version 0 is no longer supported).";
  body["properties"]["__version__"] = std::move(version);
  body["required"].push_back("__version__");
}

// POST /2/instances-multi-alloc: "instances" are instance creation bodies.
Json multi_alloc_probe() { return {{"instances", Json::array()}}; }
void multi_alloc_adjust(Json& body, const Json& create_body) {
  Json instances = array_of(create_body, "Instance creation parameters (no __version__).");
  body["properties"]["instances"] = std::move(instances);
}

// PUT /2/nodes/[name]/role: the body is the role, a string.
void role_adjust(Json& body, const Json&) {
  body = role_answer();
  body["enum"].erase(0);  // "master" cannot be set
}

// POST /2/instances/[name]/replace-disks: disks may also be "0,2".
void replace_disks_adjust(Json& body, const Json&) {
  Json& disks = body["properties"]["disks"];
  Json either = Json::object();
  either["anyOf"] = Json::array({disks, typed("string", "Comma-separated disk indices.")});
  if (disks.contains("default")) either["default"] = disks["default"];
  disks = std::move(either);
}

const InputDoc kInputs[] = {
    {instance_create_input, create_probe, create_adjust},
    {instance_multi_alloc_input, multi_alloc_probe, multi_alloc_adjust},
    {node_role_input, nullptr, role_adjust, true},
    {instance_replace_disks_input, nullptr, replace_disks_adjust},
};

}  // namespace

std::span<const HandlerDoc> handler_docs() { return kHandlers; }

std::string_view query_description(std::string_view name) {
  for (const auto& arg : kQueryArgs) {
    if (arg.name == name) return arg.description;
  }
  throw std::logic_error("openapi_handlers.cpp: no description of the query argument '" +
                         std::string(name) + "'");
}

const InputDoc* input_doc(InputFn input) {
  for (const auto& doc : kInputs) {
    if (doc.input == input) return &doc;
  }
  return nullptr;
}

Json ref(std::string_view component) {
  Json out = Json::object();
  out["$ref"] = "#/components/schemas/" + std::string(component);
  return out;
}

Json error_schema() {
  Json schema = typed("object", "Ganeti's error body (the message HTML-escaped).");
  schema["required"] = Json::array({"code", "message", "explain"});
  schema["properties"] = {{"code", typed("integer", "The HTTP status.")},
                          {"message", typed("string")},
                          {"explain", typed("string")}};
  return schema;
}

Json falsy() {
  Json schema = Json::object();
  schema["description"] = "Python's false values (as no value).";
  schema["enum"] = Json::array({nullptr, false, 0, "", Json::array(), Json::object()});
  return schema;
}

Json job_id_schema() {
  return typed("integer", "The id of the submitted job (see /2/jobs/{job_id}).");
}

}  // namespace rapid::rapi::openapi
