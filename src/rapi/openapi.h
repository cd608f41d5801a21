#pragma once
// The OpenAPI 3.1 description of the RAPI, built from the tables rapid
// routes with: the resource table (resources.cpp: paths, methods, access,
// permissions, query arguments, opcodes, renames, forbidden parameters)
// and the opcode parameter table (opcode_table.cpp: types, defaults,
// required flags). Committed as docs/openapi.json (docs/openapi.md) and
// served at kOpenApiPath.

#include <string>
#include <string_view>
#include <vector>

#include "rapi/resource.h"
#include "util/json.h"

namespace rapid::rapi {

// Outside Ganeti's namespace: the original answers 404 there.
inline constexpr std::string_view kOpenApiPath = "/rapid/openapi.json";

// rapid's own resources, routed after Ganeti's table (RapiHandler): the
// description itself, GET only, with /version's access.
const std::vector<Resource>& rapid_resources();

// The document, built on first use (thread-safe) and kept. Throws
// std::logic_error when a table row cannot be described (a handler without
// an entry in openapi.cpp, an undocumented query argument).
const Json& openapi_document();

// docs/openapi.json's text: indented by two, a final newline.
std::string openapi_text();

// The body GET /rapid/openapi.json answers (RapiHandler, never redacted):
// compact, a final newline; built once.
const std::string& openapi_answer();

}  // namespace rapid::rapi
