#pragma once
// Parsing of the Authorization header (HTTP Basic only, as Ganeti).

#include <string>
#include <string_view>
#include <variant>

namespace rapid::auth {

struct Credentials {
  std::string user;
  std::string password;
};

// "Basic" without a token: Ganeti answers 400.
struct MissingBasicCredentials {};
// Anything else that does not yield credentials (other schemes, bad
// base64, non-ASCII, no colon): Ganeti answers 401.
struct InvalidAuthorization {};

using AuthorizationHeader =
    std::variant<Credentials, MissingBasicCredentials, InvalidAuthorization>;

AuthorizationHeader parse_authorization(std::string_view header_value);

// Lenient base64 as Python's b64decode(validate=False): characters outside
// the alphabet are skipped; bad padding fails.
bool base64_decode_lenient(std::string_view text, std::string& out);

}  // namespace rapid::auth
