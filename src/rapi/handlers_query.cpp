// /2/query/[resource], /2/query/[resource]/fields, /2/filters.
#include "handler_support.h"
#include "handlers.h"
#include "rapid/util/pyrepr.h"
#include "rapid/util/text.h"

namespace rapid::rapi {

const std::vector<std::string_view> kFilterFields = {"watermark",  "priority",     "predicates",
                                                     "action",     "reason_trail", "uuid"};

namespace {

// "a, b,c" -> ["a", "b", "c"]; empty parts stay.
Json split_fields(std::string_view text) {
  Json fields = Json::array();
  for (const auto& part : split(text, ',')) fields.push_back(std::string(strip_ascii(part)));
  return fields;
}

Json fields_from_query(const Context& ctx) {
  auto fields = ctx.query.first("fields");
  if (!fields) throw bad_request("Missing 'fields' query argument");
  return split_fields(*fields);
}

// objects.QueryResponse / QueryFieldsResponse round trip: known members in
// slot order (data, fields; name, title, kind, doc), null members dropped.
Json field_definitions(const Json& fields) {
  if (!fields.is_array()) return fields;
  Json out = Json::array();
  for (const auto& def : fields) {
    if (!def.is_object()) {
      out.push_back(def);
      continue;
    }
    Json entry = Json::object();
    for (const char* key : {"name", "title", "kind", "doc"}) {
      if (auto it = def.find(key); it != def.end() && !it->is_null()) entry[key] = *it;
    }
    out.push_back(std::move(entry));
  }
  return out;
}

Json query_response(const Json& result, bool with_data) {
  if (!result.is_object()) throw ApiError(500, "Invalid query response from the master daemon");
  Json out = Json::object();
  if (with_data) {
    if (auto it = result.find("data"); it != result.end() && !it->is_null()) out["data"] = *it;
  }
  if (auto it = result.find("fields"); it != result.end() && !it->is_null()) {
    out["fields"] = field_definitions(*it);
  }
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
  const auto checked = [&](const char* name, Json fallback, const char* type, bool ok(const Json&)) {
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
  Json predicates = checked("predicates", Json::array(), "list", [](const Json& v) { return v.is_array(); });
  Json action = body->value("action", Json("CONTINUE"));
  Json reason = checked("reason", Json::array(), "list", [](const Json& v) { return v.is_array(); });
  return json_list(std::move(uuid), priority, predicates, action, reason);
}

}  // namespace

Awaitable get_query(Context& ctx) {
  Json result = co_await query(ctx, "Query", json_list(ctx.item(0), fields_from_query(ctx), nullptr));
  co_return query_response(result, true);
}

Awaitable put_query(Context& ctx) {
  const Json* body = ctx.body_or_null();
  if (!body || !body->is_object()) {
    throw bad_request("Body contents: Type is '" +
                      std::string(python_type_name(body ? *body : Json())) + "', but 'dict' is expected");
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

Awaitable get_filters(Context& ctx) {
  if (ctx.query.flag("bulk")) {
    Json rows = co_await query(ctx, "QueryFilters", json_list(nullptr, field_list(kFilterFields)));
    co_return map_bulk_fields(kFilterFields, rows);
  }
  Json rows = co_await query(ctx, "QueryFilters", json_list(nullptr, json_list("uuid")));
  co_return uri_list(first_column(rows), "uuid", "/2/filters/");
}

Awaitable post_filter(Context& ctx) {
  co_return co_await call_once(ctx, "ReplaceFilter", filter_arguments(ctx, nullptr));
}

Awaitable get_filter(Context& ctx) {
  Json rows = co_await query_item(
      ctx, "QueryFilters", json_list(json_list(ctx.item(0)), field_list(kFilterFields)));
  co_return map_fields(kFilterFields, index_or_500(rows, 0));
}

Awaitable put_filter(Context& ctx) {
  co_return co_await call_once(ctx, "ReplaceFilter", filter_arguments(ctx, ctx.item(0)));
}

Awaitable delete_filter(Context& ctx) {
  co_return co_await call_once(ctx, "DeleteFilter", json_list(ctx.item(0)));
}

}  // namespace rapid::rapi
