#pragma once
// Python's text forms of values, as they appear inside Ganeti's error
// messages ("('Sync queries are not allowed', 'wrong_input')",
// "{'dry_run'}", "Type is 'NoneType'").

#include <span>
#include <string>
#include <string_view>

#include "util/json.h"

namespace rapid {

// repr() of a str: quote choice and escapes as CPython does.
std::string python_str_repr(std::string_view utf8);

// repr() of the Python object a JSON value decodes to (dict, list, str, int,
// float, True/False/None).
std::string python_repr(const Json& value);

// str() of such an object: strings are themselves, everything else repr().
std::string python_str(const Json& value);

// repr() of a tuple of values: "(a, b)", "(a,)", "()".
std::string python_tuple_repr(std::span<const Json> items);

// str() of an exception constructed with these arguments: "" for none, the
// sole argument's str(), or the repr() of the argument tuple.
std::string python_exception_text(std::span<const Json> args);

// repr() of a set of strings, in the given order: "{'a', 'b'}".
std::string python_set_repr(std::span<const std::string> items);

// type(value).__name__ for the decoded value: dict, list, str, int, float,
// bool, NoneType.
std::string_view python_type_name(const Json& value);

}  // namespace rapid
