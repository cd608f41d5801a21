#pragma once
// The LUXI calls of the resource handlers, with Ganeti's error mapping:
// queries (safe to re-send), single-item lookups (404), calls that may
// change the cluster (sent once) and job submission.

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "rapi/resource.h"
#include "util/json.h"

namespace rapid::luxi {
class SharedResult;
}

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

// Like query(), keeping the answer shared with the identical queries it
// was coalesced with (luxi/coalescer.h): read it, never copy it whole.
boost::asio::awaitable<std::shared_ptr<const luxi::SharedResult>> shared_query(
    Context& ctx, std::string_view method, Json args);

// The body RapiHandler writes for `result`: private values redacted,
// Python's JSON, "\n".
std::string render_body(Json result);

// Like query(), for single-item lookups: luxid's unknown_entity error or an
// empty result answer 404, as baserlib.HandleItemQueryErrors does.
boost::asio::awaitable<Json> query_item(Context& ctx, std::string_view method, Json args);

// A call that may change the cluster: sent once, never re-sent.
boost::asio::awaitable<Json> call_once(Context& ctx, std::string_view method, Json args);

// Submits a job (a list of serialised opcodes) and returns its id, mapping
// failures as baserlib.SubmitJob does (queue full -> 503, ...).
boost::asio::awaitable<Json> submit_job(Context& ctx, Json opcodes);

}  // namespace rapid::rapi
