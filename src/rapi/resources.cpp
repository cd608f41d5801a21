// The RAPI version 2 resources of Ganeti 3.0, one entry each (rlib2 and
// connector.py). Access classes follow each resource's *_ACCESS lists of
// 3.0, permissions those of upstream's role-based rlib2 (0641adfb); both
// are checked against the originals by tests/unit/router_test.cpp and
// tests/unit/permissions_test.cpp.
#include "rapi/handlers.h"

namespace rapid::rapi {

namespace {

using enum Access;
using enum Method;
using auth::Permission;
using Query = std::vector<QueryParam>;
using enum QueryParam::Kind;

// The query arguments the handlers and inputs read (flags unless a kind is given).
constexpr QueryParam kBulk{"bulk"};
constexpr QueryParam kLock{"lock"};
constexpr QueryParam kDryRun{"dry-run"};
constexpr QueryParam kForce{"force"};
constexpr QueryParam kReason{"reason", text};  // every opcode row (generic_opcode.cpp)
constexpr QueryParam kMode{"mode", text};
constexpr QueryParam kStorageType{"storage_type", text};
constexpr QueryParam kStorageName{"name", text, true};
Query tag_query() { return {{"tag", repeated}, kDryRun}; }

// The version resources: no permission, no authentication needed.
MethodDef anyone(HandlerFn handler) { return {.access = anonymous, .handler = handler}; }
MethodDef read(Permission needs, HandlerFn handler, Query query = {}) {
  return {.access = anonymous, .permission = needs, .handler = handler, .query = std::move(query)};
}
MethodDef write_handler(Permission needs, HandlerFn handler, Query query = {}) {
  return {.access = write, .permission = needs, .handler = handler, .query = std::move(query)};
}
MethodDef submit(Permission needs, std::string_view opcode, InputFn input = nullptr,
                 Query query = {}, std::vector<Rename> renames = {}) {
  query.push_back(kReason);
  return {.access = write,
          .permission = needs,
          .opcode = opcode,
          .input = input,
          .renames = std::move(renames),
          .query = std::move(query)};
}

std::vector<Resource> build() {
  const auto tags = [](std::string_view pattern, std::string_view id) {
    return Resource(pattern, id,
                    {{get, read("tags.get", get_tags)},
                     {put, submit("tags.set", "OP_TAGS_SET", tags_input, tag_query())},
                     {del, submit("tags.delete", "OP_TAGS_DEL", tags_input, tag_query())}});
  };
  return {
      // Cluster.
      Resource("/", "root", {{get, anyone(get_null)}}),
      Resource("/2", "2", {{get, anyone(get_null)}}),
      Resource("/version", "version", {{get, anyone(get_version)}}),
      Resource("/2/features", "features", {{get, anyone(get_features)}}),
      Resource("/2/info", "info", {{get, read("cluster.info", get_info)}}),
      Resource("/2/os", "os", {{get, read("os.list", get_os)}}),
      Resource("/2/redistribute-config", "redist_config",
               {{put, submit("cluster.redistribute_config", "OP_CLUSTER_REDIST_CONF")}}),
      Resource("/2/modify", "cluster_modify",
               {{put,
                 {.access = write,
                  .permission = Permission("cluster.modify"),
                  .opcode = "OP_CLUSTER_SET_PARAMS",
                  .forbidden = {"compression_tools"},
                  .query = {kReason}}}}),
      tags("/2/tags", "tags"),

      // Jobs.
      Resource("/2/jobs", "jobs", {{get, read("jobs.list", get_jobs, {kBulk})}}),
      Resource(
          "/2/jobs/[job_id]", "jobs_id",
          {{get, read("jobs.query", get_job)}, {del, write_handler("jobs.cancel", cancel_job)}}),
      Resource("/2/jobs/[job_id]/wait", "jobs_id_wait",
               {{get, write_handler("jobs.wait", wait_for_job)}}),

      // Nodes.
      Resource("/2/nodes", "nodes", {{get, read("nodes.list", get_nodes, {kBulk})}}),
      Resource("/2/nodes/[name]", "nodes_name", {{get, read("nodes.query", get_node, {kLock})}}),
      Resource("/2/nodes/[name]/powercycle", "nodes_name_powercycle",
               {{post, submit("nodes.powercycle", "OP_NODE_POWERCYCLE", node_powercycle_input,
                              {kForce})}}),
      Resource("/2/nodes/[name]/role", "nodes_name_role",
               {{get, read("nodes.role.query", get_node_role, {kLock})},
                {put, submit("nodes.role.modify", "OP_NODE_SET_PARAMS", node_role_input,
                             {kForce, {"auto-promote"}})}}),
      Resource(
          "/2/nodes/[name]/evacuate", "nodes_name_evacuate",
          {{post, submit("nodes.evacuate", "OP_NODE_EVACUATE", node_evacuate_input, {kDryRun})}}),
      Resource("/2/nodes/[name]/migrate", "nodes_name_migrate",
               {{post, submit("nodes.migrate", "OP_NODE_MIGRATE", node_migrate_input,
                              {{"live"}, kMode})}}),
      Resource("/2/nodes/[name]/modify", "nodes_name_modify",
               {{post, submit("nodes.modify", "OP_NODE_SET_PARAMS", node_modify_input)}}),
      // A GET that needs write access: it submits a job.
      Resource("/2/nodes/[name]/storage", "nodes_name_storage",
               {{get, submit("nodes.storage.query", "OP_NODE_QUERY_STORAGE", node_storage_input,
                             {kStorageType, {"output_fields", text, true}})}}),
      Resource(
          "/2/nodes/[name]/storage/modify", "nodes_name_storage_modify",
          {{put, submit("nodes.storage.modify", "OP_NODE_MODIFY_STORAGE", node_storage_modify_input,
                        {kStorageType, kStorageName, {"allocatable"}})}}),
      Resource("/2/nodes/[name]/storage/repair", "nodes_name_storage_repair",
               {{put, submit("nodes.storage.repair", "OP_REPAIR_NODE_STORAGE",
                             node_storage_repair_input, {kStorageType, kStorageName})}}),
      tags("/2/nodes/[name]/tags", "nodes_name_tags"),

      // Instances.
      Resource("/2/instances", "instances",
               {{get, read("instances.list", get_instances, {kLock, kBulk})},
                {post, submit("instances.create", "OP_INSTANCE_CREATE", instance_create_input,
                              {kDryRun}, {{"os", "os_type"}, {"name", "instance_name"}})}}),
      Resource("/2/instances-multi-alloc", "instances_multi_alloc",
               {{post, submit("instances.multi_alloc", "OP_INSTANCE_MULTI_ALLOC",
                              instance_multi_alloc_input, {kDryRun})}}),
      Resource("/2/instances/[name]", "instances_name",
               {{get, read("instances.query", get_instance, {kLock})},
                {del, submit("instances.remove", "OP_INSTANCE_REMOVE", instance_delete_input,
                             {kDryRun})}}),
      // An anonymous GET that submits a job, as in the original.
      Resource("/2/instances/[name]/info", "instances_name_info",
               {{get,
                 {.access = anonymous,
                  .permission = Permission("instances.info"),
                  .opcode = "OP_INSTANCE_QUERY_DATA",
                  .input = instance_info_input,
                  .query = {{"static"}, kReason}}}}),
      Resource("/2/instances/[name]/reboot", "instances_name_reboot",
               {{post, submit("instances.reboot", "OP_INSTANCE_REBOOT", instance_reboot_input,
                              {{"type", text}, {"ignore_secondaries"}, kDryRun})}}),
      Resource("/2/instances/[name]/shutdown", "instances_name_shutdown",
               {{put, submit("instances.shutdown", "OP_INSTANCE_SHUTDOWN", instance_shutdown_input,
                             {{"no_remember"}, kDryRun})}}),
      Resource("/2/instances/[name]/startup", "instances_name_startup",
               {{put, submit("instances.startup", "OP_INSTANCE_STARTUP", instance_startup_input,
                             {kForce, kDryRun, {"no_remember"}})}}),
      Resource("/2/instances/[name]/reinstall", "instances_name_reinstall",
               {{post, write_handler("instances.reinstall", post_instance_reinstall,
                                     {{"os", text}, {"nostartup"}})}}),
      Resource(
          "/2/instances/[name]/replace-disks", "instances_name_replace_disks",
          {{post, submit("instances.replace_disks", "OP_INSTANCE_REPLACE_DISKS",
                         instance_replace_disks_input,
                         {{"remote_node", text}, kMode, {"disks", text}, {"iallocator", text}})}}),
      Resource("/2/instances/[name]/activate-disks", "instances_name_activate_disks",
               {{put, submit("instances.activate_disks", "OP_INSTANCE_ACTIVATE_DISKS",
                             instance_activate_disks_input, {{"ignore_size"}})}}),
      Resource("/2/instances/[name]/deactivate-disks", "instances_name_deactivate_disks",
               {{put, submit("instances.deactivate_disks", "OP_INSTANCE_DEACTIVATE_DISKS",
                             instance_deactivate_disks_input, {kForce})}}),
      Resource("/2/instances/[name]/recreate-disks", "instances_name_recreate_disks",
               {{post, submit("instances.recreate_disks", "OP_INSTANCE_RECREATE_DISKS",
                              instance_name_input)}}),
      Resource("/2/instances/[name]/prepare-export", "instances_name_prepare_export",
               {{put, submit("instances.export.prepare", "OP_BACKUP_PREPARE",
                             instance_prepare_export_input, {kMode})}}),
      Resource("/2/instances/[name]/export", "instances_name_export",
               {{put, submit("instances.export.create", "OP_BACKUP_EXPORT", instance_name_input, {},
                             {{"destination", "target_node"}})}}),
      Resource("/2/instances/[name]/migrate", "instances_name_migrate",
               {{put, submit("instances.migrate", "OP_INSTANCE_MIGRATE", instance_name_input)}}),
      Resource("/2/instances/[name]/failover", "instances_name_failover",
               {{put, submit("instances.failover", "OP_INSTANCE_FAILOVER", instance_name_input)}}),
      Resource("/2/instances/[name]/rename", "instances_name_rename",
               {{put, submit("instances.rename", "OP_INSTANCE_RENAME", instance_name_input)}}),
      Resource(
          "/2/instances/[name]/modify", "instances_name_modify",
          {{put, submit("instances.modify", "OP_INSTANCE_SET_PARAMS", instance_modify_input, {},
                        {{"custom_beparams", "beparams"}, {"custom_hvparams", "hvparams"}})}}),
      Resource("/2/instances/[name]/disk/[disk_index]/grow", "instances_name_disk_grow",
               {{post, submit("instances.grow_disk", "OP_INSTANCE_GROW_DISK",
                              instance_disk_grow_input)}}),
      Resource("/2/instances/[name]/console", "instances_name_console",
               {{get,
                 {.access = read_or_write,
                  .permission = Permission("instances.query.console"),
                  .handler = get_instance_console}}}),
      tags("/2/instances/[name]/tags", "instances_name_tags"),

      // Node groups.
      Resource("/2/groups", "groups",
               {{get, read("groups.list", get_groups, {kBulk})},
                {post, submit("groups.create", "OP_GROUP_ADD", group_create_input, {kDryRun},
                              {{"name", "group_name"}})}}),
      Resource("/2/groups/[name]", "groups_name",
               {{get, read("groups.query", get_group, {kLock})},
                {del, submit("groups.delete", "OP_GROUP_REMOVE", group_delete_input, {kDryRun})}}),
      Resource("/2/groups/[name]/modify", "groups_name_modify",
               {{put, submit("groups.modify", "OP_GROUP_SET_PARAMS", group_name_input, {},
                             {{"custom_ndparams", "ndparams"},
                              {"custom_ipolicy", "ipolicy"},
                              {"custom_diskparams", "diskparams"}})}}),
      Resource(
          "/2/groups/[name]/rename", "groups_name_rename",
          {{put, submit("groups.rename", "OP_GROUP_RENAME", group_name_dry_run_input, {kDryRun})}}),
      Resource("/2/groups/[name]/assign-nodes", "groups_name_assign_nodes",
               {{put, submit("groups.assign_nodes", "OP_GROUP_ASSIGN_NODES",
                             group_assign_nodes_input, {kDryRun, kForce})}}),
      tags("/2/groups/[name]/tags", "groups_name_tags"),

      // Networks.
      Resource("/2/networks", "networks",
               {{get, read("networks.list", get_networks, {kBulk})},
                {post, submit("networks.create", "OP_NETWORK_ADD", network_create_input, {kDryRun},
                              {{"name", "network_name"}})}}),
      Resource("/2/networks/[name]", "networks_name",
               {{get, read("networks.query", get_network, {kLock})},
                {del, submit("networks.remove", "OP_NETWORK_REMOVE", network_name_dry_run_input,
                             {kDryRun})}}),
      Resource("/2/networks/[name]/connect", "networks_name_connect",
               {{put, submit("networks.connect", "OP_NETWORK_CONNECT", network_name_dry_run_input,
                             {kDryRun})}}),
      Resource("/2/networks/[name]/disconnect", "networks_name_disconnect",
               {{put, submit("networks.disconnect", "OP_NETWORK_DISCONNECT",
                             network_name_dry_run_input, {kDryRun})}}),
      Resource("/2/networks/[name]/modify", "networks_name_modify",
               {{put, submit("networks.modify", "OP_NETWORK_SET_PARAMS", network_name_input)}}),
      tags("/2/networks/[name]/tags", "networks_name_tags"),

      // Generic queries (read or write access, even for GET).
      Resource("/2/query/[name]", "query",
               {{get,
                 {.access = read_or_write,
                  .permission = Permission("query.all"),
                  .handler = get_query,
                  .query = {{"fields", text, true}}}},
                {put,
                 {.access = read_or_write,
                  .permission = Permission("query.all"),
                  .handler = put_query,
                  .query = {{"fields", text}}}}}),
      Resource("/2/query/[name]/fields", "query_fields",
               {{get, read("query.all", get_query_fields, {{"fields", text}})}}),

      // Job filters.
      Resource("/2/filters", "filters",
               {{get, read("filter.list", get_filters, {kBulk})},
                {post, write_handler("filter.create", post_filter)}}),
      Resource("/2/filters/[name]", "filters_uuid",
               {{get, read("filter.query", get_filter)},
                {put, write_handler("filter.modify", put_filter)},
                {del, write_handler("filter.remove", delete_filter)}}),
  };
}

}  // namespace

const std::vector<Resource>& resources() {
  static const std::vector<Resource> table = build();
  return table;
}

}  // namespace rapid::rapi
