// baserlib._GenericHandler: forbidden parameters, the opcode input, the
// "depends" passthrough, the reason trail, FillOpcode, SubmitJob.
#include <chrono>

#include "rapi/handlers.h"
#include "rapi/luxi_calls.h"
#include "rapi/python_semantics.h"

namespace rapid::rapi {

namespace {

long long epoch_nanoseconds() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// [["gnt:user", <?reason=>, ns]], ["gnt:library:rlib2:<resource>", "", ns]]
Json reason_trail(const Context& ctx) {
  Json trail = Json::array();
  if (auto reason = ctx.query.first("reason"); reason && !reason->empty()) {
    trail.push_back(json_list("gnt:user", *reason, epoch_nanoseconds()));
  }
  trail.push_back(Json::array(
      {"gnt:library:rlib2:" + std::string(ctx.resource.id()), "", epoch_nanoseconds()}));
  return trail;
}

std::string_view renamed(std::string_view name, const std::vector<Rename>& renames) {
  for (const auto& rename : renames) {
    if (rename.from == name) return rename.to;
  }
  return name;
}

void check_forbidden_name(std::string_view name, const MethodDef& method) {
  const std::string_view target = renamed(name, method.renames);
  for (auto forbidden : method.forbidden) {
    if (forbidden == target) {
      throw ApiError(403, "The parameter " + std::string(target) + " cannot be set via RAPI");
    }
  }
}

// baserlib.InspectParams over the query names and the body, which it
// iterates whatever its type.
void check_forbidden(const Context& ctx, const MethodDef& method) {
  for (const auto& name : ctx.query.names()) check_forbidden_name(name, method);
  const Json* body = ctx.body_or_null();
  for (const Json& item : python_iter(body ? *body : Json())) {
    // Each item is looked up in a dict: lists and dicts cannot be.
    if (item.is_array() || item.is_object()) {
      throw ApiError(500, unhashable_message(item));
    }
    if (item.is_string()) check_forbidden_name(item.get_ref<const std::string&>(), method);
  }
}

// Everything before the submission, as a plain function (see "Coroutine
// rules" in docs/architecture.md).
Json build_opcode(Context& ctx, const MethodDef& method) {
  if (!method.forbidden.empty()) check_forbidden(ctx, method);
  OpcodeInput input;
  if (method.input) {
    input = method.input(ctx);
  } else {
    input.params = ctx.body;
  }

  // "depends" reaches the opcode from any object body, even where the
  // resource otherwise ignores the body.
  if (input.params && input.params->is_object() && ctx.body && ctx.body->is_object()) {
    if (auto it = ctx.body->find("depends"); it != ctx.body->end() && truthy(*it)) {
      (*input.params)["depends"] = *it;
    }
  }
  Json fixed = Json::object();
  fixed["reason"] = reason_trail(ctx);
  for (auto& [key, value] : input.fixed.items()) fixed[key] = std::move(value);

  return fill_opcode(method.opcode, input.params ? &*input.params : nullptr, fixed, method.renames);
}

}  // namespace

Awaitable run_opcode_method(Context& ctx, const MethodDef& method) {
  co_return co_await submit_job(ctx, json_list(build_opcode(ctx, method)));
}

}  // namespace rapid::rapi
