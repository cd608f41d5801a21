#include "app/startup_checks.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "app/daemon.h"

namespace rapid::app {
namespace {

bool ipv6_available() {
  const int fd = socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) return false;
  close(fd);
  return true;
}

// The first address of a network interface (IPv4 preferred, as on an IPv4
// cluster), or "" when it has none.
std::string interface_address(const std::string& name) {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return {};
  std::string v4, v6;
  for (const ifaddrs* entry = list; entry; entry = entry->ifa_next) {
    if (!entry->ifa_addr || name != entry->ifa_name) continue;
    char text[INET6_ADDRSTRLEN] = {};
    if (entry->ifa_addr->sa_family == AF_INET && v4.empty()) {
      inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(entry->ifa_addr)->sin_addr, text,
                sizeof text);
      v4 = text;
    } else if (entry->ifa_addr->sa_family == AF_INET6 && v6.empty()) {
      inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(entry->ifa_addr)->sin6_addr, text,
                sizeof text);
      v6 = text;
    }
  }
  freeifaddrs(list);
  return v4.empty() ? v6 : v4;
}

bool is_regular_file(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

}  // namespace

int check_before_start(const Options& options, std::string& bind_address) {
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
  bind_address = options.bind_address;
  if (!options.interface.empty()) {
    bind_address = interface_address(options.interface);
    if (bind_address.empty()) {
      std::cerr << "Interface " << options.interface << " has no usable address\n";
      return kExitFailure;
    }
  } else if (bind_address.empty()) {
    bind_address = ipv6_available() ? "::" : "0.0.0.0";
  }
  return 0;
}

}  // namespace rapid::app
