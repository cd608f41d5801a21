#pragma once
// What ganeti-rapi checks before it detaches, in its order (lib/daemon.py
// GenericMain, then lib/server/rapi.py CheckRapi): the bind interface, the
// SSL files, the user, the arguments, --max-clients, the master role.

#include <string>

#include "app/options.h"

namespace rapid::app {

// 0 when rapid may start (and `bind_address` is set), else the exit code to
// leave with, its message already printed.
int check_before_start(const Options& options, std::string& bind_address);

// ssconf.GetPrimaryIPFamily: the number in ssconf_primary_ip_family, AF_INET
// when the file is absent. False, with `error` set, when it is unreadable or
// not a number.
bool primary_ip_family(const std::string& ssconf_dir, int& family, std::string& error);

// The original's default bind address: "::" on an IPv6 cluster, else "0.0.0.0".
std::string default_bind_address(int family);

}  // namespace rapid::app
