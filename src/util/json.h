#pragma once
// JSON as Ganeti's Python side writes and reads it.
//
// Ganeti keeps object members in insertion order (luxid's order for data it
// passes through, the field lists' order for objects RAPI builds), so the
// whole project uses nlohmann::ordered_json.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace rapid {

using Json = nlohmann::ordered_json;

// Serialises like Python's simplejson.dumps() with default settings: ", " and
// ": " separators, every non-ASCII character escaped as \uXXXX (surrogate
// pairs above U+FFFF), floats in Python repr() form. Invalid UTF-8 in strings
// is written as U+FFFD rather than failing.
std::string dump_python(const Json& value);
void dump_python(const Json& value, std::string& out);
// One string as dump_python writes it (quotes included).
void dump_python_string(std::string_view text, std::string& out);

// Python repr() of a float: shortest round-trip digits, "1.0", "1e+16",
// "1e-05", "nan", "inf" (repr) -- see dump_python for JSON's NaN/Infinity.
std::string python_float_repr(double value);

// Parses a JSON text. Returns nullopt on any syntax error, including invalid
// UTF-8 and the NaN/Infinity literals simplejson would accept (see
// docs/compatibility.md).
std::optional<Json> parse_json(std::string_view text);

// How deep the original's Python decoder nests before it gives up (976
// arrays or 975 objects fail on ganeti-rapi 3.0.2): deeper request bodies
// are refused before they are parsed.
inline constexpr std::size_t kMaxJsonNesting = 974;

// True when arrays and objects in `text` nest deeper than `limit` (brackets
// inside strings do not count). A linear scan without recursion, so that
// no later recursive step (parse, copy, dump) sees such a value.
bool json_nesting_exceeds(std::string_view text, std::size_t limit);

}  // namespace rapid
