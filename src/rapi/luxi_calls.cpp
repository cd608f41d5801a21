#include "rapi/luxi_calls.h"

#include <optional>

#include "luxi/client.h"
#include "luxi/error.h"
#include "rapi/api_error.h"
#include "rapi/audit.h"
#include "rapi/error_mapping.h"
#include "rapi/private_params.h"
#include "rapi/python_semantics.h"

namespace rapid::rapi {

namespace asio = boost::asio;

asio::awaitable<Json> query(Context& ctx, std::string_view method, Json args) {
  co_return co_await ctx.luxi.call(method, std::move(args), luxi::Resend::safe);
}

asio::awaitable<std::shared_ptr<const luxi::SharedResult>> shared_query(Context& ctx,
                                                                        std::string_view method,
                                                                        Json args) {
  return ctx.luxi.query(method, std::move(args));
}

std::string render_body(Json result) {
  redact_private_values(result);
  std::string text = dump_python(result);
  text += '\n';
  return text;
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
  if (ctx.audit) note_call(*ctx.audit, method, args);
  Json result = co_await ctx.luxi.call(method, std::move(args), luxi::Resend::never);
  if (ctx.audit) note_result(*ctx.audit, method, result);
  co_return result;
}

asio::awaitable<Json> submit_job(Context& ctx, Json opcodes) {
  std::optional<ApiError> failure;
  Json job_id;
  if (ctx.audit) note_call(*ctx.audit, "SubmitJob", opcodes);
  try {
    job_id =
        co_await ctx.luxi.call("SubmitJob", json_list(std::move(opcodes)), luxi::Resend::never);
  } catch (const luxi::Error& error) {
    failure = map_luxi_error(error, LuxiContext::submit, ctx.luxi.config().socket_path);
  }
  if (failure) throw *failure;
  if (ctx.audit) note_result(*ctx.audit, "SubmitJob", job_id);
  co_return job_id;
}

}  // namespace rapid::rapi
