#pragma once
// RAPI resources as declarations: a path pattern, and per HTTP method the
// access class (3.0's), the permission (upstream's), and either a handler
// coroutine or an opcode to submit (with the opcode's input function,
// renames and forbidden parameters). Adding a resource is one entry in
// resources.cpp.

#include <array>
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/permissions.h"
#include "http/message.h"
#include "rapi/opcode.h"
#include "rapi/query_args.h"
#include "util/json.h"

namespace rapid::luxi {
class Client;
}

namespace rapid::rapi {

// Who may call a method (Ganeti's *_ACCESS lists).
enum class Access {
  anonymous,      // []: anyone, unless --require-authentication
  read_or_write,  // [write, read]
  write,          // [write]
};

enum class Method { get, put, post, del };
inline constexpr std::array<Method, 4> kMethods = {Method::get, Method::put, Method::post,
                                                   Method::del};
std::optional<Method> parse_method(std::string_view upper_case_name);
std::string_view method_name(Method method);  // "GET", ...

class Resource;
struct AuditTrail;

// Everything a handler may look at.
struct Context {
  const http::Request& request;
  const Resource& resource;
  std::vector<std::string> items;  // the URL's [name], [job_id], [disk_index] segments
  QueryArgs query;
  std::optional<Json> body;  // nullopt: no body (Python None)
  luxi::Client& luxi;
  AuditTrail* audit = nullptr;  // set for audited requests (rapi/audit.h)
  // Set by RapiHandler, which writes the answer: a handler may then answer
  // with `shared_body`, the finished body (render_body() of luxi_calls.h)
  // shared with the requests its LUXI answer was shared with, and return
  // null. Unset (other callers of handlers), handlers return the Json.
  bool share_bodies = false;
  std::shared_ptr<const std::string> shared_body;

  const Json* body_or_null() const { return body ? &*body : nullptr; }
  const std::string& item(std::size_t i = 0) const { return items.at(i); }
};

// What an opcode resource submits: the user-controlled parameters
// (nullopt = None) and the parameters RAPI fixes from the URL and query.
struct OpcodeInput {
  std::optional<Json> params;
  Json fixed = Json::object();
};

using HandlerFn = boost::asio::awaitable<Json> (*)(Context&);
using InputFn = OpcodeInput (*)(Context&);

struct MethodDef {
  Access access = Access::anonymous;  // for users with 3.0's options
  // For users with permissions (auth/permissions.h); nullopt: any
  // authenticated user (upstream's AUTH_REQUIRED=False resources).
  std::optional<auth::Permission> permission{};
  HandlerFn handler = nullptr;  // a hand-written handler, or:
  std::string_view opcode{};    // the opcode submitted as a one-opcode job
  InputFn input = nullptr;      // null: the request body, nothing fixed
  std::vector<Rename> renames{};
  std::vector<std::string_view> forbidden{};
  // The query arguments the handler or input reads (Context::query refuses
  // others); the OpenAPI description (openapi.cpp) lists them.
  std::vector<QueryParam> query{};
};

class Resource {
 public:
  // `pattern`: literal segments and [name], [job_id], [disk_index];
  // `id`: the name in the reason trail (gnt:library:rlib2:<id>).
  Resource(std::string_view pattern, std::string_view id,
           std::vector<std::pair<Method, MethodDef>> methods);

  std::string_view pattern() const { return pattern_; }
  std::string_view id() const { return id_; }
  const MethodDef* method(Method m) const;

 private:
  std::string_view pattern_;
  std::string_view id_;
  std::array<std::optional<MethodDef>, 4> methods_;
};

// The resource table of Ganeti 3.0's RAPI version 2.
const std::vector<Resource>& resources();

// The tag kind of a tags resource (rlib2's TAG_LEVEL): the URL decides.
std::string_view tag_kind(const Context& ctx);

}  // namespace rapid::rapi
