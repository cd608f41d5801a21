#include "auth/basic.h"

#include <vector>

#include "util/text.h"

namespace rapid::auth {
namespace {

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Python's str.split(None, 2) on ASCII whitespace (header values are
// Latin-1 at most; non-ASCII bytes are not whitespace).
std::vector<std::string_view> split_words(std::string_view text, std::size_t max_split) {
  std::vector<std::string_view> words;
  constexpr std::string_view kSpace = " \t\n\r\f\v";
  std::size_t pos = text.find_first_not_of(kSpace);
  while (pos != std::string_view::npos) {
    if (words.size() == max_split) {
      words.push_back(strip_ascii(text.substr(pos)));
      break;
    }
    const auto end = text.find_first_of(kSpace, pos);
    words.push_back(text.substr(pos, end - pos));
    if (end == std::string_view::npos) break;
    pos = text.find_first_not_of(kSpace, end);
  }
  return words;
}

}  // namespace

bool base64_decode_lenient(std::string_view text, std::string& out) {
  out.clear();
  unsigned bits = 0;
  int quad_pos = 0;
  int pads = 0;
  for (char c : text) {
    if (c == '=') {
      // Like binascii.a2b_base64: enough padding after two or three data
      // characters ends the data.
      if (quad_pos >= 2 && quad_pos + ++pads >= 4) {
        return true;
      }
      continue;
    }
    const int value = base64_value(c);
    if (value < 0) continue;
    pads = 0;
    switch (quad_pos) {
      case 0:
        bits = static_cast<unsigned>(value);
        quad_pos = 1;
        break;
      case 1:
        out += static_cast<char>((bits << 2) | (static_cast<unsigned>(value) >> 4));
        bits = static_cast<unsigned>(value) & 0x0F;
        quad_pos = 2;
        break;
      case 2:
        out += static_cast<char>((bits << 4) | (static_cast<unsigned>(value) >> 2));
        bits = static_cast<unsigned>(value) & 0x03;
        quad_pos = 3;
        break;
      default:
        out += static_cast<char>((bits << 6) | static_cast<unsigned>(value));
        quad_pos = 0;
        break;
    }
  }
  return quad_pos == 0;
}

AuthorizationHeader parse_authorization(std::string_view header_value) {
  const auto parts = split_words(strip_ascii(header_value), 2);
  if (parts.empty()) return InvalidAuthorization{};
  if (!iequals(parts[0], "basic")) return InvalidAuthorization{};  // Digest etc.: unsupported
  if (parts.size() < 2) return MissingBasicCredentials{};
  // Ganeti encodes the token as ASCII before decoding it: a non-ASCII
  // character fails there instead of being skipped as base64 junk.
  for (char c : parts[1]) {
    if (static_cast<unsigned char>(c) >= 0x80) return InvalidAuthorization{};
  }
  std::string decoded;
  if (!base64_decode_lenient(parts[1], decoded)) return InvalidAuthorization{};
  for (char c : decoded) {
    if (static_cast<unsigned char>(c) >= 0x80) return InvalidAuthorization{};
  }
  const auto colon = decoded.find(':');
  if (colon == std::string::npos) return InvalidAuthorization{};
  return Credentials{decoded.substr(0, colon), decoded.substr(colon + 1)};
}

}  // namespace rapid::auth
