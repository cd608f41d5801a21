// FillOpcode on arbitrary JSON bodies: either a validated opcode or an
// ApiError (400/403/500), never anything else, for every opcode.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "rapi/opcode_table.h"
#include "rapi/api_error.h"
#include "rapi/opcode.h"
#include "util/json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const auto opcodes = rapid::rapi::opcode_defs();
  const auto& op = opcodes[data[0] % opcodes.size()];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  auto body = rapid::parse_json(text);
  if (!body) return 0;
  static const rapid::Json kStatic = {{"reason", rapid::Json::array()}};
  try {
    rapid::Json result = rapid::rapi::fill_opcode(op.op_id, &*body, kStatic);
    if (!result.is_object() || result.value("OP_ID", "") != op.op_id) std::abort();
  } catch (const rapid::rapi::ApiError& error) {
    if (error.status() != 400 && error.status() != 500) std::abort();
  }
  return 0;
}
