// parse_json (util/json_parse.cpp) against nlohmann's parser, the reference
// it replaced: the same inputs accepted, the same values built (number
// types included), the same dump.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "util/json.h"
#include "util/json_transcode.h"

namespace rapid {
namespace {

std::optional<Json> reference_parse(std::string_view text) {
  Json value = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return std::nullopt;
  return value;
}

// Equal and of the same type all the way down (nlohmann's == treats 1 and
// 1u and 1.0 alike); floats bit for bit.
bool identical(const Json& a, const Json& b) {
  if (a.type() != b.type()) return false;
  if (a.is_number_float()) {
    const double x = a.get<double>(), y = b.get<double>();
    return std::memcmp(&x, &y, sizeof x) == 0;
  }
  if (a.is_array() || a.is_object()) {
    if (a.size() != b.size()) return false;
    auto ib = b.begin();
    for (auto ia = a.begin(); ia != a.end(); ++ia, ++ib) {
      if (a.is_object() && ia.key() != ib.key()) return false;
      if (!identical(*ia, *ib)) return false;
    }
    return true;
  }
  return a == b;
}

void expect_same_as_reference(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) return;  // see EdgeCasesAsNlohmann
  const auto ours = parse_json(text);
  const auto theirs = reference_parse(text);
  ASSERT_EQ(ours.has_value(), theirs.has_value()) << "input: " << testing::PrintToString(text);
  if (!ours) return;
  EXPECT_TRUE(identical(*ours, *theirs)) << "input: " << testing::PrintToString(text);
  EXPECT_EQ(dump_python(*ours), dump_python(*theirs));
}

// transcode_python writes what parse_json + dump_python write, or defers
// to them (needs_dom) only where they can read the text.
void expect_transcoded_as_dom(std::string_view text) {
  std::string out = "prefix";
  const Transcoded result = transcode_python(text, out);
  const auto parsed = parse_json(text);
  if (!parsed) {
    // needs_dom when it stopped before the fault: the DOM path finds it.
    EXPECT_NE(result, Transcoded::ok) << "input: " << testing::PrintToString(text);
    EXPECT_EQ(out, "prefix");
    return;
  }
  if (result == Transcoded::needs_dom) {
    EXPECT_EQ(out, "prefix");
    return;
  }
  ASSERT_EQ(result, Transcoded::ok) << "input: " << testing::PrintToString(text);
  EXPECT_EQ(out, "prefix" + dump_python(*parsed)) << "input: " << testing::PrintToString(text);
}

TEST(ParseJson, EdgeCasesAsNlohmann) {
  const char* cases[] = {
      "",
      " ",
      "0",
      "-0",
      "-0.0",
      "01",
      "1.",
      ".5",
      "1e",
      "1e+",
      "1E-2",
      "1.5e300",
      "1e400",
      "-1e400",
      "1e-400",
      "18446744073709551615",
      "18446744073709551616",
      "-9223372036854775808",
      "-9223372036854775809",
      "9223372036854775808",
      "123456789012345678901234567890",
      "- 1",
      "+1",
      "true",
      "tru",
      "truex",
      "false",
      "null",
      "nul",
      "NaN",
      "Infinity",
      "[",
      "]",
      "[]",
      "[ ]",
      "[1,]",
      "[,1]",
      "[1 2]",
      "{}",
      "{ }",
      "{\"a\"}",
      "{\"a\":}",
      "{\"a\":1,}",
      "{\"a\":1 \"b\":2}",
      "{1:2}",
      "{\"a\":1}x",
      "{\"a\":1} ",
      " \t\r\n[1]\n",
      "[1]\f",
      "{\"a\":1,\"a\":2}",
      "{\"a\":1,\"b\":2,\"a\":3}",
      "{\"k\":{\"x\":1,\"x\":[2]}}",
      "\"\"",
      "\"abc",
      "\"a\\\"b\"",
      "\"\\/\"",
      "\"\\x\"",
      "\"\\u00e9\"",
      "\"\\u00E9\"",
      "\"\\u12\"",
      "\"\\ud83d\\ude00\"",
      "\"\\ud83d\"",
      "\"\\ud83dx\"",
      "\"\\ude00\"",
      "\"\\ud83d\\u0041\"",
      "\"\\u0000\"",
      "\"a\tb\"",
      "\"a\nb\"",
      "\"\x7f\"",
      // Plain up to an escape, a byte to escape or the end (read twice).
      "{\"plain key\": \"plain ~ value\", \"key \\\"quoted\\\"\": \"tail \\u00e9\", \"x\": "
      "\"ab\x7f\"}",
      "[\"plain then caf\xc3\xa9\", \"plain then \\/\", \"unterminated plain",
      "\"caf\xc3\xa9\"",
      "\"\xc3\"",
      "\"\xc0\x80\"",
      "\"\xed\xa0\x80\"",
      "\"\xf4\x90\x80\x80\"",
      "\"\xe2\x82\xac\"",
      "\"\xf0\x9f\x98\x80\"",
      "\"\xff\"",
      "\xEF\xBB\xBF[1]",
      "\xEF\xBB[1]",
      " \xEF\xBB\xBF[1]",
      "[[[[[]]]]]",
      "[{\"a\":[{\"b\":{}}]}]",
      "[1,2,3,\"x\",null,true,false,1.25,-3]",
  };
  for (const char* text : cases) {
    expect_same_as_reference(text);
    expect_transcoded_as_dom(text);
  }
  // The one deliberate difference: nlohmann's lexer takes a NUL byte for
  // the end of the input and ignores what follows; Python's decoder (the
  // original's) calls it extra data, and so does parse_json.
  EXPECT_FALSE(parse_json(std::string("[1]\0", 4)));
  EXPECT_FALSE(parse_json(std::string("[1] \0x", 5)));
  EXPECT_FALSE(parse_json(std::string("\"a\0b\"", 5)));
  // Iterative, like nlohmann's: deep nesting is no stack overflow (comparing
  // or dumping it would be: they recurse).
  EXPECT_TRUE(parse_json(std::string(100000, '[') + std::string(100000, ']')));
  EXPECT_FALSE(parse_json(std::string(100000, '[') + std::string(99999, ']')));
  expect_same_as_reference(std::string(500, '[') + std::string(500, ']'));
}

TEST(ParseJson, ManyMembersAndRepeatedKeys) {
  std::string object = "{";
  for (int i = 0; i < 200; ++i)
    object += "\"k" + std::to_string(i % 150) + "\": " + std::to_string(i) + ",";
  object += "\"last\": [1]}";
  expect_same_as_reference(object);
}

// Random texts over JSON's alphabet, and random byte edits of valid texts.
TEST(ParseJson, RandomInputsAsNlohmann) {
  std::mt19937 random(12345);
  const std::string alphabet = "{}[],:\"\\ 0123456789-+.eEtrufalsn\xc3\xa9u\x01";
  const std::vector<std::string> seeds = {
      R"({"name": "inst1.example.com", "beparams": {"memory": 128, "vcpus": 1}, "tags": [], "ctime": 1712345678.123, "nics": [{"mac": "aa:00:00:11:22:33", "ip": null}], "x": -12, "big": 18446744073709551615, "s": "\u00e9\ud83d\ude00\n"})",
      R"([[1, "a", true], [2, "b", false], [3, "c", null], {"": ""}])",
  };
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    if (i % 2 == 0) {
      const std::size_t length = random() % 24;
      for (std::size_t k = 0; k < length; ++k) text += alphabet[random() % alphabet.size()];
    } else {
      text = seeds[random() % seeds.size()];
      const int edits = 1 + static_cast<int>(random() % 3);
      for (int e = 0; e < edits; ++e) {
        const std::size_t at = random() % text.size();
        switch (random() % 3) {
          case 0:
            text.erase(at, 1);
            break;
          case 1:
            text.insert(text.begin() + static_cast<std::ptrdiff_t>(at),
                        alphabet[random() % alphabet.size()]);
            break;
          default:
            text[at] = alphabet[random() % alphabet.size()];
        }
        if (text.empty()) break;
      }
    }
    expect_same_as_reference(text);
    expect_transcoded_as_dom(text);
    if (HasFailure()) return;
  }
}

