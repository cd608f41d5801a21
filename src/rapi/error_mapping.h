#pragma once
// The one place where failures are turned into HTTP statuses and Ganeti's
// messages (baserlib.GetClient/SubmitJob in lib/rapi/baserlib.py,
// RemoteApiHandler.HandleRequest in lib/server/rapi.py).

#include <exception>

#include "luxi/error.h"
#include "rapi/api_error.h"

namespace rapid::rapi {

enum class LuxiContext {
  query,   // any call made while serving a request
  submit,  // SubmitJob (baserlib.SubmitJob's own mapping)
};

ApiError map_luxi_error(const luxi::Error& error, LuxiContext context,
                        const std::string& socket_path);

// Any exception escaping a handler: ApiError as is, luxi::Error mapped as a
// query failure, anything else 500 with its text (as Python's str(err)).
ApiError to_api_error(std::exception_ptr error, const std::string& socket_path);

// True for luxid's OpPrereqError(..., "unknown_entity") (item lookups
// answer 404 for it).
bool is_unknown_entity(const luxi::Error& error);

}  // namespace rapid::rapi
