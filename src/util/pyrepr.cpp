#include "util/pyrepr.h"

#include <cstdio>

#include "util/container_writer.h"
#include "util/utf8.h"

namespace rapid {
namespace {

// CPython's str.isprintable() approximated for the code points that occur
// in practice: controls, separators other than the space, format characters,
// surrogates, private-use and unassigned specials are escaped.
bool is_printable(char32_t cp) {
  if (cp < 0x20 || (cp >= 0x7F && cp <= 0xA0) || cp == 0xAD) return false;
  if (cp >= 0x2000 && cp <= 0x200F) return false;
  if (cp >= 0x2028 && cp <= 0x202F) return false;
  if (cp >= 0x205F && cp <= 0x206F) return false;
  if (cp == 0x3000 || cp == 0xFEFF || cp == 0x1680 || cp == 0x180E) return false;
  if (cp >= 0xD800 && cp <= 0xF8FF) return false;  // surrogates, private use
  if (cp >= 0xFFF0 && cp <= 0xFFFB) return false;
  if (cp == 0xFFFE || cp == 0xFFFF) return false;
  if (cp >= 0xE0000) return false;
  return true;
}

void repr_string(std::string_view text, std::string& out) {
  bool has_single = false;
  bool has_double = false;
  utf8::for_each_code_point(text, [&](char32_t cp) {
    has_single |= cp == '\'';
    has_double |= cp == '"';
  });
  const char quote = (has_single && !has_double) ? '"' : '\'';
  out += quote;
  utf8::for_each_code_point(text, [&](char32_t cp) {
    char buf[16];
    if (cp == static_cast<char32_t>(quote) || cp == '\\') {
      out += '\\';
      out += static_cast<char>(cp);
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (is_printable(cp)) {
      utf8::append(out, cp);
    } else if (cp < 0x100) {
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(cp));
      out += buf;
    } else if (cp < 0x10000) {
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
      out += buf;
    } else {
      std::snprintf(buf, sizeof buf, "\\U%08x", static_cast<unsigned>(cp));
      out += buf;
    }
  });
  out += quote;
}

void repr_value(const Json& value, std::string& out) {
  switch (value.type()) {
    case Json::value_t::null:
      out += "None";
      break;
    case Json::value_t::boolean:
      out += value.get<bool>() ? "True" : "False";
      break;
    case Json::value_t::number_integer:
      out += std::to_string(value.get<std::int64_t>());
      break;
    case Json::value_t::number_unsigned:
      out += std::to_string(value.get<std::uint64_t>());
      break;
    case Json::value_t::number_float:
      out += python_float_repr(value.get<double>());
      break;
    case Json::value_t::string:
      repr_string(value.get_ref<const std::string&>(), out);
      break;
    case Json::value_t::array:
    case Json::value_t::object:
      detail::write_container(value, out, repr_string, repr_value);
      break;
    default:
      out += "None";
      break;
  }
}

}  // namespace

std::string python_str_repr(std::string_view utf8) {
  std::string out;
  repr_string(utf8, out);
  return out;
}

std::string python_repr(const Json& value) {
  std::string out;
  repr_value(value, out);
  return out;
}

std::string python_str(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  return python_repr(value);
}

std::string python_tuple_repr(std::span<const Json> items) {
  std::string out = "(";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    repr_value(items[i], out);
  }
  if (items.size() == 1) out += ',';
  out += ')';
  return out;
}

std::string python_exception_text(std::span<const Json> args) {
  if (args.empty()) return "";
  if (args.size() == 1) return python_str(args[0]);
  return python_tuple_repr(args);
}

std::string python_set_repr(std::span<const std::string> items) {
  if (items.empty()) return "set()";
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    repr_string(items[i], out);
  }
  out += '}';
  return out;
}

std::string_view python_type_name(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return "NoneType";
    case Json::value_t::boolean:
      return "bool";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "int";
    case Json::value_t::number_float:
      return "float";
    case Json::value_t::string:
      return "str";
    case Json::value_t::array:
      return "list";
    case Json::value_t::object:
      return "dict";
    default:
      return "NoneType";
  }
}

}  // namespace rapid