TEST(TranscodePython, DefersRepeatedAndSpecialKeysToTheDom) {
  std::string out;
  EXPECT_EQ(transcode_python(R"({"a": 1, "a": 2})", out), Transcoded::needs_dom);
  EXPECT_EQ(transcode_python(R"([{"x": {"a": 1, "b": 2, "a": 3}}])", out), Transcoded::needs_dom);
  const std::string_view special[] = {"osparams_private"};
  EXPECT_EQ(transcode_python(R"([{"name": "a", "osparams_private": {"k": "v"}}])", out, special),
            Transcoded::needs_dom);
  EXPECT_EQ(out, "");
  // The same key in sibling or nested objects is no repeat.
  EXPECT_EQ(transcode_python(R"([{"a": 1, "b": {"a": 2}}, {"a": 3, "b": 4}])", out, special),
            Transcoded::ok);
  EXPECT_EQ(out, R"([{"a": 1, "b": {"a": 2}}, {"a": 3, "b": 4}])");
}

TEST(TranscodePython, LuxidStyleReply) {
  // luxid writes compactly, raw UTF-8, floats in Haskell's form.
  const std::string text =
      R"({"name":"caf\u00e9 \u20ac","x":[1,-0,1.0e-2,2.5e10,18446744073709551616],"e":{},"l":[],)"
      R"("t":true,"n":null,"s":"\"\\\/\n\u0001\u007f","u":")"
      "\xc3\xa9\xf0\x9f\x98\x80\"}";
  std::string out;
  ASSERT_EQ(transcode_python(text, out), Transcoded::ok);
  EXPECT_EQ(out, dump_python(*parse_json(text)));
  EXPECT_EQ(out, R"({"name": "caf\u00e9 \u20ac", "x": [1, 0, 0.01, 25000000000.0, )"
                 R"(1.8446744073709552e+19], "e": {}, "l": [], "t": true, "n": null, )"
                 R"("s": "\"\\/\n\u0001\u007f", "u": "\u00e9\ud83d\ude00"})");
}

