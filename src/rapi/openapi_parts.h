#pragma once
// What the OpenAPI description (openapi.cpp) cannot read off the tables:
// what each hand-written handler answers and reads from the body, what the
// query arguments mean, and the few opcode inputs that take a body other
// than the opcode's parameters. Private to openapi*.cpp.

#include <boost/asio/awaitable.hpp>
#include <span>
#include <string_view>

#include "rapi/resource.h"
#include "util/json.h"

namespace rapid::rapi::openapi {

struct HandlerDoc {
  HandlerFn handler;
  std::string_view summary;
  Json (*response)();          // the 200 answer's schema
  Json (*body)() = nullptr;    // the request body's schema; nullptr: not read
  bool body_required = false;  // the handler fails without one
};
// Every handler of the resource tables has one (openapi_document() throws otherwise).
std::span<const HandlerDoc> handler_docs();

// What a query argument means; throws std::logic_error for a name it does not know.
std::string_view query_description(std::string_view name);

// An opcode input that needs more than the opcode's parameters to describe
// its body: members a probe body must carry for the input to accept it,
// or a whole-body schema of its own.
struct InputDoc {
  InputFn input;
  Json (*probe)() = nullptr;  // members the input requires (merged into the probe body)
  // Applied to the body schema derived from the opcode (may replace it).
  void (*adjust)(Json& body, const Json& create_body) = nullptr;
  bool body_required = false;
};
// nullptr: none.
const InputDoc* input_doc(InputFn input);

// GET /rapid/openapi.json's handler in the table (openapi.cpp); RapiHandler
// answers openapi_answer() instead, unredacted.
boost::asio::awaitable<Json> get_openapi(Context&);

// Shared schemas (components).
Json ref(std::string_view component);  // {"$ref": "#/components/schemas/<component>"}
Json error_schema();
Json job_id_schema();
Json falsy();  // null, false, 0, "", [], {}

}  // namespace rapid::rapi::openapi
