#pragma once

#include <string_view>

namespace rapid::rapi {

// Python's ipaddress module, as ht.py uses it (exposed for tests). The
// address forms return whether the string parses (no prefix allowed); the
// network forms additionally throw PyCheckError(value_error) with Python's
// message for a bad prefix length/netmask or host bits set.
bool python_ipv4_address_ok(std::string_view text);
bool python_ipv6_address_ok(std::string_view text);
bool python_ipv4_network_ok(std::string_view text);
bool python_ipv6_network_ok(std::string_view text);

}  // namespace rapid::rapi
