// Python-compatible JSON output and Python text forms (util layer).
#include "util/json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "util/pyrepr.h"
#include "util/text.h"

namespace rapid {
namespace {

Json J(std::string_view text) { return *parse_json(text); }

TEST(DumpPython, SeparatorsAndOrder) {
  EXPECT_EQ(dump_python(J(R"({"b": 1, "a": [1, 2, {"x": null}], "c": true})")),
            R"({"b": 1, "a": [1, 2, {"x": null}], "c": true})");
  EXPECT_EQ(dump_python(J("[]")), "[]");
  EXPECT_EQ(dump_python(J("{}")), "{}");
  EXPECT_EQ(dump_python(J("\"s\"")), "\"s\"");
  EXPECT_EQ(dump_python(J("1234")), "1234");
  EXPECT_EQ(dump_python(J("-5")), "-5");
  EXPECT_EQ(dump_python(J("18446744073709551615")), "18446744073709551615");
  EXPECT_EQ(dump_python(Json(nullptr)), "null");
}

TEST(DumpPython, EscapesLikeSimplejson) {
  EXPECT_EQ(dump_python(Json("a\"b\\c/d")), R"("a\"b\\c/d")");
  EXPECT_EQ(dump_python(Json("\b\f\n\r\t")), R"("\b\f\n\r\t")");
  EXPECT_EQ(dump_python(Json(std::string("\x01\x1f\x7f", 3))), R"("\u0001\u001f\u007f")");
  EXPECT_EQ(dump_python(Json("caf\xc3\xa9")), R"("caf\u00e9")");
  EXPECT_EQ(dump_python(Json("\xe2\x82\xac")), R"("\u20ac")");
  EXPECT_EQ(dump_python(Json("\xf0\x9f\x98\x80")), R"("\ud83d\ude00")");
  // Invalid UTF-8 never breaks the output.
  EXPECT_EQ(dump_python(Json(std::string("a\xff"
                                         "b"))),
            R"("a\ufffdb")");
}

TEST(DumpPython, FloatsInPythonReprForm) {
  EXPECT_EQ(python_float_repr(1.0), "1.0");
  EXPECT_EQ(python_float_repr(0.1), "0.1");
  EXPECT_EQ(python_float_repr(-0.0), "-0.0");
  EXPECT_EQ(python_float_repr(1e16), "1e+16");
  EXPECT_EQ(python_float_repr(1.5e16), "1.5e+16");
  EXPECT_EQ(python_float_repr(1e15), "1000000000000000.0");
  EXPECT_EQ(python_float_repr(123456789012345678.0), "1.2345678901234568e+17");
  EXPECT_EQ(python_float_repr(0.0001), "0.0001");
  EXPECT_EQ(python_float_repr(0.00001), "1e-05");
  EXPECT_EQ(python_float_repr(1.234e-7), "1.234e-07");
  EXPECT_EQ(python_float_repr(1795721616.749797), "1795721616.749797");
  EXPECT_EQ(python_float_repr(1e300), "1e+300");
  EXPECT_EQ(python_float_repr(5e-324), "5e-324");
  EXPECT_EQ(dump_python(Json(std::numeric_limits<double>::quiet_NaN())), "NaN");
  EXPECT_EQ(dump_python(Json(std::numeric_limits<double>::infinity())), "Infinity");
  EXPECT_EQ(dump_python(Json(-std::numeric_limits<double>::infinity())), "-Infinity");
}

TEST(ParseJson, RejectsWhatIsNotJson) {
  EXPECT_FALSE(parse_json("{not json"));
  EXPECT_FALSE(json_nesting_exceeds("[[{\"a\": [1]}]]", 4));
  EXPECT_TRUE(json_nesting_exceeds("[[{\"a\": [1]}]]", 3));
  // Brackets in strings, escaped quotes included, do not nest.
  EXPECT_FALSE(json_nesting_exceeds(R"(["[[[\"[[[", "{{{"])", 1));
  EXPECT_FALSE(
      json_nesting_exceeds(std::string(974, '[') + std::string(974, ']'), kMaxJsonNesting));
  EXPECT_TRUE(json_nesting_exceeds(std::string(975, '[') + std::string(975, ']'), kMaxJsonNesting));
  EXPECT_FALSE(parse_json(""));
  EXPECT_FALSE(parse_json("\"\xff\""));
  EXPECT_TRUE(parse_json(" 5 "));
  EXPECT_TRUE(parse_json("\"bare string\""));
}

TEST(ParseJson, KeepsMemberOrder) {
  EXPECT_EQ(dump_python(J(R"({"z": 1, "a": 2, "m": 3})")), R"({"z": 1, "a": 2, "m": 3})");
}

TEST(PythonRepr, Strings) {
  EXPECT_EQ(python_str_repr("abc"), "'abc'");
  EXPECT_EQ(python_str_repr("it's"), "\"it's\"");
  EXPECT_EQ(python_str_repr("both ' and \""), "'both \\' and \"'");
  EXPECT_EQ(python_str_repr("a\\b\n\t\r"), "'a\\\\b\\n\\t\\r'");
  EXPECT_EQ(python_str_repr("\x01"), "'\\x01'");
  EXPECT_EQ(python_str_repr("caf\xc3\xa9"), "'caf\xc3\xa9'");
  EXPECT_EQ(python_str_repr("\xc2\xa0"), "'\\xa0'");
}

TEST(PythonRepr, Values) {
  EXPECT_EQ(python_repr(J(R"({"a": [1, true, null, 1.5, "x"]})")),
            "{'a': [1, True, None, 1.5, 'x']}");
  const std::vector<Json> args = {"Sync queries are not allowed", "wrong_input"};
  EXPECT_EQ(python_tuple_repr(args), "('Sync queries are not allowed', 'wrong_input')");
  EXPECT_EQ(python_exception_text(args), "('Sync queries are not allowed', 'wrong_input')");
  const std::vector<Json> one = {"Can't load job file"};
  EXPECT_EQ(python_exception_text(one), "Can't load job file");
  EXPECT_EQ(python_tuple_repr(one), "(\"Can't load job file\",)");
  EXPECT_EQ(python_exception_text({}), "");
  const std::vector<std::string> set = {"dry_run"};
  EXPECT_EQ(python_set_repr(set), "{'dry_run'}");
}

TEST(PythonRepr, TypeNames) {
  EXPECT_EQ(python_type_name(J("{}")), "dict");
  EXPECT_EQ(python_type_name(J("[]")), "list");
  EXPECT_EQ(python_type_name(J("\"\"")), "str");
  EXPECT_EQ(python_type_name(J("1")), "int");
  EXPECT_EQ(python_type_name(J("1.0")), "float");
  EXPECT_EQ(python_type_name(J("true")), "bool");
  EXPECT_EQ(python_type_name(J("null")), "NoneType");
}

TEST(Text, HtmlEscapeAsPython) {
  EXPECT_EQ(html_escape("Parameter 'os' was \"renamed\" <&>"),
            "Parameter &#x27;os&#x27; was &quot;renamed&quot; &lt;&amp;&gt;");
}

TEST(Text, SplitKeepsEmptyParts) {
  EXPECT_EQ(split("a,,b", ','), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(split("", ','), (std::vector<std::string>{""}));
}

// Expected texts printed by /usr/bin/python3 (bytes.decode("utf-8")).
TEST(Text, PythonUtf8DecodeErrors) {
  const std::vector<std::pair<std::string, std::optional<std::string>>> cases = {
      {std::string("abc", 3), std::nullopt},
      {std::string("\xac", 1),
       std::string("'utf-8' codec can't decode byte 0xac in position 0: invalid start byte")},
      {std::string("ab\xac"
                   "d",
                   4),
       std::string("'utf-8' codec can't decode byte 0xac in position 2: invalid start byte")},
      {std::string("\xe2\x82", 2),
       std::string("'utf-8' codec can't decode bytes in position 0-1: unexpected end of data")},
      {std::string("\xe2", 1),
       std::string("'utf-8' codec can't decode byte 0xe2 in position 0: unexpected end of data")},
      {std::string("\xe2(\xa1", 3),
       std::string(
           "'utf-8' codec can't decode byte 0xe2 in position 0: invalid continuation byte")},
      {std::string("\xf0\x90(", 3),
       std::string("'utf-8' codec can't decode bytes in position 0-1: invalid continuation byte")},
      {std::string("\xed\xa0\x80", 3),
       std::string(
           "'utf-8' codec can't decode byte 0xed in position 0: invalid continuation byte")},
      {std::string("\xe0\x80\x80", 3),
       std::string(
           "'utf-8' codec can't decode byte 0xe0 in position 0: invalid continuation byte")},
      {std::string("\xf4\x90\x80\x80", 4),
       std::string(
           "'utf-8' codec can't decode byte 0xf4 in position 0: invalid continuation byte")},
      {std::string("\xc0\xaf", 2),
       std::string("'utf-8' codec can't decode byte 0xc0 in position 0: invalid start byte")},
      {std::string("x\xf0\x9f\x98", 4),
       std::string("'utf-8' codec can't decode bytes in position 1-3: unexpected end of data")},
      {std::string("\xff", 1),
       std::string("'utf-8' codec can't decode byte 0xff in position 0: invalid start byte")},
      {std::string("{\x22"
                   "a\x22: \x22\xe2\x82\xac\x22, \x22"
                   "b\x22: \x22\xac\x22}",
                   22),
       std::string("'utf-8' codec can't decode byte 0xac in position 19: invalid start byte")},
  };
  for (const auto& [bytes, expected] : cases) {
    EXPECT_EQ(python_utf8_decode_error(bytes), expected) << bytes;
  }
}

}  // namespace
}  // namespace rapid
