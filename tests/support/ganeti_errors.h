#pragma once
// Ganeti's JSON error body, written out independently of rapid's own code so
// that the tests check rapid against Ganeti and not against itself.

#include <string>
#include <string_view>

namespace rapid::testing {

// Python's BaseHTTPRequestHandler.responses as Ganeti's HTTP server uses
// them (lib/http/server.py, _SetError): the short text (reason phrase) and
// the long one ("explain"); "Unknown" for a status not in the table.
std::string_view ganeti_reason(int status);
std::string_view ganeti_explain(int status);

// The body Ganeti answers an HttpException with:
// {"code": N, "message": "...", "explain": "..."} and a newline. `message`
// as it appears on the wire (HTML-escaped); empty stands for none, which
// Ganeti replaces with the reason phrase.
std::string ganeti_error_body(int status, std::string_view message = {});

}  // namespace rapid::testing
