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

// Python repr() of a float: shortest round-trip digits, "1.0", "1e+16",
// "1e-05", "nan", "inf" (repr) -- see dump_python for JSON's NaN/Infinity.
std::string python_float_repr(double value);

// Parses a JSON text. Returns nullopt on any syntax error, including invalid
// UTF-8 and the NaN/Infinity literals simplejson would accept (see
// docs/compatibility.md).
std::optional<Json> parse_json(std::string_view text);

}  // namespace rapid
