// The users file reloads by the inotify watcher (lib/server/rapi.py,
// http.auth.ParsePasswordFile), on the in-process fixture. SIGHUP's re-read is in process_signals_test.cpp.
//
// rapid-specific behaviour tested here: a chmod of the users file is noticed
// (3.0 only reacts to writes, deletes and renames).
#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <thread>

#include "support/process.h"
#include "support/rapid_server.h"

namespace rapid::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// /version is public, but credentials sent to it are checked: 200 or 401.
int login(RapidServer& rapid, const std::string& credentials) {
  return status_of(rapid.request("GET", "/version", credentials));
}

TEST(UsersReload, InPlaceRewrite) {
  RapidServer rapid;
  EXPECT_EQ(login(rapid, "admin:adminpass"), 200);
  EXPECT_EQ(login(rapid, "fresh:freshpass"), 401);
  rapid.write_users("fresh freshpass write\n");
  EXPECT_TRUE(eventually([&] { return login(rapid, "fresh:freshpass") == 200; }));
  EXPECT_EQ(login(rapid, "admin:adminpass"), 401);
  // The new options are in force too.
  rapid.luxi().reply("SubmitJob", 5);
  EXPECT_EQ(status_of(rapid.request("PUT", "/2/redistribute-config", "fresh:freshpass")), 200);
  // And again: a password change.
  rapid.write_users("fresh otherpass read\n");
  EXPECT_TRUE(eventually([&] { return login(rapid, "fresh:otherpass") == 200; }));
  EXPECT_EQ(login(rapid, "fresh:freshpass"), 401);
  EXPECT_EQ(status_of(rapid.request("PUT", "/2/redistribute-config", "fresh:otherpass")), 403);
}

TEST(UsersReload, AtomicRenameReplace) {
  RapidServer rapid;
  const std::string temp = rapid.directory() + "/users.tmp";
  write_file(temp, "renamed renamedpass write\n");
  // Writing the temporary file changes nothing.
  EXPECT_EQ(login(rapid, "renamed:renamedpass"), 401);
  ASSERT_EQ(::rename(temp.c_str(), rapid.users_file().c_str()), 0);
  EXPECT_TRUE(eventually([&] { return login(rapid, "renamed:renamedpass") == 200; }));
  EXPECT_EQ(login(rapid, "admin:adminpass"), 401);
  // A second replace (the watch survives the first).
  write_file(temp, "second secondpass\n");
  ASSERT_EQ(::rename(temp.c_str(), rapid.users_file().c_str()), 0);
  EXPECT_TRUE(eventually([&] { return login(rapid, "second:secondpass") == 200; }));
  EXPECT_EQ(login(rapid, "renamed:renamedpass"), 401);
}

TEST(UsersReload, DeleteThenRecreate) {
  RapidServer rapid;
  EXPECT_EQ(login(rapid, "admin:adminpass"), 200);
  ASSERT_TRUE(fs::remove(rapid.users_file()));
  // Nobody can authenticate; anonymous requests still work.
  EXPECT_TRUE(eventually([&] { return login(rapid, "admin:adminpass") == 401; }));
  EXPECT_EQ(login(rapid, "reader:readpass"), 401);
  EXPECT_EQ(status_of(rapid.request("GET", "/version")), 200);
  EXPECT_EQ(status_of(rapid.request("PUT", "/2/redistribute-config", "admin:adminpass")), 401);
  rapid.write_users("admin adminpass write\n");
  EXPECT_TRUE(eventually([&] { return login(rapid, "admin:adminpass") == 200; }));
}

TEST(UsersReload, MovedAwayAndBack) {
  RapidServer rapid;
  const std::string aside = rapid.directory() + "/users.aside";
  ASSERT_EQ(::rename(rapid.users_file().c_str(), aside.c_str()), 0);
  EXPECT_TRUE(eventually([&] { return login(rapid, "admin:adminpass") == 401; }));
  ASSERT_EQ(::rename(aside.c_str(), rapid.users_file().c_str()), 0);
  EXPECT_TRUE(eventually([&] { return login(rapid, "admin:adminpass") == 200; }));
}

TEST(UsersReload, InvalidUtf8KeepsThePreviousTable) {
  RapidServer rapid;
  rapid.write_users("broken p\xff\n");
  // Give the watcher time to read it: the old users must stay.
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(login(rapid, "admin:adminpass"), 200);
  EXPECT_EQ(login(rapid, "broken:p\xff"), 401);
  // A valid file afterwards is taken.
  rapid.write_users("after afterpass\n");
  EXPECT_TRUE(eventually([&] { return login(rapid, "after:afterpass") == 200; }));
}

// Runs the rest of a test with the effective uid of "nobody" (so that
// permission bits apply to the server's reads), restoring root afterwards.
class AsNobody {
 public:
  AsNobody() { ok_ = ::setegid(65534) == 0 && ::seteuid(65534) == 0; }
  ~AsNobody() {
    (void)!::seteuid(0);
    (void)!::setegid(0);
  }
  bool ok() const { return ok_; }

 private:
  bool ok_ = false;
};

TEST(UsersReload, UnreadableFileEmptiesTheTable) {
  auto ring = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(200);
  spdlog::default_logger()->sinks().push_back(ring);
  RapidServer rapid;
  EXPECT_EQ(login(rapid, "admin:adminpass"), 200);
  const std::string path = rapid.users_file();
  if (::geteuid() == 0) {
    // Root reads anything: look at the file as "nobody", who owns it.
    ASSERT_EQ(::chmod(rapid.directory().c_str(), 0755), 0);
    ASSERT_EQ(::chown(path.c_str(), 65534, 65534), 0);
  }
  {
    std::optional<AsNobody> nobody;
    if (::geteuid() == 0) {
      nobody.emplace();
      ASSERT_TRUE(nobody->ok());
    }
    ASSERT_EQ(::chmod(path.c_str(), 0), 0);
    EXPECT_TRUE(eventually([&] { return login(rapid, "admin:adminpass") == 401; }));
    EXPECT_EQ(status_of(rapid.request("GET", "/version")), 200);
    ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
    EXPECT_TRUE(eventually([&] { return login(rapid, "admin:adminpass") == 200; }));
  }
  bool warned = false;
  for (const auto& line : ring->last_formatted()) {
    if (line.find("Error while reading " + path + ": Permission denied") != std::string::npos)
      warned = true;
  }
  EXPECT_TRUE(warned);
  spdlog::default_logger()->sinks().pop_back();
}

}  // namespace
}  // namespace rapid::testing
