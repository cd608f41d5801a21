#include "support/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/test_data.h"

namespace rapid::testing {

double timeout_scale() {
  static const double scale = [] {
    const char* value = std::getenv("RAPID_TEST_TIMEOUT_SCALE");
    const double parsed = value ? std::atof(value) : 1.0;
    return parsed >= 1.0 ? parsed : 1.0;
  }();
  return scale;
}

std::chrono::milliseconds scaled(std::chrono::milliseconds timeout) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(timeout.count() * timeout_scale()));
}

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

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

int spawn(std::vector<std::string> argv, const std::string& out, const std::string& err,
          int open_flags) {
  std::vector<char*> cargv;
  for (auto& arg : argv) cargv.push_back(arg.data());
  cargv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    const int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | open_flags, 0644);
    const int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | open_flags, 0644);
    if (out_fd < 0 || err_fd < 0 || ::dup2(out_fd, STDOUT_FILENO) < 0 ||
        ::dup2(err_fd, STDERR_FILENO) < 0) {
      ::_exit(126);
    }
    if (out_fd > STDERR_FILENO) ::close(out_fd);
    if (err_fd > STDERR_FILENO) ::close(err_fd);
    ::execv(cargv[0], cargv.data());
    ::_exit(127);
  }
  return pid;
}

Exit run_rapid(const std::string& directory, const std::vector<std::string>& args,
               std::chrono::milliseconds timeout) {
  std::vector<std::string> argv = {rapid_binary().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  const std::string out = directory + "/run.out";
  const std::string err = directory + "/run.err";
  const pid_t pid = spawn(std::move(argv), out, err, O_TRUNC);
  Exit result;
  const auto deadline = Clock::now() + scaled(timeout);
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

Sandbox::Sandbox() : dir(make_temp_dir()), luxi(dir + "/luxi.sock") {
  write_file(dir + "/users", kDefaultUsers);
}

Sandbox::~Sandbox() {
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

std::vector<std::string> Sandbox::args(std::vector<std::string> extra) const {
  std::vector<std::string> all = {"--no-ssl",        "--users-file",     dir + "/users",
                                  "--luxi-socket",   luxi.socket_path(), "--audit-log",
                                  dir + "/audit.log"};
  all.insert(all.end(), extra.begin(), extra.end());
  return all;
}

std::vector<std::string> Sandbox::direct_args(std::vector<std::string> extra) const {
  std::vector<std::string> all = {"-f",
                                  "--port",
                                  std::to_string(free_port()),
                                  "--bind",
                                  "127.0.0.1",
                                  "--pid-file",
                                  dir + "/direct.pid",
                                  "--log-file",
                                  dir + "/direct.log",
                                  "--no-user-check"};
  const auto rest = args(std::move(extra));
  all.insert(all.end(), rest.begin(), rest.end());
  return all;
}

std::string Sandbox::link_users_file(const std::string& contents) const {
  const std::string target = dir + "/real/users";
  std::filesystem::create_directory(dir + "/real");
  write_file(target, contents);
  std::filesystem::remove(dir + "/users");
  std::filesystem::create_symlink(target, dir + "/users");
  return target;
}

std::optional<HttpResponse> call(const RapidProcess& process, const std::string& method,
                                 const std::string& target, const std::string& credentials) {
  return HttpClient::request(process.port(), false, method, target, credentials);
}

}  // namespace rapid::testing
