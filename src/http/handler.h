#pragma once

#include <boost/asio/awaitable.hpp>
#include <string_view>

#include "http/message.h"

namespace rapid::http {

// What the HTTP server calls for every request it has read completely.
class Handler {
 public:
  virtual ~Handler() = default;

  // Must not throw: every failure becomes a Response.
  virtual boost::asio::awaitable<Response> handle(Request request) = 0;

  // The answer to a request the HTTP layer itself rejects (bad syntax,
  // limits exceeded, unsupported version). `message` is plain text.
  virtual Response protocol_error(int status, std::string_view message) = 0;
};

}  // namespace rapid::http
