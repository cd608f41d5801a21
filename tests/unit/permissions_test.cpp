// Permissions and roles (upstream Ganeti's role-based RAPI access control,
// ganeti/ganeti 0641adfb): the permission names, the roles and the resource
// table's permission column against upstream's own (extracted from its
// source into tests/data/upstream_permissions.json by
// scripts/extract-upstream-permissions.py), both directions; and 3.0's
// option words against 3.0's access classes.
#include "auth/permissions.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "auth/users.h"
#include "rapi/access.h"
#include "rapi/resource.h"
#include "support/test_data.h"
#include "util/json.h"

namespace rapid::rapi {
namespace {

using auth::Permission;
using auth::PermissionSet;
using Names = std::vector<std::string>;

const Json& upstream() {
  static const Json data = [] {
    std::ifstream in(testing::tests_dir() / "data" / "upstream_permissions.json");
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = parse_json(text.str());
    return parsed ? *parsed : Json();
  }();
  return data;
}

Names names_of(const PermissionSet& set) {
  Names out;
  for (const auto name : set.names()) out.emplace_back(name);
  return out;
}

Names names_of(const Json& list) {
  Names out;
  for (const auto& name : list) out.push_back(name.get<std::string>());
  return out;
}

// Upstream has these and Ganeti 3.0 has not, so rapid does not serve them:
// PUT /2/networks/[name]/rename and DELETE /2/instances/[name]/export
// (OpNetworkRename, OpBackupRemove). Their permissions exist all the same.
const std::set<std::pair<std::string, std::string>> kUpstreamOnly = {
    {"/2/networks/[name]/rename", "PUT"}, {"/2/instances/[name]/export", "DELETE"}};

TEST(Permissions, NamesAreUpstreams) {
  ASSERT_TRUE(upstream().is_object()) << "tests/data/upstream_permissions.json";
  Names ours(auth::kPermissionNames.begin(), auth::kPermissionNames.end());
  EXPECT_EQ(ours, names_of(upstream()["permissions"]));
  for (const auto name : auth::kPermissionNames) {
    const auto found = Permission::find(name);
    ASSERT_TRUE(found) << name;
    EXPECT_EQ(found->name(), name);
  }
  EXPECT_FALSE(Permission::find("jobs"));
  EXPECT_FALSE(Permission::find("Jobs.list"));
  EXPECT_FALSE(Permission::find(""));
  EXPECT_FALSE(Permission::find("zzz"));
}

TEST(Permissions, RolesAreUpstreams) {
  const Json& roles = upstream()["roles"];
  Names ours;
  for (const auto name : auth::role_names()) ours.emplace_back(name);
  Names theirs;
  for (const auto& [name, members] : roles.items()) theirs.push_back(name);
  EXPECT_EQ(ours, theirs);
  for (const auto& [name, members] : roles.items()) {
    const PermissionSet* role = auth::find_role(name);
    ASSERT_NE(role, nullptr) << name;
    EXPECT_EQ(names_of(*role), names_of(members)) << "@" << name;
  }
  EXPECT_EQ(auth::find_role("Admin"), nullptr);
  EXPECT_EQ(*auth::find_role("admin"), PermissionSet::all());
}

TEST(Permissions, OperatorRunsInstancesButChangesNothing) {
  const PermissionSet& op = *auth::find_role("operator");
  for (const Permission p : {Permission("instances.reboot"), Permission("instances.startup"),
                             Permission("instances.shutdown"),
                             Permission("instances.query.console"), Permission("jobs.query")}) {
    EXPECT_TRUE(op.has(p)) << p.name();
  }
  for (const Permission p :
       {Permission("instances.create"), Permission("instances.remove"),
        Permission("instances.modify"), Permission("instances.rename"), Permission("nodes.migrate"),
        Permission("nodes.evacuate"), Permission("cluster.modify"), Permission("jobs.cancel"),
        Permission("tags.set")}) {
    EXPECT_FALSE(op.has(p)) << p.name();
  }
}

TEST(ResourceTable, PermissionsAreUpstreams) {
  const Json& theirs = upstream()["resources"];
  ASSERT_TRUE(theirs.is_object());
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& resource : resources()) {
    const std::string pattern(resource.pattern());
    for (const Method m : kMethods) {
      const MethodDef* def = resource.method(m);
      if (!def) continue;
      const std::string method(method_name(m));
      SCOPED_TRACE(method + " " + pattern);
      seen.emplace(pattern, method);
      ASSERT_TRUE(theirs.contains(pattern)) << "not upstream's";
      ASSERT_TRUE(theirs[pattern].contains(method)) << "not upstream's";
      const Json& entry = theirs[pattern][method];
      if (entry["permission"].is_null()) {
        EXPECT_FALSE(def->permission.has_value());
        EXPECT_FALSE(entry["auth_required"].get<bool>());
        EXPECT_EQ(def->access, Access::anonymous);
      } else {
        ASSERT_TRUE(def->permission.has_value());
        EXPECT_EQ(def->permission->name(), entry["permission"].get<std::string>());
        EXPECT_TRUE(entry["auth_required"].get<bool>());
      }
    }
  }
  for (const auto& [pattern, methods] : theirs.items()) {
    for (const auto& [method, entry] : methods.items()) {
      const bool upstream_only = kUpstreamOnly.count({pattern, method}) > 0;
      EXPECT_EQ(seen.count({pattern, method}) == 0, upstream_only)
          << method << " " << pattern << (upstream_only ? " is served" : " is missing");
    }
  }
  EXPECT_EQ(seen.size(), 82u);
}

// --- 3.0's words, as 3.0's access classes decide them ---------------------------

auth::User legacy_user(std::vector<std::string> options) {
  auth::User user;
  user.name = "u";
  user.options = std::move(options);
  return user;
}

PermissionSet used_permissions() {
  PermissionSet used;
  for (const auto& resource : resources()) {
    for (const Method m : kMethods) {
      if (const MethodDef* def = resource.method(m); def && def->permission) {
        used.add(*def->permission);
      }
    }
  }
  return used;
}

TEST(LegacyWords, ReadInAPermissionListIsWhat30GivesARead) {
  // "read" alone keeps 3.0's rules; inside a permission list it grants the
  // same, as permissions: upstream's @readonly plus the console.
  const Grants read = grants(legacy_user({"read"}));
  EXPECT_TRUE(read.partly.empty());
  PermissionSet expected = *auth::find_legacy_word("read");
  EXPECT_EQ(read.permissions, expected);
  PermissionSet readonly_and_console = *auth::find_role("readonly");
  readonly_and_console.add("instances.query.console");
  EXPECT_EQ(expected, readonly_and_console);
}

TEST(LegacyWords, WriteIsEverything) {
  const Grants write = grants(legacy_user({"write"}));
  EXPECT_TRUE(write.partly.empty());
  EXPECT_EQ(write.permissions, used_permissions());
  EXPECT_EQ(*auth::find_legacy_word("write"), PermissionSet::all());
  EXPECT_EQ(auth::find_legacy_word("all"), nullptr);  // not a 3.0 word
}

TEST(LegacyWords, NoOptionsIsWhatAnonymousGets) {
  // 3.0 gives /2/query/[name]/fields to anyone, /2/query/[name] only to
  // read and write: not expressible as permissions.
  for (const auto& options : {std::vector<std::string>{}, {"frob"}, {"write read"}, {""}}) {
    const Grants none = grants(legacy_user(options));
    PermissionSet expected = *auth::find_role("readonly");
    expected.remove("query.all");
    EXPECT_EQ(none.permissions, expected);
    ASSERT_EQ(none.partly.size(), 1u);
    EXPECT_EQ(none.partly[0].first, Permission("query.all"));
    EXPECT_EQ(none.partly[0].second, Names{"GET /2/query/[name]/fields"});
  }
}

TEST(Allows, LegacyUsersKeep30sRulesPermissionUsersTheirSet) {
  const auto& table = resources();
  const auto find = [&](std::string_view pattern, Method m) {
    for (const auto& r : table) {
      if (r.pattern() == pattern) return r.method(m);
    }
    return static_cast<const MethodDef*>(nullptr);
  };
  const MethodDef& console = *find("/2/instances/[name]/console", Method::get);
  const MethodDef& version = *find("/version", Method::get);
  const MethodDef& instances = *find("/2/instances", Method::get);
  const MethodDef& wait = *find("/2/jobs/[job_id]/wait", Method::get);

  EXPECT_TRUE(allows(console, legacy_user({"read"})));
  EXPECT_TRUE(allows(instances, legacy_user({})));
  EXPECT_FALSE(allows(wait, legacy_user({"read"})));
  EXPECT_TRUE(allows(wait, legacy_user({"write"})));

  auth::User readonly = legacy_user({"@readonly"});
  std::vector<std::string> ignored;
  readonly.permissions = auth::resolve_permissions(readonly.options, ignored);
  ASSERT_TRUE(readonly.permissions);
  EXPECT_FALSE(allows(console, readonly));  // upstream's @readonly has no console
  EXPECT_TRUE(allows(instances, readonly));
  EXPECT_TRUE(allows(version, readonly));
  EXPECT_FALSE(allows(wait, readonly));

  auth::User nothing = legacy_user({"-jobs.list"});
  nothing.permissions = auth::resolve_permissions(nothing.options, ignored);
  ASSERT_TRUE(nothing.permissions);
  EXPECT_TRUE(nothing.permissions->empty());
  EXPECT_TRUE(allows(version, nothing));  // no permission needed
  EXPECT_FALSE(allows(instances, nothing));
}

}  // namespace
}  // namespace rapid::rapi
