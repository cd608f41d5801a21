#include "rapi/answers.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "luxi/shared_result.h"
#include "rapi/api_error.h"
#include "rapi/luxi_calls.h"
#include "rapi/private_params.h"
#include "rapi/python_semantics.h"
#include "util/json_transcode.h"
#include "util/pyrepr.h"

namespace rapid::rapi {

namespace asio = boost::asio;

namespace {

Json list_args(const ListQuery& list, bool bulk) {
  Json args = list.leading_args;
  args.push_back(bulk ? field_list(list.bulk_fields) : json_list(list.id_field));
  for (const auto& arg : list.trailing_args) args.push_back(arg);
  return args;
}

Json list_answer(const ListQuery& list, bool bulk, const Json& rows) {
  if (!bulk) return uri_list(first_column(rows), list.key, list.uri_prefix);
  Json objects = map_bulk_fields(list.bulk_fields, rows);
  if (list.adjust_object) {
    for (auto& object : objects) list.adjust_object(object);
  }
  return objects;
}

// One object of a bulk body, as RapiHandler writes it: mapped, adjusted,
// redacted, after ", " unless it is the first.
void append_bulk_object(const ListQuery& list, const Json& row, bool first, std::string& body) {
  Json object = map_fields(list.bulk_fields, row);
  if (list.adjust_object) list.adjust_object(object);
  redact_private_values(object);
  if (!first) body += ", ";
  dump_python(object, body);
}

// The bulk body straight from luxid's text, without a DOM of the whole
// list: transcoded, or (with a per-object adjustment) row by row. nullopt
// when anything is irregular: the DOM path then gives the same body, or
// the error, as the original would.
std::optional<std::string> bulk_body_from_text(const ListQuery& list, std::string_view text) {
  std::string body;
  // Room for the field names and Python's spacing (about 2.2 times luxid's
  // text for instances): growing past the reservation would double it.
  body.reserve(text.size() * 5 / 2);
  if (!list.adjust_object) {
    if (transcode_python_rows(text, list.bulk_fields, body, kPrivateFields) != Transcoded::ok) {
      return std::nullopt;
    }
    body += '\n';
    return body;
  }
  const auto items = json_list_items(text);
  if (!items) return std::nullopt;
  body += '[';
  for (std::size_t i = 0; i < items->size(); ++i) {
    const auto row = parse_json((*items)[i]);
    if (!row || !row->is_array() || row->size() != list.bulk_fields.size()) return std::nullopt;
    try {
      append_bulk_object(list, *row, i == 0, body);
    } catch (const ApiError&) {
      return std::nullopt;
    }
  }
  body += "]\n";
  return body;
}

// The list's body, made once per shared answer. The memo's key names the
// rendering: the list (its URI prefix) and its shape.
std::shared_ptr<const std::string> shared_list_body(const luxi::SharedResult& shared,
                                                    const ListQuery& list, bool bulk) {
  const std::string key = std::string(list.uri_prefix) + (bulk ? " bulk" : " uris");
  return shared.body(key, [&](const luxi::SharedResult& result) {
    if (!bulk) return render_body(list_answer(list, false, result.value()));
    return render_bulk_body(list, result);
  });
}

}  // namespace

asio::awaitable<Json> list_resource(Context& ctx, ListQuery list) {
  const bool bulk = ctx.query.flag("bulk");
  const std::shared_ptr<const luxi::SharedResult> shared =
      co_await shared_query(ctx, list.method, list_args(list, bulk));
  if (ctx.share_bodies) {
    ctx.shared_body = shared_list_body(*shared, list, bulk);
    co_return nullptr;
  }
  co_return list_answer(list, bulk, shared->value());
}

std::string render_bulk_body(const ListQuery& list, const luxi::SharedResult& result) {
  if (const auto text = result.text()) {
    if (auto body = bulk_body_from_text(list, *text)) return std::move(*body);
  }
  return render_bulk_body(list, result.value());
}

std::string render_bulk_body(const ListQuery& list, const Json& rows) {
  if (!rows.is_array()) throw not_iterable_error(rows);
  // Every object is checked before any is written, as map_bulk_fields()
  // fails before RapiHandler writes anything.
  for (const auto& row : rows) {
    if (!row.is_array() || row.size() != list.bulk_fields.size()) map_fields(list.bulk_fields, row);
  }
  std::string body = "[";
  bool first = true;
  for (const auto& row : rows) {
    append_bulk_object(list, row, first, body);
    first = false;
  }
  body += "]\n";
  return body;
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

}  // namespace rapid::rapi
