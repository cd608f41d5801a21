#include "rapi/audit.h"

#include <array>
#include <ctime>

#include "http/status.h"
#include "rapi/private_params.h"

namespace rapid::rapi {
namespace {

// The parameters that name what an opcode acts on (Ganeti's _PInstanceName,
// _PNodeName, _PGroupName, _PNetworkName, the migration and export targets,
// tags' kind and name, the storage unit's name). Values are kept only when
// they are strings or lists of strings: a remote export's target_node, a
// list of tuples with keys, is left out.
constexpr std::array<std::string_view, 22> kTargetParams = {
    "instance_name", "instance_uuid",
    "node_name",     "node_uuid",
    "group_name",    "network_name",
    "kind",          "name",
    "new_name",      "nodes",
    "node_uuids",    "instances",
    "pnode",         "pnode_uuid",
    "snode",         "snode_uuid",
    "remote_node",   "remote_node_uuid",
    "target_node",   "target_node_uuid",
    "src_node",      "source_instance_name"};

bool is_target_param(std::string_view name) {
  for (const auto target : kTargetParams) {
    if (target == name) return true;
  }
  return false;
}

bool is_string_list(const Json& value) {
  if (!value.is_array()) return false;
  for (const auto& item : value) {
    if (!item.is_string()) return false;
  }
  return true;
}

// A target's value as logged, or null to leave it out. OP_INSTANCE_MULTI_ALLOC's
// "instances" holds opcodes: their instance names.
Json target_value(std::string_view name, const Json& value) {
  if (value.is_string() || is_string_list(value)) return value;
  if (name == "instances" && value.is_array()) {
    Json names = Json::array();
    for (const auto& item : value) {
      const auto it = item.is_object() ? item.find("instance_name") : item.end();
      if (item.is_object() && it != item.end() && it->is_string()) names.push_back(*it);
    }
    return names;
  }
  return nullptr;
}

bool is_job_id(const Json& value) {
  return value.is_number_integer() || value.is_number_unsigned() || value.is_string();
}

}  // namespace

bool is_audited(Method verb, const MethodDef& method) {
  return !method.opcode.empty() || (method.access == Access::write && verb != Method::get);
}

Json audit_opcode(const Json& opcode) {
  Json entry = Json::object();
  if (!opcode.is_object()) return entry;
  if (const auto id = opcode.find("OP_ID"); id != opcode.end() && id->is_string()) {
    entry["OP_ID"] = *id;
  }
  for (const auto& [key, value] : opcode.items()) {
    if (is_target_param(key)) {
      Json kept = target_value(key, value);
      if (!kept.is_null()) entry[key] = std::move(kept);
    } else if (value.is_null()) {
      continue;  // a parameter left at its default
    } else if (auto keys = private_key_names(key, value)) {
      entry[key] = std::move(*keys);
    }
  }
  return entry;
}

void note_call(AuditTrail& trail, std::string_view luxi_method, const Json& args) {
  trail.sent = true;
  if (luxi_method == "SubmitJob") {
    if (!args.is_array()) return;
    for (const auto& opcode : args) trail.opcodes.push_back(audit_opcode(opcode));
  } else if (luxi_method == "CancelJob") {
    if (args.is_array() && !args.empty() && is_job_id(args[0])) trail.job_id = args[0];
  } else if (luxi_method == "ReplaceFilter" || luxi_method == "DeleteFilter") {
    // The uuid of the filter replaced or deleted (null: a new one).
    if (args.is_array() && !args.empty() && args[0].is_string()) trail.filter = args[0];
  }
}

void note_result(AuditTrail& trail, std::string_view luxi_method, const Json& result) {
  if (luxi_method == "SubmitJob") {
    if (is_job_id(result)) trail.job_id = result;
  } else if (luxi_method == "ReplaceFilter") {
    if (result.is_string()) trail.filter = result;
  } else if (luxi_method == "CancelJob") {
    // (success, message): luxid may answer that the job cannot be cancelled.
    if (result.is_array() && result.size() == 2 && result[0] == false) {
      trail.declined = result[1].is_string() ? result[1].get<std::string>() : result[1].dump();
    }
  }
}

std::string_view outcome_name(AuditOutcome outcome) {
  switch (outcome) {
    case AuditOutcome::submitted:
      return "submitted";
    case AuditOutcome::refused:
      return "refused";
    case AuditOutcome::failed:
      return "failed";
  }
  return "failed";
}

AuditOutcome audit_outcome(const AuditRecord& record) {
  const bool sent = record.trail && record.trail->sent;
  if (!sent) return AuditOutcome::refused;
  if (record.status != 200 || !record.trail->declined.empty()) return AuditOutcome::failed;
  return AuditOutcome::submitted;
}

std::string iso8601_utc_ms(std::chrono::system_clock::time_point time) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch());
  const std::time_t seconds = static_cast<std::time_t>(ms.count() / 1000);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char text[40];
  const std::size_t size = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  std::string out(text, size);
  const auto millis = static_cast<int>(ms.count() % 1000);
  out += '.';
  out += static_cast<char>('0' + millis / 100);
  out += static_cast<char>('0' + millis / 10 % 10);
  out += static_cast<char>('0' + millis % 10);
  out += 'Z';
  return out;
}

std::string audit_line(const AuditRecord& record) {
  static const AuditTrail kNothingSent;
  const AuditTrail& trail = record.trail ? *record.trail : kNothingSent;
  const AuditOutcome outcome = audit_outcome(record);
  Json line = Json::object();
  line["time"] = iso8601_utc_ms(record.time);
  line["peer"] = record.peer;
  line["user"] = record.user ? Json(*record.user) : Json();
  line["method"] = record.method;
  line["path"] = record.target;
  line["outcome"] = outcome_name(outcome);
  line["status"] = record.status;
  line["opcodes"] = trail.opcodes.is_null() ? Json::array() : trail.opcodes;
  line["job_id"] = trail.job_id;
  line["filter"] = trail.filter;
  if (!trail.declined.empty()) {
    line["error"] = trail.declined;
  } else if (record.status != 200) {
    line["error"] = record.error.empty() ? http::reason_phrase(record.status) : record.error;
  } else {
    line["error"] = nullptr;
  }
  std::string text = line.dump(-1, ' ', true, Json::error_handler_t::replace);
  text += '\n';
  return text;
}

}  // namespace rapid::rapi
