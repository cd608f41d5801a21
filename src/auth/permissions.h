#pragma once
// The RAPI permissions and roles of upstream Ganeti's role-based access
// control (ganeti/ganeti 0641adfb, lib/rapi/__init__.py), as data, in one
// place: the resource table (rapi/resources.cpp) names the permission each
// method needs, the users file (auth/users.cpp) grants them.
// tests/unit/permissions_test.cpp compares both with upstream
// (tests/data/upstream_permissions.json). A new permission is one more name
// below; the compiler then accepts it wherever a Permission is spelled.

#include <array>
#include <bitset>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace rapid::auth {

// Sorted (checked below), so that a set lists its names in sorted order.
inline constexpr std::array<std::string_view, 66> kPermissionNames = {
    "cluster.info",
    "cluster.modify",
    "cluster.redistribute_config",
    "filter.create",
    "filter.list",
    "filter.modify",
    "filter.query",
    "filter.remove",
    "groups.assign_nodes",
    "groups.create",
    "groups.delete",
    "groups.list",
    "groups.modify",
    "groups.query",
    "groups.rename",
    "instances.activate_disks",
    "instances.create",
    "instances.deactivate_disks",
    "instances.export.create",
    "instances.export.prepare",
    "instances.export.remove",
    "instances.failover",
    "instances.grow_disk",
    "instances.info",
    "instances.list",
    "instances.migrate",
    "instances.modify",
    "instances.multi_alloc",
    "instances.query",
    "instances.query.console",
    "instances.reboot",
    "instances.recreate_disks",
    "instances.reinstall",
    "instances.remove",
    "instances.rename",
    "instances.replace_disks",
    "instances.shutdown",
    "instances.startup",
    "jobs.cancel",
    "jobs.list",
    "jobs.query",
    "jobs.wait",
    "networks.connect",
    "networks.create",
    "networks.disconnect",
    "networks.list",
    "networks.modify",
    "networks.query",
    "networks.remove",
    "networks.rename",
    "nodes.evacuate",
    "nodes.list",
    "nodes.migrate",
    "nodes.modify",
    "nodes.powercycle",
    "nodes.query",
    "nodes.role.modify",
    "nodes.role.query",
    "nodes.storage.modify",
    "nodes.storage.query",
    "nodes.storage.repair",
    "os.list",
    "query.all",
    "tags.delete",
    "tags.get",
    "tags.set",
};

constexpr bool strictly_sorted(const auto& names) {
  for (std::size_t i = 1; i < names.size(); ++i) {
    if (!(names[i - 1] < names[i])) return false;
  }
  return true;
}
static_assert(strictly_sorted(kPermissionNames), "kPermissionNames: sorted, no duplicates");

class Permission {
 public:
  // From a literal: a name that is not in kPermissionNames does not compile.
  consteval Permission(const char* name) : index_(index_of(name)) {}

  static std::optional<Permission> find(std::string_view name);
  std::string_view name() const { return kPermissionNames[index_]; }
  std::size_t index() const { return index_; }
  friend bool operator==(Permission, Permission) = default;

 private:
  explicit constexpr Permission(std::size_t index) : index_(static_cast<std::uint8_t>(index)) {}
  static consteval std::size_t index_of(std::string_view name) {
    for (std::size_t i = 0; i < kPermissionNames.size(); ++i) {
      if (kPermissionNames[i] == name) return i;
    }
    throw "not a permission name";  // not a constant expression: a compile error
  }

  std::uint8_t index_;
};

class PermissionSet {
 public:
  PermissionSet() = default;
  PermissionSet(std::initializer_list<Permission> permissions);
  static PermissionSet all();

  bool has(Permission p) const { return bits_.test(p.index()); }
  void add(Permission p) { bits_.set(p.index()); }
  void remove(Permission p) { bits_.reset(p.index()); }
  PermissionSet& operator|=(const PermissionSet& other);
  PermissionSet& operator-=(const PermissionSet& other);
  bool empty() const { return bits_.none(); }
  std::size_t size() const { return bits_.count(); }
  std::vector<std::string_view> names() const;  // sorted
  friend bool operator==(const PermissionSet&, const PermissionSet&) = default;

 private:
  std::bitset<kPermissionNames.size()> bits_;
};

// The roles ("@name" in the users file): upstream's admin (everything),
// readonly and operator. Null for an unknown name.
const PermissionSet* find_role(std::string_view name);
// Their names, sorted.
std::vector<std::string_view> role_names();

// What Ganeti 3.0's option words mean inside a permission list: "write"
// everything, "read" what 3.0 lets a read user do (@readonly plus the
// console). Null for any other word. (Alone, the words keep 3.0's rules.)
const PermissionSet* find_legacy_word(std::string_view word);

}  // namespace rapid::auth
