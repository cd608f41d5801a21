#pragma once
// The query string as Ganeti sees it: Python's urllib.parse.parse_qs()
// (separator "&" only, "+" is a space, %XX decoded as UTF-8 with
// replacement, pairs with an empty value or no "=" dropped, repeated keys
// kept in order).

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rapid::rapi {

// A query argument a resource method reads, declared in the resource table
// (resources.cpp): the OpenAPI description lists these, and QueryArgs
// refuses to read any other.
struct QueryParam {
  enum class Kind {
    flag,      // 0/1, read with Python int() (QueryArgs::flag)
    text,      // the first value
    repeated,  // every value, in order (tag)
  };
  std::string_view name;
  Kind kind = Kind::flag;
  bool required = false;  // the request fails (400) without it
};

class QueryArgs {
 public:
  QueryArgs() = default;
  static QueryArgs parse(std::string_view query);
  // What reading a name the row does not declare does: a bug of rapid's
  // table, which the tests must find (refuse: std::logic_error, a 500) and
  // the daemon must survive (log: an error line, and the read goes on, so
  // the client gets the answer the original would give).
  enum class Undeclared { refuse, log };
  // The same, for a method that reads only `declared`.
  static QueryArgs parse(std::string_view query, std::span<const QueryParam> declared,
                         Undeclared undeclared = Undeclared::refuse);

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
  void check_declared(std::string_view name) const;

  std::vector<std::pair<std::string, std::string>> pairs_;
  std::optional<std::span<const QueryParam>> declared_;  // nullopt: unchecked
  Undeclared undeclared_ = Undeclared::refuse;
};

// Python's unquote_plus(): "+" -> space, %XX decoded, invalid UTF-8 replaced.
std::string unquote_plus(std::string_view text);

}  // namespace rapid::rapi
