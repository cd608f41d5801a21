#pragma once
// The command-line grammar of Python's optparse, which ganeti-rapi 3.0 uses
// (lib/daemon.py GenericMain): unique abbreviations of long options,
// "--opt=value" and "--opt value", bundled short flags ("-fd") and attached
// values ("-p5080"), "--" ending the options, the last of repeated options
// winning, optparse's error texts, its help layout and its int conversion.
// Generic: the caller owns the option table and stores the values.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rapid::app::optparse {

struct Option {
  std::string short_name;  // "-p", or empty
  std::string long_name;   // "--port"
  std::string metavar;     // "PORT"; empty for a flag
  std::string help;
  std::size_t group = 0;  // index into the groups given to format_help
  // One of ganeti-rapi's own: an abbreviation matching exactly one of these
  // means it even if it also starts other names ("--h" is --help), so every
  // command line the original accepts keeps its meaning.
  bool preferred = false;
  bool ends_parsing = false;  // --help, --version: act at once, ignore the rest
  bool takes_value() const { return !metavar.empty(); }
};

// One option as given: its index in the table, its name as optparse's
// messages name it ("-p", or the full long name), its value ("" for a flag).
struct Occurrence {
  std::size_t option = 0;
  std::string name;
  std::string value;
};

// Checks and stores one occurrence, in command-line order; returns "" or
// optparse's error text ("option --port: invalid integer value: 'x'").
using Store = std::function<std::string(const Occurrence&)>;

struct Outcome {
  std::vector<std::string> positional;
  std::string error;                    // the text after "<prog>: error: "; "" for none
  std::optional<std::size_t> ended_by;  // the option that ended parsing
};

Outcome parse(const std::vector<Option>& options, const std::vector<std::string>& args,
              const Store& store);

struct Group {
  std::string title;
  std::string description;
};

// optparse's help: "Usage: <usage>\n\n<description>\n\nOptions:\n" and the
// options of group 0, then each further group under its title, wrapped as
// optparse's IndentedHelpFormatter does for a terminal of `columns`.
std::string format_help(std::string_view usage, std::string_view description,
                        const std::vector<Option>& options, const std::vector<Group>& groups,
                        std::size_t columns);

// textwrap.wrap(text, width) for help texts: greedy, breaking at spaces and
// after the hyphens of hyphenated words.
std::vector<std::string> wrap(std::string_view text, std::size_t width);

enum class IntStatus { ok, invalid, out_of_range };

// Python's int(text, base) for base 2, 8, 10 or 16 (surrounding whitespace,
// a sign, the base's prefix, single underscores between digits, Unicode
// decimal digits); out_of_range beyond long long.
IntStatus python_int(std::string_view text, int base, long long& value);

// The int optparse makes of an option value (type="int"): "0x" hex, "0b"
// binary, a leading "0" octal, else decimal.
IntStatus parse_int(std::string_view text, long long& value);

}  // namespace rapid::app::optparse
