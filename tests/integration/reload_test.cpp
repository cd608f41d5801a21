// The users file reloads (inotify watcher, SIGHUP), signals, start-up
// checks, exit codes, the PID file and the log file (lib/server/rapi.py,
// daemon.GenericMain in lib/daemon.py, http.auth.ParsePasswordFile).
// The first part uses the in-process fixture, the rest the rapid binary.
//
// rapid-specific behaviour tested here: SIGHUP re-reads the users file (3.0
// only reopens logs there; later Ganeti versions do both), a chmod of the
// users file is noticed (3.0 only reacts to writes, deletes and renames).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "support/rapid_server.h"

namespace rapid::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

// Polls `predicate` until it holds or `timeout` passes.
template <typename Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds timeout = 1s) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    if (predicate()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
}

void write_file(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::trunc | std::ios::binary);
  out << contents;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int status_of(const std::optional<HttpResponse>& response) {
  return response ? response->status : -1;
}

// /version is public, but credentials sent to it are checked: 200 or 401.
int login(RapidServer& rapid, const std::string& credentials) {
  return status_of(rapid.request("GET", "/version", credentials));
}

// --- The watcher, in-process ------------------------------------------------------

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

// --- The rapid binary -------------------------------------------------------------------

struct Exit {
  int status = -1;  // exit code, or -signal, or -1000 on timeout
  std::string out;
  std::string err;
};

// Runs rapid with exactly `args` (no fixed ones), waiting for it to end.
Exit run_rapid(const std::string& directory, const std::vector<std::string>& args,
               std::chrono::milliseconds timeout = 5s) {
  std::vector<std::string> argv = {RAPID_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  const std::string out = directory + "/run.out";
  const std::string err = directory + "/run.err";
  const pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> cargv;
    for (auto& arg : argv) cargv.push_back(arg.data());
    cargv.push_back(nullptr);
    if (!freopen(out.c_str(), "w", stdout) || !freopen(err.c_str(), "w", stderr)) _exit(126);
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  Exit result;
  const auto deadline = Clock::now() + timeout;
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) != pid) {
    if (Clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      result.status = -1000;
      return result;
    }
    std::this_thread::sleep_for(10ms);
  }
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  result.out = read_file(out);
  result.err = read_file(err);
  return result;
}

int exit_code(std::optional<int> status) {
  if (!status) return -1000;
  return WIFEXITED(*status) ? WEXITSTATUS(*status) : -WTERMSIG(*status);
}

// A directory with a users file and a fake luxid, for the binary.
struct Sandbox {
  Sandbox() : dir(make_temp_dir()), luxi(dir + "/luxi.sock") {
    write_file(dir + "/users", kDefaultUsers);
  }
  ~Sandbox() {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }
  std::vector<std::string> args(std::vector<std::string> extra = {}) const {
    std::vector<std::string> all = {"--no-ssl", "--users-file", dir + "/users", "--luxi-socket",
                                    luxi.socket_path()};
    all.insert(all.end(), extra.begin(), extra.end());
    return all;
  }
  // Arguments for run_rapid: everything RapidProcess would add, minus the
  // master check switch.
  std::vector<std::string> direct_args(std::vector<std::string> extra = {}) const {
    std::vector<std::string> all = {"-f",
                                    "--port",
                                    std::to_string(free_port()),
                                    "--bind",
                                    "127.0.0.1",
                                    "--pid-file",
                                    dir + "/direct.pid",
                                    "--log-file",
                                    dir + "/direct.log"};
    const auto rest = args(std::move(extra));
    all.insert(all.end(), rest.begin(), rest.end());
    return all;
  }
  std::string dir;
  FakeLuxi luxi;
};

std::optional<HttpResponse> call(const RapidProcess& process, const std::string& method,
                                 const std::string& target, const std::string& credentials = {}) {
  return HttpClient::request(process.port(), false, method, target, credentials);
}

TEST(Process, SighupReReadsTheUsersFile) {
  Sandbox box;
  // The users file is a symlink into a subdirectory the watcher does not
  // watch: only SIGHUP can make rapid see changes of the target.
  fs::create_directory(box.dir + "/real");
  write_file(box.dir + "/real/users", "before beforepass write\n");
  fs::remove(box.dir + "/users");
  fs::create_symlink(box.dir + "/real/users", box.dir + "/users");
  RapidProcess rapid(box.dir, box.args());
  ASSERT_TRUE(rapid.wait_ready());
  EXPECT_EQ(status_of(call(rapid, "GET", "/version", "before:beforepass")), 200);

  write_file(box.dir + "/real/users", "after afterpass write\n");
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(status_of(call(rapid, "GET", "/version", "after:afterpass")), 401);  // not seen yet

  rapid.signal(SIGHUP);
  EXPECT_TRUE(eventually(
      [&] { return status_of(call(rapid, "GET", "/version", "after:afterpass")) == 200; }));
  EXPECT_EQ(status_of(call(rapid, "GET", "/version", "before:beforepass")), 401);
  EXPECT_TRUE(eventually([&] { return rapid.log().find("SIGHUP received") != std::string::npos; }));
  const std::string log = rapid.log();
  const auto sighup = log.find("SIGHUP received");
  EXPECT_NE(log.find("Reading users file at " + box.dir + "/users", sighup), std::string::npos)
      << log;
  rapid.signal(SIGTERM);
  EXPECT_EQ(exit_code(rapid.wait_exit(5s)), 0);
}

