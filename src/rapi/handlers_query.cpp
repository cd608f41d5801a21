// /2/query/[resource], /2/query/[resource]/fields, /2/filters.
#include <algorithm>
#include <initializer_list>

#include "rapi/answers.h"
#include "rapi/handlers.h"
#include "rapi/luxi_calls.h"
#include "rapi/python_semantics.h"
#include "util/pyrepr.h"
#include "util/text.h"
#include "util/utf8.h"

namespace rapid::rapi {

const std::vector<std::string_view> kFilterFields = {"watermark", "priority",     "predicates",
                                                     "action",    "reason_trail", "uuid"};

namespace {

// "a, b,c" -> ["a", "b", "c"]; empty parts stay (rlib2._SplitQueryFields).
Json split_fields(std::string_view text) {
  Json fields = Json::array();
  for (const auto& part : split(text, ',')) fields.push_back(std::string(strip_unicode(part)));
  return fields;
}

Json fields_from_query(const Context& ctx) {
  auto fields = ctx.query.first("fields");
  if (!fields) throw bad_request("Missing 'fields' query argument");
  return split_fields(*fields);
}

// objects.ConfigObject.FromDict(value) for a class with these slots:
// Python's errors for a non-dict and for members the class does not have.
void check_config_object(const Json& value, std::string_view cls,
                         std::initializer_list<std::string_view> slots) {
  if (!value.is_object()) {
    throw ApiError(500, "Invalid object passed to FromDict: expected dict, got <class '" +
                            std::string(python_type_name(value)) + "'>");
  }
  for (const auto& [key, member] : value.items()) {
    if (std::find(slots.begin(), slots.end(), key) == slots.end()) {
      throw ApiError(500,
                     "Object " + std::string(cls) + " doesn't support the parameter '" + key + "'");
    }
  }
}

// The round trip luxi.Client.Query/QueryFields and rlib2 put luxid's answer
// through: objects.QueryResponse (or QueryFieldsResponse).FromDict(...).ToDict().
// Members come out in slot order (data, fields; name, title, kind, doc),
// null members are dropped, and "fields" is always a list.
Json query_response(const Json& result, bool with_data) {
  if (with_data) {
    check_config_object(result, "QueryResponse", {"data", "fields"});
  } else {
    check_config_object(result, "QueryFieldsResponse", {"fields"});
  }
  Json fields = Json::array();
  if (auto it = result.find("fields"); it != result.end() && !it->is_null()) {
    for (const auto& def : python_iter(*it)) {
      check_config_object(def, "QueryFieldDefinition", {"name", "title", "kind", "doc"});
      Json entry = Json::object();
      for (const char* key : {"name", "title", "kind", "doc"}) {
        if (auto member = def.find(key); member != def.end() && !member->is_null())
          entry[key] = *member;
      }
      fields.push_back(std::move(entry));
    }
  }
  Json out = Json::object();
  if (auto it = result.find("data"); with_data && it != result.end() && !it->is_null())
    out["data"] = *it;
  out["fields"] = std::move(fields);
  return out;
}

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
      throw bad_request("'" + std::string(name) + "' parameter: Type is '" +
                        std::string(python_type_name(*it)) + "', but '" + type + "' is expected");
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

Awaitable get_query(Context& ctx) {
  Json result =
      co_await query(ctx, "Query", json_list(ctx.item(0), fields_from_query(ctx), nullptr));
  co_return query_response(result, true);
}

Awaitable put_query(Context& ctx) {
  const Json* body = ctx.body_or_null();
  if (!body || !body->is_object()) {
    throw bad_request("Body contents: Type is '" +
                      std::string(python_type_name(body ? *body : Json())) +
                      "', but 'dict' is expected");
  }
  Json fields = body->contains("fields") ? (*body)["fields"] : fields_from_query(ctx);
  Json filter = body->value("qfilter", Json());
  if (filter.is_null()) filter = body->value("filter", Json());
  Json result = co_await query(ctx, "Query", json_list(ctx.item(0), fields, filter));
  co_return query_response(result, true);
}

Awaitable get_query_fields(Context& ctx) {
  auto raw = ctx.query.first("fields");
  Json fields = raw ? split_fields(*raw) : Json();
  Json result = co_await query(ctx, "QueryFields", json_list(ctx.item(0), fields));
  co_return query_response(result, false);
}

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
