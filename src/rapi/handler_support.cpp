#include "rapi/handler_support.h"

#include <algorithm>
#include <optional>

#include "rapi/error_mapping.h"
#include "luxi/client.h"
#include "luxi/error.h"
#include "util/pyrepr.h"
#include "util/utf8.h"

namespace rapid::rapi {

namespace asio = boost::asio;

asio::awaitable<Json> query(Context& ctx, std::string_view method, Json args) {
  co_return co_await ctx.luxi.call(method, std::move(args), luxi::Resend::safe);
}

asio::awaitable<Json> query_item(Context& ctx, std::string_view method, Json args) {
  std::optional<luxi::Error> failure;
  Json result;
  try {
    result = co_await ctx.luxi.call(method, std::move(args), luxi::Resend::safe);
  } catch (const luxi::Error& error) {
    if (!is_unknown_entity(error)) throw;
    failure = error;
  }
  if (failure || !truthy(result)) throw ApiError(404);
  co_return result;
}

asio::awaitable<Json> call_once(Context& ctx, std::string_view method, Json args) {
  co_return co_await ctx.luxi.call(method, std::move(args), luxi::Resend::never);
}

asio::awaitable<Json> submit_job(Context& ctx, Json opcodes) {
  std::optional<ApiError> failure;
  Json job_id;
  try {
    job_id =
        co_await ctx.luxi.call("SubmitJob", json_list(std::move(opcodes)), luxi::Resend::never);
  } catch (const luxi::Error& error) {
    failure = map_luxi_error(error, LuxiContext::submit, ctx.luxi.config().socket_path);
  }
  if (failure) throw *failure;
  co_return job_id;
}

std::string_view tag_kind(const Context& ctx) {
  const std::string_view pattern = ctx.resource.pattern();
  if (pattern.starts_with("/2/instances/")) return "instance";
  if (pattern.starts_with("/2/nodes/")) return "node";
  if (pattern.starts_with("/2/groups/")) return "nodegroup";
  if (pattern.starts_with("/2/networks/")) return "network";
  return "cluster";
}

asio::awaitable<Json> list_resource(Context& ctx, ListQuery list) {
  const bool bulk = ctx.query.flag("bulk");
  Json args = list.leading_args;
  args.push_back(bulk ? field_list(list.bulk_fields) : json_list(list.id_field));
  for (const auto& arg : list.trailing_args) args.push_back(arg);
  Json rows = co_await query(ctx, list.method, std::move(args));
  if (bulk) co_return map_bulk_fields(list.bulk_fields, rows);
  co_return uri_list(first_column(rows), list.key, list.uri_prefix);
}

Json first_column(const Json& rows) {
  Json ids = Json::array();
  if (!rows.is_array()) throw not_iterable_error(rows);
  for (const auto& row : rows) ids.push_back(index_or_500(row, 0));
  return ids;
}

Json uri_list(Json ids, std::string_view key, std::string_view uri_prefix) {
  std::vector<Json> sorted(ids.begin(), ids.end());
  // Python's list.sort(): numbers numerically, strings by code point (UTF-8
  // byte order is the same).
  std::stable_sort(sorted.begin(), sorted.end(), [](const Json& a, const Json& b) {
    if (a.is_number() && b.is_number()) return a.get<double>() < b.get<double>();
    if (a.is_string() && b.is_string())
      return a.get_ref<const std::string&>() < b.get_ref<const std::string&>();
    return a.type() < b.type();
  });
  Json list = Json::array();
  for (auto& id : sorted) {
    Json entry = Json::object();
    entry[std::string(key)] = id;
    entry["uri"] = std::string(uri_prefix) + python_str(id);
    list.push_back(std::move(entry));
  }
  return list;
}

Json map_fields(std::span<const std::string_view> fields, const Json& row) {
  if (!row.is_array() || row.size() != fields.size()) {
    throw ApiError(500, "Names and data must have the same length");
  }
  Json object = Json::object();
  for (std::size_t i = 0; i < fields.size(); ++i) object[std::string(fields[i])] = row[i];
  return object;
}

Json map_bulk_fields(std::span<const std::string_view> fields, const Json& rows) {
  if (!rows.is_array()) throw not_iterable_error(rows);
  Json list = Json::array();
  for (const auto& row : rows) list.push_back(map_fields(fields, row));
  return list;
}

Json field_list(std::span<const std::string_view> fields) {
  Json list = Json::array();
  for (auto field : fields) list.push_back(field);
  return list;
}

const Json& index_or_500(const Json& list, std::size_t index) {
  if (list.is_array() || list.is_string()) {
    if (list.is_array() && index < list.size()) return list[index];
    throw ApiError(500, list.is_array() ? "list index out of range" : "string index out of range");
  }
  if (list.is_object()) throw key_error(std::to_string(index));
  throw ApiError(500, "'" + std::string(python_type_name(list)) + "' object is not subscriptable");
}

std::vector<Json> python_iter(const Json& value) {
  std::vector<Json> items;
  if (value.is_array()) {
    items.assign(value.begin(), value.end());
  } else if (value.is_object()) {
    for (const auto& [key, item] : value.items()) items.emplace_back(key);
  } else if (value.is_string()) {
    for (auto character : utf8::split_code_points(value.get_ref<const std::string&>())) {
      items.emplace_back(character);
    }
  } else {
    throw not_iterable_error(value);
  }
  return items;
}

std::vector<Json> unpack(const Json& value, std::size_t count) {
  if (!(value.is_array() || value.is_object() || value.is_string())) {
    throw ApiError(
        500, "cannot unpack non-iterable " + std::string(python_type_name(value)) + " object");
  }
  const std::vector<Json> items = python_iter(value);
  if (items.size() < count) {
    throw ApiError(500, "not enough values to unpack (expected " + std::to_string(count) +
                            ", got " + std::to_string(items.size()) + ")");
  }
  if (items.size() > count) {
    throw ApiError(500, "too many values to unpack (expected " + std::to_string(count) + ")");
  }
  return items;
}

ApiError subscript_error(const Json& container) {
  if (container.is_array())
    return ApiError(500, "list indices must be integers or slices, not str");
  if (container.is_string()) return ApiError(500, "string indices must be integers, not 'str'");
  return ApiError(500,
                  "'" + std::string(python_type_name(container)) + "' object is not subscriptable");
}

ApiError attribute_error(const Json& value, std::string_view attribute) {
  return ApiError(500, "'" + std::string(python_type_name(value)) + "' object has no attribute '" +
                           std::string(attribute) + "'");
}

ApiError not_iterable_error(const Json& value) {
  return ApiError(500, "'" + std::string(python_type_name(value)) + "' object is not iterable");
}

ApiError contains_error(const Json& value) {
  return ApiError(
      500, "argument of type '" + std::string(python_type_name(value)) + "' is not iterable");
}

ApiError key_error(std::string_view key) { return ApiError(500, python_str_repr(key)); }

bool truthy(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return false;
    case Json::value_t::boolean:
      return value.get<bool>();
    case Json::value_t::number_integer:
      return value.get<std::int64_t>() != 0;
    case Json::value_t::number_unsigned:
      return value.get<std::uint64_t>() != 0;
    case Json::value_t::number_float:
      return value.get<double>() != 0.0;
    case Json::value_t::string:
      return !value.get_ref<const std::string&>().empty();
    case Json::value_t::array:
    case Json::value_t::object:
      return !value.empty();
    default:
      return false;
  }
}

bool python_equals_int(const Json& value, long long number) {
  if (value.is_boolean()) return (value.get<bool>() ? 1 : 0) == number;
  if (value.is_number_integer()) return value.get<std::int64_t>() == number;
  if (value.is_number_unsigned())
    return number >= 0 && value.get<std::uint64_t>() == static_cast<std::uint64_t>(number);
  if (value.is_number_float()) return value.get<double>() == static_cast<double>(number);
  return false;
}


}  // namespace rapid::rapi
