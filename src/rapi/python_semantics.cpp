#include "rapi/python_semantics.h"

#include <cstdint>

#include "util/pyrepr.h"
#include "util/text.h"
#include "util/utf8.h"

namespace rapid::rapi {

bool truthy(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return false;
    case Json::value_t::boolean:
      return value.get<bool>();
    case Json::value_t::number_integer:
      return value.get<std::int64_t>() != 0;
    case Json::value_t::number_unsigned:
      return value.get<std::uint64_t>() != 0;
    case Json::value_t::number_float:
      return value.get<double>() != 0.0;
    case Json::value_t::string:
      return !value.get_ref<const std::string&>().empty();
    case Json::value_t::array:
    case Json::value_t::object:
      return !value.empty();
    default:
      return false;
  }
}

// By type: is_number_integer() also holds for unsigned values, which a
// signed comparison would wrap (2**64 - 1 would equal -1).
bool python_equals_int(const Json& value, long long number) {
  switch (value.type()) {
    case Json::value_t::boolean:
      return (value.get<bool>() ? 1 : 0) == number;
    case Json::value_t::number_integer:
      return value.get<std::int64_t>() == number;
    case Json::value_t::number_unsigned:
      return number >= 0 && value.get<std::uint64_t>() == static_cast<std::uint64_t>(number);
    case Json::value_t::number_float:
      return value.get<double>() == static_cast<double>(number);
    default:
      return false;
  }
}

bool python_equals(const Json& value, const Json& member) {
  if (member.is_string()) {
    return value.is_string() &&
           value.get_ref<const std::string&>() == member.get_ref<const std::string&>();
  }
  return python_equals_int(value, member.get<std::int64_t>());
}

std::optional<std::size_t> python_len(const Json& value) {
  if (value.is_array() || value.is_object()) return value.size();
  if (value.is_string()) return utf8::split_code_points(value.get_ref<const std::string&>()).size();
  return std::nullopt;
}

std::vector<Json> python_iter(const Json& value) {
  std::vector<Json> items;
  if (value.is_array()) {
    items.assign(value.begin(), value.end());
  } else if (value.is_object()) {
    for (const auto& [key, item] : value.items()) items.emplace_back(key);
  } else if (value.is_string()) {
    for (auto character : utf8::split_code_points(value.get_ref<const std::string&>())) {
      items.emplace_back(character);
    }
  } else {
    throw not_iterable_error(value);
  }
  return items;
}

std::vector<Json> unpack(const Json& value, std::size_t count) {
  if (!(value.is_array() || value.is_object() || value.is_string())) {
    throw ApiError(
        500, "cannot unpack non-iterable " + std::string(python_type_name(value)) + " object");
  }
  const std::vector<Json> items = python_iter(value);
  if (items.size() < count) {
    throw ApiError(500, "not enough values to unpack (expected " + std::to_string(count) +
                            ", got " + std::to_string(items.size()) + ")");
  }
  if (items.size() > count) {
    throw ApiError(500, "too many values to unpack (expected " + std::to_string(count) + ")");
  }
  return items;
}

const Json& index_or_500(const Json& list, std::size_t index) {
  if (list.is_array() || list.is_string()) {
    if (list.is_array() && index < list.size()) return list[index];
    throw ApiError(500, list.is_array() ? "list index out of range" : "string index out of range");
  }
  if (list.is_object()) throw key_error(std::to_string(index));
  throw ApiError(500, "'" + std::string(python_type_name(list)) + "' object is not subscriptable");
}

std::optional<std::string> python_int_digits(std::string_view text) {
  text = strip_unicode(text);
  std::string digits;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    if (text.front() == '-') digits += '-';
    text.remove_prefix(1);
  }
  if (text.empty()) return std::nullopt;
  bool previous_was_digit = false;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const char32_t cp = utf8::decode(text, pos);
    if (const int digit = utf8::decimal_digit_value(cp); digit >= 0) {
      digits += static_cast<char>('0' + digit);
      previous_was_digit = true;
    } else if (cp == '_' && previous_was_digit && pos < text.size()) {
      previous_was_digit = false;  // "1__0" and "1_" are rejected
    } else {
      return std::nullopt;
    }
  }
  if (!previous_was_digit) return std::nullopt;
  return digits;
}

bool parse_python_int(std::string_view text, bool& nonzero) {
  const auto digits = python_int_digits(text);
  if (!digits) return false;
  nonzero = digits->find_first_not_of("-0") != std::string::npos;
  return true;
}

std::string unhashable_message(const Json& value) {
  return "unhashable type: '" + std::string(python_type_name(value)) + "'";
}

std::string no_len_message(const Json& value) {
  return "object of type '" + std::string(python_type_name(value)) + "' has no len()";
}

ApiError subscript_error(const Json& container) {
  if (container.is_array())
    return ApiError(500, "list indices must be integers or slices, not str");
  if (container.is_string()) return ApiError(500, "string indices must be integers, not 'str'");
  return ApiError(500,
                  "'" + std::string(python_type_name(container)) + "' object is not subscriptable");
}

ApiError attribute_error(const Json& value, std::string_view attribute) {
  return ApiError(500, "'" + std::string(python_type_name(value)) + "' object has no attribute '" +
                           std::string(attribute) + "'");
}

ApiError not_iterable_error(const Json& value) {
  return ApiError(500, "'" + std::string(python_type_name(value)) + "' object is not iterable");
}

ApiError contains_error(const Json& value) {
  return ApiError(
      500, "argument of type '" + std::string(python_type_name(value)) + "' is not iterable");
}

ApiError key_error(std::string_view key) { return ApiError(500, python_str_repr(key)); }

ApiError wrong_type_error(std::string_view description, const Json& value,
                          std::string_view expected) {
  return bad_request(std::string(description) + ": Type is '" +
                     std::string(python_type_name(value)) + "', but '" + std::string(expected) +
                     "' is expected");
}

}  // namespace rapid::rapi
