// The rapid binary's start-up: exit codes of bad command lines and missing
// SSL files, the master check, the PID file lock, --help and --version.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <thread>

#include "support/process.h"
#include "support/rapid_server.h"

namespace rapid::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

TEST(Process, ExitCodes) {
  Sandbox box;
  // Unknown option: optparse's usage error.
  const auto unknown = run_rapid(box.dir, box.direct_args({"--no-master-check", "--bogus-option"}));
  EXPECT_EQ(unknown.status, 2);
  EXPECT_NE(unknown.err.find("Usage: ganeti-rapi"), std::string::npos) << unknown.err;
  // Positional argument.
  const auto positional = run_rapid(box.dir, box.direct_args({"--no-master-check", "extra"}));
  EXPECT_EQ(positional.status, 1);
  EXPECT_NE(positional.err.find("Usage: "), std::string::npos) << positional.err;
  EXPECT_NE(positional.err.find("[-f] [-d] [-p port] [-b ADDRESS]"), std::string::npos);
  // --max-clients < 1.
  for (const char* value : {"0", "-3"}) {
    const auto clients =
        run_rapid(box.dir, box.direct_args({"--no-master-check", "--max-clients", value}));
    EXPECT_EQ(clients.status, 1) << value;
    EXPECT_NE(clients.err.find("--max-clients argument must be >= 1"), std::string::npos)
        << clients.err;
  }
  // Missing SSL certificate or key (SSL is on without --no-ssl).
  const std::string missing = box.dir + "/missing.pem";
  std::vector<std::string> ssl_args = {"-f",
                                       "--no-master-check",
                                       "--port",
                                       std::to_string(free_port()),
                                       "--bind",
                                       "127.0.0.1",
                                       "--users-file",
                                       box.dir + "/users",
                                       "--luxi-socket",
                                       box.luxi.socket_path(),
                                       "--pid-file",
                                       box.dir + "/ssl.pid",
                                       "--log-file",
                                       box.dir + "/ssl.log",
                                       "--ssl-cert",
                                       missing,
                                       "--ssl-key",
                                       missing};
  const auto no_cert = run_rapid(box.dir, ssl_args);
  EXPECT_EQ(no_cert.status, 1);
  EXPECT_EQ(no_cert.err, "SSL certificate file '" + missing + "' was not found\n");
  const std::string pem = make_test_certificate(box.dir);
  ssl_args.back() = missing;
  ssl_args[ssl_args.size() - 3] = pem;  // --ssl-cert pem, --ssl-key missing
  const auto no_key = run_rapid(box.dir, ssl_args);
  EXPECT_EQ(no_key.status, 1);
  EXPECT_EQ(no_key.err, "SSL key file '" + missing + "' was not found\n");
  // Nothing was started by any of these.
  EXPECT_FALSE(fs::exists(box.dir + "/direct.pid"));
  EXPECT_FALSE(fs::exists(box.dir + "/ssl.pid"));
}

