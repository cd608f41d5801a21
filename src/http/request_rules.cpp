#include "http/request_rules.h"

#include <boost/beast/http/error.hpp>

#include "util/pyrepr.h"
#include "util/text.h"

namespace rapid::http {

namespace bhttp = boost::beast::http;

LeadingEmptyLines leading_empty_lines(std::string_view buffered) {
  std::size_t skip = 0;
  while (true) {
    if (skip < buffered.size() && buffered[skip] == '\n') {
      skip += 1;  // a bare LF ends a line too (RFC 7230 3.5)
    } else if (skip + 1 < buffered.size() && buffered[skip] == '\r' && buffered[skip + 1] == '\n') {
      skip += 2;
    } else {
      break;
    }
  }
  const bool need_more =
      buffered.size() == skip || (buffered.size() == skip + 1 && buffered[skip] == '\r');
  return {skip, need_more};
}

std::string first_line(std::string_view buffered) {
  const std::string_view line = buffered.substr(0, buffered.find_first_of("\r\n"));
  return utf8_sanitize(line.substr(0, 256));
}

std::vector<std::string> split_words(std::string_view line) {
  constexpr std::string_view kSeparators = " \t\v\f";
  std::vector<std::string> words;
  std::size_t pos = 0;
  while (pos < line.size()) {
    const auto start = line.find_first_not_of(kSeparators, pos);
    if (start == std::string_view::npos) break;
    const auto end = line.find_first_of(kSeparators, start);
    words.emplace_back(line.substr(start, end - start));
    pos = end == std::string_view::npos ? line.size() : end;
  }
  return words;
}

Rejection version_error(const std::string& line) {
  const auto words = split_words(line);
  if (words.size() != 3) return {400, "Bad request syntax (" + python_str_repr(line) + ")"};
  const std::string& version = words[2];
  const Rejection bad{400, "Bad request version (" + python_str_repr(version) + ")"};
  if (version.rfind("HTTP/", 0) != 0) return bad;
  const std::string number = version.substr(5);
  const auto dot = number.find('.');
  if (dot == std::string::npos) return bad;
  const std::string major = number.substr(0, dot);
  const std::string minor = number.substr(dot + 1);
  const auto digits = [](const std::string& text) {
    return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
  };
  if (!digits(major) || !digits(minor)) return bad;
  // Leading zeros are ignored: "02.0" is 2.0.
  const auto first = major.find_first_not_of('0');
  const bool at_least_2 =
      first != std::string::npos && (major.size() - first > 1 || major[first] >= '2');
  if (at_least_2) return {505, "Invalid HTTP Version (" + number + ")"};
  return bad;  // 0.x and 1.x other than 1.0/1.1
}

std::optional<Rejection> read_rejection(boost::beast::error_code ec,
                                        std::optional<unsigned> header_version,
                                        std::size_t max_body_bytes, std::string_view buffered) {
  const unsigned version = header_version.value_or(11);
  if (ec == bhttp::error::header_limit) return Rejection{431, "Request header too large", version};
  if (ec == bhttp::error::body_limit) {
    return Rejection{413, "Request body larger than " + std::to_string(max_body_bytes) + " bytes",
                     version};
  }
  if (ec == bhttp::error::bad_version) return version_error(first_line(buffered));
  // Beast's parse errors get a 400; the end of input (client gone, request
  // cut short) and its internal need-more codes close without an answer.
  const bool syntax_error =
      ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
      ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message &&
      ec != bhttp::error::need_more && ec != bhttp::error::need_buffer;
  if (!syntax_error) return std::nullopt;
  if (header_version) return Rejection{400, "Bad request: " + ec.message(), version};
  return Rejection{400, "Bad request syntax (" + python_str_repr(first_line(buffered)) + ")",
                   version};
}

std::optional<Rejection> header_rejection(unsigned version, bool has_host) {
  if (version >= 20) {
    return Rejection{505,
                     "Invalid HTTP Version (" + std::to_string(version / 10) + "." +
                         std::to_string(version % 10) + ")",
                     11};
  }
  if (version == 11 && !has_host) return Rejection{400, "Missing Host header", version};
  return std::nullopt;
}

namespace {

// Without RFC 9110's optional whitespace (spaces and tabs) around it.
std::string_view trim_ows(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// The codings of all Transfer-Encoding lines as one list (RFC 9110 §5.3),
// empty elements dropped, optional whitespace trimmed.
std::vector<std::string> coding_list(const std::vector<std::string>& lines) {
  std::vector<std::string> codings;
  for (const std::string& line : lines) {
    for (const std::string& element : split(line, ',')) {
      const std::string_view coding = trim_ows(element);
      if (!coding.empty()) codings.emplace_back(coding);
    }
  }
  return codings;
}

// The field as quoted in an answer: the lines joined as one list, cut and
// made valid UTF-8 like a request line.
std::string quoted_codings(const std::vector<std::string>& lines) {
  std::string joined;
  for (const std::string& line : lines) joined += (joined.empty() ? "" : ", ") + line;
  return "'" + first_line(joined) + "'";
}

}  // namespace

std::optional<Rejection> framing_rejection(unsigned version,
                                           const std::vector<std::string>& transfer_encodings,
                                           bool has_content_length) {
  if (transfer_encodings.empty()) return std::nullopt;
  if (has_content_length) {
    return Rejection{400, "Bad request: both Content-Length and Transfer-Encoding given", version};
  }
  const std::string quoted = quoted_codings(transfer_encodings);
  if (version < 11) {
    return Rejection{400, "Bad request: Transfer-Encoding " + quoted + " in an HTTP/1.0 request",
                     version};
  }
  const std::vector<std::string> codings = coding_list(transfer_encodings);
  for (std::size_t i = 0; i + 1 < codings.size(); ++i) {
    if (iequals(codings[i], "chunked")) {
      return Rejection{
          400, "Bad request: Transfer-Encoding " + quoted + " does not end with a single chunked",
          version};
    }
  }
  if (codings.size() != 1 || !iequals(codings[0], "chunked")) {
    return Rejection{501, "Transfer-Encoding " + quoted + " is not supported", version};
  }
  return std::nullopt;
}

std::optional<Rejection> framing_rejection_at(boost::beast::error_code ec, unsigned version,
                                              std::vector<std::string> transfer_encodings,
                                              bool has_content_length, std::string_view buffered) {
  if (ec != bhttp::error::bad_content_length && ec != bhttp::error::bad_transfer_encoding) {
    return std::nullopt;
  }
  const std::string_view line = buffered.substr(0, buffered.find_first_of("\r\n"));
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view name = line.substr(0, colon);
  const std::string_view value = trim_ows(line.substr(colon + 1));
  if (iequals(name, "Content-Length")) {
    // A malformed or second, different length is Beast's own 400.
    if (transfer_encodings.empty()) return std::nullopt;
    has_content_length = true;
  } else if (iequals(name, "Transfer-Encoding")) {
    transfer_encodings.emplace_back(value);
  } else {
    return std::nullopt;
  }
  return framing_rejection(version, transfer_encodings, has_content_length);
}

bool wants_continue(unsigned version, std::optional<std::string_view> expect) {
  return version == 11 && expect && iequals(*expect, "100-continue");
}

bool may_keep_alive(bool client_keeps_alive, bhttp::verb method) {
  // A HEAD answer carries a body here (as in Ganeti), so the framing is
  // ambiguous for the client: never reuse such a connection.
  return client_keeps_alive && method != bhttp::verb::head;
}

unsigned answer_version(unsigned request_version) { return request_version == 10 ? 10u : 11u; }

}  // namespace rapid::http
