#pragma once
// Opcode parameter type checks (private to the rapi layer).
//
// A type expression in the vocabulary of spec/README.md ("list<nestr> or
// null", "enum{a,b}", "mods<nic-dict>", ...) is parsed once into a tree of
// checkers. Each checker reproduces the corresponding Ganeti ht.py test
// applied to the decoded JSON value, including where the Python test raises
// instead of returning False (PyCheckError).
//
// "enum-nohash{a,b}" is an enumeration whose Python container is a list
// rather than a frozenset (membership by equality only, so arrays/objects
// fail instead of raising "unhashable type"); "enum{...}" is the frozenset
// form. Integer members ("enum{-10,0,10}") compare with Python numeric
// equality (False == 0 == 0.0).

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "util/json.h"

namespace rapid::rapi {

// A Python exception raised by the original while testing a value:
//  * type_error: caught by FillOpcode -> 400 "Invalid body parameters: <msg>"
//    (e.g. "unhashable type: 'list'", "object of type 'int' has no len()");
//  * value_error: not caught -> 500 "<msg>" (ipaddress' "... has host bits
//    set", "'33' is not a valid netmask").
class PyCheckError : public std::runtime_error {
 public:
  enum class Kind { type_error, value_error };
  PyCheckError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const noexcept { return kind_; }

 private:
  Kind kind_;
};

class ParamType {
 public:
  virtual ~ParamType() = default;
  // Whether value passes the test; throws PyCheckError where Python raises.
  virtual bool check(const Json& value) const = 0;
  // The JSON Schema (2020-12) of what check() accepts, for the OpenAPI
  // description; where it is only close, docs/openapi.md says how.
  virtual Json schema() const = 0;
};

using ParamTypePtr = std::shared_ptr<const ParamType>;

// Parses a type expression. Throws std::invalid_argument on a syntax error
// or an unknown type name.
ParamTypePtr parse_param_type(std::string_view expression);

}  // namespace rapid::rapi
