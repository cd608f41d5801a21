#include "rapi/rapi_handler.h"

#include <spdlog/spdlog.h>

#include "auth/basic.h"
#include "auth/user_store.h"
#include "http/status.h"
#include "luxi/client.h"
#include "rapi/access.h"
#include "rapi/error_mapping.h"
#include "rapi/handlers.h"
#include "rapi/luxi_calls.h"
#include "rapi/openapi.h"
#include "rapi/private_params.h"
#include "util/text.h"

namespace rapid::rapi {

namespace asio = boost::asio;

namespace {

constexpr std::string_view kAuthenticateValue = "Basic realm=\"Ganeti Remote API\"";

// Accepts "application/json" with optional parameters (the original
// insisted on the bare type; see docs/compatibility.md).
bool is_json_media_type(std::string_view content_type) {
  const auto semicolon = content_type.find(';');
  return iequals(strip_ascii(content_type.substr(0, semicolon)), "application/json");
}

http::Response json_response(int status, std::string body) {
  http::Response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

http::Response shared_response(std::shared_ptr<const std::string> body) {
  http::Response response;
  response.shared_body = std::move(body);
  return response;
}

http::Response error_response(const ApiError& error) {
  http::Response response =
      json_response(error.status(), error_body(error.status(), error.message()));
  if (error.status() == 401)
    response.extra_headers.push_back({"WWW-Authenticate", std::string(kAuthenticateValue)});
  return response;
}

}  // namespace

std::string error_body(int status, std::string_view message) {
  Json body = Json::object();
  body["code"] = status;
  body["message"] =
      html_escape(utf8_sanitize(message.empty() ? http::reason_phrase(status) : message));
  body["explain"] = http::status_explain(status);
  std::string text = dump_python(body);
  text += '\n';
  return text;
}

RapiHandler::RapiHandler(RapiOptions options, const auth::UserStore& users, luxi::Client& luxi)
    : options_(options),
      users_(users),
      luxi_(luxi),
      router_(resources()),
      rapid_router_(rapid_resources()) {}

http::Response RapiHandler::protocol_error(int status, std::string_view message) {
  return error_response(ApiError(status, std::string(message)));
}

asio::awaitable<http::Response> RapiHandler::handle(http::Request request) {
  std::optional<ApiError> failure;
  std::string principal;  // set once the credentials were verified
  AuditTrail trail;
  std::optional<bool> audited;  // known once the row is
  const Resource* matched = nullptr;
  std::chrono::steady_clock::time_point started;
  if (metrics_) started = std::chrono::steady_clock::now();
  try {
    http::Response response = co_await dispatch(request, principal, trail, audited, matched);
    if (*audited) audit(request, principal, response.status, std::string_view(), trail);
    response.principal = std::move(principal);
    if (metrics_) record(request, matched, response.status, started);
    co_return response;
  } catch (...) {
    failure = to_api_error(std::current_exception(), luxi_.config().socket_path);
  }
  // Refused before the route was looked at (--require-authentication): it
  // still names the request in the metrics and decides its audit line.
  if (!matched && (metrics_ || options_.audit)) {
    const std::string_view target = request.target;
    const auto route = match(target.substr(0, target.find('?')));
    if (route) matched = route->resource;
  }
  if (!audited) {
    const auto verb = parse_method(to_upper(request.method));
    const MethodDef* def = matched && verb ? matched->method(*verb) : nullptr;
    audited = def && audits(*verb, *def);
  }
  if (*audited) audit(request, principal, failure->status(), failure->message(), trail);
  // Like the original: unexpected failures (500) are errors in the log,
  // the master being unreachable or slow (502-504) a warning.
  if (failure->status() == 500) {
    SPDLOG_ERROR("Caught exception while serving {} {}: {}", request.method, request.target,
                 failure->message());
  } else if (failure->status() > 500) {
    SPDLOG_WARN("{} {}: {} {}", request.method, request.target, failure->status(),
                failure->message());
  }
  http::Response response = error_response(*failure);
  response.principal = std::move(principal);
  if (metrics_) record(request, matched, response.status, started);
  co_return response;
}

void RapiHandler::record(const http::Request& request, const Resource* matched, int status,
                         std::chrono::steady_clock::time_point started) const {
  metrics_->record(matched, request.method, status, std::chrono::steady_clock::now() - started);
}

std::optional<RouteMatch> RapiHandler::match(std::string_view path) const {
  auto route = router_.match(path);
  if (!route) route = rapid_router_.match(path);
  return route;
}

bool RapiHandler::audits(Method verb, const MethodDef& method) const {
  return options_.audit && is_audited(verb, method);
}

RapiHandler::Admitted RapiHandler::admit(const http::Request& request, std::string& principal,
                                         const Resource*& matched) const {
  const std::string_view target = request.target;
  const auto question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string method_name = to_upper(request.method);

  std::optional<RouteMatch> route;
  const MethodDef* method = nullptr;
  std::optional<Method> verb;
  const auto resolve = [&] {
    route = match(path);
    if (!route) throw ApiError(404);
    matched = route->resource;
    verb = parse_method(method_name);
    method = verb ? route->resource->method(*verb) : nullptr;
    if (!method) {
      throw ApiError(501, "Method " + method_name + " is unsupported for path " + request.target);
    }
  };

  // Without --require-authentication the route decides whether credentials
  // are needed, so 404/501 come first; with it, credentials come first.
  bool needs_auth = options_.require_authentication;
  if (!needs_auth) {
    resolve();
    needs_auth = method->access != Access::anonymous;
  }
  const auto authorization = request.header("Authorization");
  // Credentials sent to a public resource are checked all the same.
  if (needs_auth || authorization) {
    if (!authorization || authorization->empty()) throw ApiError(401);
    const auto parsed = auth::parse_authorization(*authorization);
    if (std::holds_alternative<auth::MissingBasicCredentials>(parsed)) {
      throw bad_request("Basic authentication requires credentials");
    }
    const auto* credentials = std::get_if<auth::Credentials>(&parsed);
    if (!credentials) throw ApiError(401);
    if (!route) resolve();
    const auto users = users_.current();
    const auth::User* user = users->find(credentials->user);
    if (!user || !auth::verify_password(user->password, credentials->user, credentials->password)) {
      throw ApiError(401);
    }
    principal = credentials->user;
    if (!allows(*method, *user)) {
      // The answer is 3.0's bare 403; only the log names what was missing.
      if (user->permissions) {
        SPDLOG_WARN("User '{}' lacks permission '{}' for {} {}", user->name,
                    method->permission->name(), method_name, path);
      }
      throw ApiError(403);
    }
  }

  std::optional<Json> body;
  if (!request.body.empty()) {
    const std::string_view content_type =
        request.header("Content-Type").value_or("application/octet-stream");
    if (!is_json_media_type(content_type)) throw ApiError(415);
    // A body nested deeper than Python's decoder goes fails there too; here
    // it would exhaust the stack of a recursive step.
    if (!json_nesting_exceeds(request.body, kMaxJsonNesting)) body = parse_json(request.body);
    if (!body || !wrap_private_values(*body)) throw bad_request("Unable to parse JSON data");
  }

  return Admitted{
      Context{request, *route->resource, std::move(route->items),
              QueryArgs::parse(question == std::string_view::npos ? std::string_view()
                                                                  : target.substr(question + 1),
                               method->query,
                               options_.refuse_undeclared_query_args ? QueryArgs::Undeclared::refuse
                                                                     : QueryArgs::Undeclared::log),
              std::move(body), luxi_},
      method, *verb};
}

asio::awaitable<http::Response> RapiHandler::dispatch(const http::Request& request,
                                                      std::string& principal, AuditTrail& trail,
                                                      std::optional<bool>& audited,
                                                      const Resource*& matched) {
  Admitted call = admit(request, principal, matched);
  audited = audits(call.verb, *call.method);
  if (*audited) call.ctx.audit = &trail;
  // rapid's description as it is: not a RAPI answer, whose osparams_private
  // members would be redacted.
  if (call.ctx.resource.pattern() == kOpenApiPath) co_return json_response(200, openapi_answer());
  // (if/else, not "?:": see "Coroutine rules" in docs/architecture.md.)
  Json result;
  call.ctx.share_bodies = true;
  if (call.method->handler) {
    result = co_await call.method->handler(call.ctx);
  } else {
    result = co_await run_opcode_method(call.ctx, *call.method);
  }
  if (call.ctx.shared_body) co_return shared_response(std::move(call.ctx.shared_body));
  co_return json_response(200, render_body(std::move(result)));
}

void RapiHandler::audit(const http::Request& request, const std::string& principal, int status,
                        std::string_view error, const AuditTrail& trail) const {
  try {
    AuditRecord record;
    record.time = std::chrono::system_clock::now();
    record.peer = request.peer;
    record.user = principal.empty() ? nullptr : &principal;
    record.method = request.method;
    record.target = request.target;
    record.status = status;
    record.error = error;
    record.trail = &trail;
    options_.audit(audit_line(record));
  } catch (const std::exception& e) {
    SPDLOG_ERROR("Cannot write the audit line of {} {}: {}", request.method, request.target,
                 e.what());
  }
}

}  // namespace rapid::rapi
