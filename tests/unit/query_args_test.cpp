// Query strings as Ganeti reads them: urllib.parse.parse_qs() (Python 3.11)
// and int() for the 0/1 flags (connector.Mapper.getController and
// baserlib.ResourceBase._checkIntVariable). Expected values were
// produced with python3 -c "from urllib.parse import parse_qs; ...".
#include "rapi/query_args.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rapi/api_error.h"
#include "rapi/python_semantics.h"

namespace rapid::rapi {
namespace {

using Values = std::vector<std::string>;
using Names = std::vector<std::string>;

QueryArgs Q(std::string_view text) { return QueryArgs::parse(text); }

// --- parse_qs ----------------------------------------------------------------

TEST(QueryArgs, AmpersandSeparates) {
  const auto q = Q("a=1&b=2");
  EXPECT_EQ(q.names(), (Names{"a", "b"}));
  EXPECT_EQ(q.first("a"), "1");
  EXPECT_EQ(q.first("b"), "2");
  EXPECT_FALSE(q.first("c").has_value());
  EXPECT_TRUE(q.has("a"));
  EXPECT_FALSE(q.has("c"));
  EXPECT_FALSE(q.empty());
}

TEST(QueryArgs, SemicolonIsNotASeparator) {
  const auto q = Q("a=1;b=2");
  EXPECT_EQ(q.names(), (Names{"a"}));
  EXPECT_EQ(q.first("a"), "1;b=2");
  EXPECT_FALSE(q.has("b"));
}

TEST(QueryArgs, PlusAndPercentDecoding) {
  EXPECT_EQ(Q("a=x+y").first("a"), "x y");
  EXPECT_EQ(Q("a=%41%42").first("a"), "AB");
  EXPECT_EQ(Q("a=%2B").first("a"), "+");
  EXPECT_EQ(Q("x=%20").first("x"), " ");
  EXPECT_EQ(Q("a=%C3%A9").first("a"), "\xc3\xa9");
  EXPECT_EQ(Q("a=%e2%82%ac").first("a"), "\xe2\x82\xac");
  EXPECT_EQ(Q("a=%%41").first("a"), "%A");
  // Keys are decoded too.
  EXPECT_EQ(Q("a+b=c").first("a b"), "c");
  EXPECT_EQ(Q("%61=1").first("a"), "1");
  EXPECT_EQ(Q("dry%2Drun=1").first("dry-run"), "1");
}

TEST(QueryArgs, InvalidPercentSequencesLeftAlone) {
  EXPECT_EQ(Q("a=%4").first("a"), "%4");
  EXPECT_EQ(Q("a=%zz").first("a"), "%zz");
  EXPECT_EQ(Q("a=%").first("a"), "%");
  EXPECT_EQ(Q("a=%2").first("a"), "%2");
  EXPECT_EQ(Q("a=%g1").first("a"), "%g1");
  EXPECT_EQ(Q("a=x%4").first("a"), "x%4");
  EXPECT_EQ(Q("a=x%41").first("a"), "xA");
}

TEST(QueryArgs, InvalidUtf8Replaced) {
  EXPECT_EQ(Q("a=%E9").first("a"), "\xef\xbf\xbd");
  EXPECT_EQ(Q("a=%C3").first("a"), "\xef\xbf\xbd");
  EXPECT_EQ(Q("a=%ff%fe").first("a"), "\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(Q("a=x%ffy").first("a"), "x\xef\xbf\xbdy");
}

TEST(QueryArgs, EmptyValuesAndBareKeysDropped) {
  EXPECT_TRUE(Q("a=").empty());
  EXPECT_TRUE(Q("a").empty());
  EXPECT_TRUE(Q("").empty());
  EXPECT_TRUE(Q("&").empty());
  EXPECT_TRUE(Q("&&&").empty());
  const auto q = Q("a=&b=1&c&d=2");
  EXPECT_EQ(q.names(), (Names{"b", "d"}));
  EXPECT_FALSE(q.has("a"));
  EXPECT_FALSE(q.has("c"));
  EXPECT_EQ(Q("a=1&&b=2").names(), (Names{"a", "b"}));
  // "+" decodes to a space: not empty.
  EXPECT_EQ(Q("a=+").first("a"), " ");
}

TEST(QueryArgs, EqualsSignsInValuesAndEmptyKeys) {
  EXPECT_EQ(Q("a==b").first("a"), "=b");
  EXPECT_EQ(Q("a=b=c").first("a"), "b=c");
  EXPECT_EQ(Q("=x").first(""), "x");
}

TEST(QueryArgs, RepeatedKeysKeepOrder) {
  const auto q = Q("f=5&f=6&alt=html");
  EXPECT_EQ(q.all("f"), (Values{"5", "6"}));
  EXPECT_EQ(q.all("alt"), (Values{"html"}));
  EXPECT_EQ(q.first("f"), "5");
  EXPECT_EQ(q.names(), (Names{"f", "alt"}));
  EXPECT_TRUE(q.all("missing").empty());

  const auto tags = Q("tag=foo&dry-run=0&tag=bar&tag=&tag=baz");
  EXPECT_EQ(tags.all("tag"), (Values{"foo", "bar", "baz"}));
  EXPECT_EQ(tags.names(), (Names{"tag", "dry-run"}));
}

TEST(QueryArgs, FragmentStaysInTheValue) {
  EXPECT_EQ(Q("a=1#frag").first("a"), "1#frag");
  EXPECT_EQ(Q("a=1&b=2#x&c=3").first("b"), "2#x");
  EXPECT_EQ(Q("a=1&b=2#x&c=3").first("c"), "3");
}

TEST(QueryArgs, UnquotePlus) {
  EXPECT_EQ(unquote_plus(""), "");
  EXPECT_EQ(unquote_plus("a+b%20c"), "a b c");
  EXPECT_EQ(unquote_plus("%7e"), "~");
  EXPECT_EQ(unquote_plus("100%"), "100%");
  EXPECT_EQ(unquote_plus("%00"), std::string(1, '\0'));
}

// --- int() flags ----------------------------------------------------------------

TEST(PythonInt, AcceptedForms) {
  const std::vector<std::pair<std::string, bool>> accepted = {{"0", false},
                                                              {"1", true},
                                                              {"00", false},
                                                              {"-0", false},
                                                              {"+0", false},
                                                              {"1_0", true},
                                                              {" 1 ", true},
                                                              {"-5", true},
                                                              {"+1", true},
                                                              {"\t7\n", true},
                                                              {"0_0", false},
                                                              {"1_000_000", true},
                                                              {"\xc2\xa0"
                                                               "1\xc2\xa0",
                                                               true},
                                                              {"0000001", true}};
  for (const auto& [text, nonzero] : accepted) {
    SCOPED_TRACE(::testing::PrintToString(text));
    bool result = !nonzero;
    EXPECT_TRUE(parse_python_int(text, result));
    EXPECT_EQ(result, nonzero);
  }
}

TEST(PythonInt, UnicodeDecimalDigits) {
  // int() takes any Unicode decimal digit: U+0663 ARABIC-INDIC THREE,
  // U+FF11 FULLWIDTH ONE, U+0660 ARABIC-INDIC ZERO.
  bool nonzero = false;
  EXPECT_TRUE(parse_python_int("\xd9\xa3", nonzero));
  EXPECT_TRUE(nonzero);
  EXPECT_TRUE(parse_python_int("\xef\xbc\x91", nonzero));
  EXPECT_TRUE(nonzero);
  EXPECT_TRUE(parse_python_int("\xd9\xa0", nonzero));
  EXPECT_FALSE(nonzero);
  // Other non-ASCII characters are not digits (U+00B2 SUPERSCRIPT TWO).
  EXPECT_FALSE(parse_python_int("\xc2\xb2", nonzero));
  EXPECT_TRUE(Q("dry-run=%D9%A3").flag("dry-run"));
}

TEST(PythonInt, RejectedForms) {
  for (const std::string text :
       {"true", "yes", "1.0", "0x1", "1__0", "_1",  "1_",  "",   " ",   "+",
        "-",    "1 0", "+-1", "0b1", "1e3",  "0o7", "--1", "1-", "one", "1\x01"}) {
    SCOPED_TRACE(::testing::PrintToString(text));
    bool nonzero = false;
    EXPECT_FALSE(parse_python_int(text, nonzero));
  }
}

void expect_invalid_flag(const QueryArgs& q, const std::string& name) {
  try {
    q.flag(name);
    ADD_FAILURE() << "no error for " << name << "=" << q.first(name).value_or("<absent>");
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status(), 400);
    EXPECT_EQ(e.message(), "Invalid value for the '" + name + "' parameter");
  }
}

TEST(Flag, Values) {
  EXPECT_TRUE(Q("dry-run=1").flag("dry-run"));
  EXPECT_FALSE(Q("dry-run=0").flag("dry-run"));
  EXPECT_TRUE(Q("dry-run=1_0").flag("dry-run"));
  EXPECT_TRUE(Q("dry-run=%201%20").flag("dry-run"));
  EXPECT_TRUE(Q("dry-run=+1+").flag("dry-run"));  // "+" is a space: " 1 "
  EXPECT_TRUE(Q("dry-run=-5").flag("dry-run"));
  EXPECT_TRUE(Q("dry-run=%2B1").flag("dry-run"));  // "+1"
  EXPECT_FALSE(Q("dry-run=-0").flag("dry-run"));
}

TEST(Flag, InvalidValuesAre400) {
  for (const std::string value : {"true", "yes", "1.0", "0x1", "1__0", "_1", "1_", "%20", "x"}) {
    SCOPED_TRACE(value);
    expect_invalid_flag(Q("dry-run=" + value), "dry-run");
  }
  expect_invalid_flag(Q("force=true"), "force");
  expect_invalid_flag(Q("bulk=yes"), "bulk");
}

TEST(Flag, AbsentTakesTheDefault) {
  EXPECT_FALSE(Q("").flag("dry-run"));
  EXPECT_TRUE(Q("").flag("dry-run", true));
  EXPECT_FALSE(Q("other=1").flag("dry-run"));
  EXPECT_TRUE(Q("other=0").flag("dry-run", true));
  // "?dry-run=" is dropped by parse_qs: the default, not an error.
  EXPECT_FALSE(Q("dry-run=").flag("dry-run"));
  EXPECT_TRUE(Q("dry-run=").flag("dry-run", true));
  EXPECT_FALSE(Q("dry-run").flag("dry-run"));
}

TEST(Flag, FirstValueWins) {
  EXPECT_FALSE(Q("dry-run=0&dry-run=1").flag("dry-run"));
  EXPECT_TRUE(Q("dry-run=1&dry-run=0").flag("dry-run"));
  // Later values are not even looked at.
  EXPECT_TRUE(Q("dry-run=1&dry-run=true").flag("dry-run"));
  expect_invalid_flag(Q("dry-run=true&dry-run=1"), "dry-run");
  // An empty first value is dropped, so the next one counts.
  EXPECT_TRUE(Q("dry-run=&dry-run=1").flag("dry-run"));
}

TEST(QueryArgs, DeclaredArgumentsOnly) {
  const QueryParam declared[] = {{"bulk"}, {"tag", QueryParam::Kind::repeated}};
  const auto args = QueryArgs::parse("bulk=1&tag=a&other=2", declared);
  EXPECT_TRUE(args.flag("bulk"));
  EXPECT_EQ(args.all("tag"), std::vector<std::string>{"a"});
  EXPECT_EQ(args.names(), (std::vector<std::string>{"bulk", "tag", "other"}));
  EXPECT_THROW(args.has("other"), std::logic_error);
  EXPECT_THROW(args.first("lock"), std::logic_error);
  EXPECT_THROW(args.flag("dry-run"), std::logic_error);
  EXPECT_EQ(QueryArgs::parse("other=2").first("other"), "2");  // unchecked
  // The daemon logs the bug and serves the request.
  const auto lenient = QueryArgs::parse("other=2", declared, QueryArgs::Undeclared::log);
  EXPECT_EQ(lenient.first("other"), "2");
}

}  // namespace
}  // namespace rapid::rapi
