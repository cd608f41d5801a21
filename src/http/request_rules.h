#pragma once
// Which requests the HTTP layer refuses, and with what answer: Ganeti's
// request-line rules (lib/http/server.py, ParseStartLine and the Host check)
// on top of what Beast's parser accepts. Plain functions over the buffered
// bytes and Beast's verdicts; the session does the I/O.

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/verb.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rapid::http {

// A request refused before it reached the handler; the connection closes
// after the answer.
struct Rejection {
  int status;
  std::string message;
  unsigned version = 11;  // of the answer's status line

  bool operator==(const Rejection&) const = default;
};

// The empty lines (CRLF or bare LF) at the start of `buffered`, which come
// before a request line and are dropped (RFC 7230 3.5; Ganeti skips them).
struct LeadingEmptyLines {
  std::size_t length;  // bytes to drop
  bool need_more;      // nothing else buffered yet, or a lone CR that may start a CRLF
};
LeadingEmptyLines leading_empty_lines(std::string_view buffered);

// The first line of what the client sent, for error messages: up to the
// first CR or LF, cut at 256 bytes, invalid UTF-8 replaced by U+FFFD.
std::string first_line(std::string_view buffered);

// Python's str.split() of a request line, on the separators Ganeti meets.
std::vector<std::string> split_words(std::string_view line);

// Ganeti's verdict on a request line Beast refused for its version (Beast
// takes HTTP/1.0 and HTTP/1.1 only): 505 for HTTP/<major>.<minor> with
// major >= 2, otherwise a 400 with Ganeti's message.
Rejection version_error(const std::string& line);

// What to answer to a request Beast could not read, if anything (nullopt:
// close silently, e.g. timeouts and clients that went away).
// `header_version` is the request's version once its header was parsed.
std::optional<Rejection> read_rejection(boost::beast::error_code ec,
                                        std::optional<unsigned> header_version,
                                        std::size_t max_body_bytes, std::string_view buffered);

// A parsed header refused for its version or a missing Host.
std::optional<Rejection> header_rejection(unsigned version, bool has_host);

// How the body is framed (RFC 9112 §6), judged from the header before any
// body byte is read, so that rapid never reads a body differently from a
// proxy in front of it. `transfer_encodings` holds each Transfer-Encoding
// field line in order (several lines form one list). Refused, and the
// connection closed: Content-Length together with Transfer-Encoding (400),
// Transfer-Encoding in HTTP/1.0 (400), chunked not the last coding or given
// twice (400), any other coding list than exactly "chunked" (501).
std::optional<Rejection> framing_rejection(unsigned version,
                                           const std::vector<std::string>& transfer_encodings,
                                           bool has_content_length);

// Beast stops reading a header at the first Content-Length or
// Transfer-Encoding field that conflicts with the ones before it
// (bad_content_length, bad_transfer_encoding), leaving that field's line at
// the start of `buffered` and the earlier fields parsed. The framing verdict
// on the fields so far plus that line, or nullopt for any other error.
std::optional<Rejection> framing_rejection_at(boost::beast::error_code ec, unsigned version,
                                              std::vector<std::string> transfer_encodings,
                                              bool has_content_length, std::string_view buffered);

// Whether to send "100 Continue" before reading the body.
bool wants_continue(unsigned version, std::optional<std::string_view> expect);

// Whether the connection may carry another request after this one's answer.
bool may_keep_alive(bool client_keeps_alive, boost::beast::http::verb method);

// The version of an answer's status line.
unsigned answer_version(unsigned request_version);

}  // namespace rapid::http
