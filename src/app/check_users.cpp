#include "app/check_users.h"

#include <cstring>
#include <ostream>

#include "auth/users.h"
#include "rapi/access.h"
#include "util/file.h"

namespace rapid::app {
namespace {

std::string joined(const std::vector<std::string_view>& names) {
  std::string text;
  for (const auto name : names) {
    if (!text.empty()) text += ", ";
    text += name;
  }
  return text;
}

void print_user(const auth::User& user, std::ostream& out) {
  std::string options;
  for (const auto& option : user.options) options += (options.empty() ? "" : ",") + option;
  out << user.name << " (line " << user.line << "): " << (options.empty() ? "no options" : options)
      << (user.permissions ? "" : " [3.0 rules]") << "\n";
  const rapi::Grants grants = rapi::grants(user);
  out << "  "
      << (grants.permissions.empty() ? "(no permissions)" : joined(grants.permissions.names()))
      << "\n";
  for (const auto& [permission, methods] : grants.partly) {
    std::string list;
    for (const auto& method : methods) list += (list.empty() ? "" : ", ") + method;
    out << "  partly " << permission.name() << ": only " << list << "\n";
  }
}

}  // namespace

int check_users_file(const std::string& path, std::ostream& out, std::ostream& err) {
  std::string contents;
  int error_number = 0;
  if (!read_file(path, contents, error_number)) {
    err << "rapid: cannot read " << path << ": " << std::strerror(error_number) << "\n";
    return kCheckUsersMalformed;
  }
  const auto parsed = auth::parse_users_file(contents);
  if (!parsed) {
    err << "rapid: " << path << " is not valid UTF-8: the daemon would keep its previous users\n";
    return kCheckUsersMalformed;
  }
  for (const auth::User* user : parsed->table.sorted()) print_user(*user, out);
  for (const auto& warning : parsed->warnings) out << "warning: " << warning << "\n";
  out << path << ": " << parsed->table.size()
      << (parsed->table.size() == 1 ? " user, " : " users, ") << parsed->warnings.size()
      << (parsed->warnings.size() == 1 ? " warning" : " warnings") << "\n";
  if (!parsed->ignored_lines.empty()) {
    err << "rapid: " << path << ": the daemon ignores line";
    for (std::size_t i = 0; i < parsed->ignored_lines.size(); ++i) {
      err << (i ? ", " : parsed->ignored_lines.size() > 1 ? "s " : " ") << parsed->ignored_lines[i];
    }
    err << " (fewer than two fields: a user name and a password)\n";
    return kCheckUsersMalformed;
  }
  return parsed->warnings.empty() ? kCheckUsersClean : kCheckUsersWarnings;
}

}  // namespace rapid::app