TEST(Process, SighupReopensTheLogFile) {
  Sandbox box;
  RapidProcess rapid(box.dir, box.args());
  ASSERT_TRUE(rapid.wait_ready());
  EXPECT_EQ(status_of(call(rapid, "GET", "/version")), 200);
  const std::string log = box.dir + "/rapid.log";
  const std::string rotated = box.dir + "/rapid.log.1";
  EXPECT_TRUE(eventually(
      [&] { return read_file(log).find("GET /version HTTP/1.1 200") != std::string::npos; }));
  ASSERT_EQ(::rename(log.c_str(), rotated.c_str()), 0);
  rapid.signal(SIGHUP);
  EXPECT_TRUE(eventually([&] { return fs::exists(log); }));
  EXPECT_EQ(status_of(call(rapid, "GET", "/2", "admin:adminpass")), 200);
  EXPECT_TRUE(
      eventually([&] { return read_file(log).find("GET /2 HTTP/1.1 200") != std::string::npos; }));
  const std::string old_text = read_file(rotated);
  const std::string new_text = read_file(log);
  EXPECT_NE(old_text.find("ganeti-rapi daemon startup"), std::string::npos);
  EXPECT_EQ(old_text.find("GET /2 HTTP/1.1"), std::string::npos);
  EXPECT_EQ(new_text.find("daemon startup"), std::string::npos);
  EXPECT_NE(new_text.find("SIGHUP received"), std::string::npos);
  rapid.signal(SIGTERM);
  EXPECT_EQ(exit_code(rapid.wait_exit(5s)), 0);
}

TEST(Process, SigtermLetsTheRequestInFlightFinish) {
  Sandbox box;
  box.luxi.on_request([](const LuxiRequest& request) {
    LuxiReply reply = LuxiReply::success(Json::object());
    if (request.method == "QueryClusterInfo") reply.delay = 1000ms;
    return reply;
  });
  RapidProcess rapid(box.dir, box.args());
  ASSERT_TRUE(rapid.wait_ready());
  HttpClient client("127.0.0.1", rapid.port(), false);
  ASSERT_TRUE(client.connect());
  ASSERT_TRUE(client.send(HttpClient::build_request("GET", "/2/info")));
  ASSERT_TRUE(eventually([&] { return !box.luxi.requests("QueryClusterInfo").empty(); }, 2s));
  const auto signalled = Clock::now();
  rapid.signal(SIGTERM);
  // New connections are refused from now on.
  EXPECT_TRUE(eventually([&] {
    HttpClient probe("127.0.0.1", rapid.port(), false);
    return !probe.connect();
  }));
  // The request in flight is answered.
  const auto response = client.read_response(3s);
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "{}\n");
  EXPECT_EQ(response->header("Connection"), "close");
  EXPECT_TRUE(client.closed_by_peer(2s));
  client.close();
  EXPECT_EQ(exit_code(rapid.wait_exit(5s)), 0);
  EXPECT_LT(Clock::now() - signalled, 4s);
  EXPECT_NE(rapid.log().find("GET /2/info HTTP/1.1 200"), std::string::npos);
  EXPECT_NE(rapid.log().find("ganeti-rapi daemon shutdown"), std::string::npos);
  // The PID file is gone.
  EXPECT_FALSE(fs::exists(box.dir + "/rapid.pid"));
}

TEST(Process, IdleConnectionsDoNotDelayShutdown) {
  Sandbox box;
  RapidProcess rapid(box.dir, box.args());
  ASSERT_TRUE(rapid.wait_ready());
  HttpClient idle("127.0.0.1", rapid.port(), false);
  ASSERT_TRUE(idle.connect());
  ASSERT_TRUE(idle.send(HttpClient::build_request("GET", "/version")));
  ASSERT_TRUE(idle.read_response().has_value());  // keep-alive, now idle
  const auto start = Clock::now();
  rapid.signal(SIGTERM);
  EXPECT_TRUE(idle.closed_by_peer(2s));
  idle.close();
  EXPECT_EQ(exit_code(rapid.wait_exit(5s)), 0);
  EXPECT_LT(Clock::now() - start, 2s);
}

TEST(Process, SecondSigtermStopsAtOnce) {
  Sandbox box;
  box.luxi.on_request([](const LuxiRequest& request) {
    LuxiReply reply = LuxiReply::success(Json::object());
    if (request.method == "QueryClusterInfo") reply.delay = 1500ms;
    return reply;
  });
  RapidProcess rapid(box.dir, box.args());
  ASSERT_TRUE(rapid.wait_ready());
  HttpClient client("127.0.0.1", rapid.port(), false);
  ASSERT_TRUE(client.connect());
  ASSERT_TRUE(client.send(HttpClient::build_request("GET", "/2/info")));
  ASSERT_TRUE(eventually([&] { return !box.luxi.requests("QueryClusterInfo").empty(); }, 2s));
  rapid.signal(SIGTERM);
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(rapid.wait_exit(0ms).has_value());  // still waiting for the request
  const auto start = Clock::now();
  rapid.signal(SIGTERM);
  EXPECT_EQ(exit_code(rapid.wait_exit(3s)), 0);
  EXPECT_LT(Clock::now() - start, 800ms);              // well before luxid's answer
  EXPECT_FALSE(client.read_response(1s).has_value());  // cut off, no answer
}

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
