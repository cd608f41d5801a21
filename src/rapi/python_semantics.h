#pragma once
// Python's behaviour on decoded JSON values, where Ganeti's code relies on
// it: truthiness, equality, len(), iteration, unpacking, indexing, int() of
// a string, and the texts of the exceptions Python raises on the wrong type
// (clients can reach these; the original answers with exactly these texts).
//
// Part of rapid_opcode (the parameter checks use it as the handlers do);
// it depends on nothing but rapid_util. Type names: python_type_name()
// in util/pyrepr.h.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rapi/api_error.h"
#include "util/json.h"

namespace rapid::rapi {

// --- Values ------------------------------------------------------------------

// Python truthiness of a decoded JSON value.
bool truthy(const Json& value);

// Python equality of a JSON value with an integer (0 == False == 0.0).
bool python_equals_int(const Json& value, long long number);

// value == member for a str or int member (bool is an int in Python).
bool python_equals(const Json& value, const Json& member);

// len(value): code points of a str, items of a list or dict; nullopt where
// len() raises TypeError (no_len_message()).
std::optional<std::size_t> python_len(const Json& value);

// What Python's `for item in value` yields for a decoded JSON value (lists
// their items, strings their characters, dicts their keys); other values
// are a 500 "'<type>' object is not iterable".
std::vector<Json> python_iter(const Json& value);

// Python's tuple unpacking `(a, b, ...) = value` of a decoded JSON value
// (lists give their items, strings their characters, dicts their keys),
// with Python's ValueError/TypeError texts as a 500.
std::vector<Json> unpack(const Json& value, std::size_t count);

// row[index] with Python's IndexError as a 500 (Ganeti's handlers index
// luxid's answers without checking).
const Json& index_or_500(const Json& list, std::size_t index);

// --- int() of a string ---------------------------------------------------------

// What Python's int() reads in `text`: an optional "-" and ASCII digits
// (surrounding Unicode whitespace stripped, single underscores between
// digits removed, any Unicode decimal digit mapped to ASCII), or nullopt
// when int() would fail.
std::optional<std::string> python_int_digits(std::string_view text);

// Python int() acceptance; sets `nonzero`. False when not an integer.
bool parse_python_int(std::string_view text, bool& nonzero);

// --- Exception texts ------------------------------------------------------------

// TypeError texts: "unhashable type: 'list'", "object of type 'int' has no len()".
std::string unhashable_message(const Json& value);
std::string no_len_message(const Json& value);

// The TypeError/AttributeError/KeyError a Ganeti handler hits on unexpected
// JSON types, as the 500 the original answers.
ApiError subscript_error(const Json& container);  // container["key"]
ApiError attribute_error(const Json& value, std::string_view attribute);
ApiError not_iterable_error(const Json& value);  // for x in value
ApiError contains_error(const Json& value);      // "x" in value
ApiError key_error(std::string_view key);

// baserlib.CheckType's 400 for a value of the wrong type:
// "<description>: Type is '<type>', but '<expected>' is expected".
ApiError wrong_type_error(std::string_view description, const Json& value,
                          std::string_view expected);

}  // namespace rapid::rapi
