#pragma once
// The shapes of the handlers' answers: list resources (URI lists or bulk
// objects) and single objects built from luxid's rows and field lists.

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "rapi/resource.h"
#include "util/json.h"

namespace rapid::luxi {
class SharedResult;
}

namespace rapid::rapi {

// A list resource: LUXI `method` with arguments leading + [fields] +
// trailing; with bulk=1 every object with `bulk_fields` (then passed to
// `adjust_object`, if any), else entries {"<key>": id, "uri":
// "<prefix><id>"} built from the `id_field` column.
struct ListQuery {
  std::string_view method;
  Json leading_args;
  Json trailing_args;
  std::span<const std::string_view> bulk_fields;
  std::string_view id_field;
  std::string_view key;
  std::string_view uri_prefix;
  void (*adjust_object)(Json& object) = nullptr;
};
// With ctx.share_bodies, the answer is ctx.shared_body: rendered once per
// LUXI answer however many requests share it, and null is returned.
boost::asio::awaitable<Json> list_resource(Context& ctx, ListQuery list);

// The body of a bulk answer, written object by object: the same bytes as
// render_body(map_bulk_fields(...) adjusted), without a second copy of
// the whole list.
std::string render_bulk_body(const ListQuery& list, const Json& rows);
// The same from a shared answer: from luxid's text when it is still text
// (no DOM of the whole list), else from its value.
std::string render_bulk_body(const ListQuery& list, const luxi::SharedResult& result);

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

}  // namespace rapid::rapi
