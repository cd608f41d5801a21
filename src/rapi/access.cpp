#include "rapi/access.h"

namespace rapid::rapi {
namespace {

// Ganeti 3.0: the user's options must meet the method's access list.
bool allows_3_0(Access access, const auth::User& user) {
  switch (access) {
    case Access::anonymous:
      return true;
    case Access::read_or_write:
      return user.has_option("write") || user.has_option("read");
    case Access::write:
      return user.has_option("write");
  }
  return false;
}

}  // namespace

bool allows(const MethodDef& method, const auth::User& user) {
  if (!user.permissions) return allows_3_0(method.access, user);
  return !method.permission || user.permissions->has(*method.permission);
}

Grants grants(const auth::User& user) {
  Grants out;
  if (user.permissions) {
    out.permissions = *user.permissions;
    return out;
  }
  auth::PermissionSet used;
  auth::PermissionSet denied;
  std::vector<std::vector<std::string>> allowed(auth::kPermissionNames.size());
  for (const auto& resource : resources()) {
    for (const Method m : kMethods) {
      const MethodDef* def = resource.method(m);
      if (!def || !def->permission) continue;
      used.add(*def->permission);
      if (allows_3_0(def->access, user)) {
        allowed[def->permission->index()].push_back(std::string(method_name(m)) + " " +
                                                    std::string(resource.pattern()));
      } else {
        denied.add(*def->permission);
      }
    }
  }
  for (const auto name : used.names()) {
    const auto permission = *auth::Permission::find(name);
    const auto& methods = allowed[permission.index()];
    if (!denied.has(permission)) {
      out.permissions.add(permission);
    } else if (!methods.empty()) {
      out.partly.emplace_back(permission, methods);
    }
  }
  return out;
}

}  // namespace rapid::rapi
