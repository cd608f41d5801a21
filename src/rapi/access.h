#pragma once
// Who may call a method once authenticated: 3.0's access classes for users
// whose options are 3.0's words, the method's permission for the others
// (auth::User::permissions). And what that grants a user, as permissions,
// for `rapid --check-users`.

#include <string>
#include <vector>

#include "auth/users.h"
#include "rapi/resource.h"

namespace rapid::rapi {

bool allows(const MethodDef& method, const auth::User& user);

struct Grants {
  // Permissions the user holds: for 3.0's words, every one whose methods
  // 3.0's rules all allow (only permissions rapid's resources use).
  auth::PermissionSet permissions;
  // 3.0's words only: permissions whose methods 3.0 allows in part, with
  // the methods allowed ("GET /2/query/[name]/fields").
  std::vector<std::pair<auth::Permission, std::vector<std::string>>> partly;
};
Grants grants(const auth::User& user);

}  // namespace rapid::rapi
