#include "app/startup_checks.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "app/daemon.h"
#include "app/optparse.h"
#include "util/file.h"
#include "util/pyrepr.h"

namespace rapid::app {
namespace {

// The first address of `family` on a network interface, in the kernel's
// order (as `ip -o addr show dev NAME` lists them), or "" when it has none.
std::string interface_address(const std::string& name, int family) {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return {};
  std::string address;
  for (const ifaddrs* entry = list; entry && address.empty(); entry = entry->ifa_next) {
    if (!entry->ifa_addr || name != entry->ifa_name || entry->ifa_addr->sa_family != family) {
      continue;
    }
    char text[INET6_ADDRSTRLEN] = {};
    const void* raw = family == AF_INET6
                          ? static_cast<const void*>(
                                &reinterpret_cast<const sockaddr_in6*>(entry->ifa_addr)->sin6_addr)
                          : static_cast<const void*>(
                                &reinterpret_cast<const sockaddr_in*>(entry->ifa_addr)->sin_addr);
    if (inet_ntop(family, raw, text, sizeof text)) address = text;
  }
  freeifaddrs(list);
  return address;
}

bool is_regular_file(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

}  // namespace

bool primary_ip_family(const std::string& ssconf_dir, int& family, std::string& error) {
  const std::string path = ssconf_dir + "/ssconf_primary_ip_family";
  family = AF_INET;
  std::string contents;
  int error_number = 0;
  if (!read_file(path, contents, error_number)) {
    if (error_number == ENOENT) return true;
    error = "Can't read ssconf file " + path + ": " + std::strerror(error_number);
    return false;
  }
  // Ganeti reads at most 128 KiB of an ssconf file.
  contents.resize(std::min<std::size_t>(contents.size(), 128 * 1024 + 1));
  while (!contents.empty() && contents.back() == '\n') contents.pop_back();
  long long number = 0;
  if (optparse::python_int(contents, 10, number) != optparse::IntStatus::ok) {
    error = "Error while trying to parse primary IP family (" + path +
            "): invalid literal for int() with base 10: " + python_str_repr(contents);
    return false;
  }
  family = number == AF_INET6 ? AF_INET6 : AF_INET;
  return true;
}

std::string default_bind_address(int family) { return family == AF_INET6 ? "::" : "0.0.0.0"; }

int check_before_start(const Options& options, std::string& bind_address) {
  int family = AF_INET;
  std::string problem;
  if (!primary_ip_family(options.ssconf_dir, family, problem)) {
    std::cerr << problem << "\n";
    return kExitFailure;
  }
  const std::string default_bind = default_bind_address(family);
  bind_address = options.bind_address.empty() ? default_bind : options.bind_address;
  // -i goes with -b only when -b says the default (lib/daemon.py).
  if (!options.interface.empty()) {
    if (bind_address != default_bind) {
      std::cerr << "Can't specify both, bind address (" << bind_address << ") and bind interface ("
                << options.interface << ")\n";
      return kExitFailure;
    }
    bind_address = interface_address(options.interface, family);
    if (bind_address.empty()) {
      // The message the original means to print (its own fails on a typo).
      std::cerr << "Failed to find IP for interface " << options.interface << "\n";
      return kExitFailure;
    }
  }
  if (options.ssl) {
    if (!is_regular_file(options.ssl_cert)) {
      std::cerr << "SSL certificate file '" << options.ssl_cert << "' was not found\n";
      return kExitFailure;
    }
    if (!is_regular_file(options.ssl_key)) {
      std::cerr << "SSL key file '" << options.ssl_key << "' was not found\n";
      return kExitFailure;
    }
  }
  if (options.user_check) {
    if (const std::string wrong = check_daemon_user(); !wrong.empty()) {
      std::cerr << wrong << "\n";
      return kExitFailure;
    }
  }
  if (!options.arguments.empty()) {
    std::cerr << "Usage: " << options.program << " [-f] [-d] [-p port] [-b ADDRESS]\n";
    return kExitFailure;
  }
  if (options.max_clients < 1) {
    std::cerr << options.program << " --max-clients argument must be >= 1\n";
    return kExitFailure;
  }
  if (options.master_check) {
    std::string detail;
    switch (check_master(options.ssconf_dir, detail)) {
      case MasterStatus::master:
        break;
      case MasterStatus::not_master:
        // The original says so only with -d; a silent exit 11 leaves a
        // newcomer guessing, so rapid always writes this one line.
        std::cerr << "Not master, exiting: " << detail
                  << " (--no-master-check starts rapid anyway, for tests)\n";
        return kExitNotMaster;
      case MasterStatus::no_configuration:
        std::cerr << detail << "\n";
        return kExitNoConfiguration;
    }
  }
  return 0;
}

}  // namespace rapid::app
