// parse_json: a single-pass, iterative JSON parser building the DOM
// directly. It accepts and rejects exactly what nlohmann's parser does and
// builds the same values (the unit tests and the fuzz target compare the
// two), at several times its speed: nlohmann tokenises each string and
// number character by character through a virtual-free but per-byte lexer,
// and looks up every object member linearly in the ordered map as it
// inserts it (quadratic in the member count). luxid's replies are parsed
// on every request, so this is the hottest code of a read.

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>
#include <unordered_set>
#include <vector>

#include "util/json.h"

namespace rapid {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  bool parse(Json& root) {
    // Containers being filled, innermost last. Each is an element of the
    // one below it, which is not touched until it is closed, so the
    // pointers stay valid.
    std::vector<Json*> open;
    Json* slot = &root;  // where the next value goes
    while (true) {
      skip_space();
      if (p_ == end_) return false;
      const char c = *p_;
      if (c == '{' || c == '[') {
        ++p_;
        *slot = c == '{' ? Json::object() : Json::array();
        skip_space();
        if (p_ != end_ && *p_ == (c == '{' ? '}' : ']')) {
          ++p_;
        } else {
          open.push_back(slot);
          slot = next_slot(*slot);
          if (!slot) return false;
          continue;
        }
      } else if (!scalar(*slot)) {
        return false;
      }
      // A value is complete: close containers until one takes another item.
      while (true) {
        skip_space();
        if (open.empty()) return p_ == end_;
        if (p_ == end_) return false;
        Json& top = *open.back();
        if (*p_ == ',') {
          ++p_;
          slot = next_slot(top);
          if (!slot) return false;
          break;
        }
        if (*p_ != (top.is_object() ? '}' : ']')) return false;
        ++p_;
        if (top.is_object()) merge_duplicate_keys(top);
        open.pop_back();
      }
    }
  }

 private:
  void skip_space() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  // A new element of `container` (for an object: after its key and colon).
  Json* next_slot(Json& container) {
    if (container.is_array()) {
      auto& array = container.get_ref<Json::array_t&>();
      array.emplace_back();
      return &array.back();
    }
    skip_space();
    if (p_ == end_ || *p_ != '"') return nullptr;
    ++p_;
    std::string key;
    if (!string_body(key)) return nullptr;
    skip_space();
    if (p_ == end_ || *p_ != ':') return nullptr;
    ++p_;
    // Appended without a lookup; merge_duplicate_keys restores the map's
    // semantics when the object closes.
    auto& object = container.get_ref<Json::object_t&>();
    object.emplace_back(std::move(key), nullptr);
    return &object.back().second;
  }

  // Ordered-map insertion semantics for a repeated key (rare: luxid never
  // repeats one): the first occurrence keeps its place and takes the last
  // value.
  static void merge_duplicate_keys(Json& object) {
    auto& members = object.get_ref<Json::object_t&>();
    if (members.size() < 2) return;
    bool repeated = false;
    if (members.size() <= 8) {
      const auto at = members.begin();  // ordered_map's [] takes keys
      for (std::size_t i = 1; i < members.size() && !repeated; ++i) {
        for (std::size_t j = 0; j < i; ++j) {
          if (at[i].first == at[j].first) {
            repeated = true;
            break;
          }
        }
      }
    } else {
      std::unordered_set<std::string_view> seen;
      seen.reserve(members.size());
      for (const auto& member : members) {
        if (!seen.insert(member.first).second) {
          repeated = true;
          break;
        }
      }
    }
    if (!repeated) return;
    Json::object_t merged;
    for (auto& member : members) merged[member.first] = std::move(member.second);
    members = std::move(merged);
  }

  bool scalar(Json& value) {
    switch (*p_) {
      case '"': {
        ++p_;
        std::string text;
        if (!string_body(text)) return false;
        value = std::move(text);
        return true;
      }
      case 't':
        return literal("true", value, Json(true));
      case 'f':
        return literal("false", value, Json(false));
      case 'n':
        return literal("null", value, Json(nullptr));
      default:
        return number(value);
    }
  }

