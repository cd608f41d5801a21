// Python 3.11's ipaddress module, as Ganeti's ht.py uses it for opcode
// parameters: which strings are addresses and networks (strict=True), and
// the ValueError texts that make the original answer 500.
#include "rapi/python_ipaddress.h"

#include <array>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "rapi/param_types.h"
#include "util/pyrepr.h"

namespace rapid::rapi {
namespace {

[[noreturn]] void raise_value_error(std::string message) {
  throw PyCheckError(PyCheckError::Kind::value_error, message);
}

std::vector<std::string_view> split_view(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(sep, start);
    if (end == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

bool ascii_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// _BaseV4._ip_int_from_string
std::optional<std::uint32_t> ipv4_int(std::string_view text) {
  if (text.empty()) return std::nullopt;
  const auto octets = split_view(text, '.');
  if (octets.size() != 4) return std::nullopt;
  std::uint32_t result = 0;
  for (const auto octet : octets) {
    if (!ascii_digits(octet) || octet.size() > 3) return std::nullopt;
    if (octet != "0" && octet[0] == '0') return std::nullopt;
    unsigned value = 0;
    for (const char c : octet) value = value * 10 + static_cast<unsigned>(c - '0');
    if (value > 255) return std::nullopt;
    result = (result << 8) | value;
  }
  return result;
}

std::string ipv4_string(std::uint32_t address) {
  return std::to_string(address >> 24) + "." + std::to_string((address >> 16) & 0xFF) + "." +
         std::to_string((address >> 8) & 0xFF) + "." + std::to_string(address & 0xFF);
}

// _BaseNetwork._prefix_from_prefix_string without the error: ASCII digits
// (leading zeros allowed, as int() does) in 0..max.
std::optional<unsigned> prefix_from_string(std::string_view text, unsigned max) {
  if (!ascii_digits(text)) return std::nullopt;
  while (text.size() > 1 && text.front() == '0') text.remove_prefix(1);
  if (text.size() > 3) return std::nullopt;
  unsigned value = 0;
  for (const char c : text) value = value * 10 + static_cast<unsigned>(c - '0');
  if (value > max) return std::nullopt;
  return value;
}

[[noreturn]] void invalid_netmask(std::string_view mask) {
  raise_value_error(python_str_repr(mask) + " is not a valid netmask");
}

// _BaseNetwork._prefix_from_ip_int for 32 bits.
std::optional<unsigned> ipv4_prefix_from_int(std::uint32_t mask) {
  const unsigned trailing_zeros = mask == 0 ? 32 : static_cast<unsigned>(std::countr_zero(mask));
  const unsigned prefix = 32 - trailing_zeros;
  const std::uint64_t leading_ones = trailing_zeros == 32 ? 0 : (mask >> trailing_zeros);
  const std::uint64_t all_ones = (std::uint64_t{1} << prefix) - 1;
  if (leading_ones != all_ones) return std::nullopt;
  return prefix;
}

// IPv4Network._make_netmask: prefix length, else netmask, else hostmask.
unsigned ipv4_prefix(std::string_view mask) {
  if (auto prefix = prefix_from_string(mask, 32)) return *prefix;
  const auto value = ipv4_int(mask);
  if (!value) invalid_netmask(mask);
  if (auto prefix = ipv4_prefix_from_int(*value)) return *prefix;
  if (auto prefix = ipv4_prefix_from_int(~*value)) return *prefix;
  invalid_netmask(mask);
}

using Hextets = std::array<std::uint16_t, 8>;

std::optional<std::uint16_t> parse_hextet(std::string_view text) {
  const bool hex = std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
  if (!hex || text.empty() || text.size() > 4) return std::nullopt;
  unsigned value = 0;
  for (const char c : text) {
    const unsigned digit =
        c <= '9' ? static_cast<unsigned>(c - '0') : static_cast<unsigned>((c | 0x20) - 'a' + 10);
    value = value * 16 + digit;
  }
  return static_cast<std::uint16_t>(value);
}

// _BaseV6._ip_int_from_string
std::optional<Hextets> ipv6_hextets(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::vector<std::string> parts;
  for (const auto part : split_view(text, ':')) parts.emplace_back(part);
  if (parts.size() < 3) return std::nullopt;
  if (parts.back().find('.') != std::string::npos) {
    const std::string last = parts.back();
    if (last.find('/') != std::string::npos) return std::nullopt;
    const auto v4 = ipv4_int(last);
    if (!v4) return std::nullopt;
    parts.pop_back();
    for (const unsigned half : {(*v4 >> 16) & 0xFFFFu, *v4 & 0xFFFFu}) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "%x", half);
      parts.emplace_back(buf);
    }
  }
  if (parts.size() > 9) return std::nullopt;

  std::optional<std::size_t> skip_index;
  for (std::size_t i = 1; i + 1 < parts.size(); ++i) {
    if (parts[i].empty()) {
      if (skip_index) return std::nullopt;
      skip_index = i;
    }
  }
  std::size_t parts_hi = 0;
  std::size_t parts_lo = 0;
  if (skip_index) {
    parts_hi = *skip_index;
    parts_lo = parts.size() - *skip_index - 1;
    if (parts.front().empty()) {
      if (--parts_hi != 0) return std::nullopt;
    }
    if (parts.back().empty()) {
      if (--parts_lo != 0) return std::nullopt;
    }
    if (parts_hi + parts_lo >= 8) return std::nullopt;
  } else {
    if (parts.size() != 8 || parts.front().empty() || parts.back().empty()) return std::nullopt;
    parts_hi = parts.size();
  }
  Hextets result{};
  for (std::size_t i = 0; i < parts_hi; ++i) {
    const auto h = parse_hextet(parts[i]);
    if (!h) return std::nullopt;
    result[i] = *h;
  }
  for (std::size_t i = 0; i < parts_lo; ++i) {
    const auto h = parse_hextet(parts[parts.size() - parts_lo + i]);
    if (!h) return std::nullopt;
    result[8 - parts_lo + i] = *h;
  }
  return result;
}

struct Ipv6Address {
  Hextets hextets;
  std::string_view scope;  // empty: none
};

// IPv6Address(str)
std::optional<Ipv6Address> ipv6_address(std::string_view text) {
  if (text.find('/') != std::string_view::npos) return std::nullopt;
  std::string_view scope;
  if (const std::size_t pct = text.find('%'); pct != std::string_view::npos) {
    scope = text.substr(pct + 1);
    if (scope.empty() || scope.find('%') != std::string_view::npos) return std::nullopt;
    text = text.substr(0, pct);
  }
  const auto hextets = ipv6_hextets(text);
  if (!hextets) return std::nullopt;
  return Ipv6Address{*hextets, scope};
}

// str(IPv6Address): lower-case hex, the longest run (first on ties) of two
// or more zero hextets compressed to "::", then "%scope".
std::string ipv6_string(const Ipv6Address& address) {
  const Hextets& h = address.hextets;
  int best_start = -1;
  int best_len = 0;
  for (int i = 0; i < 8;) {
    if (h[static_cast<std::size_t>(i)] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && h[static_cast<std::size_t>(j)] == 0) ++j;
    if (j - i > best_len) {
      best_start = i;
      best_len = j - i;
    }
    i = j;
  }
  if (best_len < 2) best_start = -1;
  auto hex = [](unsigned v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%x", v);
    return std::string(buf);
  };
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (i == best_start) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    out += hex(h[static_cast<std::size_t>(i)]);
  }
  if (!address.scope.empty()) {
    out += '%';
    out += address.scope;
  }
  return out;
}

}  // namespace

