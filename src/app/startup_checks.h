#pragma once
// What ganeti-rapi checks before it detaches: the SSL files, the master
// role of this node, the address to bind.

#include <string>

#include "app/options.h"

namespace rapid::app {

// 0 when rapid may start (and `bind_address` is set), else the exit code to
// leave with, its message already printed.
int check_before_start(const Options& options, std::string& bind_address);

}  // namespace rapid::app
