#pragma once
// rapid --check-users FILE: reads a users file as the daemon would and
// prints each user's permissions and every warning, so that an operator can
// check a change before the daemon picks it up.

#include <iosfwd>
#include <string>

namespace rapid::app {

inline constexpr int kCheckUsersClean = 0;
// The daemon would ignore part of the file or all of it: it cannot be read,
// is not UTF-8, or has a line with fewer than two fields.
inline constexpr int kCheckUsersMalformed = 1;
// Usable, but with warnings: ignored options (unknown roles, permissions or
// words) or a user named twice.
inline constexpr int kCheckUsersWarnings = 3;

int check_users_file(const std::string& path, std::ostream& out, std::ostream& err);

}  // namespace rapid::app