TEST(Process, MasterCheck) {
  Sandbox box;
  const std::string ssconf = box.dir + "/ssconf";
  fs::create_directory(ssconf);
  // Missing ssconf: exit 12.
  const auto missing = run_rapid(box.dir, box.direct_args({"--ssconf-dir", ssconf}));
  EXPECT_EQ(missing.status, 12) << missing.err;
  // Another node is the master: exit 11 with one line that says how to
  // start anyway, with or without -d.
  write_file(ssconf + "/ssconf_master_node", "other-node.invalid\n");
  char host[256] = {};
  ASSERT_EQ(gethostname(host, sizeof host - 1), 0);
  for (const bool debug : {false, true}) {
    auto args = box.direct_args({"--ssconf-dir", ssconf});
    if (debug) args.push_back("-d");
    const auto not_master = run_rapid(box.dir, args);
    EXPECT_EQ(not_master.status, 11);
    EXPECT_TRUE(not_master.err.starts_with("Not master, exiting: this node is ")) << not_master.err;
    EXPECT_EQ(std::count(not_master.err.begin(), not_master.err.end(), '\n'), 1);
    EXPECT_TRUE(not_master.err.ends_with(
        ", the master is other-node.invalid (--no-master-check starts rapid anyway, for tests)\n"))
        << not_master.err;
  }
  EXPECT_FALSE(fs::exists(box.dir + "/direct.pid"));
  // This node is the master: it starts.
  write_file(ssconf + "/ssconf_master_node", std::string(host) + "\n");
  const std::uint16_t port = free_port();
  std::vector<std::string> args = box.direct_args({"--ssconf-dir", ssconf});
  args[2] = std::to_string(port);
  std::thread runner([&] {
    const auto master = run_rapid(box.dir, args, 5s);
    EXPECT_EQ(master.status, 0) << master.err;
  });
  // Once it answers, its signal handlers are in place too.
  EXPECT_TRUE(eventually(
      [&] { return status_of(HttpClient::request(port, false, "GET", "/version")) == 200; }, 3s));
  const int pid = std::atoi(read_file(box.dir + "/direct.pid").c_str());
  ASSERT_GT(pid, 0);
  ::kill(pid, SIGTERM);
  runner.join();
}

TEST(Process, PidFile) {
  Sandbox box;
  RapidProcess rapid(box.dir, box.args());
  ASSERT_TRUE(rapid.wait_ready());
  EXPECT_EQ(read_file(box.dir + "/rapid.pid"), std::to_string(rapid.pid()) + "\n");
  // A second instance with the same PID file: exit 1.
  std::vector<std::string> args = {"-f",         "--no-master-check",
                                   "--port",     std::to_string(free_port()),
                                   "--bind",     "127.0.0.1",
                                   "--pid-file", box.dir + "/rapid.pid",
                                   "--log-file", box.dir + "/second.log"};
  const auto rest = box.args();
  args.insert(args.end(), rest.begin(), rest.end());
  const auto second = run_rapid(box.dir, args);
  EXPECT_EQ(second.status, 1);
  EXPECT_NE(second.err.find("Error while locking PID file"), std::string::npos) << second.err;
  // The first one is unharmed, PID file included.
  EXPECT_EQ(read_file(box.dir + "/rapid.pid"), std::to_string(rapid.pid()) + "\n");
  EXPECT_EQ(status_of(call(rapid, "GET", "/version")), 200);
  rapid.signal(SIGTERM);
  EXPECT_EQ(exit_code(rapid.wait_exit(5s)), 0);
  EXPECT_FALSE(fs::exists(box.dir + "/rapid.pid"));
}

TEST(Process, HelpAndVersion) {
  Sandbox box;
  const auto help = run_rapid(box.dir, {"--help"});
  EXPECT_EQ(help.status, 0);
  for (const char* flag : {"-f",
                           "--foreground",
                           "-d",
                           "--debug",
                           "--syslog",
                           "-p",
                           "--port",
                           "-b",
                           "--bind",
                           "-i",
                           "--interface",
                           "--no-ssl",
                           "-K",
                           "--ssl-key",
                           "-C",
                           "--ssl-cert",
                           "--require-authentication",
                           "--max-clients",
                           "--version",
                           "-h",
                           "--help",
                           "--luxi-socket",
                           "--users-file",
                           "--pid-file",
                           "--log-file"}) {
    const std::regex word(std::string("(^|[\\s,])") + flag + "([\\s,=]|$)");
    EXPECT_TRUE(std::regex_search(help.out, word)) << flag << "\n" << help.out;
  }
  const auto version = run_rapid(box.dir, {"--version"});
  EXPECT_EQ(version.status, 0);
  EXPECT_EQ(version.out.rfind("ganeti-rapi (ganeti) 3.0.2\n", 0), 0u) << version.out;
}

}  // namespace
}  // namespace rapid::testing
