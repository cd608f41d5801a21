// /2/jobs, /2/jobs/[job_id], /2/jobs/[job_id]/wait.
#include <charconv>

#include "luxi/client.h"
#include "rapi/answers.h"
#include "rapi/handlers.h"
#include "rapi/luxi_calls.h"
#include "rapi/python_semantics.h"

namespace rapid::rapi {

namespace {
// RAPI caps a job wait at this many seconds (rlib2._WFJC_TIMEOUT).
constexpr int kWaitSeconds = 10;
}  // namespace

const std::vector<std::string_view> kJobFieldsBulk = {
    "id", "ops", "status", "summary", "opstatus", "received_ts", "start_ts", "end_ts"};
const std::vector<std::string_view> kJobFields = {"id",       "ops",         "status",   "summary",
                                                  "opstatus", "received_ts", "start_ts", "end_ts",
                                                  "oplog",    "opresult"};

// Built in a plain function: GCC 12 miscompiles this braced aggregate (Json members)
// inside a coroutine, even in a statement of its own (GET /2/jobs aborted with
// std::length_error in some builds).
static ListQuery jobs_list() {
  return ListQuery{"QueryJobs", json_list(nullptr), Json::array(), kJobFieldsBulk, "id",
                   "id",        "/2/jobs/"};
}

Awaitable get_jobs(Context& ctx) { co_return co_await list_resource(ctx, jobs_list()); }

Awaitable get_job(Context& ctx) {
  // The id goes to luxid as the URL's string, as the original sends it.
  Json rows =
      co_await query(ctx, "QueryJobs", json_list(json_list(ctx.item(0)), field_list(kJobFields)));
  const Json& row = index_or_500(rows, 0);
  if (row.is_null()) throw ApiError(404);
  co_return map_fields(kJobFields, row);
}

Awaitable cancel_job(Context& ctx) {
  // luxi.Client.CancelJob converts the id with int().
  const std::string& text = ctx.item(0);
  std::uint64_t id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw ApiError(
        502,
        "Invalid parameter passed to CancelJob as job id:  expected integer, got value " + text);
  }
  co_return co_await call_once(ctx, "CancelJob", json_list(id, false));
}

Awaitable wait_for_job(Context& ctx) {
  const Json* body = ctx.body_or_null();
  // rlib2 indexes the body without checking its type.
  if (!body || !body->is_object()) throw subscript_error(body ? *body : Json());
  if (!body->contains("fields")) throw bad_request("Required parameter 'fields' is missing");
  const Json& fields = (*body)["fields"];
  const Json previous_info = body->value("previous_job_info", Json());
  const Json previous_serial = body->value("previous_log_serial", Json());
  if (!fields.is_array()) throw bad_request("The 'fields' parameter should be a list");
  if (!(previous_info.is_null() || previous_info.is_array())) {
    throw bad_request("The 'previous_job_info' parameter should be a list");
  }
  if (!(previous_serial.is_null() || previous_serial.is_number_integer() ||
        previous_serial.is_number_unsigned() || previous_serial.is_boolean())) {
    throw bad_request("The 'previous_log_serial' parameter should be a number");
  }
  Json result = co_await ctx.luxi.call(
      "WaitForJobChange",
      json_list(ctx.item(0), fields, previous_info, previous_serial, kWaitSeconds),
      luxi::Resend::safe, std::chrono::seconds(kWaitSeconds) + ctx.luxi.config().call_timeout);
  if (!truthy(result)) throw ApiError(404);
  if (result == "nochange") co_return nullptr;
  const auto change = unpack(result, 2);  // (job_info, log_entries) = result
  Json answer = Json::object();
  answer["job_info"] = change[0];
  answer["log_entries"] = change[1];
  co_return answer;
}

}  // namespace rapid::rapi
