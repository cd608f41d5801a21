// The users file parser and password checks must take any bytes.
#include <cstdint>
#include <string_view>

#include "auth/users.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto parsed = rapid::auth::parse_users_file(text)) {
    for (std::string_view name : {"admin", "reader", "a", ""}) {
      if (const auto* user = parsed->table.find(name)) {
        (void)rapid::auth::verify_password(user->password, name, "pw");
        (void)user->has_option("write");
        if (user->permissions) (void)user->permissions->names();
      }
    }
  }
  (void)rapid::auth::verify_password(text, "user", "pw");
  return 0;
}
