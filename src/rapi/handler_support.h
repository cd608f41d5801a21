#pragma once
// What the resource handlers share: LUXI calls with Ganeti's error mapping,
// job submission, and the shapes of list and item answers.

#include <boost/asio/awaitable.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rapi/api_error.h"
#include "rapi/resource.h"
#include "util/json.h"

namespace rapid::rapi {

// A JSON array of the arguments. Handlers use it instead of
// Json::array({...}): GCC 12 cannot compile an initializer list inside a
// co_await expression ("array used as initializer").
template <typename... Items>
Json json_list(Items&&... items) {
  Json list = Json::array();
  (list.push_back(Json(std::forward<Items>(items))), ...);
  return list;
}

// A read-only LUXI call (safe to re-send); failures propagate as
// luxi::Error and are mapped by the request handler.
boost::asio::awaitable<Json> query(Context& ctx, std::string_view method, Json args);

// Like query(), for single-item lookups: luxid's unknown_entity error or an
// empty result answer 404, as baserlib.HandleItemQueryErrors does.
boost::asio::awaitable<Json> query_item(Context& ctx, std::string_view method, Json args);

// A call that may change the cluster: sent once, never re-sent.
boost::asio::awaitable<Json> call_once(Context& ctx, std::string_view method, Json args);

// Submits a job (a list of serialised opcodes) and returns its id, mapping
// failures as baserlib.SubmitJob does (queue full -> 503, ...).
boost::asio::awaitable<Json> submit_job(Context& ctx, Json opcodes);

// The tag kind of a tags resource (rlib2's TAG_LEVEL): the URL decides.
std::string_view tag_kind(const Context& ctx);

// A list resource: LUXI `method` with arguments leading + [fields] +
// trailing; with bulk=1 every object with `bulk_fields`, else entries
// {"<key>": id, "uri": "<prefix><id>"} built from the `id_field` column.
struct ListQuery {
  std::string_view method;
  Json leading_args;
  Json trailing_args;
  std::span<const std::string_view> bulk_fields;
  std::string_view id_field;
  std::string_view key;
  std::string_view uri_prefix;
};
boost::asio::awaitable<Json> list_resource(Context& ctx, ListQuery list);

// [{"<key>": id, "uri": "<prefix><id>"}...] sorted by id (as strings, or
// numerically for job ids): baserlib.BuildUriList.
Json uri_list(Json ids, std::string_view key, std::string_view uri_prefix);

// The first column of each row.
Json first_column(const Json& rows);

// {field: value...} for one row; 500 when the lengths differ
// (baserlib.MapFields).
Json map_fields(std::span<const std::string_view> fields, const Json& row);
Json map_bulk_fields(std::span<const std::string_view> fields, const Json& rows);

// The fields as a JSON array.
Json field_list(std::span<const std::string_view> fields);

// row[index] with Python's IndexError as a 500 (Ganeti's handlers index
// luxid's answers without checking).
const Json& index_or_500(const Json& list, std::size_t index);

// What Python's `for item in value` yields for a decoded JSON value (lists
// their items, strings their characters, dicts their keys); other values
// are a 500 "'<type>' object is not iterable".
std::vector<Json> python_iter(const Json& value);

// Python's tuple unpacking `(a, b, ...) = value` of a decoded JSON value
// (lists give their items, strings their characters, dicts their keys),
// with Python's ValueError/TypeError texts as a 500.
std::vector<Json> unpack(const Json& value, std::size_t count);

// Python's texts for the TypeError/AttributeError/KeyError a Ganeti handler
// hits on unexpected JSON types (clients can reach these; the original
// answers 500 with exactly these messages).
ApiError subscript_error(const Json& container);  // container["key"]
ApiError attribute_error(const Json& value, std::string_view attribute);
ApiError not_iterable_error(const Json& value);  // for x in value
ApiError contains_error(const Json& value);      // "x" in value
ApiError key_error(std::string_view key);

// Python truthiness of a decoded JSON value.
bool truthy(const Json& value);

// Python equality of a JSON value with an integer (0 == False == 0.0).
bool python_equals_int(const Json& value, long long number);


}  // namespace rapid::rapi
