// luxi_floor: what luxid itself serves for one LUXI call, the floor under
// any RAPI daemon's answer to the same request. C threads, one blocking
// connection each, send the same request again and again and read each
// reply up to its 0x03 terminator.
//
//   luxi_floor [--socket PATH] [-c CONNECTIONS] [-d SECONDS | -n REQUESTS] METHOD ARGS_JSON
//
// ARGS_JSON goes into the request as given ({"method": M, "args": ARGS,
// "version": 3000000}\n 0x03, the bytes rapid and the Python client send).
// Prints one JSON object: requests, errors, seconds, rps, p50_ms, p99_ms,
// max_ms, reply_bytes (of the last reply).
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Settings {
  std::string socket_path = "/run/ganeti/socket/ganeti-query";
  int connections = 1;
  double seconds = 5;
  long requests = 0;  // > 0: stop after this many instead of after `seconds`
  std::string method;
  std::string args;
};

struct Worker {
  std::vector<double> latencies_ms;
  long errors = 0;
  std::size_t reply_bytes = 0;
  std::string failure;  // why the worker stopped early, if it did
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "luxi_floor: %s\nusage: luxi_floor [--socket PATH] [-c CONNECTIONS] "
               "[-d SECONDS | -n REQUESTS] METHOD ARGS_JSON\n",
               why);
  std::exit(2);
}

Settings parse(int argc, char** argv) {
  Settings s;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage("missing value");
      return argv[++i];
    };
    if (arg == "--socket")
      s.socket_path = value();
    else if (arg == "-c")
      s.connections = std::atoi(value());
    else if (arg == "-d")
      s.seconds = std::atof(value());
    else if (arg == "-n")
      s.requests = std::atol(value());
    else if (arg == "-h" || arg == "--help")
      usage("help");
    else
      positional.emplace_back(arg);
  }
  if (positional.size() != 2) usage("METHOD and ARGS_JSON are needed");
  if (s.connections < 1 || s.seconds <= 0 || s.requests < 0) usage("bad number");
  s.method = positional[0];
  s.args = positional[1];
  return s;
}

int connect_to(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof(address.sun_path)) {
    ::close(fd);
    return -1;
  }
  std::memcpy(address.sun_path, path.data(), path.size());
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Reads one message (up to 0x03) into `reply`, without the terminator.
// Messages never overlap: one request is in flight per connection.
bool read_message(int fd, std::string& reply) {
  reply.clear();
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) return false;
    const char* end = static_cast<const char*>(std::memchr(buffer, '\x03', n));
    if (end != nullptr) {
      reply.append(buffer, static_cast<std::size_t>(end - buffer));
      return true;
    }
    reply.append(buffer, static_cast<std::size_t>(n));
  }
}

bool succeeded(std::string_view reply) {
  return reply.find("\"success\":true") != std::string_view::npos ||
         reply.find("\"success\": true") != std::string_view::npos;
}

void run_worker(const Settings& s, const std::string& request, Clock::time_point deadline,
                std::atomic<long>& budget, Worker& w) {
  const int fd = connect_to(s.socket_path);
  if (fd < 0) {
    w.failure = "cannot connect to " + s.socket_path + ": " + std::strerror(errno);
    return;
  }
  std::string reply;
  for (;;) {
    if (s.requests > 0 ? budget.fetch_sub(1) <= 0 : Clock::now() >= deadline) break;
    const auto start = Clock::now();
    if (!send_all(fd, request) || !read_message(fd, reply)) {
      w.failure = "luxid closed the connection";
      ++w.errors;
      break;
    }
    w.latencies_ms.push_back(
        std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    w.reply_bytes = reply.size();
    if (!succeeded(reply)) ++w.errors;
  }
  ::close(fd);
}

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto index = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(index, sorted.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  const Settings s = parse(argc, argv);
  const std::string request =
      "{\"method\": \"" + s.method + "\", \"args\": " + s.args + ", \"version\": 3000000}\n\x03";
  std::vector<Worker> workers(static_cast<std::size_t>(s.connections));
  std::atomic<long> budget{s.requests};
  const auto start = Clock::now();
  const auto deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s.seconds));
  std::vector<std::thread> threads;
  for (auto& w : workers) {
    threads.emplace_back(
        [&s, &request, deadline, &budget, &w] { run_worker(s, request, deadline, budget, w); });
  }
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();

  std::vector<double> all;
  long errors = 0;
  std::size_t reply_bytes = 0;
  std::string failure;
  for (const auto& w : workers) {
    all.insert(all.end(), w.latencies_ms.begin(), w.latencies_ms.end());
    errors += w.errors;
    reply_bytes = std::max(reply_bytes, w.reply_bytes);
    if (failure.empty()) failure = w.failure;
  }
  std::sort(all.begin(), all.end());
  if (!failure.empty()) std::fprintf(stderr, "luxi_floor: %s\n", failure.c_str());
  std::printf(
      "{\"method\": \"%s\", \"connections\": %d, \"requests\": %zu, \"errors\": %ld, "
      "\"seconds\": %.3f, \"rps\": %.1f, \"p50_ms\": %.3f, \"p99_ms\": %.3f, \"max_ms\": %.3f, "
      "\"reply_bytes\": %zu}\n",
      s.method.c_str(), s.connections, all.size(), errors, elapsed,
      elapsed > 0 ? static_cast<double>(all.size()) / elapsed : 0.0, percentile(all, 0.50),
      percentile(all, 0.99), all.empty() ? 0.0 : all.back(), reply_bytes);
  return all.empty() || errors > 0 ? 1 : 0;
}
