// /2/filters, /2/filters/[name]: the job filter rules.
#include "rapi/answers.h"
#include "rapi/handlers.h"
#include "rapi/luxi_calls.h"
#include "rapi/python_semantics.h"
#include "util/pyrepr.h"

namespace rapid::rapi {

const std::vector<std::string_view> kFilterFields = {"watermark", "priority",     "predicates",
                                                     "action",    "reason_trail", "uuid"};

namespace {

// rlib2.checkFilterParameters.
Json filter_arguments(const Context& ctx, Json uuid) {
  const Json* body = ctx.body_or_null();
  if (!body || !body->is_object()) throw bad_request("Invalid body contents, not a dictionary");
  for (const auto& [key, value] : body->items()) {
    if (key != "priority" && key != "predicates" && key != "action" && key != "reason") {
      throw bad_request("Invalid body parameters: filter rule doesn't support the parameter '" +
                        key + "'");
    }
  }
  const auto checked = [&](const char* name, Json fallback, const char* type,
                           bool ok(const Json&)) {
    auto it = body->find(name);
    if (it == body->end()) return fallback;
    if (!ok(*it)) {
      throw wrong_type_error("'" + std::string(name) + "' parameter", *it, type);
    }
    return *it;
  };
  // isinstance(x, int) holds for booleans too.
  Json priority = checked("priority", 0, "int", [](const Json& v) {
    return v.is_number_integer() || v.is_number_unsigned() || v.is_boolean();
  });
  Json predicates =
      checked("predicates", Json::array(), "list", [](const Json& v) { return v.is_array(); });
  Json action = body->value("action", Json("CONTINUE"));
  Json reason =
      checked("reason", Json::array(), "list", [](const Json& v) { return v.is_array(); });
  return json_list(std::move(uuid), priority, predicates, action, reason);
}

}  // namespace

// Built in a plain function: GCC 12 miscompiles this braced aggregate (Json members)
// inside a coroutine, even in a statement of its own (GET /2/filters aborted with
// std::length_error).
static ListQuery filters_list() {
  return ListQuery{"QueryFilters", json_list(nullptr), Json::array(), kFilterFields, "uuid",
                   "uuid",         "/2/filters/"};
}

Awaitable get_filters(Context& ctx) { co_return co_await list_resource(ctx, filters_list()); }

Awaitable post_filter(Context& ctx) {
  co_return co_await call_once(ctx, "ReplaceFilter", filter_arguments(ctx, nullptr));
}

Awaitable get_filter(Context& ctx) {
  Json rows = co_await query_item(ctx, "QueryFilters",
                                  json_list(json_list(ctx.item(0)), field_list(kFilterFields)));
  co_return map_fields(kFilterFields, index_or_500(rows, 0));
}

Awaitable put_filter(Context& ctx) {
  co_return co_await call_once(ctx, "ReplaceFilter", filter_arguments(ctx, ctx.item(0)));
}

Awaitable delete_filter(Context& ctx) {
  co_return co_await call_once(ctx, "DeleteFilter", json_list(ctx.item(0)));
}

}  // namespace rapid::rapi
