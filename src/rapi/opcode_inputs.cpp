// rlib2's Get<Method>OpInput functions: what each opcode resource takes
// from the body, the URL and the query string.
#include <charconv>
#include <cmath>

#include "rapi/handlers.h"
#include "rapi/python_semantics.h"
#include "util/pyrepr.h"
#include "util/text.h"

namespace rapid::rapi {

namespace {

OpcodeInput body_with(const Context& ctx, Json fixed) {
  return OpcodeInput{ctx.body, std::move(fixed)};
}

Json optional_string(const std::optional<std::string>& value) {
  return value ? Json(*value) : Json();
}

// rlib2._ConvertUsbDevices: 2.8.4 wrote USB devices space-separated.
void convert_usb_devices(Json& data) {
  auto it = data.find("hvparams");
  if (it == data.end()) return;
  Json& hvparams = *it;
  if (!hvparams.is_object()) throw subscript_error(hvparams);
  auto usb = hvparams.find("usb_devices");
  if (usb == hvparams.end()) return;
  if (!usb->is_string()) throw attribute_error(*usb, "replace");
  std::string devices = usb->get<std::string>();
  std::replace(devices.begin(), devices.end(), ' ', ',');
  *usb = devices;
}

// Python int() of one comma-separated disk index.
bool parse_disk_index(std::string_view text, long long& value) {
  const auto digits = python_int_digits(text);
  if (!digits) return false;
  const auto [end, ec] = std::from_chars(digits->data(), digits->data() + digits->size(), value);
  if (ec == std::errc::result_out_of_range) {
    value = digits->starts_with('-') ? -1'000'000 : 1'000'000;  // fails validation either way
    return true;
  }
  return ec == std::errc() && end == digits->data() + digits->size();
}

}  // namespace

OpcodeInput tags_input(Context& ctx) {
  const std::string_view kind = tag_kind(ctx);
  Json fixed = Json::object();
  fixed["kind"] = kind;
  fixed["name"] = kind == "cluster" ? Json() : Json(ctx.item(0));
  fixed["tags"] = ctx.query.all("tag");
  fixed["dry_run"] = ctx.query.flag("dry-run");
  return OpcodeInput{Json::object(), std::move(fixed)};
}

OpcodeInput instance_create_input(Context& ctx) {
  const Json* body = ctx.body_or_null();
  if (!body || !body->is_object()) {
    throw wrong_type_error("Body contents", body ? *body : Json(), "dict");
  }
  const Json version = body->value("__version__", Json(0));
  if (python_equals_int(version, 0)) {
    throw bad_request("Instance creation request version 0 is no longer supported");
  }
  if (!python_equals_int(version, 1)) {
    throw bad_request("Unsupported request data version " + python_str(version));
  }
  Json data = *body;
  data.erase("__version__");
  convert_usb_devices(data);
  return OpcodeInput{std::move(data), Json{{"dry_run", ctx.query.flag("dry-run")}}};
}

OpcodeInput instance_multi_alloc_input(Context& ctx) {
  const Json* body = ctx.body_or_null();
  const Json none;
  const Json& request = body ? *body : none;
  // `"instances" in body` and then body["instances"], for any JSON type.
  bool present = false;
  if (request.is_object()) {
    present = request.contains("instances");
  } else if (request.is_array()) {
    present = std::find(request.begin(), request.end(), Json("instances")) != request.end();
  } else if (request.is_string()) {
    present = request.get_ref<const std::string&>().find("instances") != std::string::npos;
  } else {
    throw contains_error(request);
  }
  if (!present) throw bad_request("Request is missing required 'instances' field in body");
  if (!request.is_object()) throw subscript_error(request);

  static constexpr Rename kCreateRenames[] = {{"os", "os_type"}, {"name", "instance_name"}};
  const Json& instances = request["instances"];
  Json opcodes = Json::array();
  // `for inst in body["instances"]`, whatever its type.
  for (const Json& instance : python_iter(instances)) {
    opcodes.push_back(fill_opcode("OP_INSTANCE_CREATE", &instance, Json::object(), kCreateRenames));
  }
  Json data = request;
  data["instances"] = std::move(opcodes);
  return OpcodeInput{std::move(data), Json{{"dry_run", ctx.query.flag("dry-run")}}};
}

OpcodeInput instance_delete_input(Context& ctx) {
  return body_with(ctx, Json{{"instance_name", ctx.item(0)},
                             {"ignore_failures", false},
                             {"dry_run", ctx.query.flag("dry-run")}});
}

OpcodeInput instance_info_input(Context& ctx) {
  return OpcodeInput{Json::object(), Json{{"instances", Json::array({ctx.item(0)})},
                                          {"static", ctx.query.flag("static")}}};
}

OpcodeInput instance_reboot_input(Context& ctx) {
  return body_with(ctx, Json{{"instance_name", ctx.item(0)},
                             {"reboot_type", ctx.query.first("type").value_or("hard")},
                             {"ignore_secondaries", ctx.query.flag("ignore_secondaries")},
                             {"dry_run", ctx.query.flag("dry-run")}});
}

OpcodeInput instance_startup_input(Context& ctx) {
  return OpcodeInput{Json::object(), Json{{"instance_name", ctx.item(0)},
                                          {"force", ctx.query.flag("force")},
                                          {"dry_run", ctx.query.flag("dry-run")},
                                          {"no_remember", ctx.query.flag("no_remember")}}};
}

OpcodeInput instance_shutdown_input(Context& ctx) {
  return body_with(ctx, Json{{"instance_name", ctx.item(0)},
                             {"no_remember", ctx.query.flag("no_remember")},
                             {"dry_run", ctx.query.flag("dry-run")}});
}

OpcodeInput instance_replace_disks_input(Context& ctx) {
  Json fixed{{"instance_name", ctx.item(0)}};
  Json data;
  const Json* body = ctx.body_or_null();
  if (body && truthy(*body)) {
    data = *body;
  } else if (!ctx.query.empty()) {
    data = Json::object();
    data["remote_node"] = optional_string(ctx.query.first("remote_node"));
    data["mode"] = optional_string(ctx.query.first("mode"));
    data["disks"] = optional_string(ctx.query.first("disks"));
    data["iallocator"] = optional_string(ctx.query.first("iallocator"));
  } else {
    data = Json::object();
  }
  // data.pop("disks") on whatever the body was.
  if (data.is_array()) throw ApiError(500, "'str' object cannot be interpreted as an integer");
  if (!data.is_object()) throw attribute_error(data, "pop");
  auto it = data.find("disks");
  if (it == data.end()) return OpcodeInput{std::move(data), std::move(fixed)};
  Json raw = *it;
  data.erase(it);
  if (!truthy(raw)) return OpcodeInput{std::move(data), std::move(fixed)};
  const bool int_list = raw.is_array() && std::all_of(raw.begin(), raw.end(), [](const Json& v) {
                          return v.is_number_integer() || v.is_number_unsigned();
                        });
  if (int_list) {
    data["disks"] = raw;
  } else {
    if (!raw.is_string()) throw attribute_error(raw, "split");
    Json disks = Json::array();
    for (const auto& part : split(raw.get<std::string>(), ',')) {
      long long index = 0;
      if (!parse_disk_index(part, index)) {
        throw bad_request("Invalid disk index passed: invalid literal for int() with base 10: " +
                          python_str_repr(part));
      }
      disks.push_back(index);
    }
    data["disks"] = std::move(disks);
  }
  return OpcodeInput{std::move(data), std::move(fixed)};
}

OpcodeInput instance_activate_disks_input(Context& ctx) {
  return OpcodeInput{Json::object(), Json{{"instance_name", ctx.item(0)},
                                          {"ignore_size", ctx.query.flag("ignore_size")}}};
}

OpcodeInput instance_deactivate_disks_input(Context& ctx) {
  return OpcodeInput{Json::object(),
                     Json{{"instance_name", ctx.item(0)}, {"force", ctx.query.flag("force")}}};
}

OpcodeInput instance_prepare_export_input(Context& ctx) {
  return OpcodeInput{Json::object(), Json{{"instance_name", ctx.item(0)},
                                          {"mode", optional_string(ctx.query.first("mode"))}}};
}

OpcodeInput instance_modify_input(Context& ctx) {
  const Json* body = ctx.body_or_null();
  // request_body.copy(): only dicts and lists have copy().
  if (!body || !(body->is_object() || body->is_array()))
    throw attribute_error(body ? *body : Json(), "copy");
  Json data = *body;
  if (data.is_array()) throw subscript_error(data);  // _ConvertUsbDevices: data["hvparams"]
  convert_usb_devices(data);
  return OpcodeInput{std::move(data), Json{{"instance_name", ctx.item(0)}}};
}

OpcodeInput instance_disk_grow_input(Context& ctx) {
  long long disk = 0;
  const std::string& text = ctx.item(1);
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), disk);
  if (ec == std::errc::result_out_of_range) disk = 1'000'000;  // huge: fails validation (0..15)
  return body_with(ctx, Json{{"instance_name", ctx.item(0)}, {"disk", disk}});
}

