#include "app/config_file.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <sstream>

#include "util/file.h"
#include "util/pyrepr.h"

namespace rapid::app {
namespace {

// CLI11's flag values.
std::string flag_value(std::string value) {
  std::transform(value.begin(), value.end(), value.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (value == "true" || value == "yes" || value == "on" || value == "1") return "true";
  if (value == "false" || value == "no" || value == "off" || value == "0") return "false";
  return {};
}

}  // namespace

bool read_config_file(const std::string& path, bool must_exist, const std::vector<ConfigKey>& keys,
                      Options& options, std::string& error) {
  std::string contents;
  int error_number = 0;
  if (!read_file(path, contents, error_number)) {
    if (error_number == ENOENT && !must_exist) return true;
    error = "cannot read config file '" + path + "': " + std::strerror(error_number);
    return false;
  }
  std::vector<CLI::ConfigItem> items;
  try {
    std::istringstream in(contents);
    items = CLI::ConfigTOML().from_config(in);
  } catch (const CLI::Error& e) {
    error = path + ": " + e.what();
    return false;
  }
  const auto fail = [&](const std::string& text) {
    error = path + ": " + text;
    return false;
  };
  std::set<std::string> seen;
  for (const auto& item : items) {
    if (!item.parents.empty())
      return fail("sections are not supported: [" + item.parents.front() + "]");
    const auto key = std::find_if(keys.begin(), keys.end(),
                                  [&](const ConfigKey& k) { return k.name == item.name; });
    if (key == keys.end()) return fail("no such option: " + python_str_repr(item.name));
    if (key->where == Where::original) {
      return fail("'" + item.name +
                  "' is an option of ganeti-rapi: give it in RAPI_ARGS (/etc/default/ganeti), "
                  "which ganeti-rapi reads too");
    }
    if (key->where == Where::command_line) {
      return fail("'" + item.name + "' can only be given on the command line");
    }
    if (!seen.insert(item.name).second) return fail("option " + item.name + " is set twice");
    if (item.inputs.size() != 1) {
      return fail("option " + item.name + ": one value expected, got " +
                  std::to_string(item.inputs.size()) + " (quote a value with spaces or commas)");
    }
    std::string value = item.inputs.front();
    if (!key->takes_value) {
      value = flag_value(value);
      if (value.empty()) {
        return fail("option " + item.name + ": invalid boolean value: " +
                    python_str_repr(item.inputs.front()) + " (true or false)");
      }
    }
    if (const std::string problem = key->store(options, value); !problem.empty()) {
      return fail("option " + item.name + ": " + problem);
    }
  }
  options.config_file = path;
  return true;
}

}  // namespace rapid::app
