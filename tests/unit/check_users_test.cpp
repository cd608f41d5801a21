// rapid --check-users FILE (app/check_users.h): what it prints and its exit
// codes, without running the binary.
#include "app/check_users.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/http_client.h"

namespace rapid::app {
namespace {

struct Checked {
  int code = -1;
  std::string out;
  std::string err;
};

class CheckUsers : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::make_temp_dir(); }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  Checked check(const std::string& contents) {
    const std::string path = dir_ + "/users";
    std::ofstream(path, std::ios::binary) << contents;
    std::ostringstream out, err;
    Checked result;
    result.code = check_users_file(path, out, err);
    result.out = out.str();
    result.err = err.str();
    return result;
  }
  std::string dir_;
};

TEST_F(CheckUsers, CleanFilePrintsSortedPermissions) {
  const auto checked = check(
      "# a comment\n"
      "mon pw1 @readonly,+jobs.cancel,-cluster.info,-query.all\n"
      "ops pw2 instances.reboot,instances.startup\n");
  EXPECT_EQ(checked.code, kCheckUsersClean);
  EXPECT_EQ(checked.err, "");
  EXPECT_EQ(checked.out,
            "mon (line 2): @readonly,+jobs.cancel,-cluster.info,-query.all\n"
            "  filter.list, filter.query, groups.list, groups.query, instances.info, "
            "instances.list, instances.query, jobs.cancel, jobs.list, jobs.query, networks.list, "
            "networks.query, nodes.list, nodes.query, nodes.role.query, os.list, tags.get\n"
            "ops (line 3): instances.reboot,instances.startup\n"
            "  instances.reboot, instances.startup\n" +
                dir_ + "/users: 2 users, 0 warnings\n");
  EXPECT_EQ(checked.out.find("pw1"), std::string::npos);
}

TEST_F(CheckUsers, The30WordsShow30sRules) {
  const auto checked = check("admin pw write\nplain pw\n");
  EXPECT_EQ(checked.code, kCheckUsersClean);
  EXPECT_NE(checked.out.find("admin (line 1): write [3.0 rules]\n  cluster.info, cluster.modify, "),
            std::string::npos)
      << checked.out;
  EXPECT_NE(checked.out.find("plain (line 2): no options [3.0 rules]\n  cluster.info, "),
            std::string::npos)
      << checked.out;
  EXPECT_NE(checked.out.find("  partly query.all: only GET /2/query/[name]/fields\n"),
            std::string::npos)
      << checked.out;
}

TEST_F(CheckUsers, WarningsExitThree) {
  const auto checked = check("a pw @boss\nb pw @readonly,-all.things\n");
  EXPECT_EQ(checked.code, kCheckUsersWarnings);
  EXPECT_NE(checked.out.find("a (line 1): @boss\n  (no permissions)\n"), std::string::npos)
      << checked.out;
  EXPECT_NE(checked.out.find("warning: Ignoring unknown role '@boss' (line 1)"), std::string::npos);
  EXPECT_NE(checked.out.find("warning: Ignoring unknown permission '-all.things' (line 2)"),
            std::string::npos);
  EXPECT_NE(checked.out.find(": 2 users, 2 warnings\n"), std::string::npos);
}

TEST_F(CheckUsers, MalformedExitsOne) {
  auto checked = check("good pw @admin\nlonely\n  alone  \n");
  EXPECT_EQ(checked.code, kCheckUsersMalformed);
  EXPECT_NE(checked.err.find("the daemon ignores lines 2, 3 (fewer than two fields"),
            std::string::npos)
      << checked.err;
  checked = check("user p\xff\n");
  EXPECT_EQ(checked.code, kCheckUsersMalformed);
  EXPECT_NE(checked.err.find("not valid UTF-8"), std::string::npos);

  std::ostringstream out, err;
  EXPECT_EQ(check_users_file(dir_ + "/missing", out, err), kCheckUsersMalformed);
  EXPECT_NE(err.str().find("cannot read " + dir_ + "/missing: No such file or directory"),
            std::string::npos)
      << err.str();
}

}  // namespace
}  // namespace rapid::app
