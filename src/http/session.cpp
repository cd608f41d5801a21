#include "http/session.h"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "http/http_date.h"
#include "http/request_rules.h"
#include "http/tls_stream.h"

namespace rapid::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// How long a closing connection waits for the client to go away, so unread
// request bytes do not turn our close into a reset that eats the response.
constexpr std::chrono::seconds kLingerTimeout{1};
constexpr std::size_t kLingerMaxBytes = 64 * 1024;

std::string format_peer(const tcp::endpoint& endpoint) {
  auto address = endpoint.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  return address.to_string() + ":" + std::to_string(endpoint.port());
}

// The handler's view of a parsed request (moves the body out).
Request to_request(bhttp::request<bhttp::string_body>& message, const std::string& peer) {
  Request request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  request.version = message.version();
  for (const auto& field : message) {
    request.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  }
  request.body = std::move(message.body());
  request.peer = peer;
  return request;
}

// What the access log needs of a request the handler has taken.
Request start_line_of(const Request& request) {
  Request logged;
  logged.method = request.method;
  logged.target = request.target;
  logged.version = request.version;
  logged.peer = request.peer;
  return logged;
}

std::string_view buffered(const beast::flat_buffer& buffer) {
  const auto data = buffer.data();
  return std::string_view(static_cast<const char*>(data.data()), data.size());
}

std::optional<std::string_view> field_value(const bhttp::request<bhttp::string_body>& message,
                                            bhttp::field name) {
  const auto found = message.find(name);
  if (found == message.end()) return std::nullopt;
  return std::string_view(found->value());
}

// Every line of a header field, in order.
std::vector<std::string> field_lines(const bhttp::request<bhttp::string_body>& message,
                                     bhttp::field name) {
  std::vector<std::string> lines;
  const auto [first, last] = message.equal_range(name);
  for (auto field = first; field != last; ++field) lines.emplace_back(field->value());
  return lines;
}

std::array<asio::const_buffer, 2> head_and_body(const std::string& head, std::string_view body) {
  return {asio::buffer(head), asio::buffer(body.data(), body.size())};
}

bool has_field(const bhttp::request<bhttp::string_body>& message, bhttp::field name) {
  return message.find(name) != message.end();
}

// Start and end of a connection, one overload per stream kind (plain
// functions rather than "if constexpr": GCC 12 miscompiles co_await inside
// a discarded-statement branch of a coroutine template).
asio::awaitable<bool> handshake(beast::tcp_stream&, std::chrono::milliseconds, const std::string&) {
  co_return true;
}

asio::awaitable<bool> handshake(TlsStream& stream, std::chrono::milliseconds timeout,
                                const std::string& peer) {
  stream.expires_after(timeout);
  auto [ec] = co_await stream.async_handshake(kTuple);
  if (ec) {
    // Port scanners and load-balancer probes connect and leave: not worth
    // more than a debug line.
    SPDLOG_DEBUG("TLS handshake with {} failed: {}", peer, ec.message());
    co_return false;
  }
  co_return true;
}

// Waits for the client to close first: closing with unread input pending
// would reset the connection and could lose our answer.
asio::awaitable<void> finish(beast::tcp_stream& stream) {
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.expires_after(kLingerTimeout);
  std::array<char, 4096> scratch;
  std::size_t drained = 0;
  while (drained < kLingerMaxBytes) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(scratch), kTuple);
    if (ec) break;
    drained += n;
  }
  stream.close();
}

asio::awaitable<void> finish(TlsStream& stream) {
  stream.expires_after(kLingerTimeout);
  co_await stream.async_shutdown(kTuple);
  stream.close();
}

template <class Stream>
class Session final : public Connection, public std::enable_shared_from_this<Session<Stream>> {
 public:
  // `context` is the TLS context the stream uses (null for plain TCP).
  Session(std::shared_ptr<asio::ssl::context> context, Stream stream, std::string peer,
          std::shared_ptr<SessionShared> shared, Occupancy occupancy)
      : context_(std::move(context)),
        stream_(std::move(stream)),
        peer_(std::move(peer)),
        shared_(std::move(shared)),
        occupancy_(std::move(occupancy)) {}

  asio::awaitable<void> run() {
    // (co_await results go through variables, never straight into a
    // condition: GCC 12 miscompiles that.)
    const bool secured = co_await handshake(stream_, limits().handshake_timeout, peer_);
    if (secured) co_await serve();
    if (!secured) shared_->tls_handshake_failures.fetch_add(1, std::memory_order_relaxed);
    // Closing costs this thread nothing more: the next client may come here
    // (a sequential client's next connection, while this one lingers, stays
    // on the LUXI pool's thread).
    occupancy_ = Occupancy();
    co_await finish(stream_);
  }

  void close_when_idle() override {
    asio::post(lowest().get_executor(), [self = this->shared_from_this()] {
      self->stopping_ = true;
      if (self->idle_) self->lowest().cancel();
    });
  }

  void close_now() override {
    asio::post(lowest().get_executor(), [self = this->shared_from_this()] {
      self->stopping_ = true;
      self->lowest().close();
    });
  }

