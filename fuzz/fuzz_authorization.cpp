// Authorization header parsing (Basic, lenient base64) on any bytes.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "auth/basic.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto result = rapid::auth::parse_authorization(text);
  if (const auto* credentials = std::get_if<rapid::auth::Credentials>(&result)) {
    // Credentials are ASCII and never contain the separating colon in the user.
    for (char c : credentials->user) {
      if (static_cast<unsigned char>(c) >= 0x80 || c == ':') std::abort();
    }
  }
  std::string decoded;
  (void)rapid::auth::base64_decode_lenient(text, decoded);
  return 0;
}
