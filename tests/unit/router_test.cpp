// Routing as Ganeti's rapi.connector does it (lib/rapi/connector.py): exact,
// anchored patterns, no percent-decoding, no normalisation; and the access
// class of every (path, method), compared with the original's table.
#include "rapi/router.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "rapi/query_args.h"

namespace rapid::rapi {
namespace {

using Items = std::vector<std::string>;

const Router& router() {
  static const Router instance(resources());
  return instance;
}

// The pattern of the resource `path` routes to, or "" when none.
std::string pattern_of(std::string_view path) {
  const auto match = router().match(path);
  return match ? std::string(match->resource->pattern()) : std::string();
}

Items items_of(std::string_view path) {
  const auto match = router().match(path);
  return match ? match->items : Items{"<no match>"};
}

// Dumped from Ganeti 3.0.2 itself (python3, PYTHONPATH=/usr/share/ganeti/3.0):
//   connector.GetHandlers(..., translate=<pattern text>) and, per method
//   with a handler or *_OPCODE, baserlib.GetHandlerAccess(): [] -> anon,
//   [write] -> W, [write, read] -> RW.
const std::vector<std::pair<std::string, std::string>> kGanetiTable = {
    {"/", "GET:anon"},
    {"/2", "GET:anon"},
    {"/version", "GET:anon"},
    {"/2/nodes", "GET:anon"},
    {"/2/nodes/[name]", "GET:anon"},
    {"/2/nodes/[name]/powercycle", "POST:W"},
    {"/2/nodes/[name]/tags", "GET:anon PUT:W DELETE:W"},
    {"/2/nodes/[name]/role", "GET:anon PUT:W"},
    {"/2/nodes/[name]/evacuate", "POST:W"},
    {"/2/nodes/[name]/migrate", "POST:W"},
    {"/2/nodes/[name]/modify", "POST:W"},
    {"/2/nodes/[name]/storage", "GET:W"},
    {"/2/nodes/[name]/storage/modify", "PUT:W"},
    {"/2/nodes/[name]/storage/repair", "PUT:W"},
    {"/2/instances", "GET:anon POST:W"},
    {"/2/instances/[name]", "GET:anon DELETE:W"},
    {"/2/instances/[name]/info", "GET:anon"},
    {"/2/instances/[name]/tags", "GET:anon PUT:W DELETE:W"},
    {"/2/instances/[name]/reboot", "POST:W"},
    {"/2/instances/[name]/reinstall", "POST:W"},
    {"/2/instances/[name]/replace-disks", "POST:W"},
    {"/2/instances/[name]/shutdown", "PUT:W"},
    {"/2/instances/[name]/startup", "PUT:W"},
    {"/2/instances/[name]/activate-disks", "PUT:W"},
    {"/2/instances/[name]/deactivate-disks", "PUT:W"},
    {"/2/instances/[name]/recreate-disks", "POST:W"},
    {"/2/instances/[name]/prepare-export", "PUT:W"},
    {"/2/instances/[name]/export", "PUT:W"},
    {"/2/instances/[name]/migrate", "PUT:W"},
    {"/2/instances/[name]/failover", "PUT:W"},
    {"/2/instances/[name]/rename", "PUT:W"},
    {"/2/instances/[name]/modify", "PUT:W"},
    {"/2/instances/[name]/disk/[disk_index]/grow", "POST:W"},
    {"/2/instances/[name]/console", "GET:RW"},
    {"/2/networks", "GET:anon POST:W"},
    {"/2/networks/[name]", "GET:anon DELETE:W"},
    {"/2/networks/[name]/connect", "PUT:W"},
    {"/2/networks/[name]/disconnect", "PUT:W"},
    {"/2/networks/[name]/modify", "PUT:W"},
    {"/2/networks/[name]/tags", "GET:anon PUT:W DELETE:W"},
    {"/2/groups", "GET:anon POST:W"},
    {"/2/groups/[name]", "GET:anon DELETE:W"},
    {"/2/groups/[name]/modify", "PUT:W"},
    {"/2/groups/[name]/rename", "PUT:W"},
    {"/2/groups/[name]/assign-nodes", "PUT:W"},
    {"/2/groups/[name]/tags", "GET:anon PUT:W DELETE:W"},
    {"/2/jobs", "GET:anon"},
    {"/2/jobs/[job_id]", "GET:anon DELETE:W"},
    {"/2/jobs/[job_id]/wait", "GET:W"},
    {"/2/instances-multi-alloc", "POST:W"},
    {"/2/tags", "GET:anon PUT:W DELETE:W"},
    {"/2/info", "GET:anon"},
    {"/2/os", "GET:anon"},
    {"/2/redistribute-config", "PUT:W"},
    {"/2/features", "GET:anon"},
    {"/2/modify", "PUT:W"},
    {"/2/query/[name]", "GET:RW PUT:RW"},
    {"/2/query/[name]/fields", "GET:anon"},
    {"/2/filters", "GET:anon POST:W"},
    {"/2/filters/[name]", "GET:anon PUT:W DELETE:W"},
};

std::string access_name(Access access) {
  switch (access) {
    case Access::anonymous:
      return "anon";
    case Access::write:
      return "W";
    case Access::read_or_write:
      return "RW";
  }
  return "?";
}

std::string methods_of(const Resource& resource) {
  std::string out;
  for (const Method m : kMethods) {
    const MethodDef* def = resource.method(m);
    if (!def) continue;
    if (!out.empty()) out += ' ';
    out += std::string(method_name(m)) + ":" + access_name(def->access);
  }
  return out;
}

// A concrete path for a pattern: [name] -> "n.a-m_e", numbers -> "42"/"3".
std::string instantiate(std::string pattern, Items& items) {
  const std::vector<std::pair<std::string, std::string>> fills = {
      {"[name]", "n.a-m_e"}, {"[job_id]", "42"}, {"[disk_index]", "3"}};
  for (std::size_t pos = 0; (pos = pattern.find('[', pos)) != std::string::npos;) {
    for (const auto& [placeholder, value] : fills) {
      if (pattern.compare(pos, placeholder.size(), placeholder) == 0) {
        pattern.replace(pos, placeholder.size(), value);
        items.push_back(value);
        break;
      }
    }
    ++pos;
  }
  return pattern;
}

TEST(ResourceTable, SameResourcesMethodsAndAccessAsGaneti) {
  std::map<std::string, std::string> ours;
  for (const auto& resource : resources()) {
    EXPECT_TRUE(ours.emplace(std::string(resource.pattern()), methods_of(resource)).second)
        << "duplicate " << resource.pattern();
  }
  std::map<std::string, std::string> theirs(kGanetiTable.begin(), kGanetiTable.end());
  EXPECT_EQ(kGanetiTable.size(), 60u);
  for (const auto& [pattern, methods] : theirs) {
    auto it = ours.find(pattern);
    if (it == ours.end()) {
      ADD_FAILURE() << "missing resource " << pattern;
      continue;
    }
    EXPECT_EQ(it->second, methods) << pattern;
  }
  for (const auto& [pattern, methods] : ours) {
    EXPECT_TRUE(theirs.count(pattern)) << "extra resource " << pattern;
  }
}

TEST(ResourceTable, ReadImpliesWriteAndSpecialCases) {
  // R: any list containing read also contains write (RW); query GET/PUT and
  // console GET share it; storage GET and jobs wait GET need write.
  std::map<std::string, std::string> table(kGanetiTable.begin(), kGanetiTable.end());
  EXPECT_EQ(table["/2/query/[name]"], "GET:RW PUT:RW");
  EXPECT_EQ(table["/2/instances/[name]/console"], "GET:RW");
  EXPECT_EQ(table["/2/nodes/[name]/storage"], "GET:W");
  EXPECT_EQ(table["/2/jobs/[job_id]/wait"], "GET:W");
}

TEST(Router, EveryPatternMatchesWithItsItems) {
  for (const auto& resource : resources()) {
    Items expected_items;
    const std::string path = instantiate(std::string(resource.pattern()), expected_items);
    SCOPED_TRACE(path);
    const auto match = router().match(path);
    ASSERT_TRUE(match.has_value());
    EXPECT_EQ(match->resource, &resource);
    EXPECT_EQ(match->items, expected_items);
  }
}

TEST(Router, LiteralPaths) {
  EXPECT_EQ(pattern_of("/"), "/");
  EXPECT_EQ(pattern_of("/2"), "/2");
  EXPECT_EQ(pattern_of("/version"), "/version");
  EXPECT_EQ(pattern_of("/2/info"), "/2/info");
  EXPECT_EQ(pattern_of("/2/instances-multi-alloc"), "/2/instances-multi-alloc");
  EXPECT_TRUE(items_of("/2/instances").empty());
  EXPECT_EQ(router().match("/version")->resource->id(), "version");
}

TEST(Router, UnknownPathsDoNotMatch) {
  // M: /tags, /instances, /tag, /instances/does/not/exist; QA: /99/...
  for (const char* path :
       {"/tags", "/instances", "/tag", "/instances/does/not/exist", "/99/resource/not/here/99", "",
        "2/info", "/2/nosuch", "/3", "/2/version", "/Version", "/2/INFO", "/2/instance"}) {
    SCOPED_TRACE(path);
    EXPECT_FALSE(router().match(path).has_value());
  }
}

TEST(Router, NoNormalisation) {
  for (const char* path :
       {"/2//instances", "//2/instances", "/2/instances/", "/2/instances/x/", "/2/info/", "/2/",
        "//", "/2/./instances", "/2/instances/x//tags", "/2/instances/x/tags/"}) {
    SCOPED_TRACE(path);
    EXPECT_FALSE(router().match(path).has_value());
  }
}

TEST(Router, NoPercentDecoding) {
  EXPECT_FALSE(router().match("/2/instances/a%2Eb").has_value());
  EXPECT_FALSE(router().match("/2/instances/i1%2Ex/startup").has_value());
  EXPECT_FALSE(router().match("/2/instances/x%20y").has_value());
  EXPECT_FALSE(router().match("/2/%69nfo").has_value());
}

TEST(Router, NameCharacters) {
  EXPECT_EQ(items_of("/2/instances/www.test.com"), (Items{"www.test.com"}));
  EXPECT_EQ(items_of("/2/instances/a.b-c_d"), (Items{"a.b-c_d"}));
  EXPECT_EQ(items_of("/2/instances/..."), (Items{"..."}));
  EXPECT_EQ(items_of("/2/instances/-"), (Items{"-"}));
  EXPECT_EQ(items_of("/2/instances/_"), (Items{"_"}));
  EXPECT_EQ(items_of("/2/nodes/NODE1"), (Items{"NODE1"}));
  // \w is Unicode-aware in the original: letters of any script.
  EXPECT_EQ(items_of("/2/instances/caf\xc3\xa9"), (Items{"caf\xc3\xa9"}));
  for (const char* path :
       {"/2/instances/x:y", "/2/instances/x+y", "/2/instances/x y", "/2/instances/x#f",
        "/2/instances/x~y", "/2/instances/x@y", "/2/instances/x,y", "/2/instances/x=y"}) {
    SCOPED_TRACE(path);
    EXPECT_FALSE(router().match(path).has_value());
  }
}

TEST(Router, NumericSegments) {
  EXPECT_EQ(pattern_of("/2/jobs/17"), "/2/jobs/[job_id]");
  EXPECT_EQ(items_of("/2/jobs/17"), (Items{"17"}));
  EXPECT_EQ(items_of("/2/jobs/007/wait"), (Items{"007"}));
  EXPECT_EQ(pattern_of("/2/jobs/17/wait"), "/2/jobs/[job_id]/wait");
  for (const char* path : {"/2/jobs/abc", "/2/jobs/-1", "/2/jobs/+1", "/2/jobs/1.0", "/2/jobs/1a",
                           "/2/jobs/ 1", "/2/jobs/abc/wait"}) {
    SCOPED_TRACE(path);
    EXPECT_FALSE(router().match(path).has_value());
  }
  EXPECT_EQ(items_of("/2/instances/x/disk/12/grow"), (Items{"x", "12"}));
  EXPECT_FALSE(router().match("/2/instances/x/disk/a/grow").has_value());
  EXPECT_FALSE(router().match("/2/instances/x/disk//grow").has_value());
  EXPECT_FALSE(router().match("/2/instances/x/disk/-1/grow").has_value());
}

TEST(Router, LiteralSegmentsWinOverNames) {
  // "/2/nodes/n1/storage/modify" is the storage-modify resource, not a
  // node named "storage" or anything else.
  EXPECT_EQ(pattern_of("/2/nodes/n1/storage/modify"), "/2/nodes/[name]/storage/modify");
  EXPECT_EQ(pattern_of("/2/nodes/storage"), "/2/nodes/[name]");
  EXPECT_EQ(items_of("/2/nodes/storage"), (Items{"storage"}));
  EXPECT_EQ(pattern_of("/2/query/instance/fields"), "/2/query/[name]/fields");
  EXPECT_EQ(pattern_of("/2/query/fields"), "/2/query/[name]");
  EXPECT_EQ(pattern_of("/2/instances/tags"), "/2/instances/[name]");
}

TEST(Router, TargetWithQueryString) {
  // M: the connector splits at the first "?", then routes the path.
  const std::string target = "/2/instances/www.test.com/tags?f=5&f=6&alt=html";
  const auto question = target.find('?');
  const auto match = router().match(std::string_view(target).substr(0, question));
  ASSERT_TRUE(match.has_value());
  EXPECT_EQ(match->resource->pattern(), "/2/instances/[name]/tags");
  EXPECT_EQ(match->items, (Items{"www.test.com"}));
  const auto query = QueryArgs::parse(std::string_view(target).substr(question + 1));
  EXPECT_EQ(query.all("f"), (Items{"5", "6"}));
  EXPECT_EQ(query.all("alt"), (Items{"html"}));
  // The query string is never part of what the router sees.
  EXPECT_FALSE(router().match(target).has_value());
}

TEST(Router, MethodNames) {
  EXPECT_EQ(parse_method("GET"), Method::get);
  EXPECT_EQ(parse_method("PUT"), Method::put);
  EXPECT_EQ(parse_method("POST"), Method::post);
  EXPECT_EQ(parse_method("DELETE"), Method::del);
  // Upper-casing is the caller's job; HEAD and friends have no handler.
  EXPECT_FALSE(parse_method("get").has_value());
  EXPECT_FALSE(parse_method("HEAD").has_value());
  EXPECT_FALSE(parse_method("OPTIONS").has_value());
  EXPECT_FALSE(parse_method("PATCH").has_value());
}

}  // namespace
}  // namespace rapid::rapi