 private:
  // The layer with the deadline and the socket: beast::tcp_stream or TlsStream.
  auto& lowest() { return beast::get_lowest_layer(stream_); }
  const Limits& limits() const { return shared_->config.limits; }

  asio::awaitable<void> serve() {
    for (bool first = true;; first = false) {
      std::optional<Request> request = co_await read_request(first);
      if (!request) co_return;
      lowest().expires_never();
      // The handler takes the request, body and all; the access log needs
      // only these few fields after it.
      const Request logged = start_line_of(*request);
      Response response = co_await call_handler(std::move(*request));
      const bool keep_alive = keep_alive_ && !stopping_;
      const bool written =
          co_await write_response(std::move(response), logged.version, keep_alive, &logged);
      if (!written || !keep_alive) co_return;
      // A kept-alive connection waits with no buffer of its last request.
      if (buffer_.size() == 0) buffer_.shrink_to_fit();
    }
  }

  // The next request, complete; nullopt when the connection is done: closed,
  // timed out, or a protocol error that has been answered already. Sets
  // keep_alive_ for the answer.
  asio::awaitable<std::optional<Request>> read_request(bool first) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits().max_header_bytes));
    parser.body_limit(limits().max_body_bytes);

    // Only a kept-alive connection waiting for its next request is idle
    // (a shutdown closes it at once). A new connection's first request is
    // waited for: its client connected before the shutdown and gets its
    // answer, even if no byte of the request has arrived yet.
    idle_ = !first && buffer_.size() == 0;
    if (stopping_ && idle_) co_return std::nullopt;
    lowest().expires_after(first ? limits().header_timeout : limits().idle_timeout);
    const beast::error_code skip_ec = co_await skip_empty_lines();
    if (skip_ec) co_return std::nullopt;  // closed, timed out or cancelled: no answer
    idle_ = false;                        // a request has begun
    const beast::error_code read_ec = co_await read_header(parser);
    if (read_ec) {
      co_await reject_unreadable(read_ec, parser);
      co_return std::nullopt;
    }

    const unsigned version = parser.get().version();
    const bool has_host = parser.get().find(bhttp::field::host) != parser.get().end();
    const std::optional<Rejection> refused = header_rejection(version, has_host);
    if (refused) {
      co_await send_error(refused->status, refused->message, refused->version);
      co_return std::nullopt;
    }
    // Before any body byte: a body framed in a way a proxy could read
    // differently is never read, let alone handled.
    const std::optional<Rejection> misframed =
        framing_rejection(version, field_lines(parser.get(), bhttp::field::transfer_encoding),
                          has_field(parser.get(), bhttp::field::content_length));
    if (misframed) {
      co_await send_error(misframed->status, misframed->message, misframed->version);
      co_return std::nullopt;
    }
    if (!parser.is_done()) {
      if (wants_continue(version, field_value(parser.get(), bhttp::field::expect))) {
        bhttp::response<bhttp::empty_body> interim(bhttp::status::continue_, 11);
        lowest().expires_after(limits().write_timeout);
        auto [ec, n] = co_await bhttp::async_write(stream_, interim, kTuple);
        if (ec) co_return std::nullopt;
      }
      lowest().expires_after(limits().body_timeout);
      auto [body_ec, m] = co_await bhttp::async_read(stream_, buffer_, parser, kTuple);
      if (body_ec) {
        co_await reject_unreadable(body_ec, parser);
        co_return std::nullopt;
      }
    }

    auto& message = parser.get();
    keep_alive_ = may_keep_alive(message.keep_alive(), message.method());

    co_return to_request(message, peer_);
  }

  // Reads until the parser has the whole header. Beast's header_limit
  // bounds the unparsed bytes of one put(), not the header block: lines
  // arriving a few at a time never reach it. The block is counted here.
  asio::awaitable<beast::error_code> read_header(
      bhttp::request_parser<bhttp::string_body>& parser) {
    std::size_t parsed = 0;
    while (true) {
      beast::error_code ec;
      const std::size_t used = parser.put(buffer_.data(), ec);
      buffer_.consume(used);
      parsed += used;
      if (!ec && parser.is_header_done()) co_return ec;
      if (ec && ec != bhttp::error::need_more) co_return ec;
      if (parsed + buffer_.size() >= limits().max_header_bytes)
        co_return bhttp::error::header_limit;
      auto [read_ec, n] = co_await stream_.async_read_some(buffer_.prepare(4096), kTuple);
      if (read_ec == asio::error::eof) {
        // As Beast's read does: nothing at all is the end of the stream.
        if (!parser.got_some()) co_return bhttp::error::end_of_stream;
        parser.put_eof(ec);
        co_return ec ? ec : beast::error_code(bhttp::error::partial_message);
      }
      if (read_ec) co_return read_ec;
      buffer_.commit(n);
    }
  }

  // Drops empty lines before a request line (Beast would reject them as a
  // bad method), reading until something else arrives.
  asio::awaitable<beast::error_code> skip_empty_lines() {
    while (true) {
      const LeadingEmptyLines empty = leading_empty_lines(buffered(buffer_));
      buffer_.consume(empty.length);
      if (!empty.need_more) co_return beast::error_code();
      auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(4096), kTuple);
      if (ec) co_return ec;
      buffer_.commit(n);
    }
  }

  asio::awaitable<Response> call_handler(Request request) {
    try {
      co_return co_await shared_->handler.handle(std::move(request));
    } catch (const std::exception& e) {
      SPDLOG_ERROR("Unhandled error while serving {}: {}", peer_, e.what());
    }
    co_return shared_->handler.protocol_error(500, "");
  }

  // Read errors: answer what deserves an answer, drop the rest silently
  // (timeouts, clients that went away, TLS failures).
  asio::awaitable<void> reject_unreadable(beast::error_code ec,
                                          const bhttp::request_parser<bhttp::string_body>& parser) {
    std::optional<unsigned> header_version;
    if (parser.is_header_done()) header_version = parser.get().version();
    std::optional<Rejection> answer = framing_rejection_at(
        ec, parser.get().version(), field_lines(parser.get(), bhttp::field::transfer_encoding),
        has_field(parser.get(), bhttp::field::content_length), buffered(buffer_));
    if (!answer)
      answer = read_rejection(ec, header_version, limits().max_body_bytes, buffered(buffer_));
    if (!answer) {
      if (ec != bhttp::error::end_of_stream && ec != asio::error::operation_aborted) {
        SPDLOG_DEBUG("Connection from {} dropped: {}", peer_, ec.message());
      }
      co_return;
    }
    co_await send_error(answer->status, answer->message, answer->version);
  }

  asio::awaitable<void> send_error(int status, const std::string& message, unsigned version) {
    SPDLOG_INFO("{} rejected: {} {}", peer_, status, message);
    Response response = shared_->handler.protocol_error(status, message);
    co_await write_response(std::move(response), version, false, nullptr);
  }

  // Ganeti's header order (append_response_head): Content-Type,
  // (WWW-Authenticate), Connection, Date, Server, Content-Length.
  asio::awaitable<bool> write_response(Response response, unsigned version, bool keep_alive,
                                       const Request* request) {
    // The body is written from `response`, which lives until the write
    // ends: a large or shared answer is not copied. The head goes into a
    // buffer the connection keeps.
    const std::string_view body = response.body_text();
    head_.clear();
    append_response_head(head_, response, answer_version(version), keep_alive,
                         current_http_date(), shared_->config.server_header, body.size());

    // Logged before the answer leaves (as Ganeti does): a client that has
    // its answer finds the line in the log.
    if (request && shared_->access_log) shared_->access_log(*request, response);
    lowest().expires_after(limits().write_timeout);
    const std::array<asio::const_buffer, 2> buffers = head_and_body(head_, body);
    auto [ec, n] = co_await asio::async_write(stream_, buffers, kTuple);
    if (ec) {
      SPDLOG_DEBUG("Writing the response to {} failed: {}", peer_, ec.message());
      co_return false;
    }
    co_return true;
  }

  std::shared_ptr<asio::ssl::context> context_;  // outlives stream_, which refers to it
  Stream stream_;
  beast::flat_buffer buffer_;
  std::string peer_;
  std::shared_ptr<SessionShared> shared_;
  Occupancy occupancy_;
  std::string head_;  // the status line and headers of the answer being written
  bool idle_ = false;
  bool stopping_ = false;
  bool keep_alive_ = false;
};