TEST(TranscodePython, ManyMembers) {
  std::string object = "{";
  for (int i = 0; i < 300; ++i) {
    object += "\"k" + std::to_string(i) + "\": {\"k\": " + std::to_string(i) + "},";
  }
  object += "\"end\": 0}";
  expect_transcoded_as_dom(object);
  std::string out;
  EXPECT_EQ(transcode_python(object, out), Transcoded::ok);
  const std::string repeated = object.substr(0, object.size() - 1) + ", \"k7\": 1}";
  expect_transcoded_as_dom(repeated);
  EXPECT_EQ(transcode_python(repeated, out), Transcoded::needs_dom);
}

// What map_bulk_fields + dump_python write, or nullopt where it refuses.
std::optional<std::string> mapped_rows(std::span<const std::string_view> fields, const Json& rows) {
  if (!rows.is_array()) return std::nullopt;
  Json list = Json::array();
  for (const auto& row : rows) {
    if (!row.is_array() || row.size() != fields.size()) return std::nullopt;
    Json object = Json::object();
    for (std::size_t i = 0; i < fields.size(); ++i) object[std::string(fields[i])] = row[i];
    list.push_back(std::move(object));
  }
  return dump_python(list);
}

void expect_rows_as_dom(std::string_view text) {
  static constexpr std::string_view kFields[] = {"name", "beparams", "tags"};
  std::string out = "prefix";
  const Transcoded result = transcode_python_rows(text, kFields, out);
  const auto parsed = parse_json(text);
  if (!parsed) {
    // needs_dom when it stopped before the fault: the DOM path finds it.
    EXPECT_NE(result, Transcoded::ok) << "input: " << testing::PrintToString(text);
    EXPECT_EQ(out, "prefix");
    return;
  }
  const auto expected = mapped_rows(kFields, *parsed);
  if (!expected) {
    EXPECT_EQ(result, Transcoded::needs_dom) << "input: " << testing::PrintToString(text);
    EXPECT_EQ(out, "prefix");
    return;
  }
  if (result == Transcoded::needs_dom) return;  // a repeated key inside a value
  ASSERT_EQ(result, Transcoded::ok) << "input: " << testing::PrintToString(text);
  EXPECT_EQ(out, "prefix" + *expected) << "input: " << testing::PrintToString(text);
}

TEST(TranscodePythonRows, AsMapBulkFields) {
  const char* cases[] = {
      R"([])",
      R"([["a", {"memory": 128}, []], ["b", null, ["x", "y"]]])",
      R"([[1, 2]])",
      R"([[1, 2, 3, 4]])",
      R"([{"a": 1}])",
      R"({"a": 1})",
      R"(["a"])",
      R"(3)",
      R"([[1, 2, 3], 4])",
      R"([[1, 2, 3], [[1], {"k": [1, {}]}, "z"]])",
      R"([[1, 2, 3], [1, 2]])",
      R"([[1, 2, 3],])",
      R"([["a", {"x": 1, "x": 2}, []]])",
  };
  for (const char* text : cases) expect_rows_as_dom(text);
  std::mt19937 random(777);
  const std::string seed = R"([["inst1", {"memory": 128, "vcpus": 1}, ["t1"]], ["inst2", {}, []]])";
  const std::string alphabet = "[]{},:\"0 1x";
  for (int i = 0; i < 5000; ++i) {
    std::string text = seed;
    const std::size_t at = random() % text.size();
    if (random() % 2) {
      text.erase(at, 1);
    } else {
      text.insert(text.begin() + static_cast<std::ptrdiff_t>(at),
                  alphabet[random() % alphabet.size()]);
    }
    expect_rows_as_dom(text);
    if (HasFailure()) return;
  }
}

TEST(TranscodePythonRows, SpecialFieldGoesToTheDom) {
  static constexpr std::string_view kFields[] = {"name", "osparams_private"};
  static constexpr std::string_view kSpecial[] = {"osparams_private"};
  std::string out;
  EXPECT_EQ(transcode_python_rows(R"([["a", {}]])", kFields, out, kSpecial), Transcoded::needs_dom);
  EXPECT_EQ(transcode_python_rows(R"([["a", {}]])", kFields, out), Transcoded::ok);
  EXPECT_EQ(out, R"([{"name": "a", "osparams_private": {}}])");
}

}  // namespace
}  // namespace rapid
