// A whole request through the RAPI handler (routing, authentication,
// access, body decoding, query parsing, opcode building) without sockets.
// The LUXI socket does not exist, so calls fail the way they do when the
// master is down. Input: "<method> <target>\n<authorization>\n<content-type>\n<body>".
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>

#include "auth/user_store.h"
#include "http/message.h"
#include "luxi/client.h"
#include "rapi/rapi_handler.h"

namespace {

struct World {
  World() : users(path()), luxi(io.get_executor(), config()), handler({}, users, luxi) {
    users.reload();
  }
  static std::string path() {
    const std::string file = "/tmp/rapid-fuzz-users";
    std::ofstream(file) << "admin adminpass write\nreader readpass read\n";
    return file;
  }
  static rapid::luxi::ClientConfig config() {
    rapid::luxi::ClientConfig c;
    c.socket_path = "/nonexistent/rapid-fuzz.sock";
    return c;
  }
  boost::asio::io_context io;
  rapid::auth::UserStore users;
  rapid::luxi::Client luxi;
  rapid::rapi::RapiHandler handler;
};

std::string_view next_line(std::string_view& text) {
  const auto end = text.find('\n');
  const std::string_view line = text.substr(0, end);
  text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static World world;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string_view request_line = next_line(text);
  rapid::http::Request request;
  const auto space = request_line.find(' ');
  request.method = std::string(request_line.substr(0, space));
  request.target =
      space == std::string_view::npos ? "/" : std::string(request_line.substr(space + 1));
  request.headers.push_back({"Host", "fuzz"});
  if (const auto auth = next_line(text); !auth.empty())
    request.headers.push_back({"Authorization", std::string(auth)});
  if (const auto type = next_line(text); !type.empty())
    request.headers.push_back({"Content-Type", std::string(type)});
  request.body = std::string(text);
  request.peer = "fuzz:0";

  auto future = boost::asio::co_spawn(world.io, world.handler.handle(std::move(request)),
                                      boost::asio::use_future);
  world.io.restart();
  world.io.run();
  const rapid::http::Response response = future.get();
  if (response.status < 200 || response.status > 599) std::abort();
  if (response.body.empty() || response.body.back() != '\n') std::abort();
  return 0;
}
