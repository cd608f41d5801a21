#pragma once
// The RAPI users file (/var/lib/ganeti/rapi/users) and password checks, as
// Ganeti's http.auth does them.

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "auth/permissions.h"

namespace rapid::auth {

inline constexpr std::string_view kRealm = "Ganeti Remote API";

struct User {
  std::string name;
  std::string password;              // as stored: clear text, {CLEARTEXT}..., {HA1}...
  std::vector<std::string> options;  // the comma-separated options field, each stripped
  // nullopt: the options are only 3.0's words ("write", "read", unknown
  // ones), and 3.0's rules decide. Otherwise what they resolve to (see
  // resolve_permissions).
  std::optional<PermissionSet> permissions;
  std::size_t line = 0;  // in the file, from 1

  bool has_option(std::string_view option) const;
};

class UserTable {
 public:
  void add(User user);  // a later entry for the same name replaces it
  const User* find(std::string_view name) const;
  std::size_t size() const { return users_.size(); }
  std::vector<const User*> sorted() const;  // by name

 private:
  std::unordered_map<std::string, User> users_;
};

struct ParseResult {
  UserTable table;
  // One per ignored line; then one per ignored option (unknown role,
  // permission or word, with the lines it is on) and per replaced user.
  // Never a password.
  std::vector<std::string> warnings;
  std::vector<std::size_t> ignored_lines;  // those with fewer than two fields, from 1
};

// What one user's options grant. Permission syntax is a role ("@admin"),
// an addition or removal ("+jobs.cancel", "-cluster.info") or a permission
// name ("instances.reboot"); options without any of it are 3.0's words and
// resolve to nullopt (3.0's rules). Otherwise, whatever their order: roles,
// then 3.0's words (find_legacy_word), then names and additions, minus the
// removals. `ignored` gets each option that means nothing, as written; ""
// (from ",,") is skipped silently, as in 3.0.
std::optional<PermissionSet> resolve_permissions(const std::vector<std::string>& options,
                                                 std::vector<std::string>& ignored);

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
