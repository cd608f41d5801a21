#include "auth/permissions.h"

#include <algorithm>
#include <utility>

namespace rapid::auth {
namespace {

// Upstream's RAPI_ACCESS_READONLY: the queries.
const PermissionSet& readonly_role() {
  static const PermissionSet set = {
      "cluster.info",   "filter.list",    "filter.query",    "groups.list", "groups.query",
      "instances.info", "instances.list", "instances.query", "jobs.list",   "jobs.query",
      "networks.list",  "networks.query", "nodes.list",      "nodes.query", "nodes.role.query",
      "os.list",        "query.all",      "tags.get",
  };
  return set;
}

// Upstream's RAPI_ACCESS_OPERATOR: readonly plus running instances (start,
// stop, reboot, move, disks, exports, console) without changing their
// configuration or anything else's.
const PermissionSet& operator_role() {
  static const PermissionSet set = [] {
    PermissionSet s = {
        "instances.startup",        "instances.shutdown",      "instances.reboot",
        "instances.migrate",        "instances.failover",      "instances.replace_disks",
        "instances.export.prepare", "instances.export.create", "instances.export.remove",
        "instances.query.console",
    };
    s |= readonly_role();
    return s;
  }();
  return set;
}

const std::vector<std::pair<std::string_view, const PermissionSet*>>& roles() {
  static const PermissionSet admin = PermissionSet::all();
  static const std::vector<std::pair<std::string_view, const PermissionSet*>> table = {
      {"admin", &admin}, {"operator", &operator_role()}, {"readonly", &readonly_role()}};
  return table;
}

}  // namespace

std::optional<Permission> Permission::find(std::string_view name) {
  const auto it = std::lower_bound(kPermissionNames.begin(), kPermissionNames.end(), name);
  if (it == kPermissionNames.end() || *it != name) return std::nullopt;
  return Permission(static_cast<std::size_t>(it - kPermissionNames.begin()));
}

PermissionSet::PermissionSet(std::initializer_list<Permission> permissions) {
  for (const Permission p : permissions) add(p);
}

PermissionSet PermissionSet::all() {
  PermissionSet set;
  set.bits_.set();
  return set;
}

PermissionSet& PermissionSet::operator|=(const PermissionSet& other) {
  bits_ |= other.bits_;
  return *this;
}

PermissionSet& PermissionSet::operator-=(const PermissionSet& other) {
  bits_ &= ~other.bits_;
  return *this;
}

std::vector<std::string_view> PermissionSet::names() const {
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i < kPermissionNames.size(); ++i) {
    if (bits_.test(i)) out.push_back(kPermissionNames[i]);
  }
  return out;
}

const PermissionSet* find_role(std::string_view name) {
  for (const auto& [role, set] : roles()) {
    if (role == name) return set;
  }
  return nullptr;
}

std::vector<std::string_view> role_names() {
  std::vector<std::string_view> names;
  for (const auto& [role, set] : roles()) names.push_back(role);
  return names;
}

const PermissionSet* find_legacy_word(std::string_view word) {
  static const PermissionSet write = PermissionSet::all();
  static const PermissionSet read = [] {
    PermissionSet s = {"instances.query.console"};
    s |= readonly_role();
    return s;
  }();
  if (word == "write") return &write;
  if (word == "read") return &read;
  return nullptr;
}

}  // namespace rapid::auth
