#pragma once
// The one exception type the RAPI layer raises for client-visible failures.
// Every other failure (LUXI errors, unexpected exceptions) is turned into an
// ApiError by rapi::to_api_error(), the single place where errors meet HTTP.

#include <stdexcept>
#include <string>

namespace rapid::rapi {

class ApiError : public std::runtime_error {
 public:
  // An empty message means "the status's reason phrase" (as Ganeti does).
  ApiError(int status, std::string message = {})
      : std::runtime_error(std::move(message)), status_(status) {}

  int status() const noexcept { return status_; }
  std::string message() const { return what(); }

 private:
  int status_;
};

inline ApiError bad_request(std::string message) { return ApiError(400, std::move(message)); }

}  // namespace rapid::rapi
