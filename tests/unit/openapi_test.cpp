// The OpenAPI description against the tables it is built from: every
// routed path and method and nothing else, the declared query arguments,
// the opcode bodies after renames, fixed and forbidden parameters, and the
// type mapping. (tests/openapi validates it with an OpenAPI validator.)
#include "rapi/openapi.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "rapi/param_types.h"

namespace rapid::rapi {
namespace {

std::string lower(std::string_view method) {
  std::string out(method);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string templated(std::string_view pattern) {
  std::string path(pattern);
  for (auto& c : path) {
    if (c == '[') c = '{';
    if (c == ']') c = '}';
  }
  return path;
}

const Json& operation(std::string_view path, std::string_view method) {
  return openapi_document()["paths"][std::string(path)][std::string(method)];
}

const Json& body_schema(std::string_view path, std::string_view method) {
  return operation(path, method)["requestBody"]["content"]["application/json"]["schema"];
}

TEST(OpenApi, EveryRoutedMethodAndNothingElse) {
  std::set<std::pair<std::string, std::string>> routed;
  for (const auto* table : {&resources(), &rapid_resources()}) {
    for (const auto& resource : *table) {
      for (const Method m : kMethods) {
        if (resource.method(m)) {
          routed.emplace(templated(resource.pattern()), lower(method_name(m)));
        }
      }
    }
  }
  std::set<std::pair<std::string, std::string>> described;
  for (const auto& [path, item] : openapi_document()["paths"].items()) {
    for (const auto& [method, op] : item.items()) described.emplace(path, method);
  }
  EXPECT_EQ(described, routed);
  EXPECT_EQ(routed.size(), 83u);  // Ganeti 3.0's 82 methods and GET /rapid/openapi.json
}

TEST(OpenApi, ParametersAreThePathsAndTheDeclaredQueryArguments) {
  for (const auto* table : {&resources(), &rapid_resources()}) {
    for (const auto& resource : *table) {
      for (const Method m : kMethods) {
        const MethodDef* def = resource.method(m);
        if (!def) continue;
        SCOPED_TRACE(std::string(method_name(m)) + " " + std::string(resource.pattern()));
        const Json& op = operation(templated(resource.pattern()), lower(method_name(m)));
        std::vector<std::string> query;
        std::size_t path_params = 0;
        for (const auto& param : op.value("parameters", Json::array())) {
          if (param["in"] == "path") {
            ++path_params;
            EXPECT_NE(resource.pattern().find("[" + param["name"].get<std::string>() + "]"),
                      std::string_view::npos);
          } else {
            EXPECT_EQ(param["in"], "query");
            query.push_back(param["name"]);
          }
        }
        EXPECT_EQ(path_params, static_cast<std::size_t>(std::count(resource.pattern().begin(),
                                                                   resource.pattern().end(), '[')));
        std::vector<std::string> declared;
        for (const auto& arg : def->query) declared.emplace_back(arg.name);
        EXPECT_EQ(query, declared);
        EXPECT_EQ(op["x-rapid-permission"].is_null(), !def->permission.has_value());
        if (!def->opcode.empty()) {
          EXPECT_EQ(op["x-rapid-opcode"], def->opcode);
          EXPECT_EQ(op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/JobId");
          // Every opcode row takes ?reason= (generic_opcode.cpp).
          EXPECT_NE(std::find(declared.begin(), declared.end(), "reason"), declared.end());
        }
        EXPECT_EQ(op["responses"]["default"]["$ref"], "#/components/responses/Error");
      }
    }
  }
}

TEST(OpenApi, AccessAndSecurity) {
  const Json& version = operation("/version", "get");
  EXPECT_EQ(version["x-rapid-access"], Json::array());
  EXPECT_EQ(version["security"].size(), 2u);  // anonymous, or Basic
  const Json& reboot = operation("/2/instances/{name}/reboot", "post");
  EXPECT_EQ(reboot["x-rapid-access"], Json::array({"write"}));
  EXPECT_EQ(reboot["x-rapid-permission"], "instances.reboot");
  EXPECT_EQ(reboot["security"], Json::parse(R"([{"basicAuth": []}])"));
  EXPECT_NE(reboot["description"].get<std::string>().find("permission instances.reboot"),
            std::string::npos);
  EXPECT_EQ(operation("/2/query/{name}", "get")["x-rapid-access"], Json::array({"write", "read"}));
  EXPECT_EQ(openapi_document()["components"]["securitySchemes"]["basicAuth"]["scheme"], "basic");
}

TEST(OpenApi, OpcodeBodiesAfterRenamesFixedAndForbidden) {
  // Fixed from the URL and query: not in the body (FillOpcode refuses them).
  const Json& reboot = body_schema("/2/instances/{name}/reboot", "post");
  EXPECT_FALSE(reboot["properties"].contains("instance_name"));
  EXPECT_FALSE(reboot["properties"].contains("dry_run"));
  EXPECT_FALSE(reboot["properties"].contains("reason"));
  EXPECT_EQ(reboot["properties"]["shutdown_timeout"]["default"], 120);
  EXPECT_EQ(reboot["additionalProperties"], false);

  // Renamed: the RAPI name and the opcode's, exactly one of them required.
  const Json& create = body_schema("/2/instances", "post");
  EXPECT_TRUE(create["properties"].contains("os"));
  EXPECT_TRUE(create["properties"].contains("os_type"));
  EXPECT_TRUE(create["properties"].contains("name"));
  const auto has_rule = [&](const char* rule) {
    const Json wanted = Json::parse(rule);
    return std::find(create["allOf"].begin(), create["allOf"].end(), wanted) !=
           create["allOf"].end();
  };
  EXPECT_TRUE(has_rule(R"({"oneOf": [{"required": ["name"]}, {"required": ["instance_name"]}]})"));
  EXPECT_TRUE(has_rule(R"({"not": {"required": ["os", "os_type"]}})"));
  EXPECT_NE(std::find(create["required"].begin(), create["required"].end(), "__version__"),
            create["required"].end());
  EXPECT_TRUE(operation("/2/instances", "post")["requestBody"]["required"].get<bool>());

  // Forbidden.
  const Json& modify = body_schema("/2/modify", "put");
  EXPECT_FALSE(modify["properties"].contains("compression_tools"));
  EXPECT_TRUE(modify["properties"].contains("vg_name"));

  // Ignored bodies say so; a string body is a string.
  EXPECT_FALSE(body_schema("/2/tags", "put").contains("type"));
  EXPECT_EQ(body_schema("/2/nodes/{name}/role", "put")["type"], "string");
  // Multi-alloc's instances: creation bodies without fixed parameters.
  EXPECT_EQ(body_schema("/2/instances-multi-alloc", "post")["properties"]["instances"]["items"],
            Json::parse(R"({"$ref": "#/components/schemas/InstanceCreateParameters"})"));
  const Json& instance = openapi_document()["components"]["schemas"]["InstanceCreateParameters"];
  EXPECT_TRUE(instance["properties"].contains("name"));
  EXPECT_TRUE(instance["properties"].contains("dry_run"));
  EXPECT_FALSE(instance["properties"].contains("__version__"));
}

TEST(OpenApi, TypeExpressionsAsJsonSchema) {
  const auto schema = [](std::string_view type) { return parse_param_type(type)->schema(); };
  EXPECT_EQ(schema("int>=0 or null"),
            Json::parse(R"({"anyOf": [{"type": "null"}, {"type": "integer", "minimum": 0}]})"));
  EXPECT_EQ(schema("list<nestr>"),
            Json::parse(R"({"type": "array", "items": {"type": "string", "minLength": 1}})"));
  EXPECT_EQ(schema("enum{-10,0,10}"),
            Json::parse(R"({"enum": [-10, 0, 10, false]})"));  // False == 0
  EXPECT_EQ(schema("dict<str,bool>"),
            Json::parse(R"({"type": "object", "propertyNames": {"type": "string"},
                            "additionalProperties": {"type": "boolean"}})"));
  EXPECT_EQ(schema("disk-index"),
            Json::parse(R"({"type": "integer", "minimum": 0, "maximum": 15})"));
  EXPECT_EQ(schema("ipv4-address"), Json::parse(R"({"type": "string", "format": "ipv4"})"));
  EXPECT_EQ(schema("float"), Json::parse(R"({"type": "number"})"));
  EXPECT_EQ(schema("any"), Json::object());
  const Json pair = schema("pair<int,str>");
  EXPECT_EQ(pair["allOf"][1]["prefixItems"],
            Json::parse(R"([{"type": "integer"}, {"type": "string"}])"));
  EXPECT_EQ(pair["allOf"][1]["minItems"], 2);
}

TEST(OpenApi, TextIsTheDocumentIndented) {
  const std::string text = openapi_text();
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(Json::parse(text), openapi_document());
  EXPECT_EQ(openapi_document()["openapi"], "3.1.0");
}

}  // namespace
}  // namespace rapid::rapi
