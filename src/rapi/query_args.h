#pragma once
// The query string as Ganeti sees it: Python's urllib.parse.parse_qs()
// (separator "&" only, "+" is a space, %XX decoded as UTF-8 with
// replacement, pairs with an empty value or no "=" dropped, repeated keys
// kept in order).

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rapid::rapi {

class QueryArgs {
 public:
  QueryArgs() = default;
  static QueryArgs parse(std::string_view query);

  bool empty() const { return pairs_.empty(); }
  bool has(std::string_view name) const;
  // First value of `name` (handlers read scalars this way).
  std::optional<std::string> first(std::string_view name) const;
  // Every value of `name`, in order (tags).
  std::vector<std::string> all(std::string_view name) const;
  // The distinct names, in order of first appearance.
  std::vector<std::string> names() const;

  // A 0/1 flag read with Python int() semantics: absent -> `absent`;
  // otherwise the first value must parse as an integer (surrounding
  // whitespace, a sign, single underscores between digits allowed) or the
  // request fails with 400 "Invalid value for the '<name>' parameter".
  // True when non-zero.
  bool flag(std::string_view name, bool absent = false) const;

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;
};

// Python's unquote_plus(): "+" -> space, %XX decoded, invalid UTF-8 replaced.
std::string unquote_plus(std::string_view text);

}  // namespace rapid::rapi
