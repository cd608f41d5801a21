#include "auth/users.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <map>

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

bool has_permission_syntax(std::string_view option) {
  if (option.empty()) return false;
  const char first = option.front();
  return first == '@' || first == '+' || first == '-' || Permission::find(option).has_value();
}

// The ignored options of a file, each warned about once with all its lines.
class IgnoredOptions {
 public:
  void add(std::string_view option, bool permission_user, std::size_t line) {
    Key key(permission_user, std::string(option));
    auto [it, fresh] = lines_.try_emplace(key);
    if (fresh) order_.push_back(std::move(key));
    it->second.push_back(line);
  }

  void warn(std::vector<std::string>& warnings) const {
    for (const auto& key : order_) {
      const auto& [permission_user, option] = key;
      std::string text = "Ignoring unknown ";
      if (option.starts_with('@')) {
        text += "role";
      } else {
        text += permission_user ? "permission" : "option";
      }
      text += " '" + option + "' (" + line_list(lines_.at(key)) + ")";
      if (option.starts_with('@')) {
        text += "; known roles:";
        for (const auto name : role_names()) text += " @" + std::string(name);
      } else if (option == "all") {
        text += "; Ganeti 3.0 gives it no meaning (upstream Ganeti reads it as @admin)";
      }
      warnings.push_back(std::move(text));
    }
  }

 private:
  static std::string line_list(const std::vector<std::size_t>& lines) {
    std::string text = lines.size() == 1 ? "line" : "lines";
    for (std::size_t i = 0; i < lines.size(); ++i) {
      text += (i ? ", " : " ") + std::to_string(lines[i]);
    }
    return text;
  }

  // (whether the user has permission syntax, the option as written)
  using Key = std::pair<bool, std::string>;
  std::map<Key, std::vector<std::size_t>> lines_;
  std::vector<Key> order_;
};

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

std::vector<const User*> UserTable::sorted() const {
  std::vector<const User*> users;
  for (const auto& [name, user] : users_) users.push_back(&user);
  std::sort(users.begin(), users.end(),
            [](const User* a, const User* b) { return a->name < b->name; });
  return users;
}

std::optional<PermissionSet> resolve_permissions(const std::vector<std::string>& options,
                                                 std::vector<std::string>& ignored) {
  if (std::none_of(options.begin(), options.end(), has_permission_syntax)) {
    for (const auto& option : options) {
      if (!option.empty() && !find_legacy_word(option)) ignored.push_back(option);
    }
    return std::nullopt;
  }
  // Every grant is a union, so only the removals' place in upstream's order
  // (roles, words, names, additions, removals) matters: they come last.
  PermissionSet granted;
  PermissionSet removed;
  for (const auto& option : options) {
    if (option.empty()) continue;
    const std::string_view name = std::string_view(option).substr(
        option.front() == '@' || option.front() == '+' || option.front() == '-' ? 1 : 0);
    if (option.front() == '@') {
      const PermissionSet* role = find_role(name);
      if (role) granted |= *role;
      if (!role) ignored.push_back(option);
      continue;
    }
    if (option.front() != '+' && option.front() != '-') {
      if (const PermissionSet* word = find_legacy_word(name)) {
        granted |= *word;
        continue;
      }
    }
    const auto permission = Permission::find(name);
    if (!permission) {
      ignored.push_back(option);
    } else if (option.front() == '-') {
      removed.add(*permission);
    } else {
      granted.add(*permission);
    }
  }
  granted -= removed;
  return granted;
}

const User* UserTable::find(std::string_view name) const {
  const auto it = users_.find(std::string(name));
  return it == users_.end() ? nullptr : &it->second;
}

std::optional<ParseResult> parse_users_file(std::string_view contents) {
  if (!is_valid_utf8(contents)) return std::nullopt;
  ParseResult result;
  IgnoredOptions ignored_options;
  std::vector<std::string> replaced;
  const auto lines = split_lines(contents);
  for (std::size_t index = 0; index < lines.size(); ++index) {
    const std::string_view line = strip_unicode(lines[index]);
    if (line.empty() || line.front() == '#') continue;
    const auto parts = split_fields(line);
    if (parts.size() < 2) {
      result.warnings.emplace_back("Ignoring non-comment line with less than two fields");
      result.ignored_lines.push_back(index + 1);
      continue;
    }
    User user;
    user.name = std::string(parts[0]);
    user.password = std::string(parts[1]);
    user.line = index + 1;
    if (parts.size() >= 3) {
      for (const auto& option : split(parts[2], ',')) {
        user.options.emplace_back(strip_unicode(option));
      }
    }
    std::vector<std::string> ignored;
    user.permissions = resolve_permissions(user.options, ignored);
    for (const auto& option : ignored) {
      ignored_options.add(option, user.permissions.has_value(), user.line);
    }
    if (const User* earlier = result.table.find(user.name)) {
      replaced.push_back("User '" + user.name + "' on line " + std::to_string(user.line) +
                         " replaces the one on line " + std::to_string(earlier->line));
    }
    result.table.add(std::move(user));
  }
  ignored_options.warn(result.warnings);
  result.warnings.insert(result.warnings.end(), replaced.begin(), replaced.end());
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
