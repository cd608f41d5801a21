// Replies of luxid, any bytes in any pieces, through the real LUXI client:
// the connection's framing on 0x03 (reply limit, bytes after the message,
// no terminator before EOF), decode_response() and the mapping of its
// errors to HTTP. A call returns a result or throws luxi::Error, nothing
// else. Input: one byte (0: the reply in one write, n: writes of n bytes),
// then the bytes the fake luxid sends before closing the connection.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "luxi/client.h"
#include "luxi/error.h"
#include "luxi/protocol.h"
#include "rapi/error_mapping.h"

namespace {

namespace asio = boost::asio;
using asio::local::stream_protocol;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
// Small, so that the fuzzer reaches the reply limit.
constexpr std::size_t kMaxReplyBytes = 1024;

std::string socket_path() {
  char directory[] = "/tmp/rapid-fuzz-luxi-XXXXXX";
  if (!::mkdtemp(directory)) std::abort();
  return std::string(directory) + "/socket";
}

struct World {
  World() : path(socket_path()), acceptor(io, stream_protocol::endpoint(path)) {
    spdlog::set_level(spdlog::level::off);
  }
  ~World() { ::unlink(path.c_str()); }
  rapid::luxi::ClientConfig config() const {
    rapid::luxi::ClientConfig c;
    c.socket_path = path;
    c.call_timeout = std::chrono::seconds(5);
    c.max_reply_bytes = kMaxReplyBytes;
    return c;
  }
  asio::io_context io;
  std::string path;
  stream_protocol::acceptor acceptor;
};

// One connection: reads the request, sends `reply` in pieces of `piece`
// bytes (letting the client read in between), closes.
asio::awaitable<void> serve_one(stream_protocol::acceptor& acceptor, std::string reply,
                                std::size_t piece) {
  auto [accept_ec, socket] = co_await acceptor.async_accept(kTuple);
  if (accept_ec) co_return;
  std::string request;
  auto [read_ec, request_size] = co_await asio::async_read_until(
      socket, asio::dynamic_buffer(request), rapid::luxi::kEndOfMessage, kTuple);
  if (read_ec) co_return;
  for (std::size_t offset = 0; offset < reply.size(); offset += piece) {
    const std::size_t n = std::min(piece, reply.size() - offset);
    auto [write_ec, written] =
        co_await asio::async_write(socket, asio::buffer(reply.data() + offset, n), kTuple);
    if (write_ec) co_return;
    co_await asio::post(socket.get_executor(), asio::use_awaitable);
  }
}

// Ends by destroying the client: its pooled connection closes, so a fake
// luxid still writing bytes after the reply (which the idle connection does
// not read) gets an error instead of waiting forever on a full socket.
asio::awaitable<void> call(std::unique_ptr<rapid::luxi::Client>& client,
                           const std::string& socket_path) {
  std::optional<rapid::luxi::Error> failure;
  try {
    const rapid::Json result = co_await client->call("QueryClusterInfo", rapid::Json::array(),
                                                     rapid::luxi::Resend::never);
    (void)rapid::dump_python(result);
  } catch (const rapid::luxi::Error& error) {
    failure = error;
  }
  client.reset();
  if (failure) {
    const auto mapped =
        rapid::rapi::map_luxi_error(*failure, rapid::rapi::LuxiContext::query, socket_path);
    if (mapped.status() < 400 || mapped.status() > 599) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static World world;
  if (size == 0) return 0;
  const std::size_t piece = data[0] == 0 ? size : data[0];
  std::string reply(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto client = std::make_unique<rapid::luxi::Client>(world.io.get_executor(), world.config());
  // The client never re-sends here (Resend::never): one connection per input.
  asio::co_spawn(world.io, serve_one(world.acceptor, std::move(reply), piece), asio::detached);
  auto done = asio::co_spawn(world.io, call(client, world.path), asio::use_future);
  world.io.restart();
  world.io.run();
  done.get();  // anything but luxi::Error escaping the client ends the run
  return 0;
}
