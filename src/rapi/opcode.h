#pragma once
// Building Ganeti opcodes from request data, as baserlib.FillOpcode does:
// renames, static parameters, unknown-parameter check, type validation of
// every parameter (defaults filled in), then the serialised opcode.

#include <span>
#include <stdexcept>
#include <string_view>

#include "util/json.h"

namespace rapid::rapi {

// A malformed opcode table (a build fault, never a request's): the message
// names the opcode and parameter.
class OpcodeTableError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// Compiles the generated opcode table (opcode_table.cpp) now: every type
// expression and default parsed, no duplicate opcode or parameter, the
// "required" flags consistent. Call once at start-up so that a malformed
// table stops rapid there instead of failing the first request that uses
// it. Throws OpcodeTableError.
void validate_opcode_table();

struct Rename {
  std::string_view from;
  std::string_view to;
};

// Returns the opcode as luxid receives it: every parameter of the opcode in
// definition order (defaults filled in), then the common parameters, then
// "OP_ID". `body` is the user-controlled dict (nullptr = Python None),
// `static_params` an object of values RAPI fixes (URL, query).
// Throws ApiError: 400 with Ganeti's message texts for every validation
// failure; 500 where the original fails with an uncaught error.
Json fill_opcode(std::string_view op_id, const Json* body, const Json& static_params,
                 std::span<const Rename> renames = {});

// Serialises an opcode from known-good parameters without RAPI validation
// (reinstall's hand-built job): `params` overrides defaults.
Json build_opcode_unchecked(std::string_view op_id, const Json& params);

}  // namespace rapid::rapi
