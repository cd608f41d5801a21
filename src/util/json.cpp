#include "util/json.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "util/container_writer.h"
#include "util/utf8.h"

namespace rapid {
namespace {

void append_hex4(std::string& out, unsigned value) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(value >> shift) & 0xF];
}

// simplejson's ensure_ascii string encoding. Runs of printable ASCII (all
// of most strings) are appended at once.
void dump_string(std::string_view text, std::string& out) {
  out += '"';
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t run = pos;
    while (pos < text.size()) {
      const auto c = static_cast<unsigned char>(text[pos]);
      if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\') break;
      ++pos;
    }
    out.append(text, run, pos - run);
    if (pos == text.size()) break;
    const char32_t cp = utf8::decode(text, pos);
    switch (cp) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\b':
        out += "\\b";
        continue;
      case '\f':
        out += "\\f";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      default:
        break;
    }
    if (cp < 0x10000) {
      append_hex4(out, static_cast<unsigned>(cp));
    } else {
      const unsigned v = static_cast<unsigned>(cp) - 0x10000;
      append_hex4(out, 0xD800 + (v >> 10));
      append_hex4(out, 0xDC00 + (v & 0x3FF));
    }
  }
  out += '"';
}

template <typename Integer>
void dump_integer(Integer value, std::string& out) {
  char buf[24];
  const auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;
  out.append(buf, end);
}

void dump_float(double value, std::string& out) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "Infinity" : "-Infinity";
  } else {
    out += python_float_repr(value);
  }
}

void dump_value(const Json& value, std::string& out) {
  switch (value.type()) {
    case Json::value_t::null:
      out += "null";
      break;
    case Json::value_t::boolean:
      out += value.get<bool>() ? "true" : "false";
      break;
    case Json::value_t::number_integer:
      dump_integer(value.get<std::int64_t>(), out);
      break;
    case Json::value_t::number_unsigned:
      dump_integer(value.get<std::uint64_t>(), out);
      break;
    case Json::value_t::number_float:
      dump_float(value.get<double>(), out);
      break;
    case Json::value_t::string:
      dump_string(value.get_ref<const std::string&>(), out);
      break;
    case Json::value_t::array:
    case Json::value_t::object:
      detail::write_container(value, out, dump_string, dump_value);
      break;
    case Json::value_t::binary:
    case Json::value_t::discarded:
      out += "null";
      break;
  }
}

}  // namespace

std::string python_float_repr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  // Shortest round-trip digits in scientific form: "d.ddde+XX".
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));
  std::string sign;
  if (!sci.empty() && sci.front() == '-') {
    sign = "-";
    sci.remove_prefix(1);
  }
  const auto epos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, epos)) {
    if (c != '.') digits += c;
  }
  int exponent = 0;
  std::from_chars(sci.data() + epos + 1 + (sci[epos + 1] == '+' ? 1 : 0), sci.data() + sci.size(),
                  exponent);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  // CPython's repr switches to exponent notation when the decimal point
  // would sit more than 16 places right or 4 places left of the digits.
  const int decpt = exponent + 1;
  const int ndigits = static_cast<int>(digits.size());
  std::string out = sign;
  if (decpt <= -4 || decpt > 16) {
    out += digits[0];
    if (ndigits > 1) {
      out += '.';
      out.append(digits, 1);
    }
    const int e = decpt - 1;
    char ebuf[16];
    std::snprintf(ebuf, sizeof ebuf, "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
    out += ebuf;
  } else if (decpt <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-decpt), '0');
    out += digits;
  } else if (decpt < ndigits) {
    out.append(digits, 0, static_cast<std::size_t>(decpt));
    out += '.';
    out.append(digits, static_cast<std::size_t>(decpt));
  } else {
    out += digits;
    out.append(static_cast<std::size_t>(decpt - ndigits), '0');
    out += ".0";
  }
  return out;
}

void dump_python(const Json& value, std::string& out) { dump_value(value, out); }

void dump_python_string(std::string_view text, std::string& out) { dump_string(text, out); }

std::string dump_python(const Json& value) {
  std::string out;
  dump_value(value, out);
  return out;
}

bool json_nesting_exceeds(std::string_view text, std::size_t limit) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character, whatever it is
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}

}  // namespace rapid
