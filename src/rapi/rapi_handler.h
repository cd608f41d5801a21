#pragma once
// The RAPI request handler: authentication and access control (Ganeti's
// order of checks), routing, body decoding, dispatch to the resource, and
// Ganeti's JSON answers and error bodies.

#include <memory>

#include "http/handler.h"
#include "rapi/audit.h"
#include "rapi/request_metrics.h"
#include "rapi/resource.h"
#include "rapi/router.h"

namespace rapid::auth {
class UserStore;
}
namespace rapid::luxi {
class Client;
}

namespace rapid::rapi {

struct RapiOptions {
  // --require-authentication: every request needs valid credentials, and
  // they are checked before the path is even looked at.
  bool require_authentication = false;
  // Reading a query argument the resource table does not declare: a 500
  // (the tests' in-process server), or a logged error (the daemon).
  bool refuse_undeclared_query_args = false;
  // --audit-log: where the audit lines of writes go (none when empty).
  AuditSink audit;
};

class RapiHandler final : public http::Handler {
 public:
  RapiHandler(RapiOptions options, const auth::UserStore& users, luxi::Client& luxi);

  boost::asio::awaitable<http::Response> handle(http::Request request) override;
  http::Response protocol_error(int status, std::string_view message) override;

  // Counts every request from now on (--metrics-port); null: none. Set
  // before serving.
  void set_metrics(RequestMetrics* metrics) { metrics_ = metrics; }

 private:
  // What passed Ganeti's checks, in Ganeti's order: route (404/501) unless
  // --require-authentication, credentials (401/400), access (403), body
  // (415/400). Throws ApiError. `principal` gets the user name as soon as
  // the credentials are verified (also when access is then refused).
  struct Admitted {
    Context ctx;
    const MethodDef* method;
    Method verb;
  };
  // Ganeti's table, then rapid's own.
  std::optional<RouteMatch> match(std::string_view path) const;
  // `matched` gets the resource as soon as the route is known (metrics).
  Admitted admit(const http::Request& request, std::string& principal,
                 const Resource*& matched) const;
  // `audited` is set once the row is known: whether it is audited (and
  // then ctx.audit points at `trail`).
  boost::asio::awaitable<http::Response> dispatch(const http::Request& request,
                                                  std::string& principal, AuditTrail& trail,
                                                  std::optional<bool>& audited,
                                                  const Resource*& matched);
  bool audits(Method verb, const MethodDef& method) const;
  // Writes the audit line of a request to an audited row.
  void audit(const http::Request& request, const std::string& principal, int status,
             std::string_view error, const AuditTrail& trail) const;
  void record(const http::Request& request, const Resource* matched, int status,
              std::chrono::steady_clock::time_point started) const;

  RapiOptions options_;
  const auth::UserStore& users_;
  luxi::Client& luxi_;
  Router router_;
  Router rapid_router_;  // rapid's own resources (openapi.h), after Ganeti's
  RequestMetrics* metrics_ = nullptr;
};

// {"code": N, "message": <HTML-escaped>, "explain": ...} plus "\n".
std::string error_body(int status, std::string_view message);

}  // namespace rapid::rapi