OpcodeInput instance_name_input(Context& ctx) {
  return body_with(ctx, Json{{"instance_name", ctx.item(0)}});
}

OpcodeInput node_powercycle_input(Context& ctx) {
  return body_with(ctx, Json{{"node_name", ctx.item(0)}, {"force", ctx.query.flag("force")}});
}

OpcodeInput node_role_input(Context& ctx) {
  const Json* body = ctx.body_or_null();
  if (!body || !body->is_string()) {
    throw wrong_type_error("Body contents", body ? *body : Json(), "str");
  }
  const std::string& role = body->get_ref<const std::string&>();
  Json candidate, offline, drained;
  if (role == "regular") {
    candidate = offline = drained = false;
  } else if (role == "master-candidate") {
    candidate = true;
  } else if (role == "drained") {
    drained = true;
  } else if (role == "offline") {
    offline = true;
  } else {
    throw bad_request("Can't set '" + role + "' role");
  }
  return OpcodeInput{Json::object(), Json{{"node_name", ctx.item(0)},
                                          {"master_candidate", candidate},
                                          {"offline", offline},
                                          {"drained", drained},
                                          {"force", ctx.query.flag("force")},
                                          {"auto_promote", ctx.query.flag("auto-promote")}}};
}

OpcodeInput node_evacuate_input(Context& ctx) {
  return body_with(ctx, Json{{"node_name", ctx.item(0)}, {"dry_run", ctx.query.flag("dry-run")}});
}

