#pragma once
// Failures of LUXI calls, classified; rapi::to_api_error() maps them to HTTP.

#include <stdexcept>
#include <string>

#include "util/json.h"

namespace rapid::luxi {

enum class ErrorKind {
  no_master,          // socket missing or refusing connections: luxid is not running here
  permission_denied,  // not allowed to connect to the socket
  timeout,            // no complete answer in time
  connection_lost,    // the connection closed or broke during the exchange
  protocol,           // an answer that is not a LUXI response
  undecodable,        // an answer that is not UTF-8 (Python fails decoding it: 500)
  request_rejected,   // success=false with a plain message ("Failed to parse request: ...")
  ganeti_error,       // success=false with an encoded Ganeti exception
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string detail) : std::runtime_error(std::move(detail)), kind_(kind) {}

  // An encoded Ganeti exception, e.g. ["OpPrereqError", ["msg", "unknown_entity"]].
  static Error ganeti(std::string error_class, Json args);

  ErrorKind kind() const noexcept { return kind_; }
  std::string detail() const { return what(); }
  const std::string& error_class() const noexcept { return error_class_; }
  const Json& args() const noexcept { return args_; }

  // Set when a call that changes the cluster failed after its request was
  // (at least partly) written: luxid may have acted on it.
  bool may_have_executed() const noexcept { return may_have_executed_; }
  void set_may_have_executed() noexcept { may_have_executed_ = true; }

 private:
  ErrorKind kind_;
  std::string error_class_;
  Json args_;
  bool may_have_executed_ = false;
};

// Whether Python's errors.GetErrorClass() knows the name (a GenericError
// subclass), i.e. whether Ganeti would re-raise it as that exception.
bool is_ganeti_error_class(std::string_view name);

}  // namespace rapid::luxi