bool python_ipv4_address_ok(std::string_view text) {
  return text.find('/') == std::string_view::npos && ipv4_int(text).has_value();
}

bool python_ipv6_address_ok(std::string_view text) { return ipv6_address(text).has_value(); }

bool python_ipv4_network_ok(std::string_view text) {
  const auto parts = split_view(text, '/');
  if (parts.size() > 2) return false;
  const auto address = ipv4_int(parts[0]);
  if (!address) return false;
  const unsigned prefix = parts.size() == 2 ? ipv4_prefix(parts[1]) : 32;
  const std::uint32_t netmask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
  if ((*address & netmask) != *address) {
    raise_value_error(ipv4_string(*address) + "/" + std::to_string(prefix) + " has host bits set");
  }
  return true;
}

bool python_ipv6_network_ok(std::string_view text) {
  const auto parts = split_view(text, '/');
  if (parts.size() > 2) return false;
  const auto address = ipv6_address(parts[0]);
  if (!address) return false;
  unsigned prefix = 128;
  if (parts.size() == 2) {
    const auto parsed = prefix_from_string(parts[1], 128);
    if (!parsed) invalid_netmask(parts[1]);
    prefix = *parsed;
  }
  bool host_bits = false;
  for (unsigned i = 0; i < 8; ++i) {
    const unsigned first_bit = i * 16;
    std::uint16_t mask = 0;
    if (prefix >= first_bit + 16) {
      mask = 0xFFFF;
    } else if (prefix > first_bit) {
      mask = static_cast<std::uint16_t>(0xFFFF << (16 - (prefix - first_bit)));
    }
    if ((address->hextets[i] & ~mask & 0xFFFF) != 0) host_bits = true;
  }
  if (host_bits) {
    raise_value_error(ipv6_string(*address) + "/" + std::to_string(prefix) + " has host bits set");
  }
  return true;
}

}  // namespace rapid::rapi
