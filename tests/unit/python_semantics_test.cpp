// Python's behaviour on decoded JSON values. Expected texts were produced
// with python3 (e.g. python3 -c "len(5)").
#include "rapi/python_semantics.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rapid::rapi {
namespace {

Json J(const char* text) { return Json::parse(text); }

// The message of the ApiError `fn` throws (its status must be 500).
template <typename Fn>
std::string error_500(Fn&& fn) {
  try {
    fn();
  } catch (const ApiError& error) {
    EXPECT_EQ(error.status(), 500);
    return error.message();
  }
  return "no error";
}

TEST(PythonSemantics, Truthiness) {
  for (const char* falsy : {"null", "false", "0", "0.0", "\"\"", "[]", "{}"}) {
    EXPECT_FALSE(truthy(J(falsy))) << falsy;
  }
  for (const char* truthy_value : {"true", "-1", "0.5", "\" \"", "[0]", "{\"a\": null}"}) {
    EXPECT_TRUE(truthy(J(truthy_value))) << truthy_value;
  }
  EXPECT_TRUE(truthy(J("18446744073709551615")));  // unsigned
}

TEST(PythonSemantics, EqualityWithIntegers) {
  // 0 == False == 0.0, 1 == True; containers and strings are never equal.
  EXPECT_TRUE(python_equals_int(J("false"), 0));
  EXPECT_TRUE(python_equals_int(J("true"), 1));
  EXPECT_TRUE(python_equals_int(J("0.0"), 0));
  EXPECT_TRUE(python_equals_int(J("-10"), -10));
  EXPECT_FALSE(python_equals_int(J("18446744073709551615"), -1));
  EXPECT_FALSE(python_equals_int(J("\"0\""), 0));
  EXPECT_FALSE(python_equals_int(J("[]"), 0));
  EXPECT_FALSE(python_equals_int(J("null"), 0));
  // Members are str or int.
  EXPECT_TRUE(python_equals(J("\"add\""), J("\"add\"")));
  EXPECT_FALSE(python_equals(J("\"add\""), J("0")));
  EXPECT_FALSE(python_equals(J("0"), J("\"0\"")));
  EXPECT_TRUE(python_equals(J("false"), J("0")));
  EXPECT_TRUE(python_equals(J("10.0"), J("10")));
}

TEST(PythonSemantics, Len) {
  EXPECT_EQ(python_len(J("[1, 2, 3]")), 3u);
  EXPECT_EQ(python_len(J("{\"a\": 1}")), 1u);
  EXPECT_EQ(python_len(Json("h\xc3\xa9")), 2u);  // code points, not bytes
  for (const char* no_len : {"5", "1.5", "true", "null"}) {
    EXPECT_FALSE(python_len(J(no_len)).has_value()) << no_len;
  }
  EXPECT_EQ(no_len_message(J("5")), "object of type 'int' has no len()");
  EXPECT_EQ(no_len_message(J("null")), "object of type 'NoneType' has no len()");
  EXPECT_EQ(unhashable_message(J("[]")), "unhashable type: 'list'");
  EXPECT_EQ(unhashable_message(J("{}")), "unhashable type: 'dict'");
}

TEST(PythonSemantics, IterationAndUnpacking) {
  EXPECT_EQ(python_iter(J("[1, \"a\"]")), (std::vector<Json>{J("1"), J("\"a\"")}));
  EXPECT_EQ(python_iter(J("{\"x\": 1, \"y\": 2}")), (std::vector<Json>{Json("x"), Json("y")}));
  EXPECT_EQ(python_iter(Json("a\xc3\xa9")), (std::vector<Json>{Json("a"), Json("\xc3\xa9")}));
  EXPECT_EQ(error_500([] { python_iter(J("5")); }), "'int' object is not iterable");
  EXPECT_EQ(error_500([] { python_iter(J("null")); }), "'NoneType' object is not iterable");

  EXPECT_EQ(unpack(Json("ab"), 2), (std::vector<Json>{Json("a"), Json("b")}));
  EXPECT_EQ(error_500([] { unpack(J("5"), 2); }), "cannot unpack non-iterable int object");
  EXPECT_EQ(error_500([] { unpack(J("null"), 2); }), "cannot unpack non-iterable NoneType object");
  EXPECT_EQ(error_500([] { unpack(J("[1]"), 2); }),
            "not enough values to unpack (expected 2, got 1)");
  EXPECT_EQ(error_500([] { unpack(J("[1, 2, 3]"), 2); }), "too many values to unpack (expected 2)");
}

TEST(PythonSemantics, Indexing) {
  const Json list = J("[7]");
  EXPECT_EQ(index_or_500(list, 0), J("7"));
  EXPECT_EQ(error_500([] { index_or_500(J("[]"), 0); }), "list index out of range");
  EXPECT_EQ(error_500([] { index_or_500(J("\"\""), 0); }), "string index out of range");
  EXPECT_EQ(error_500([] { index_or_500(J("{}"), 0); }), "'0'");  // KeyError(0)
  EXPECT_EQ(error_500([] { index_or_500(J("true"), 0); }), "'bool' object is not subscriptable");
}

TEST(PythonSemantics, ExceptionTexts) {
  EXPECT_EQ(subscript_error(J("null")).message(), "'NoneType' object is not subscriptable");
  EXPECT_EQ(subscript_error(J("[1]")).message(),
            "list indices must be integers or slices, not str");
  EXPECT_EQ(subscript_error(J("\"ab\"")).message(), "string indices must be integers, not 'str'");
  EXPECT_EQ(attribute_error(J("1.5"), "replace").message(),
            "'float' object has no attribute 'replace'");
  EXPECT_EQ(not_iterable_error(J("5")).message(), "'int' object is not iterable");
  EXPECT_EQ(contains_error(J("5")).message(), "argument of type 'int' is not iterable");
  EXPECT_EQ(key_error("a'b").message(), "\"a'b\"");
  EXPECT_EQ(key_error("x").status(), 500);
}

TEST(PythonSemantics, IntDigits) {
  EXPECT_EQ(python_int_digits(" 1_0 "), "10");
  EXPECT_EQ(python_int_digits("+0"), "0");
  EXPECT_EQ(python_int_digits("-00"), "-00");
  EXPECT_EQ(python_int_digits("\xd9\xa3"), "3");  // U+0663 ARABIC-INDIC THREE
  const std::string em_space = "\xe2\x80\x83";    // U+2003, stripped as str.strip() does
  EXPECT_EQ(python_int_digits(em_space + "1" + em_space), "1");
  for (const char* bad : {"1__0", "1_", "_1", "", " ", "-", "+-1", "\xc2\xb2", "1.0", "0x1"}) {
    EXPECT_FALSE(python_int_digits(bad).has_value()) << bad;
  }
  bool nonzero = true;
  EXPECT_TRUE(parse_python_int("-0", nonzero));
  EXPECT_FALSE(nonzero);
  EXPECT_TRUE(parse_python_int("0_1", nonzero));
  EXPECT_TRUE(nonzero);
}

}  // namespace
}  // namespace rapid::rapi
