#pragma once
// The RAPI users file (/var/lib/ganeti/rapi/users) and password checks, as
// Ganeti's http.auth does them.

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace rapid::auth {

inline constexpr std::string_view kRealm = "Ganeti Remote API";

struct User {
  std::string name;
  std::string password;              // as stored: clear text, {CLEARTEXT}..., {HA1}...
  std::vector<std::string> options;  // "write", "read", or anything else

  bool has_option(std::string_view option) const;
};

class UserTable {
 public:
  void add(User user);  // a later entry for the same name replaces it
  const User* find(std::string_view name) const;
  std::size_t size() const { return users_.size(); }

 private:
  std::unordered_map<std::string, User> users_;
};

struct ParseResult {
  UserTable table;
  std::vector<std::string> warnings;  // one per ignored line
};

// Parses the file contents (UTF-8). Returns nullopt when the contents are
// not valid UTF-8, which Ganeti treats as a parse failure (the previous
// table stays in force).
std::optional<ParseResult> parse_users_file(std::string_view contents);

// Checks `password` against a stored entry: clear text (no "{" prefix or
// {CLEARTEXT}), or {HA1} = hex MD5 of "user:Ganeti Remote API:password".
// Unknown or malformed schemes never match. Constant-time comparison.
bool verify_password(std::string_view stored, std::string_view username, std::string_view password,
                     std::string_view realm = kRealm);

// Hex MD5 of "user:realm:password" (the {HA1} form).
std::string ha1_hex(std::string_view username, std::string_view realm, std::string_view password);

}  // namespace rapid::auth
