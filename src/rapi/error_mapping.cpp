#include "rapi/error_mapping.h"

namespace rapid::rapi {

using luxi::ErrorKind;

bool is_unknown_entity(const luxi::Error& error) {
  return error.kind() == ErrorKind::ganeti_error && error.error_class() == "OpPrereqError" &&
         error.args().size() == 2 && error.args()[1] == "unknown_entity";
}

ApiError map_luxi_error(const luxi::Error& error, LuxiContext context,
                        const std::string& socket_path) {
  // rapid never re-sends a call that may have changed the cluster; say so
  // instead of letting the client retry blindly (docs/compatibility.md).
  if (error.may_have_executed()) {
    const std::string what =
        "the request may have been carried out (for a job submission: the "
        "job may have been submitted; check /2/jobs before retrying)";
    if (error.kind() == ErrorKind::timeout) {
      return ApiError(504,
                      "Timeout while talking to the master daemon after sending the "
                      "request; " +
                          what);
    }
    return ApiError(502, "Lost the connection to the master daemon after sending the request (" +
                             error.detail() + "); " + what);
  }
  const bool submit = context == LuxiContext::submit;
  switch (error.kind()) {
    case ErrorKind::no_master:
      return ApiError(502, submit ? "Master seems to be unreachable: " + socket_path
                                  : "Can't connect to master daemon: " + socket_path);
    case ErrorKind::permission_denied:
      return ApiError(500, "Internal error: no permission to connect to the master daemon");
    case ErrorKind::undecodable:
      return ApiError(500, error.detail());
    case ErrorKind::timeout:
      if (submit)
        return ApiError(504, "Timeout while talking to the master daemon: " + error.detail());
      return ApiError(504);
    case ErrorKind::connection_lost:
    case ErrorKind::protocol:
    case ErrorKind::request_rejected:
      return ApiError(502, error.detail());
    case ErrorKind::ganeti_error:
      if (submit && error.error_class() == "JobQueueFull") {
        return ApiError(503, "Job queue is full, needs archiving");
      }
      if (submit && error.error_class() == "JobQueueDrainError") {
        return ApiError(503, "Job queue is drained, cannot submit");
      }
      return ApiError(500, error.detail());
  }
  return ApiError(500, error.detail());
}

ApiError to_api_error(std::exception_ptr error, const std::string& socket_path) {
  try {
    std::rethrow_exception(error);
  } catch (const ApiError& e) {
    return e;
  } catch (const luxi::Error& e) {
    return map_luxi_error(e, LuxiContext::query, socket_path);
  } catch (const std::exception& e) {
    return ApiError(500, e.what());
  } catch (...) {
    return ApiError(500, "Unknown error");
  }
}

}  // namespace rapid::rapi