  bool literal(std::string_view word, Json& value, Json result) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::string_view(p_, word.size()) != word) {
      return false;
    }
    p_ += word.size();
    value = std::move(result);
    return true;
  }

  static bool digit(char c) { return c >= '0' && c <= '9'; }

  // RFC 8259's grammar. Integers become int64 (negative) or uint64 when they
  // fit, else doubles, as nlohmann's lexer converts them.
  bool number(Json& value) {
    const char* start = p_;
    if (p_ != end_ && *p_ == '-') ++p_;
    if (p_ == end_ || !digit(*p_)) return false;
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ != end_ && digit(*p_)) ++p_;
    }
    bool integer = true;
    if (p_ != end_ && *p_ == '.') {
      integer = false;
      ++p_;
      if (p_ == end_ || !digit(*p_)) return false;
      while (p_ != end_ && digit(*p_)) ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      integer = false;
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !digit(*p_)) return false;
      while (p_ != end_ && digit(*p_)) ++p_;
    }
    if (integer) {
      if (*start == '-') {
        std::int64_t n = 0;
        if (std::from_chars(start, p_, n).ec == std::errc()) {
          value = n;
          return true;
        }
      } else {
        std::uint64_t n = 0;
        if (std::from_chars(start, p_, n).ec == std::errc()) {
          value = n;
          return true;
        }
      }
    }
    // strtod, as nlohmann: values too small become 0 (from_chars would
    // refuse them).
    const std::string token(start, p_);
    const double parsed = std::strtod(token.c_str(), nullptr);
    value = parsed;
    return std::isfinite(parsed);  // nlohmann refuses to overflow to infinity
  }

  static unsigned hex_value(char c) {
    if (c >= '0' && c <= '9') return static_cast<unsigned>(c - '0');
    if (c >= 'a' && c <= 'f') return static_cast<unsigned>(c - 'a' + 10);
    if (c >= 'A' && c <= 'F') return static_cast<unsigned>(c - 'A' + 10);
    return 16;
  }

  // Four hex digits after "\u"; 0x10000 on error.
  unsigned hex4() {
    if (end_ - p_ < 4) return 0x10000;
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      const unsigned d = hex_value(p_[i]);
      if (d > 15) return 0x10000;
      v = v << 4 | d;
    }
    p_ += 4;
    return v;
  }

  static void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  // One UTF-8 sequence at p_ (lead byte >= 0x80), checked as RFC 3629 and
  // nlohmann do: no overlong forms, surrogates or code points above
  // U+10FFFF. Returns its length, 0 when invalid.
  std::size_t utf8_sequence() const {
    const auto at = [&](std::ptrdiff_t i) { return static_cast<unsigned char>(p_[i]); };
    const unsigned char lead = at(0);
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    } else {
      return 0;
    }
    if (static_cast<std::size_t>(end_ - p_) < length) return 0;
    if (at(1) < low || at(1) > high) return 0;
    for (std::size_t i = 2; i < length; ++i) {
      if ((at(static_cast<std::ptrdiff_t>(i)) & 0xC0) != 0x80) return 0;
    }
    return length;
  }

  // The rest of a string after its opening quote, unescaped into `out`.
  bool string_body(std::string& out) {
    while (true) {
      // The longest run that needs no work, appended at once.
      const char* run = p_;
      while (p_ != end_) {
        const auto c = static_cast<unsigned char>(*p_);
        if (c == '"' || c == '\\' || c < 0x20) break;
        if (c < 0x80) {
          ++p_;
          continue;
        }
        const std::size_t length = utf8_sequence();
        if (length == 0) return false;
        p_ += length;
      }
      out.append(run, p_);
      if (p_ == end_) return false;
      const char c = *p_++;
      if (c == '"') return true;
      if (c != '\\') return false;  // a control character
      if (p_ == end_) return false;
      switch (*p_++) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          unsigned cp = hex4();
          if (cp > 0xFFFF) return false;
          if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a lone low surrogate
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
            p_ += 2;
            const unsigned low = hex4();
            if (low < 0xDC00 || low > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(out, cp);
          break;
        }
        default:
          return false;
      }
    }
  }

  const char* p_;
  const char* end_;
};

}  // namespace

std::optional<Json> parse_json(std::string_view text) {
  // nlohmann skips a UTF-8 byte order mark before the value.
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  Json value;
  Parser parser(text);
  if (!parser.parse(value)) return std::nullopt;
  return value;
}

}  // namespace rapid
