// The OpenAPI 3.1 document: one path per resource table row, one operation
// per method. Request bodies of opcode rows are the opcode's parameters
// (types, defaults, required) less what the input function fixes from the
// URL and query, found by running the input on a probe request, so a
// changed input or opcode changes the document.
#include "rapi/openapi.h"

#include <boost/asio/io_context.hpp>
#include <set>
#include <stdexcept>

#include "luxi/client.h"
#include "rapi/api_error.h"
#include "rapi/handlers.h"
#include "rapi/opcode_table.h"
#include "rapi/openapi_parts.h"
#include "rapi/param_types.h"

namespace rapid::rapi {

using namespace openapi;

namespace {

constexpr std::string_view kProbeMember = "__probe__";

Json typed(const char* type) {
  Json schema = Json::object();
  schema["type"] = type;
  return schema;
}

// "/2/instances/[name]" -> "/2/instances/{name}".
std::string openapi_path(std::string_view pattern) {
  std::string path(pattern);
  for (auto& c : path) {
    if (c == '[') c = '{';
    if (c == ']') c = '}';
  }
  return path;
}

std::vector<std::string> placeholders(std::string_view pattern) {
  std::vector<std::string> names;
  for (auto open = pattern.find('['); open != std::string_view::npos;
       open = pattern.find('[', open + 1)) {
    names.emplace_back(pattern.substr(open + 1, pattern.find(']', open) - open - 1));
  }
  return names;
}

Json path_parameter(const std::string& name) {
  Json schema = typed("string");
  // Router: [name] any name characters, [job_id] and [disk_index] digits.
  if (name != "name") schema["pattern"] = "^[0-9]+$";
  Json param = Json::object();
  param["name"] = name;
  param["in"] = "path";
  param["required"] = true;
  param["schema"] = std::move(schema);
  return param;
}

Json query_parameter(const QueryParam& arg) {
  Json param = Json::object();
  param["name"] = arg.name;
  param["in"] = "query";
  param["description"] = query_description(arg.name);
  if (arg.required) param["required"] = true;
  switch (arg.kind) {
    case QueryParam::Kind::flag: {
      Json schema = typed("integer");
      schema["description"] = "Read with Python's int(); non-zero is true.";
      param["schema"] = std::move(schema);
      break;
    }
    case QueryParam::Kind::text:
      param["schema"] = typed("string");
      break;
    case QueryParam::Kind::repeated: {
      Json schema = typed("array");
      schema["items"] = typed("string");
      param["schema"] = std::move(schema);
      param["style"] = "form";
      param["explode"] = true;
      break;
    }
  }
  return param;
}

const OpcodeDef& opcode_def(std::string_view op_id) {
  for (const auto& def : opcode_defs()) {
    if (def.op_id == op_id) return def;
  }
  throw std::logic_error("openapi: unknown opcode " + std::string(op_id));
}

// What the input function made of a probe request.
struct Probe {
  bool body_read = false;
  bool params_without_body = false;  // parameters from the query, no body sent
  std::set<std::string> fixed;       // parameters set from the URL and query
};

// Runs the row's input on a request to its pattern with `body` and either
// the required query arguments or all declared ones.
Probe probe(const Resource& resource, const MethodDef& def, std::optional<Json> body, bool all_args,
            luxi::Client& luxi) {
  std::string query;
  for (const auto& arg : def.query) {
    if (!all_args && !arg.required) continue;
    if (!query.empty()) query += '&';
    query += std::string(arg.name) + (arg.kind == QueryParam::Kind::flag ? "=1" : "=0");
  }
  const http::Request request;
  std::vector<std::string> items;
  for (const auto& name : placeholders(resource.pattern())) {
    items.push_back(name == "name" ? "probe" : "0");
  }
  Context ctx{request,         resource, std::move(items), QueryArgs::parse(query, def.query),
              std::move(body), luxi};
  OpcodeInput input;
  if (def.input) {
    input = def.input(ctx);
  } else {
    input.params = ctx.body;
  }
  Probe result;
  const bool object = input.params && input.params->is_object();
  result.body_read = object && input.params->contains(std::string(kProbeMember));
  result.params_without_body = !ctx.body && object && !input.params->empty();
  for (const auto& item : input.fixed.items()) result.fixed.insert(item.key());
  result.fixed.insert("reason");  // the reason trail (generic_opcode.cpp)
  return result;
}

// One parameter's schema: its type's, its type expression, its default.
Json param_schema(const OpcodeParamDef& param) {
  Json schema = parse_param_type(param.type)->schema();
  schema["x-ganeti-type"] = param.type;
  if (!param.required) schema["default"] = *parse_json(param.default_json);
  return schema;
}

// The body FillOpcode accepts for `op`: its parameters under their RAPI
// names (renames), less the fixed and forbidden ones; nothing else. The
// common parameters refer to components.
Json opcode_body(const OpcodeDef& op, const std::vector<Rename>& renames,
                 const std::set<std::string>& fixed,
                 const std::vector<std::string_view>& forbidden) {
  Json properties = Json::object();
  Json required = Json::array();
  Json required_either = Json::array();
  const auto add = [&](const OpcodeParamDef& param, bool common) {
    const std::string name(param.name);
    if (fixed.contains(name)) return;
    for (const auto f : forbidden) {
      if (f == param.name) return;
    }
    Json schema = common ? openapi::ref("common." + name) : param_schema(param);
    std::string_view alias;
    for (const auto& rename : renames) {
      if (rename.to == param.name) alias = rename.from;
    }
    if (alias.empty()) {
      properties[name] = std::move(schema);
      if (param.required) required.push_back(name);
      return;
    }
    // FillOpcode takes either name (both: 400).
    Json opcode_name = schema;
    opcode_name["description"] = "The opcode's name for " + std::string(alias) + ": give one.";
    properties[std::string(alias)] = std::move(schema);
    properties[name] = std::move(opcode_name);
    Json both = Json::object();
    both["not"]["required"] = Json::array({alias, param.name});
    required_either.push_back(std::move(both));
    if (param.required) {
      Json either = Json::object();
      either["oneOf"] = Json::array();
      for (const std::string_view member : {alias, param.name}) {
        Json one = Json::object();
        one["required"] = Json::array({member});
        either["oneOf"].push_back(std::move(one));
      }
      required_either.push_back(std::move(either));
    }
  };
  for (const auto& param : op.params) add(param, false);
  for (const auto& param : common_opcode_params()) add(param, true);

  Json body = Json::object();
  body["type"] = Json::array({"object", "null"});  // null: no parameters
  body["properties"] = std::move(properties);
  body["additionalProperties"] = false;
  body["required"] = std::move(required);
  if (!required_either.empty()) body["allOf"] = std::move(required_either);
  return body;
}

struct Body {
  Json schema;
  bool required = false;
  bool ignored_with_query = false;
  bool query_form = false;  // without a body the query arguments give the parameters
};

Json probe_body(const InputDoc* doc) {
  Json body = doc && doc->probe ? doc->probe() : Json::object();
  body[std::string(kProbeMember)] = true;
  return body;
}

Body opcode_request_body(const Resource& resource, const MethodDef& def, luxi::Client& luxi,
                         const Json& create_body) {
  const InputDoc* doc = input_doc(def.input);
  Body body;
  if (doc && doc->body_required) {  // a body of its own: no probe
    doc->adjust(body.schema, create_body);
    body.required = true;
    return body;
  }
  const Probe plain = probe(resource, def, probe_body(doc), false, luxi);
  if (!plain.body_read) {
    body.schema = Json::object();
    body.schema["description"] = "Not read, except the depends member of an object.";
    // generic_opcode.cpp copies a truthy depends only.
    Json depends = Json::object();
    depends["anyOf"] = Json::array({openapi::ref("common.depends"), falsy()});
    body.schema["properties"]["depends"] = std::move(depends);
    return body;
  }
  body.schema = opcode_body(opcode_def(def.opcode), def.renames, plain.fixed, def.forbidden);
  if (doc && doc->adjust) doc->adjust(body.schema, create_body);
  if (body.schema["required"].empty()) {
    body.schema.erase("required");
  } else {
    body.required = true;
  }
  for (const auto& rule : body.schema.value("allOf", Json::array())) {
    if (rule.contains("oneOf")) body.required = true;
  }
  // An input that stops reading the body once query arguments are given.
  try {
    body.ignored_with_query = !probe(resource, def, probe_body(doc), true, luxi).body_read;
  } catch (const ApiError&) {  // conflicting probe arguments (live and mode)
    body.ignored_with_query = true;
  }
  // An input that takes its parameters from the query when there is no body.
  try {
    body.query_form = probe(resource, def, std::nullopt, true, luxi).params_without_body;
  } catch (const ApiError&) {  // refused without a body: no query form
  }
  if (body.query_form) body.required = false;
  return body;
}

Json json_content(Json schema) {
  Json content = Json::object();
  content["application/json"]["schema"] = std::move(schema);
  return content;
}

std::string_view tag_of(std::string_view pattern) {
  if (pattern.starts_with("/rapid/")) return "rapid";
  for (const std::string_view tag :
       {"jobs", "nodes", "instances", "groups", "networks", "query", "filters"}) {
    const std::string prefix = "/2/" + std::string(tag);
    if (pattern == prefix || pattern.starts_with(prefix + "/") ||
        pattern.starts_with(prefix + "-")) {
      return tag;
    }
  }
  return "cluster";
}

Json access_list(Access access) {
  switch (access) {
    case Access::anonymous:
      return Json::array();
    case Access::read_or_write:
      return Json::array({"write", "read"});
    case Access::write:
      return Json::array({"write"});
  }
  return Json::array();
}

std::string access_text(const MethodDef& def) {
  std::string text = "Access (Ganeti 3.0's users-file options): ";
  switch (def.access) {
    case Access::anonymous:
      text += "anyone; with --require-authentication any authenticated user.";
      break;
    case Access::read_or_write:
      text += "users with read or write.";
      break;
    case Access::write:
      text += "users with write.";
      break;
  }
  text += " Users with permissions: ";
  text += def.permission ? "permission " + std::string(def.permission->name()) + "."
                         : "any authenticated user.";
  return text;
}

const HandlerDoc& handler_doc(HandlerFn handler, std::string_view where) {
  for (const auto& doc : handler_docs()) {
    if (doc.handler == handler) return doc;
  }
  throw std::logic_error("openapi_handlers.cpp: no entry for the handler of " + std::string(where));
}

Json operation(const Resource& resource, Method method, const MethodDef& def, luxi::Client& luxi,
               const Json& create_body) {
  const std::string where =
      std::string(method_name(method)) + " " + std::string(resource.pattern());
  Json op = Json::object();
  std::string method_lower(method_name(method));
  for (auto& c : method_lower) c = static_cast<char>(c - 'A' + 'a');
  op["operationId"] = std::string(resource.id()) + "_" + method_lower;
  op["tags"] = Json::array({tag_of(resource.pattern())});

  Json answer;
  std::string description;
  std::optional<Body> body;
  if (def.handler) {
    const HandlerDoc& doc = handler_doc(def.handler, where);
    op["summary"] = doc.summary;
    answer = doc.response();
    if (doc.body) body = Body{doc.body(), doc.body_required, false, false};
  } else {
    const OpcodeDef& opcode = opcode_def(def.opcode);
    op["summary"] = "Submits " + std::string(def.opcode);
    description = "Submits a job of one opcode, " + std::string(def.opcode) + " (Ganeti's " +
                  std::string(opcode.class_name) + "), and answers its id.";
    for (const auto& rename : def.renames) {
      description += " Body member " + std::string(rename.from) + " is the opcode's " +
                     std::string(rename.to) + ".";
    }
    for (const auto forbidden : def.forbidden) {
      description += " " + std::string(forbidden) + " cannot be set through the RAPI (403).";
    }
    answer = openapi::ref("JobId");
    body = opcode_request_body(resource, def, luxi, create_body);
    op["x-rapid-opcode"] = def.opcode;
  }
  if (!description.empty()) description += "\n\n";
  description += access_text(def);
  op["description"] = description;

  Json parameters = Json::array();
  for (const auto& name : placeholders(resource.pattern())) {
    parameters.push_back(path_parameter(name));
  }
  for (const auto& arg : def.query) parameters.push_back(query_parameter(arg));
  if (!parameters.empty()) op["parameters"] = std::move(parameters);

  if (body) {
    Json request_body = Json::object();
    if (body->ignored_with_query) {
      request_body["description"] = "Not read when any query argument is given.";
      request_body["x-rapid-ignored-with-query"] = true;
    } else if (body->query_form) {
      request_body["description"] =
          "Without a body (or with a false-like one) the query arguments give the parameters.";
      request_body["x-rapid-query-form"] = true;
    }
    request_body["required"] = body->required;
    request_body["content"] = json_content(std::move(body->schema));
    op["requestBody"] = std::move(request_body);
  }

  Json ok = Json::object();
  ok["description"] = "OK";
  ok["content"] = json_content(std::move(answer));
  op["responses"]["200"] = std::move(ok);
  op["responses"]["default"]["$ref"] = "#/components/responses/Error";

  Json basic = Json::object();
  basic["basicAuth"] = Json::array();
  op["security"] =
      def.access == Access::anonymous ? Json::array({Json::object(), basic}) : Json::array({basic});
  op["x-rapid-access"] = access_list(def.access);
  op["x-rapid-permission"] = def.permission ? Json(def.permission->name()) : Json();
  return op;
}

// POST /2/instances' body, which multi-alloc's instances repeat: what
// FillOpcode takes there (opcode_inputs.cpp: no fixed parameters).
Json instance_create_body() {
  for (const auto& resource : resources()) {
    const MethodDef* def = resource.method(Method::post);
    if (def && def->input == instance_create_input) {
      return opcode_body(opcode_def(def->opcode), def->renames, {}, def->forbidden);
    }
  }
  throw std::logic_error("openapi: no instance creation row");
}

Json components() {
  Json components = Json::object();
  components["schemas"]["Error"] = error_schema();
  components["schemas"]["JobId"] = job_id_schema();
  // Every opcode's dry_run, debug_level, priority, depends, comment, reason.
  for (const auto& param : common_opcode_params()) {
    components["schemas"]["common." + std::string(param.name)] = param_schema(param);
  }
  components["schemas"]["InstanceCreateParameters"] = instance_create_body();
  Json error = Json::object();
  error["description"] = "An error, with Ganeti's error body.";
  error["content"] = json_content(openapi::ref("Error"));
  components["responses"]["Error"] = std::move(error);
  Json basic = Json::object();
  basic["type"] = "http";
  basic["scheme"] = "basic";
  basic["description"] =
      "A user and password of the users file; an unknown user or a wrong password "
      "answers 401.";
  components["securitySchemes"]["basicAuth"] = std::move(basic);
  return components;
}

Json build() {
  boost::asio::io_context io;  // the probe requests' luxi client, never called
  luxi::Client luxi(io.get_executor(), luxi::ClientConfig{});
  const Json create_body = openapi::ref("InstanceCreateParameters");

  Json doc = Json::object();
  doc["openapi"] = "3.1.0";
  doc["info"]["title"] = "Ganeti Remote API (rapid)";
  doc["info"]["version"] = "2";
  doc["info"]["description"] =
      "Ganeti 3.0.2's RAPI version 2 as rapid serves it, generated from rapid's resource "
      "and opcode tables (docs/openapi.md). Answers are JSON; errors carry Ganeti's error body.";
  doc["info"]["license"]["name"] = "BSD-2-Clause";
  doc["info"]["license"]["identifier"] = "BSD-2-Clause";
  doc["servers"] = Json::array({Json::object()});
  doc["servers"][0]["url"] = "https://{host}:5080";
  doc["servers"][0]["variables"]["host"]["default"] = "localhost";
  doc["tags"] = Json::array();
  Json paths = Json::object();
  std::set<std::string_view> tags;
  for (const auto* table : {&resources(), &rapid_resources()}) {
    for (const auto& resource : *table) {
      Json item = Json::object();
      for (const Method method : kMethods) {
        const MethodDef* def = resource.method(method);
        if (!def) continue;
        std::string key(method_name(method));
        for (auto& c : key) c = static_cast<char>(c - 'A' + 'a');
        item[key] = operation(resource, method, *def, luxi, create_body);
      }
      const auto tag = tag_of(resource.pattern());
      if (tags.insert(tag).second) {
        Json entry = Json::object();
        entry["name"] = tag;
        doc["tags"].push_back(std::move(entry));
      }
      paths[openapi_path(resource.pattern())] = std::move(item);
    }
  }
  doc["paths"] = std::move(paths);
  doc["components"] = components();
  return doc;
}

}  // namespace

boost::asio::awaitable<Json> openapi::get_openapi(Context&) { co_return openapi_document(); }

const std::vector<Resource>& rapid_resources() {
  static const std::vector<Resource> table = {
      Resource(kOpenApiPath, "rapid_openapi",
               {{Method::get, MethodDef{.access = Access::anonymous, .handler = get_openapi}}})};
  return table;
}

const Json& openapi_document() {
  static const Json document = build();
  return document;
}

std::string openapi_text() { return openapi_document().dump(2) + "\n"; }

const std::string& openapi_answer() {
  static const std::string text = openapi_document().dump() + "\n";
  return text;
}

}  // namespace rapid::rapi
