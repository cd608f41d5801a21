#include "metrics/registry.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace rapid::metrics {

void Registry::add(const Collectable& family) {
  writers_.push_back([&family](TextWriter& out) { family.write(out); });
}

void Registry::add(std::function<void(TextWriter&)> collector) {
  writers_.push_back(std::move(collector));
}

void Registry::write(TextWriter& out) const {
  for (const auto& writer : writers_) writer(out);
}

namespace {

// The fields of /proc/self/stat after the command name, which may hold
// spaces and parentheses: fields[0] is the state (field 3 of proc(5)).
std::vector<std::string> stat_fields() {
  std::ifstream file("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const auto end_of_name = text.rfind(')');
  std::vector<std::string> fields;
  if (end_of_name == std::string::npos) return fields;
  std::istringstream rest(text.substr(end_of_name + 1));
  for (std::string field; rest >> field;) fields.push_back(field);
  return fields;
}

// Seconds since the epoch at boot (btime of /proc/stat), 0 if unknown.
double boot_time() {
  std::ifstream file("/proc/stat");
  for (std::string line; std::getline(file, line);) {
    if (line.starts_with("btime ")) return std::stod(line.substr(6));
  }
  return 0;
}

double field(const std::vector<std::string>& fields, std::size_t proc5_number) {
  const std::size_t i = proc5_number - 3;
  return i < fields.size() ? std::stod(fields[i]) : 0;
}

double open_fds() {
  std::error_code ec;
  double count = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++count;
  }
  return count;
}

}  // namespace

void write_process_metrics(TextWriter& out) {
  const std::vector<std::string> fields = stat_fields();
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  // proc(5): utime 14, stime 15, starttime 22 (ticks after boot), vsize 23, rss 24 (pages).
  out.family("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
             "counter");
  out.sample("process_cpu_seconds_total", {}, (field(fields, 14) + field(fields, 15)) / ticks);
  out.family("process_virtual_memory_bytes", "Virtual memory size in bytes.", "gauge");
  out.sample("process_virtual_memory_bytes", {}, field(fields, 23));
  out.family("process_resident_memory_bytes", "Resident memory size in bytes.", "gauge");
  out.sample("process_resident_memory_bytes", {}, field(fields, 24) * page);
  out.family("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
             "gauge");
  out.sample("process_start_time_seconds", {}, boot_time() + field(fields, 22) / ticks);
  out.family("process_open_fds", "Number of open file descriptors.", "gauge");
  out.sample("process_open_fds", {}, open_fds());
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  out.family("process_max_fds", "Maximum number of open file descriptors.", "gauge");
  out.sample("process_max_fds", {},
             limit.rlim_cur == RLIM_INFINITY ? -1.0 : static_cast<double>(limit.rlim_cur));
}

}  // namespace rapid::metrics
