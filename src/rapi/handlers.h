#pragma once
// The hand-written handlers and the opcode input functions referenced by
// the resource table (resources.cpp).

#include <boost/asio/awaitable.hpp>

#include "rapi/resource.h"

namespace rapid::rapi {

using Awaitable = boost::asio::awaitable<Json>;

// Field lists of rlib2 (the bulk and single-object answers).
extern const std::vector<std::string_view> kInstanceFields;
extern const std::vector<std::string_view> kNodeFields;
extern const std::vector<std::string_view> kGroupFields;
extern const std::vector<std::string_view> kNetworkFields;
extern const std::vector<std::string_view> kFilterFields;
extern const std::vector<std::string_view> kJobFieldsBulk;
extern const std::vector<std::string_view> kJobFields;

// Cluster.
Awaitable get_null(Context&);
Awaitable get_version(Context&);
Awaitable get_features(Context&);
Awaitable get_info(Context&);
Awaitable get_os(Context&);
Awaitable get_tags(Context&);

// Jobs.
Awaitable get_jobs(Context&);
Awaitable get_job(Context&);
Awaitable cancel_job(Context&);
Awaitable wait_for_job(Context&);

// Generic queries.
Awaitable get_query(Context&);
Awaitable put_query(Context&);
Awaitable get_query_fields(Context&);

// Filters.
Awaitable get_filters(Context&);
Awaitable post_filter(Context&);
Awaitable get_filter(Context&);
Awaitable put_filter(Context&);
Awaitable delete_filter(Context&);

// Instances, nodes, groups, networks.
Awaitable get_instances(Context&);
Awaitable get_instance(Context&);
Awaitable get_instance_console(Context&);
Awaitable post_instance_reinstall(Context&);
Awaitable get_nodes(Context&);
Awaitable get_node(Context&);
Awaitable get_node_role(Context&);
Awaitable get_groups(Context&);
Awaitable get_group(Context&);
Awaitable get_networks(Context&);
Awaitable get_network(Context&);

// Opcode inputs (rlib2's Get<Method>OpInput).
OpcodeInput tags_input(Context&);
OpcodeInput instance_create_input(Context&);
OpcodeInput instance_multi_alloc_input(Context&);
OpcodeInput instance_delete_input(Context&);
OpcodeInput instance_info_input(Context&);
OpcodeInput instance_reboot_input(Context&);
OpcodeInput instance_startup_input(Context&);
OpcodeInput instance_shutdown_input(Context&);
OpcodeInput instance_replace_disks_input(Context&);
OpcodeInput instance_activate_disks_input(Context&);
OpcodeInput instance_deactivate_disks_input(Context&);
OpcodeInput instance_prepare_export_input(Context&);
OpcodeInput instance_modify_input(Context&);
OpcodeInput instance_disk_grow_input(Context&);
OpcodeInput instance_name_input(Context&);  // body + instance_name
OpcodeInput node_powercycle_input(Context&);
OpcodeInput node_role_input(Context&);
OpcodeInput node_evacuate_input(Context&);
OpcodeInput node_migrate_input(Context&);
OpcodeInput node_modify_input(Context&);
OpcodeInput node_storage_input(Context&);
OpcodeInput node_storage_modify_input(Context&);
OpcodeInput node_storage_repair_input(Context&);
OpcodeInput group_create_input(Context&);
OpcodeInput group_delete_input(Context&);
OpcodeInput group_name_input(Context&);          // body + group_name
OpcodeInput group_name_dry_run_input(Context&);  // body + group_name, dry_run
OpcodeInput group_assign_nodes_input(Context&);
OpcodeInput network_create_input(Context&);
OpcodeInput network_name_input(Context&);          // body + network_name
OpcodeInput network_name_dry_run_input(Context&);  // body + network_name, dry_run

// The generic opcode handler (baserlib._GenericHandler).
Awaitable run_opcode_method(Context& ctx, const MethodDef& method);

}  // namespace rapid::rapi