OpcodeInput node_migrate_input(Context& ctx) {
  // Any query argument at all selects the pre-2.5 form and ignores the body.
  if (ctx.query.empty()) return body_with(ctx, Json{{"node_name", ctx.item(0)}});
  if (ctx.query.has("live") && ctx.query.has("mode")) {
    throw bad_request("Only one of 'live' and 'mode' should be passed");
  }
  Json mode;
  if (ctx.query.has("live")) {
    mode = ctx.query.flag("live", true) ? "live" : "non-live";
  } else {
    mode = optional_string(ctx.query.first("mode"));
  }
  return OpcodeInput{Json{{"mode", mode}}, Json{{"node_name", ctx.item(0)}}};
}

OpcodeInput node_modify_input(Context& ctx) {
  return body_with(ctx, Json{{"node_name", ctx.item(0)}});
}

OpcodeInput node_storage_input(Context& ctx) {
  const auto storage_type = ctx.query.first("storage_type");
  const auto output_fields = ctx.query.first("output_fields");
  if (!output_fields) throw bad_request("Missing the required 'output_fields' parameter");
  Json fields = Json::array();
  for (const auto& field : split(*output_fields, ',')) fields.push_back(field);
  return OpcodeInput{Json::object(), Json{{"nodes", Json::array({ctx.item(0)})},
                                          {"storage_type", optional_string(storage_type)},
                                          {"output_fields", std::move(fields)}}};
}

OpcodeInput node_storage_modify_input(Context& ctx) {
  const auto storage_type = ctx.query.first("storage_type");
  const auto name = ctx.query.first("name");
  if (!name) throw bad_request("Missing the required 'name' parameter");
  Json changes = Json::object();
  if (ctx.query.has("allocatable")) changes["allocatable"] = ctx.query.flag("allocatable", true);
  return OpcodeInput{Json::object(), Json{{"node_name", ctx.item(0)},
                                          {"storage_type", optional_string(storage_type)},
                                          {"name", *name},
                                          {"changes", std::move(changes)}}};
}

OpcodeInput node_storage_repair_input(Context& ctx) {
  const auto storage_type = ctx.query.first("storage_type");
  const auto name = ctx.query.first("name");
  if (!name) throw bad_request("Missing the required 'name' parameter");
  return OpcodeInput{Json::object(), Json{{"node_name", ctx.item(0)},
                                          {"storage_type", optional_string(storage_type)},
                                          {"name", *name}}};
}

OpcodeInput group_create_input(Context& ctx) {
  return body_with(ctx, Json{{"dry_run", ctx.query.flag("dry-run")}});
}

OpcodeInput group_delete_input(Context& ctx) {
  return OpcodeInput{Json::object(),
                     Json{{"group_name", ctx.item(0)}, {"dry_run", ctx.query.flag("dry-run")}}};
}

OpcodeInput group_name_input(Context& ctx) {
  return body_with(ctx, Json{{"group_name", ctx.item(0)}});
}

OpcodeInput group_name_dry_run_input(Context& ctx) {
  return body_with(ctx, Json{{"group_name", ctx.item(0)}, {"dry_run", ctx.query.flag("dry-run")}});
}

OpcodeInput group_assign_nodes_input(Context& ctx) {
  return body_with(ctx, Json{{"group_name", ctx.item(0)},
                             {"dry_run", ctx.query.flag("dry-run")},
                             {"force", ctx.query.flag("force")}});
}

OpcodeInput network_create_input(Context& ctx) {
  return body_with(ctx, Json{{"dry_run", ctx.query.flag("dry-run")}});
}

OpcodeInput network_name_input(Context& ctx) {
  return body_with(ctx, Json{{"network_name", ctx.item(0)}});
}

OpcodeInput network_name_dry_run_input(Context& ctx) {
  return body_with(ctx,
                   Json{{"network_name", ctx.item(0)}, {"dry_run", ctx.query.flag("dry-run")}});
}

}  // namespace rapid::rapi
