// GET /rapid/openapi.json on real sockets (the committed docs/openapi.json,
// /version's access, 501 for other methods), and the resource table's
// query declarations against what the handlers read: every method of every
// row, driven with each declared argument and all of them, never reads an
// undeclared one (QueryArgs refuses, which would answer 500), and reads
// every declared flag.
#include "rapi/openapi.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "rapi/resource.h"
#include "support/rapid_server.h"
#include "support/test_data.h"

namespace rapid::testing {
namespace {

const std::string kPath(rapi::kOpenApiPath);

Json committed_document() {
  std::ifstream in(tests_dir().parent_path() / "docs" / "openapi.json");
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = parse_json(text.str());
  if (!parsed) throw std::runtime_error("docs/openapi.json: missing or not JSON");
  return *parsed;
}

TEST(OpenApiServed, AnonymousGetAnswersTheCommittedDocument) {
  RapidServer server;
  const auto response = server.request("GET", kPath);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->header("Content-Type"), "application/json");
  const auto served = parse_json(response->body);
  ASSERT_TRUE(served);
  // (The differences as a JSON patch: the documents are too big to print.)
  EXPECT_TRUE(*served == rapi::openapi_document())
      << Json::diff(rapi::openapi_document(), *served).dump();
  EXPECT_TRUE(*served == committed_document())
      << "docs/openapi.json is stale (build/src/app/rapid-openapi -o docs/openapi.json): "
      << Json::diff(committed_document(), *served).dump();
  EXPECT_TRUE(server.luxi().requests().empty());
}

TEST(OpenApiServed, OtherMethodsAndPathsAsGanetiWould) {
  RapidServer server;
  const auto post = server.request("POST", kPath);
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 501);
  EXPECT_NE(post->body.find("Method POST is unsupported for path /rapid/openapi.json"),
            std::string::npos);
  for (const char* path : {"/rapid", "/rapid/", "/rapid/openapi.json/x", "/2/openapi.json"}) {
    const auto response = server.request("GET", path);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 404) << path;
  }
  // Credentials sent are checked, as on /version.
  const auto wrong = server.request("GET", kPath, "admin:wrong");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
}

TEST(OpenApiServed, RequireAuthenticationAsksForAnyUser) {
  RapidServerOptions options;
  options.require_authentication = true;
  RapidServer server(options);
  const auto anonymous = server.request("GET", kPath);
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  const auto plain = server.request("GET", kPath, "plain:plainpass");  // no options at all
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 200);
}

// The resource's pattern with a value in each placeholder.
std::string concrete_path(const rapi::Resource& resource) {
  std::string path(resource.pattern());
  for (const auto& [from, to] : {std::pair<std::string, std::string>{"[name]", "probe"},
                                 {"[job_id]", "1"},
                                 {"[disk_index]", "0"}}) {
    for (auto pos = path.find(from); pos != std::string::npos; pos = path.find(from)) {
      path.replace(pos, from.size(), to);
    }
  }
  return path;
}

// The bodies that get each input past its body checks to its query reads.
const char* const kBodies[] = {nullptr, "{}", "\"regular\"",
                               R"({"__version__": 1, "instances": []})"};

TEST(QueryDeclarations, NoHandlerReadsAnUndeclaredArgument) {
  RapidServer server;
  int requests = 0;
  for (const auto& resource : rapi::resources()) {
    for (const rapi::Method m : rapi::kMethods) {
      const rapi::MethodDef* def = resource.method(m);
      if (!def) continue;
      const std::string path = concrete_path(resource);
      std::vector<std::string> queries = {""};
      std::string all;
      for (const auto& arg : def->query) {
        const std::string pair = std::string(arg.name) + "=1";
        queries.push_back(pair);
        all += (all.empty() ? "" : "&") + pair;
      }
      queries.push_back(all);
      for (const auto& query : queries) {
        for (const char* body : kBodies) {
          const std::string target = query.empty() ? path : path + "?" + query;
          SCOPED_TRACE(std::string(rapi::method_name(m)) + " " + target + " " +
                       (body ? body : "(no body)"));
          const auto response = server.request(std::string(rapi::method_name(m)), target,
                                               "admin:adminpass", body ? body : "");
          ASSERT_TRUE(response);
          ++requests;
          EXPECT_EQ(response->body.find("not declared"), std::string::npos) << response->body;
        }
      }
    }
  }
  EXPECT_GT(requests, 1000);
}

// The other way round for flags, whose bad values are seen: each declared
// flag is read (400 "Invalid value for the '<name>' parameter") by a request
// with one of the bodies.
TEST(QueryDeclarations, EveryDeclaredFlagIsRead) {
  RapidServer server;
  for (const auto& resource : rapi::resources()) {
    for (const rapi::Method m : rapi::kMethods) {
      const rapi::MethodDef* def = resource.method(m);
      if (!def) continue;
      const std::string path = concrete_path(resource);
      std::string required;  // the required (text) arguments, read first
      for (const auto& arg : def->query) {
        if (arg.required) required += std::string(arg.name) + "=probe&";
      }
      for (const auto& arg : def->query) {
        if (arg.kind != rapi::QueryParam::Kind::flag) continue;
        const std::string target = path + "?" + required + std::string(arg.name) + "=not-a-number";
        const std::string wanted = "Invalid value for the &#x27;" + std::string(arg.name);
        bool read = false;
        for (const char* body : kBodies) {
          const auto response = server.request(std::string(rapi::method_name(m)), target,
                                               "admin:adminpass", body ? body : "");
          ASSERT_TRUE(response);
          read =
              read || (response->status == 400 && response->body.find(wanted) != std::string::npos);
        }
        EXPECT_TRUE(read) << rapi::method_name(m) << " " << target << " never reads " << arg.name;
      }
    }
  }
}

}  // namespace
}  // namespace rapid::testing