template <class Stream>
void launch(std::shared_ptr<Session<Stream>> session, const std::shared_ptr<SessionShared>& shared,
            const asio::any_io_executor& executor) {
  shared->tracker.add(session);
  asio::co_spawn(executor, session->run(), [session, shared, executor](std::exception_ptr error) {
    if (shared->tracker.remove(session.get())) release_free_memory_soon(executor);
    if (!error) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      SPDLOG_ERROR("Connection ended with an error: {}", e.what());
    }
  });
}

}  // namespace

void start_session(tcp::socket socket, std::shared_ptr<SessionShared> shared,
                   Occupancy occupancy) {
  beast::error_code ec;
  const auto endpoint = socket.remote_endpoint(ec);
  std::string peer = ec ? std::string("unknown") : format_peer(endpoint);
  // Without this, Nagle's algorithm holds back the second segment of a TLS
  // handshake flight or of an answer until the client's delayed ACK (~40 ms).
  socket.set_option(tcp::no_delay(true), ec);
  const auto executor = socket.get_executor();
  std::shared_ptr<asio::ssl::context> context = shared->tls_context();
  if (context) {
    TlsStream stream(std::move(socket), *context);
    auto session = std::make_shared<Session<TlsStream>>(std::move(context), std::move(stream),
                                                        std::move(peer), shared,
                                                        std::move(occupancy));
    launch(std::move(session), shared, executor);
  } else {
    auto session = std::make_shared<Session<beast::tcp_stream>>(
        nullptr, beast::tcp_stream(std::move(socket)), std::move(peer), shared,
        std::move(occupancy));
    launch(std::move(session), shared, executor);
  }
}

}  // namespace rapid::http
