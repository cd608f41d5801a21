// The rapid binary's log file: Ganeti's line format, the access log line
// with and without -d, and no credentials in it.
#include <gtest/gtest.h>
#include <signal.h>

#include <regex>
#include <sstream>

#include "support/process.h"
#include "support/rapid_server.h"

namespace rapid::testing {
namespace {

using namespace std::chrono_literals;

TEST(Process, LogFormatAndNoSecrets) {
  Sandbox box;
  box.luxi.reply("QueryClusterInfo", Json::object());
  RapidProcess rapid(box.dir, box.args({"-d"}));
  ASSERT_TRUE(rapid.wait_ready());
  EXPECT_EQ(status_of(call(rapid, "GET", "/2/info", "admin:adminpass")), 200);
  EXPECT_EQ(status_of(call(rapid, "GET", "/2/info", "admin:Sup3rS3cretWrong")), 401);
  EXPECT_EQ(status_of(call(rapid, "PUT", "/2/tags?tag=x", "reader:readpass")), 403);
  EXPECT_EQ(status_of(call(rapid, "GET", "/2/nosuch")), 404);
  const std::string pid = std::to_string(rapid.pid());
  const std::regex prefix(
      "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2},[0-9]{3}: ganeti-rapi pid=" + pid +
      " ");
  // "<ip>:<port> <METHOD> <target> <version> <status>"; with -d the level is
  // preceded by "<module>:<line>".
  const std::regex access(
      "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2},[0-9]{3}: ganeti-rapi pid=" + pid +
      " (\\S+:[0-9]+ )?INFO 127\\.0\\.0\\.1:[0-9]+ (\\S+) (\\S+) HTTP/1\\.1 ([0-9]{3})$");
  ASSERT_TRUE(eventually(
      [&] { return rapid.log().find("GET /2/nosuch HTTP/1.1 404") != std::string::npos; }));
  const std::string log = rapid.log();
  std::vector<std::string> requests;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_TRUE(std::regex_search(line, prefix)) << line;
    std::smatch match;
    if (std::regex_match(line, match, access))
      requests.push_back(match[2].str() + " " + match[3].str() + " " + match[4].str());
  }
  EXPECT_EQ(requests, (std::vector<std::string>{"GET /2/info 200", "GET /2/info 401",
                                                "PUT /2/tags?tag=x 403", "GET /2/nosuch 404"}))
      << log;
  for (const std::string& secret :
       std::vector<std::string>{"adminpass", "Sup3rS3cretWrong", "readpass",
                                base64("admin:adminpass"), base64("admin:Sup3rS3cretWrong"),
                                base64("reader:readpass"), "Authorization", "Basic "}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << secret << "\n" << log;
  }
  rapid.signal(SIGTERM);
  EXPECT_EQ(exit_code(rapid.wait_exit(5s)), 0);
}

TEST(Process, AccessLogLineWithoutDebug) {
  Sandbox box;
  box.luxi.reply("QueryClusterInfo", Json::object());
  RapidProcess rapid(box.dir, box.args());
  ASSERT_TRUE(rapid.wait_ready());
  EXPECT_EQ(status_of(call(rapid, "GET", "/2/info")), 200);
  const std::regex line(
      "(^|\\n)[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2},[0-9]{3}: ganeti-rapi pid=" +
      std::to_string(rapid.pid()) + " INFO 127\\.0\\.0\\.1:[0-9]+ GET /2/info HTTP/1\\.1 200\\n");
  EXPECT_TRUE(eventually([&] { return std::regex_search(rapid.log(), line); })) << rapid.log();
  rapid.signal(SIGTERM);
  EXPECT_EQ(exit_code(rapid.wait_exit(5s)), 0);
}

}  // namespace
}  // namespace rapid::testing
