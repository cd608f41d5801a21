// Ganeti's request-line and header rules (lib/http/server.py, ParseStartLine
// and the Host check) as rapid applies them behind Beast's parser, and the
// body framing rules of RFC 9112 §6 (rapid's own, docs/compatibility.md). The same
// answers over real sockets: tests/integration/http_test.cpp (RequestLine,
// Limits, ExpectContinue, KeepAlive).
#include "http/request_rules.h"

#include <gtest/gtest.h>

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <ostream>
#include <string>
#include <vector>

namespace rapid::http {

void PrintTo(const Rejection& rejection, std::ostream* os) {
  *os << "{" << rejection.status << ", \"" << rejection.message << "\", " << rejection.version
      << "}";
}

namespace {

namespace bhttp = boost::beast::http;
using Words = std::vector<std::string>;

constexpr std::size_t kMaxBody = 10 * 1024 * 1024;
const std::string kReplacement = "\xEF\xBF\xBD";  // U+FFFD

Rejection bad_version(const std::string& version) {
  return {400, "Bad request version ('" + version + "')"};
}

Rejection unsupported(const std::string& number) {
  return {505, "Invalid HTTP Version (" + number + ")"};
}

// --- Empty lines before a request --------------------------------------------------------

TEST(LeadingEmptyLines, NothingYetNeedsMore) {
  const auto empty = leading_empty_lines("");
  EXPECT_EQ(empty.length, 0u);
  EXPECT_TRUE(empty.need_more);
}

TEST(LeadingEmptyLines, CrlfAndBareLfAreDropped) {
  const auto empty = leading_empty_lines("\n\r\n\nGET / HTTP/1.1\r\n");
  EXPECT_EQ(empty.length, 4u);
  EXPECT_FALSE(empty.need_more);
  EXPECT_EQ(leading_empty_lines("\r\n\r\nGET").length, 4u);
}

TEST(LeadingEmptyLines, OnlyEmptyLinesNeedMore) {
  const auto empty = leading_empty_lines("\r\n\r\n");
  EXPECT_EQ(empty.length, 4u);
  EXPECT_TRUE(empty.need_more);
}

TEST(LeadingEmptyLines, LoneTrailingCrWaitsForItsLf) {
  const auto lone = leading_empty_lines("\r");
  EXPECT_EQ(lone.length, 0u);
  EXPECT_TRUE(lone.need_more);
  const auto after_line = leading_empty_lines("\r\n\r");
  EXPECT_EQ(after_line.length, 2u);
  EXPECT_TRUE(after_line.need_more);
}

TEST(LeadingEmptyLines, RequestLineIsLeftAlone) {
  for (const std::string bytes : {"GET / HTTP/1.1\r\n", "\rGET", "\r\r\n", " \r\n", "\tGET"}) {
    SCOPED_TRACE(::testing::PrintToString(bytes));
    const auto empty = leading_empty_lines(bytes);
    EXPECT_EQ(empty.length, 0u);
    EXPECT_FALSE(empty.need_more);
  }
}

// --- The first line, as error messages quote it ------------------------------------------

TEST(FirstLine, EndsAtCrOrLf) {
  EXPECT_EQ(first_line("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), "GET / HTTP/1.1");
  EXPECT_EQ(first_line("GET / HTTP/1.1\nHost: x\n"), "GET / HTTP/1.1");
  EXPECT_EQ(first_line("GET /\rHTTP/1.1\r\n"), "GET /");
  EXPECT_EQ(first_line("GET / HTTP/1.1"), "GET / HTTP/1.1");  // not complete yet
  EXPECT_EQ(first_line(""), "");
}

TEST(FirstLine, CutAt256Bytes) {
  EXPECT_EQ(first_line(std::string(300, 'a') + "\r\n"), std::string(256, 'a'));
  EXPECT_EQ(first_line(std::string(256, 'a') + "\r\n"), std::string(256, 'a'));
  EXPECT_EQ(first_line(std::string(255, 'a') + "\r\n"), std::string(255, 'a'));
}

TEST(FirstLine, InvalidUtf8Replaced) {
  EXPECT_EQ(first_line("\xff\xfe GET\r\n"), kReplacement + kReplacement + " GET");
  EXPECT_EQ(first_line("GET /\xc3\xa9 HTTP/1.1\r\n"), "GET /\xc3\xa9 HTTP/1.1");  // valid: kept
  // The cut comes first: a character split at byte 256 is replaced.
  EXPECT_EQ(first_line(std::string(255, 'a') + "\xc3\xa9\r\n"),
            std::string(255, 'a') + kReplacement);
}

// --- Words of the request line -----------------------------------------------------------

TEST(SplitWords, Spaces) {
  EXPECT_EQ(split_words("GET / HTTP/1.1"), (Words{"GET", "/", "HTTP/1.1"}));
  EXPECT_EQ(split_words("GET  /   HTTP/1.1"), (Words{"GET", "/", "HTTP/1.1"}));
  EXPECT_EQ(split_words("  GET / HTTP/1.1  "), (Words{"GET", "/", "HTTP/1.1"}));
}

TEST(SplitWords, TabVerticalTabAndFormFeedSeparate) {
  EXPECT_EQ(split_words("GET\t/\vHTTP/1.1\f"), (Words{"GET", "/", "HTTP/1.1"}));
  EXPECT_EQ(split_words("\f\vGET \t /"), (Words{"GET", "/"}));
}

TEST(SplitWords, TwoAndFourWords) {
  EXPECT_EQ(split_words("GET /version"), (Words{"GET", "/version"}));
  EXPECT_EQ(split_words("GET /a b HTTP/1.1"), (Words{"GET", "/a", "b", "HTTP/1.1"}));
}

TEST(SplitWords, NothingButSeparators) {
  EXPECT_EQ(split_words(""), Words{});
  EXPECT_EQ(split_words(" \t\v\f "), Words{});
  EXPECT_EQ(split_words("GARBAGE"), Words{"GARBAGE"});
}

// --- Versions Beast refused --------------------------------------------------------------

TEST(VersionError, MajorTwoAndAboveIs505) {
  EXPECT_EQ(version_error("GET / HTTP/2.0"), unsupported("2.0"));
  EXPECT_EQ(version_error("GET / HTTP/3.0"), unsupported("3.0"));
  EXPECT_EQ(version_error("GET / HTTP/10.1"), unsupported("10.1"));
  EXPECT_EQ(version_error("GET / HTTP/2.13"), unsupported("2.13"));
  EXPECT_EQ(version_error("GET\t/\tHTTP/2.0"), unsupported("2.0"));
  EXPECT_EQ(version_error("GET / HTTP/2.0").version, 11u);
}

TEST(VersionError, LeadingZerosIgnoredButQuotedAsSent) {
  EXPECT_EQ(version_error("GET / HTTP/02.0"), unsupported("02.0"));
  EXPECT_EQ(version_error("GET / HTTP/0010.0"), unsupported("0010.0"));
  EXPECT_EQ(version_error("GET / HTTP/00.9"), bad_version("HTTP/00.9"));
  EXPECT_EQ(version_error("GET / HTTP/01.1"), bad_version("HTTP/01.1"));
  EXPECT_EQ(version_error("GET / HTTP/0.0"), bad_version("HTTP/0.0"));
}

TEST(VersionError, BelowTwoIs400) {
  EXPECT_EQ(version_error("GET / HTTP/1.2"), bad_version("HTTP/1.2"));
  EXPECT_EQ(version_error("GET / HTTP/1.10"), bad_version("HTTP/1.10"));
  EXPECT_EQ(version_error("GET / HTTP/0.9"), bad_version("HTTP/0.9"));
}

TEST(VersionError, NotHttpSlash) {
  EXPECT_EQ(version_error("GET /version FOO/1.0"), bad_version("FOO/1.0"));
  EXPECT_EQ(version_error("GET / http/1.1"), bad_version("http/1.1"));
  EXPECT_EQ(version_error("GET / HTTP"), bad_version("HTTP"));
}

TEST(VersionError, NumbersMustBeDigitsAroundOneDot) {
  for (const std::string version : {"HTTP/", "HTTP/2", "HTTP/20", "HTTP/1.x", "HTTP/x.1", "HTTP/.0",
                                    "HTTP/2.", "HTTP/2.0.1", "HTTP/2,0"}) {
    SCOPED_TRACE(::testing::PrintToString(version));
    EXPECT_EQ(version_error("GET / " + version).status, 400);
  }
  EXPECT_EQ(version_error("GET / HTTP/2"), bad_version("HTTP/2"));
}

TEST(VersionError, QuotesAsPythonRepr) {
  EXPECT_EQ(version_error("GET / HTTP/1'1"),
            (Rejection{400, "Bad request version (\"HTTP/1'1\")"}));
  EXPECT_EQ(version_error("GET / HTTP/\x01"),
            (Rejection{400, "Bad request version ('HTTP/\\x01')"}));
}

TEST(VersionError, OtherThanThreeWordsIsBadSyntax) {
  EXPECT_EQ(version_error("GET /version"), (Rejection{400, "Bad request syntax ('GET /version')"}));
  EXPECT_EQ(version_error("GET /a b HTTP/1.1"),
            (Rejection{400, "Bad request syntax ('GET /a b HTTP/1.1')"}));
  EXPECT_EQ(version_error("GARBAGE"), (Rejection{400, "Bad request syntax ('GARBAGE')"}));
  EXPECT_EQ(version_error(""), (Rejection{400, "Bad request syntax ('')"}));
  // The line is quoted as sent, separators included.
  EXPECT_EQ(version_error("GET\t/version"),
            (Rejection{400, "Bad request syntax ('GET\\t/version')"}));
}

// --- Requests Beast could not read -------------------------------------------------------

TEST(ReadRejection, HeaderTooLargeIs431) {
  EXPECT_EQ(read_rejection(bhttp::error::header_limit, std::nullopt, kMaxBody, "GET /"),
            (Rejection{431, "Request header too large", 11}));
}

TEST(ReadRejection, BodyTooLargeIs413InTheRequestsVersion) {
  EXPECT_EQ(read_rejection(bhttp::error::body_limit, 10u, 1000, ""),
            (Rejection{413, "Request body larger than 1000 bytes", 10}));
  EXPECT_EQ(read_rejection(bhttp::error::body_limit, 11u, kMaxBody, ""),
            (Rejection{413, "Request body larger than 10485760 bytes", 11}));
}

TEST(ReadRejection, BadVersionGoesByTheFirstLine) {
  EXPECT_EQ(read_rejection(bhttp::error::bad_version, std::nullopt, kMaxBody,
                           "GET /version HTTP/2.0\r\nHost: x\r\n\r\n"),
            unsupported("2.0"));
  EXPECT_EQ(read_rejection(bhttp::error::bad_version, std::nullopt, kMaxBody,
                           "GET /version FOO/1.0\r\nHost: x\r\n\r\n"),
            bad_version("FOO/1.0"));
  // An HTTP/0.9 request line: Beast finds no version.
  EXPECT_EQ(
      read_rejection(bhttp::error::bad_version, std::nullopt, kMaxBody, "GET /version\r\n\r\n"),
      (Rejection{400, "Bad request syntax ('GET /version')"}));
}

TEST(ReadRejection, SyntaxErrorQuotesTheFirstLine) {
  EXPECT_EQ(read_rejection(bhttp::error::bad_method, std::nullopt, kMaxBody, "GARBAGE\r\n\r\n"),
            (Rejection{400, "Bad request syntax ('GARBAGE')"}));
  EXPECT_EQ(
      read_rejection(bhttp::error::bad_method, std::nullopt, kMaxBody, "\x01\x02\x03\r\n\r\n"),
      (Rejection{400, "Bad request syntax ('\\x01\\x02\\x03')"}));
  EXPECT_EQ(read_rejection(bhttp::error::bad_target, std::nullopt, kMaxBody,
                           "GET  HTTP/1.1\r\nHost: x\r\n\r\n"),
            (Rejection{400, "Bad request syntax ('GET  HTTP/1.1')"}));
  EXPECT_EQ(read_rejection(bhttp::error::bad_method, std::nullopt, kMaxBody,
                           "\xff / HTTP/1.1\r\nHost: x\r\n"),
            (Rejection{400, "Bad request syntax ('" + kReplacement + " / HTTP/1.1')"}));
  const auto long_line = read_rejection(bhttp::error::bad_target, std::nullopt, kMaxBody,
                                        "GET /" + std::string(400, 'a') + " HTTP/1.1\r\n");
  ASSERT_TRUE(long_line);
  EXPECT_EQ(long_line->message, "Bad request syntax ('GET /" + std::string(251, 'a') + "')");
}

TEST(ReadRejection, SyntaxErrorAfterTheHeaderNamesBeastsError) {
  EXPECT_EQ(read_rejection(bhttp::error::bad_chunk, 11u, kMaxBody, "zz\r\n"),
            (Rejection{400, "Bad request: bad chunk", 11}));
  EXPECT_EQ(read_rejection(bhttp::error::bad_chunk, 10u, kMaxBody, ""),
            (Rejection{400, "Bad request: bad chunk", 10}));
}

TEST(ReadRejection, EndOfInputAndTransportErrorsAreNotAnswered) {
  const std::vector<boost::beast::error_code> silent = {
      bhttp::error::end_of_stream,
      bhttp::error::partial_message,
      bhttp::error::need_more,
      bhttp::error::need_buffer,
      boost::beast::error::timeout,
      boost::asio::error::operation_aborted,
      boost::asio::error::connection_reset,
      boost::asio::error::eof,
  };
  for (const auto& ec : silent) {
    SCOPED_TRACE(ec.message());
    EXPECT_FALSE(read_rejection(ec, std::nullopt, kMaxBody, "GET / HTTP/1.1\r\n"));
    EXPECT_FALSE(read_rejection(ec, 11u, kMaxBody, "GET / HTTP/1.1\r\n"));
  }
}

// --- After the header --------------------------------------------------------------------

TEST(HeaderRejection, Http11NeedsHost) {
  EXPECT_EQ(header_rejection(11, false), (Rejection{400, "Missing Host header", 11}));
  EXPECT_FALSE(header_rejection(11, true));
  EXPECT_FALSE(header_rejection(10, false));
  EXPECT_FALSE(header_rejection(10, true));
}

TEST(HeaderRejection, VersionTwoAndAboveIs505AnsweredAsHttp11) {
  EXPECT_EQ(header_rejection(20, true), (Rejection{505, "Invalid HTTP Version (2.0)", 11}));
  EXPECT_EQ(header_rejection(31, false), (Rejection{505, "Invalid HTTP Version (3.1)", 11}));
}

// --- Body framing (RFC 9112 §6) ------------------------------------------------------------

Rejection not_supported(const std::string& quoted) {
  return {501, "Transfer-Encoding '" + quoted + "' is not supported", 11};
}

Rejection chunked_not_last(const std::string& quoted) {
  return {400, "Bad request: Transfer-Encoding '" + quoted + "' does not end with a single chunked",
          11};
}

const Rejection kBothLengths{400, "Bad request: both Content-Length and Transfer-Encoding given",
                             11};

TEST(FramingRejection, NoTransferEncodingIsFine) {
  EXPECT_FALSE(framing_rejection(11, {}, false));
  EXPECT_FALSE(framing_rejection(11, {}, true));
  EXPECT_FALSE(framing_rejection(10, {}, true));
}

TEST(FramingRejection, ExactlyChunkedIsFine) {
  for (const std::string& value : {"chunked", "CHUNKED", "Chunked", " chunked ", "\tchunked",
                                   "chunked,", ", chunked", " , chunked , "}) {
    SCOPED_TRACE(value);
    EXPECT_FALSE(framing_rejection(11, {value}, false));
  }
  EXPECT_FALSE(framing_rejection(11, {"", "chunked"}, false));  // an empty line adds nothing
}

TEST(FramingRejection, BothLengthsAre400) {
  EXPECT_EQ(framing_rejection(11, {"chunked"}, true), kBothLengths);
  EXPECT_EQ(framing_rejection(11, {"gzip"}, true), kBothLengths);
  EXPECT_EQ(framing_rejection(11, {"identity"}, true), kBothLengths);
  EXPECT_EQ(framing_rejection(10, {"chunked"}, true), (Rejection{400, kBothLengths.message, 10}));
}

TEST(FramingRejection, OtherCodingsAre501) {
  EXPECT_EQ(framing_rejection(11, {"gzip, chunked"}, false), not_supported("gzip, chunked"));
  EXPECT_EQ(framing_rejection(11, {"identity"}, false), not_supported("identity"));
  EXPECT_EQ(framing_rejection(11, {"gzip"}, false), not_supported("gzip"));
  EXPECT_EQ(framing_rejection(11, {"x-custom"}, false), not_supported("x-custom"));
  EXPECT_EQ(framing_rejection(11, {"chunked;ext=1"}, false), not_supported("chunked;ext=1"));
  EXPECT_EQ(framing_rejection(11, {"chunkedx"}, false), not_supported("chunkedx"));
  EXPECT_EQ(framing_rejection(11, {""}, false), not_supported(""));
  EXPECT_EQ(framing_rejection(11, {" , "}, false), not_supported(" , "));
}

TEST(FramingRejection, ChunkedNotLastIs400) {
  EXPECT_EQ(framing_rejection(11, {"chunked, gzip"}, false), chunked_not_last("chunked, gzip"));
  EXPECT_EQ(framing_rejection(11, {"chunked, chunked"}, false),
            chunked_not_last("chunked, chunked"));
  EXPECT_EQ(framing_rejection(11, {"gzip, Chunked, identity"}, false),
            chunked_not_last("gzip, Chunked, identity"));
}

TEST(FramingRejection, SeveralLinesFormOneList) {
  EXPECT_EQ(framing_rejection(11, {"gzip", "chunked"}, false), not_supported("gzip, chunked"));
  EXPECT_EQ(framing_rejection(11, {"chunked", "gzip"}, false), chunked_not_last("chunked, gzip"));
  EXPECT_EQ(framing_rejection(11, {"chunked", "chunked"}, false),
            chunked_not_last("chunked, chunked"));
}

TEST(FramingRejection, TransferEncodingInHttp10Is400) {
  EXPECT_EQ(
      framing_rejection(10, {"chunked"}, false),
      (Rejection{400, "Bad request: Transfer-Encoding 'chunked' in an HTTP/1.0 request", 10}));
}

TEST(FramingRejection, QuotedValueIsCutAndValidUtf8) {
  const auto long_value = framing_rejection(11, {std::string(400, 'x')}, false);
  ASSERT_TRUE(long_value);
  EXPECT_EQ(long_value->message,
            "Transfer-Encoding '" + std::string(256, 'x') + "' is not supported");
  EXPECT_EQ(framing_rejection(11, {"\xff"}, false), not_supported(kReplacement));
}

// Beast stops at the conflicting field; its line starts the buffer.
TEST(FramingRejectionAt, ContentLengthAfterTransferEncoding) {
  EXPECT_EQ(framing_rejection_at(bhttp::error::bad_content_length, 11, {"chunked"}, false,
                                 "Content-Length: 5\r\n\r\nhello"),
            kBothLengths);
  EXPECT_EQ(framing_rejection_at(bhttp::error::bad_content_length, 11, {"gzip", "chunked"}, false,
                                 "content-length:5\r\n\r\n"),
            kBothLengths);
}

TEST(FramingRejectionAt, TransferEncodingAfterContentLength) {
  EXPECT_EQ(framing_rejection_at(bhttp::error::bad_transfer_encoding, 11, {}, true,
                                 "Transfer-Encoding: chunked\r\n\r\n"),
            kBothLengths);
}

TEST(FramingRejectionAt, TransferEncodingAfterChunked) {
  EXPECT_EQ(framing_rejection_at(bhttp::error::bad_transfer_encoding, 11, {"chunked"}, false,
                                 "Transfer-Encoding:  gzip \r\nX: y\r\n\r\n"),
            chunked_not_last("chunked, gzip"));
  EXPECT_EQ(framing_rejection_at(bhttp::error::bad_transfer_encoding, 11, {"chunked"}, false,
                                 "TRANSFER-ENCODING: chunked\r\n\r\n"),
            chunked_not_last("chunked, chunked"));
}

TEST(FramingRejectionAt, OtherErrorsAreLeftToReadRejection) {
  // A malformed or second, different Content-Length without Transfer-Encoding.
  EXPECT_FALSE(framing_rejection_at(bhttp::error::bad_content_length, 11, {}, false,
                                    "Content-Length: x\r\n\r\n"));
  EXPECT_FALSE(framing_rejection_at(bhttp::error::bad_content_length, 11, {}, true,
                                    "Content-Length: 6\r\n\r\n"));
  EXPECT_FALSE(framing_rejection_at(bhttp::error::multiple_content_length, 11, {"chunked"}, false,
                                    "Content-Length: 6\r\n\r\n"));
  EXPECT_FALSE(framing_rejection_at(bhttp::error::bad_field, 11, {"chunked"}, false,
                                    "Transfer-Encoding: gzip\r\n\r\n"));
  EXPECT_FALSE(framing_rejection_at(bhttp::error::bad_transfer_encoding, 11, {"chunked"}, false,
                                    "no colon here\r\n"));
}

TEST(WantsContinue, OnlyHttp11AskingFor100Continue) {
  EXPECT_TRUE(wants_continue(11, "100-continue"));
  EXPECT_TRUE(wants_continue(11, "100-Continue"));
  EXPECT_FALSE(wants_continue(10, "100-continue"));
  EXPECT_FALSE(wants_continue(11, std::nullopt));
  EXPECT_FALSE(wants_continue(11, ""));
  EXPECT_FALSE(wants_continue(11, "100-continue, x"));
}

TEST(MayKeepAlive, UnlessTheClientClosesOrTheMethodIsHead) {
  EXPECT_TRUE(may_keep_alive(true, bhttp::verb::get));
  EXPECT_TRUE(may_keep_alive(true, bhttp::verb::unknown));  // e.g. "get": the handler decides
  EXPECT_FALSE(may_keep_alive(false, bhttp::verb::get));
  EXPECT_FALSE(may_keep_alive(true, bhttp::verb::head));
}

TEST(AnswerVersion, Http10AnsweredAsSuchEverythingElseAsHttp11) {
  EXPECT_EQ(answer_version(10), 10u);
  EXPECT_EQ(answer_version(11), 11u);
  EXPECT_EQ(answer_version(9), 11u);
  EXPECT_EQ(answer_version(20), 11u);
}

}  // namespace
}  // namespace rapid::http
