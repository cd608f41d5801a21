#include "auth/users.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>

#include "util/text.h"
#include "util/utf8.h"

namespace rapid::auth {
namespace {

// Advances `pos` over code points while `want_space` matches is_space().
void skip(std::string_view text, std::size_t& pos, bool want_space) {
  while (pos < text.size()) {
    std::size_t next = pos;
    if (utf8::is_space(utf8::decode(text, next)) != want_space) return;
    pos = next;
  }
}

// Python str.splitlines().
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t line_start = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t start = pos;
    const char32_t cp = utf8::decode(text, pos);
    if (!utf8::is_line_break(cp)) continue;
    lines.push_back(text.substr(line_start, start - line_start));
    if (cp == '\r' && pos < text.size() && text[pos] == '\n') ++pos;
    line_start = pos;
  }
  if (line_start < text.size()) lines.push_back(text.substr(line_start));
  return lines;
}

// Python line.split(None, 2) of an already stripped line.
std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> parts;
  std::size_t pos = 0;
  skip(line, pos, true);
  while (pos < line.size()) {
    if (parts.size() == 2) {
      parts.push_back(line.substr(pos));
      break;
    }
    const std::size_t start = pos;
    skip(line, pos, false);
    parts.push_back(line.substr(start, pos - start));
    skip(line, pos, true);
  }
  return parts;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

bool User::has_option(std::string_view option) const {
  return std::find(options.begin(), options.end(), option) != options.end();
}

void UserTable::add(User user) {
  auto name = user.name;
  users_.insert_or_assign(std::move(name), std::move(user));
}

const User* UserTable::find(std::string_view name) const {
  const auto it = users_.find(std::string(name));
  return it == users_.end() ? nullptr : &it->second;
}

std::optional<ParseResult> parse_users_file(std::string_view contents) {
  if (!is_valid_utf8(contents)) return std::nullopt;
  ParseResult result;
  for (std::string_view raw_line : split_lines(contents)) {
    const std::string_view line = strip_unicode(raw_line);
    if (line.empty() || line.front() == '#') continue;
    const auto parts = split_fields(line);
    if (parts.size() < 2) {
      result.warnings.emplace_back("Ignoring non-comment line with less than two fields");
      continue;
    }
    User user{std::string(parts[0]), std::string(parts[1]), {}};
    if (parts.size() >= 3) {
      for (const auto& option : split(parts[2], ',')) {
        user.options.emplace_back(strip_unicode(option));
      }
    }
    result.table.add(std::move(user));
  }
  return result;
}

std::string ha1_hex(std::string_view username, std::string_view realm, std::string_view password) {
  std::string input;
  input.append(username).append(":").append(realm).append(":").append(password);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(input.data(), input.size(), digest, &length, EVP_md5(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xF];
  }
  return hex;
}

bool verify_password(std::string_view stored, std::string_view username, std::string_view password,
                     std::string_view realm) {
  std::string expected(stored);
  if (expected.empty() || expected.front() != '{') expected = "{CLEARTEXT}" + expected;
  const auto scheme_end = expected.find('}', 1);
  // "{}" and a "{" without "}" are malformed schemes: never a match.
  if (scheme_end == std::string::npos || scheme_end <= 1) return false;
  const std::string scheme = to_upper(std::string_view(expected).substr(0, scheme_end + 1));
  const std::string_view secret = std::string_view(expected).substr(scheme_end + 1);
  if (scheme == "{CLEARTEXT}") return constant_time_equal(password, secret);
  if (scheme == "{HA1}") {
    return constant_time_equal(to_lower(secret), ha1_hex(username, realm, password));
  }
  return false;
}

}  // namespace rapid::auth
