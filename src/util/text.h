#pragma once
// Small text helpers shared by the layers.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rapid {

// The escaping Python's html.escape(s, quote=True) does; Ganeti applies it to
// every error message it sends.
std::string html_escape(std::string_view text);

// Replaces every invalid UTF-8 sequence with U+FFFD (like Python's
// decode("utf-8", "replace")).
std::string utf8_sanitize(std::string_view bytes);
bool is_valid_utf8(std::string_view bytes);

// The text of the UnicodeDecodeError Python's bytes.decode("utf-8") raises
// for `bytes` ("'utf-8' codec can't decode byte 0xac in position 45:
// invalid start byte"), or nullopt when they are valid UTF-8.
std::optional<std::string> python_utf8_decode_error(std::string_view bytes);

// Python str.strip() for ASCII whitespace.
std::string_view strip_ascii(std::string_view text);

// Python str.strip() of UTF-8 text (Unicode whitespace, str.isspace()).
std::string_view strip_unicode(std::string_view text);

// Python str.split(sep) (no maxsplit): "a,,b" -> {"a", "", "b"}, "" -> {""}.
std::vector<std::string> split(std::string_view text, char sep);

// ASCII case (bytes outside A-Z/a-z stay as they are, as in the C locale).
bool iequals(std::string_view a, std::string_view b);
std::string to_lower(std::string_view text);
std::string to_upper(std::string_view text);

}  // namespace rapid
