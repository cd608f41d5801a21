#pragma once
// rapid's config file (default /etc/ganeti/rapid.conf): CLI11's config
// format ("name = value", "#" comments, quotes), names as the long options
// without "--". Only rapid's own options: ganeti-rapi's belong in RAPI_ARGS,
// which the original reads too.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "app/options.h"

namespace rapid::app {

// Where an option may be given.
enum class Where {
  original,      // ganeti-rapi's: the command line (RAPI_ARGS) only
  command_line,  // --config, --help, --version
  own,           // rapid's: the command line or the config file
};

struct ConfigKey {
  std::string name;  // "luxi-socket"
  Where where = Where::own;
  bool takes_value = true;  // else a flag: the store gets "true" or "false"
  // Converts and stores a value; "" or the error text ("invalid integer value: 'x'").
  std::function<std::string(Options&, std::string_view)> store;
};

// Reads `path` into `options` (and sets options.config_file). A missing file
// is fine unless `must_exist`. False, with `error` naming the file, on a
// file that cannot be read or holds anything but known keys with one valid
// value each.
bool read_config_file(const std::string& path, bool must_exist, const std::vector<ConfigKey>& keys,
                      Options& options, std::string& error);

}  // namespace rapid::app
