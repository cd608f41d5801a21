// /2/query/[resource], /2/query/[resource]/fields.
#include <algorithm>
#include <initializer_list>

#include "rapi/handlers.h"
#include "rapi/luxi_calls.h"
#include "rapi/python_semantics.h"
#include "util/pyrepr.h"
#include "util/text.h"

namespace rapid::rapi {

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

}  // namespace

Awaitable get_query(Context& ctx) {
  Json result =
      co_await query(ctx, "Query", json_list(ctx.item(0), fields_from_query(ctx), nullptr));
  co_return query_response(result, true);
}

Awaitable put_query(Context& ctx) {
  const Json* body = ctx.body_or_null();
  if (!body || !body->is_object()) {
    throw wrong_type_error("Body contents", body ? *body : Json(), "dict");
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

}  // namespace rapid::rapi
