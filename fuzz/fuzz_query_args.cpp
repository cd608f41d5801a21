// Query-string parsing and integer flags on any bytes.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "rapi/api_error.h"
#include "rapi/query_args.h"
#include "util/text.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto args = rapid::rapi::QueryArgs::parse(text);
  for (const auto& name : args.names()) {
    // Decoded names and values are always valid UTF-8 (they end up in JSON).
    if (!rapid::is_valid_utf8(name)) std::abort();
    for (const auto& value : args.all(name)) {
      if (value.empty() || !rapid::is_valid_utf8(value)) std::abort();
    }
    try {
      (void)args.flag(name);
    } catch (const rapid::rapi::ApiError& error) {
      if (error.status() != 400) std::abort();
    }
  }
  return 0;
}
