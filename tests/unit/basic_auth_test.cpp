// The Authorization header as Ganeti's http.auth reads it (items of
// test/py/ganeti.http_unittest.py (H) and ganeti.server.rapi_unittest.py (S)).
// Expected outcomes were cross-checked with python3 running the
// same steps as HttpServerRequestAuthentication._CheckAuthorization:
//   parts = value.strip().split(None, 2); scheme = parts[0].lower()
//   base64.b64decode(parts[1].encode("ascii")).decode("ascii"); split(":", 1)
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/http_client.h"  // base64()
#include "auth/basic.h"

namespace rapid::auth {
namespace {

using rapid::testing::base64;

bool is_invalid(const AuthorizationHeader& h) {
  return std::holds_alternative<InvalidAuthorization>(h);
}
bool is_missing(const AuthorizationHeader& h) {
  return std::holds_alternative<MissingBasicCredentials>(h);
}

::testing::AssertionResult yields(std::string_view header, const std::string& user,
                                  const std::string& password) {
  const auto parsed = parse_authorization(header);
  const auto* credentials = std::get_if<Credentials>(&parsed);
  if (!credentials) {
    return ::testing::AssertionFailure() << "no credentials from '" << header << "' ("
                                         << (is_missing(parsed) ? "missing" : "invalid") << ")";
  }
  if (credentials->user != user || credentials->password != password) {
    return ::testing::AssertionFailure()
           << "got user '" << credentials->user << "' password '" << credentials->password << "'";
  }
  return ::testing::AssertionSuccess();
}

std::string decoded(std::string_view text) {
  std::string out;
  EXPECT_TRUE(base64_decode_lenient(text, out)) << text;
  return out;
}

bool decodes(std::string_view text) {
  std::string out;
  return base64_decode_lenient(text, out);
}

// --- H: TestHttpServerRequestAuthentication.testInvalidRequestHeader --------

TEST(ParseAuthorization, InvalidHeadersAreUnauthorized) {
  const std::vector<std::string> invalid = {
      "", "\t", "-", ".", "@", "<", ">", "Digest", "basic " + base64("foobar")};
  for (const auto& value : invalid) {
    SCOPED_TRACE(::testing::PrintToString(value));
    EXPECT_TRUE(is_invalid(parse_authorization(value)));
  }
}

TEST(ParseAuthorization, BasicWithoutTokenIsMissingCredentials) {
  EXPECT_TRUE(is_missing(parse_authorization("Basic")));
  EXPECT_TRUE(is_missing(parse_authorization("basic")));
  EXPECT_TRUE(is_missing(parse_authorization("BASIC")));
  EXPECT_TRUE(is_missing(parse_authorization("  Basic \t ")));
}

TEST(ParseAuthorization, OtherSchemesAreUnauthorized) {
  EXPECT_TRUE(is_invalid(parse_authorization("Digest " + base64("joe:pw"))));
  EXPECT_TRUE(is_invalid(parse_authorization("Unsupported scheme")));
  EXPECT_TRUE(is_invalid(parse_authorization("NewStyleAuth abc")));
  EXPECT_TRUE(is_invalid(parse_authorization("Bearer abc")));
  EXPECT_TRUE(is_invalid(parse_authorization("Basicx " + base64("joe:pw"))));
  EXPECT_TRUE(is_invalid(parse_authorization(base64("joe:pw"))));
}

// --- S: invalid tokens ---------------------------------------------------------

TEST(ParseAuthorization, BadTokensAreUnauthorized) {
  EXPECT_TRUE(is_invalid(parse_authorization("Basic x_=_")));               // bad base64
  EXPECT_TRUE(is_invalid(parse_authorization("Basic !invalid=base!64.")));  // decodes to non-ASCII
  EXPECT_TRUE(is_invalid(parse_authorization("Basic " + base64(" "))));     // no colon
  EXPECT_TRUE(is_invalid(parse_authorization("Basic " + base64("missingcolonchar"))));
  EXPECT_TRUE(is_invalid(parse_authorization("Basic " + base64("foobar"))));
  EXPECT_TRUE(is_invalid(parse_authorization("Basic Zm9vOmJhcg")));  // "foo:bar" without padding
}

TEST(ParseAuthorization, NonAsciiCredentialsRejected) {
  EXPECT_TRUE(is_invalid(parse_authorization("Basic " + base64("j\xc3\xb6rg:pw"))));
  EXPECT_TRUE(is_invalid(parse_authorization("Basic " + base64("joe:p\xc3\xa4ss"))));
  EXPECT_TRUE(is_invalid(parse_authorization("Basic " + base64(std::string("joe:\x80", 5)))));
  EXPECT_TRUE(is_invalid(parse_authorization("Basic " + base64(std::string("joe:\xff", 5)))));
  // ASCII control characters are ASCII.
  EXPECT_TRUE(yields("Basic " + base64(std::string("joe:\x01\x7f", 6)), "joe", "\x01\x7f"));
}

TEST(ParseAuthorization, NonAsciiCharactersInTheTokenRejected) {
  // b64decode(token.encode("ascii")) raises UnicodeEncodeError: not a
  // character to skip like other junk.
  EXPECT_TRUE(is_invalid(parse_authorization("Basic " + base64("joe:pw") + "\xc3\xa9")));
  EXPECT_TRUE(is_invalid(parse_authorization("Basic \xc3\xa9" + base64("joe:pw"))));
  EXPECT_TRUE(is_invalid(parse_authorization("Basic " + base64("joe:pw") + "\xff")));
}

// --- H: TestHttpServerRequestAuthentication.testBasicAuth --------------------

TEST(ParseAuthorization, RoundTripsUsersAndPasswords) {
  const std::vector<std::string> users = {"", "joe", "user name with spaces"};
  const std::vector<std::string> passwords = {"",    "-",   ":",          "foobar", "Foo Bar Baz",
                                              "@@@", "###", "foo:bar:baz"};
  for (const auto& user : users) {
    for (const auto& password : passwords) {
      SCOPED_TRACE(user + ":" + password);
      EXPECT_TRUE(yields("Basic " + base64(user + ":" + password), user, password));
      // The "WRONG" variant of the original test: a different password.
      EXPECT_TRUE(
          yields("Basic " + base64(user + ":" + password + "WRONG"), user, password + "WRONG"));
    }
  }
}

TEST(ParseAuthorization, SplitAtFirstColon) {
  EXPECT_TRUE(yields("Basic " + base64("foo:bar:baz"), "foo", "bar:baz"));
  EXPECT_TRUE(yields("Basic " + base64(":"), "", ""));
  EXPECT_TRUE(yields("Basic " + base64("::"), "", ":"));
  EXPECT_TRUE(yields("Basic " + base64(":pw"), "", "pw"));
  EXPECT_TRUE(yields("Basic " + base64("joe:"), "joe", ""));
}

TEST(ParseAuthorization, SchemeCaseAndWhitespace) {
  const std::string token = base64("joe:pw");
  EXPECT_TRUE(yields("Basic " + token, "joe", "pw"));
  EXPECT_TRUE(yields("basic " + token, "joe", "pw"));
  EXPECT_TRUE(yields("bAsIc " + token, "joe", "pw"));
  EXPECT_TRUE(yields("Basic\t" + token, "joe", "pw"));
  EXPECT_TRUE(yields("  Basic    " + token + "  ", "joe", "pw"));
  // split(None, 2): a third word is ignored.
  EXPECT_TRUE(yields("Basic " + token + " extra words", "joe", "pw"));
}

// --- Lenient base64 (Python's b64decode(validate=False)) ---------------------

TEST(Base64Lenient, Basics) {
  EXPECT_EQ(decoded(""), "");
  EXPECT_EQ(decoded("YWJj"), "abc");
  EXPECT_EQ(decoded("YWI="), "ab");
  EXPECT_EQ(decoded("YQ=="), "a");
  EXPECT_EQ(decoded("Zm9vOmJhcg=="), "foo:bar");
  EXPECT_EQ(decoded("+/+/"), "\xfb\xff\xbf");
}

TEST(Base64Lenient, JunkCharactersSkipped) {
  EXPECT_EQ(decoded("*Y*W*J*j*"), "abc");
  EXPECT_EQ(decoded("Zm9v YmFy"), "foobar");
  EXPECT_EQ(decoded("am9lOnB3$"), "joe:pw");
  EXPECT_EQ(decoded("am9lOnB3\n"), "joe:pw");
  EXPECT_EQ(decoded("*Zm9v*OmJhcg==*"), "foo:bar");
  EXPECT_EQ(decoded("-_Zm9vOmJhcg=="), "foo:bar");  // urlsafe characters are junk here
}

TEST(Base64Lenient, PaddingRules) {
  // Values from python3 -c "import base64; base64.b64decode(...)".
  EXPECT_EQ(decoded("===="), "");
  EXPECT_EQ(decoded("Zm9vOmJhcg==="), "foo:bar");
  EXPECT_EQ(decoded("Zm9v=OmJhcg=="), "foo:bar");  // "=" after a full quad is skipped
  EXPECT_EQ(decoded("YW=Jj"), "abc");              // padding interrupted by data
  EXPECT_EQ(decoded("Zg==Zg=="), "f");             // data after complete padding ignored
  EXPECT_EQ(decoded("YQ==YWJj"), "a");
  EXPECT_EQ(decoded("Zm9vOmJhcg==junk"), "foo:bar");
  EXPECT_EQ(decoded("YWJ=junk"), "ab");
  EXPECT_EQ(decoded("YW=*="), "a");
  EXPECT_EQ(decoded("YW=J="), "ab");
  EXPECT_EQ(decoded("Y=Q=="), "a");
  EXPECT_EQ(decoded("YQ=\n="), "a");
}

TEST(Base64Lenient, BadPaddingFails) {
  EXPECT_FALSE(decodes("x_=_"));  // one data character
  EXPECT_FALSE(decodes("Y"));
  EXPECT_FALSE(decodes("Z==="));
  EXPECT_FALSE(decodes("YWJjZ"));
  EXPECT_FALSE(decodes("YQ"));  // Incorrect padding
  EXPECT_FALSE(decodes("YWI"));
  EXPECT_FALSE(decodes("YWJjZA"));
  EXPECT_FALSE(decodes("YWJjZA="));
  EXPECT_FALSE(decodes("Zm9vOmJhcg="));
}

TEST(Base64Lenient, InvalidBase64DecodesToNonAscii) {
  // "!invalid=base!64." -> b"\x8a{\xda\x96'" in Python: decodable, but not
  // ASCII, hence 401 in parse_authorization.
  EXPECT_EQ(decoded("!invalid=base!64."), "\x8a{\xda\x96'");
}

}  // namespace
}  // namespace rapid::auth
