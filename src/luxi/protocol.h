#pragma once
// LUXI message framing: JSON text + byte 0x03.

#include <string>
#include <string_view>

#include "util/json.h"

namespace rapid::luxi {

inline constexpr char kEndOfMessage = '\x03';
// LUXI_VERSION of Ganeti 3.0 (luxid ignores it; sent for parity).
inline constexpr int kLuxiVersion = 3000000;

// {"method": M, "args": A, "version": 3000000}\n + 0x03, as the Python
// client writes it.
std::string encode_request(std::string_view method, const Json& args);

// Decodes one response (without its 0x03). Returns the result on success;
// throws luxi::Error (protocol, request_rejected or ganeti_error) otherwise.
Json decode_response(std::string_view message);

}  // namespace rapid::luxi
