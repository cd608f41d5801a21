#include "util/text.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "util/utf8.h"

namespace rapid {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#x27;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

bool is_valid_utf8(std::string_view bytes) {
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    bool valid = true;
    utf8::decode(bytes, pos, &valid);
    if (!valid) return false;
  }
  return true;
}

std::string utf8_sanitize(std::string_view bytes) {
  if (is_valid_utf8(bytes)) return std::string(bytes);
  std::string out;
  out.reserve(bytes.size() + 8);
  utf8::for_each_code_point(bytes, [&](char32_t cp) { utf8::append(out, cp); });
  return out;
}

std::optional<std::string> python_utf8_decode_error(std::string_view bytes) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(bytes[i]); };
  const auto error = [&](std::size_t start, std::size_t end, const char* reason) {
    char text[128];
    if (end - start == 1) {
      std::snprintf(text, sizeof text, "'utf-8' codec can't decode byte 0x%02x in position %zu: %s",
                    byte(start), start, reason);
    } else {
      std::snprintf(text, sizeof text, "'utf-8' codec can't decode bytes in position %zu-%zu: %s",
                    start, end - 1, reason);
    }
    return std::optional<std::string>(text);
  };
  // CPython's decoder: the allowed range of the byte after each lead byte
  // rules out overlong forms, surrogates and code points above U+10FFFF.
  for (std::size_t i = 0; i < bytes.size();) {
    const unsigned char lead = byte(i);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    if (lead < 0xC2 || lead > 0xF4) return error(i, i + 1, "invalid start byte");
    const std::size_t length = lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    for (std::size_t k = 1; k < length; ++k) {
      if (i + k >= bytes.size()) return error(i, bytes.size(), "unexpected end of data");
      const unsigned char next = byte(i + k);
      unsigned char low = 0x80, high = 0xBF;
      if (k == 1) {
        if (lead == 0xE0) low = 0xA0;
        if (lead == 0xED) high = 0x9F;
        if (lead == 0xF0) low = 0x90;
        if (lead == 0xF4) high = 0x8F;
      }
      if (next < low || next > high) return error(i, i + k, "invalid continuation byte");
    }
    i += length;
  }
  return std::nullopt;
}

std::string_view strip_ascii(std::string_view text) {
  constexpr std::string_view kSpace = " \t\n\r\f\v";
  const auto begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  const auto end = text.find_last_not_of(kSpace);
  return text.substr(begin, end - begin + 1);
}

std::string_view strip_unicode(std::string_view text) {
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t next = begin;
    if (!utf8::is_space(utf8::decode(text, next))) break;
    begin = next;
  }
  std::size_t end = begin;
  for (std::size_t pos = begin; pos < text.size();) {
    if (!utf8::is_space(utf8::decode(text, pos))) end = pos;
  }
  return text.substr(begin, end - begin);
}

std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const auto pos = text.find(sep, start);
    if (pos == std::string_view::npos) {
      parts.emplace_back(text.substr(start));
      return parts;
    }
    parts.emplace_back(text.substr(start, pos - start));
    start = pos + 1;
  }
}

namespace {
// ASCII only, whatever the locale: what HTTP and Ganeti's names need.
char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
char ascii_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }
}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

std::string to_upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = ascii_upper(c);
  return out;
}

}  // namespace rapid
