// parse_json and transcode_python: one iterative, single-pass JSON reader
// (the Reader below) driving either a DOM builder or a writer of Python's
// format. It accepts and rejects what nlohmann's parser does (but a NUL
// byte after the value, which Python refuses too) and builds the same values (the unit tests and
// the JSON fuzz target compare them). The DOM builder appends members without nlohmann's lookup in
// the ordered map (quadratic in the member count) and copies runs of plain bytes at once, but the
// DOM's allocations bound its speed (about 10% faster than nlohmann's on the real /2/info answer);
// the writer builds no DOM and is several times faster (docs/performance.md). luxid's replies are
// read on every request, so this is the hottest code of a read.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "util/json.h"
#include "util/json_transcode.h"
#include "util/utf8.h"

namespace rapid {
namespace {

// Whether `keys` (the members of one object) repeat a key: rare (luxid
// never repeats one), so checked once per object when it closes. Sorts
// `keys` (every caller's scratch copy) rather than hashing them: no
// allocation per object.
bool has_repeated_key(std::vector<std::string_view>& keys) {
  if (keys.size() < 2) return false;
  if (keys.size() <= 8) {
    for (std::size_t i = 1; i < keys.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (keys[i] == keys[j]) return true;
      }
    }
    return false;
  }
  std::sort(keys.begin(), keys.end());
  return std::adjacent_find(keys.begin(), keys.end()) != keys.end();
}

// The grammar, iteratively (no recursion, whatever the nesting). The Sink
// takes: open(object?), key(text, plain), string(text, plain),
// scalar(Json&&, its source text), close(); each returns false to stop the
// reading. A `plain` string is printable ASCII without quote or backslash,
// passed as it stands in the source (most of luxid's strings); any other
// is unescaped first.
template <typename Sink>
class Reader {
 public:
  Reader(std::string_view text, Sink& sink)
      : p_(text.data()), end_(text.data() + text.size()), sink_(sink) {}

  bool read() {
    // Whether each open container is an object, innermost last.
    std::vector<bool> objects;
    while (true) {
      skip_space();
      if (p_ == end_) return false;
      const char c = *p_;
      if (c == '{' || c == '[') {
        ++p_;
        const bool object = c == '{';
        if (!sink_.open(object)) return false;
        skip_space();
        if (p_ != end_ && *p_ == (object ? '}' : ']')) {
          ++p_;
          if (!sink_.close()) return false;
        } else {
          objects.push_back(object);
          if (object && !member_key()) return false;
          continue;
        }
      } else if (!scalar()) {
        return false;
      }
      // A value is complete: close containers until one takes another item.
      while (true) {
        skip_space();
        if (objects.empty()) return p_ == end_;
        if (p_ == end_) return false;
        if (*p_ == ',') {
          ++p_;
          if (objects.back() && !member_key()) return false;
          break;
        }
        if (*p_ != (objects.back() ? '}' : ']')) return false;
        ++p_;
        objects.pop_back();
        if (!sink_.close()) return false;
      }
    }
  }

 private:
  // A member's key and colon; its value follows.
  bool member_key() {
    skip_space();
    if (p_ == end_ || *p_ != '"') return false;
    ++p_;
    std::string_view key;
    bool plain = false;
    if (!string(key, plain)) return false;
    skip_space();
    if (p_ == end_ || *p_ != ':') return false;
    ++p_;
    return sink_.key(key, plain);
  }

  // A string after its opening quote: the source's own bytes when plain,
  // else unescaped into scratch_.
  bool string(std::string_view& text, bool& plain) {
    const char* start = p_;
    while (p_ != end_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c < 0x20 || c > 0x7E || c == '\\') break;
      if (c == '"') {
        text = std::string_view(start, static_cast<std::size_t>(p_ - start));
        ++p_;
        plain = true;
        return true;
      }
      ++p_;
    }
    p_ = start;
    scratch_.clear();
    if (!string_body(scratch_)) return false;
    text = scratch_;
    plain = false;
    return true;
  }

  bool scalar() {
    switch (*p_) {
      case '"': {
        ++p_;
        std::string_view text;
        bool plain = false;
        return string(text, plain) && sink_.string(text, plain);
      }
      case 't':
        return literal("true", true);
      case 'f':
        return literal("false", false);
      case 'n':
        return literal("null", nullptr);
      default: {
        const char* start = p_;
        Json value;
        return number(value) &&
               sink_.scalar(std::move(value),
                            std::string_view(start, static_cast<std::size_t>(p_ - start)));
      }
    }
  }

  template <typename Value>
  bool literal(std::string_view word, Value value) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::string_view(p_, word.size()) != word) {
      return false;
    }
    p_ += word.size();
    return sink_.scalar(Json(value), word);
  }

  void skip_space() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
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
          utf8::append(out, static_cast<char32_t>(cp));
          break;
        }
        default:
          return false;
      }
    }
  }

  const char* p_;
  const char* end_;
  Sink& sink_;
  std::string scratch_;  // the string being read (its capacity is reused)
};

// Builds the DOM. Each open container is an element of the one below it,
// which is not touched until it closes, so the pointers stay valid.
class DomSink {
 public:
  explicit DomSink(Json& root) : root_(root) {}

  bool open(bool object) {
    Json& slot = place();
    slot = object ? Json::object() : Json::array();
    open_.push_back(&slot);
    return true;
  }
  bool key(std::string_view key, bool /*plain*/) {
    // Appended without a lookup; close() restores the map's semantics.
    auto& members = open_.back()->get_ref<Json::object_t&>();
    members.emplace_back(std::string(key), nullptr);
    member_ = &members.back().second;
    return true;
  }
  bool string(std::string_view text, bool /*plain*/) {
    place() = std::string(text);
    return true;
  }
  bool scalar(Json&& value, std::string_view /*source*/) {
    place() = std::move(value);
    return true;
  }
  bool close() {
    if (open_.back()->is_object()) merge_repeated_keys(*open_.back());
    open_.pop_back();
    return true;
  }

 private:
  Json& place() {
    if (open_.empty()) return root_;
    Json& top = *open_.back();
    if (top.is_object()) return *member_;
    auto& items = top.get_ref<Json::array_t&>();
    items.emplace_back();
    return items.back();
  }

  // The ordered map's insertion semantics for a repeated key: the first
  // occurrence keeps its place and takes the last value.
  void merge_repeated_keys(Json& object) {
    auto& members = object.get_ref<Json::object_t&>();
    if (members.size() < 2) return;
    keys_.clear();
    for (const auto& member : members) keys_.emplace_back(member.first);
    if (!has_repeated_key(keys_)) return;
    Json::object_t merged;
    for (auto& member : members) merged[member.first] = std::move(member.second);
    members = std::move(merged);
  }

  Json& root_;
  std::vector<Json*> open_;
  Json* member_ = nullptr;
  std::vector<std::string_view> keys_;  // scratch for merge_repeated_keys
};

// Writes Python's format as it reads. Keys of the open objects are kept (in
// one buffer) to find repeated ones, and checked against the keys the
// caller handles itself.
class PythonWriter {
 public:
  PythonWriter(std::string& out, std::span<const std::string_view> special_keys)
      : out_(out), special_keys_(special_keys) {}

  bool needs_dom = false;

  void capture(TopMembers& members) {
    members_ = &members;
    members.values.assign(members.names.size(), {std::string::npos, 0});
  }

  // Writes each row (a list in the top-level list) as an object of `fields`.
  void map_rows(std::span<const std::string_view> fields) {
    map_rows_ = true;
    fields_ = fields;
  }

  bool open(bool object) {
    if (map_rows_ && levels_.size() < 2 && object) return stop_for_dom();  // no list
    if (!separate()) return false;
    const bool row = map_rows_ && levels_.size() == 1;
    out_ += object || row ? '{' : '[';
    levels_.push_back(Level{object, row, true, 0, key_ends_.size()});
    return true;
  }
  bool key(std::string_view key, bool plain) {
    for (auto special : special_keys_) {
      if (key == special) return stop_for_dom();
    }
    Level& level = levels_.back();
    if (!level.first) out_ += ", ";
    level.first = false;
    write_string(key, plain);
    out_ += ": ";
    keys_ += key;
    key_ends_.push_back(keys_.size());
    after_key_ = true;
    if (members_ && levels_.size() == 1) {
      for (std::size_t i = 0; i < members_->names.size(); ++i) {
        if (key == members_->names[i]) {
          capturing_ = i;
          members_->values[i].first = out_.size();
        }
      }
    }
    return true;
  }
  bool string(std::string_view text, bool plain) {
    if (map_rows_ && levels_.size() < 2) return stop_for_dom();  // no list
    if (!separate()) return false;
    write_string(text, plain);
    value_written();
    return true;
  }
  bool scalar(Json&& value, std::string_view source) {
    if (map_rows_ && levels_.size() < 2) return stop_for_dom();  // no list
    if (!separate()) return false;
    // An integer's or literal's JSON text is what Python writes, but for
    // "-0" (the integer 0); a float's is not (Python's repr).
    if (value.is_number_float() || source == "-0") {
      dump_python(value, out_);
    } else {
      out_ += source;
    }
    value_written();
    return true;
  }
  bool close() {
    const Level level = levels_.back();
    levels_.pop_back();
    if (level.row && level.items != fields_.size()) return stop_for_dom();
    out_ += level.object || level.row ? '}' : ']';
    value_written();
    if (!level.object) return true;
    closing_keys_.clear();
    std::size_t begin = level.first_key == 0 ? 0 : key_ends_[level.first_key - 1];
    for (std::size_t i = level.first_key; i < key_ends_.size(); ++i) {
      closing_keys_.emplace_back(keys_.data() + begin, key_ends_[i] - begin);
      begin = key_ends_[i];
    }
    if (has_repeated_key(closing_keys_)) return stop_for_dom();
    keys_.resize(level.first_key == 0 ? 0 : key_ends_[level.first_key - 1]);
    key_ends_.resize(level.first_key);
    return true;
  }

 private:
  struct Level {
    bool object;
    bool row;               // a list written as an object (map_rows)
    bool first;             // no item written yet
    std::size_t items;      // of a row, so far
    std::size_t first_key;  // index of its first key in key_ends_
  };

  // ", " before an array's items but the first (a member's comes with
  // its key); a row's item is preceded by its field's name.
  bool separate() {
    if (after_key_ || levels_.empty()) {
      after_key_ = false;
      return true;
    }
    Level& level = levels_.back();
    if (!level.first) out_ += ", ";
    level.first = false;
    if (level.row) {
      if (level.items == fields_.size()) return stop_for_dom();
      dump_python_string(fields_[level.items++], out_);
      out_ += ": ";
    }
    return true;
  }

  // A plain string needs no escape in Python's format either.
  void write_string(std::string_view text, bool plain) {
    if (!plain) return dump_python_string(text, out_);
    out_ += '"';
    out_ += text;
    out_ += '"';
  }

  // A top-level member's value ends here: its place, if it is captured.
  void value_written() {
    if (!capturing_ || levels_.size() != 1) return;
    auto& value = members_->values[*capturing_];
    value.second = out_.size() - value.first;
    capturing_.reset();
  }

  bool stop_for_dom() {
    needs_dom = true;
    return false;
  }

  std::string& out_;
  std::span<const std::string_view> special_keys_;
  TopMembers* members_ = nullptr;
  std::optional<std::size_t> capturing_;
  bool map_rows_ = false;
  std::span<const std::string_view> fields_;
  std::vector<Level> levels_;
  std::string keys_;                   // the keys of the open objects, end to end
  std::vector<std::size_t> key_ends_;  // where each ends in keys_
  std::vector<std::string_view> closing_keys_;
  bool after_key_ = false;
};

// nlohmann skips a UTF-8 byte order mark before the value.
std::string_view without_bom(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  return text;
}

}  // namespace

std::optional<Json> parse_json(std::string_view text) {
  Json value;
  DomSink sink(value);
  Reader<DomSink> reader(without_bom(text), sink);
  if (!reader.read()) return std::nullopt;
  return value;
}

namespace {

Transcoded transcode(std::string_view text, std::string& out, PythonWriter& writer) {
  const std::size_t size = out.size();
  Reader<PythonWriter> reader(without_bom(text), writer);
  if (reader.read()) return Transcoded::ok;
  out.resize(size);
  return writer.needs_dom ? Transcoded::needs_dom : Transcoded::invalid;
}

}  // namespace

Transcoded transcode_python(std::string_view text, std::string& out,
                            std::span<const std::string_view> special_keys, TopMembers* members) {
  PythonWriter writer(out, special_keys);
  if (members) writer.capture(*members);
  return transcode(text, out, writer);
}

Transcoded transcode_python_rows(std::string_view text, std::span<const std::string_view> fields,
                                 std::string& out, std::span<const std::string_view> special_keys) {
  // A field named like a special key, or twice: the DOM's semantics.
  std::vector<std::string_view> names(fields.begin(), fields.end());
  names.insert(names.end(), special_keys.begin(), special_keys.end());
  if (has_repeated_key(names)) return Transcoded::needs_dom;
  PythonWriter writer(out, special_keys);
  writer.map_rows(fields);
  return transcode(text, out, writer);
}

}  // namespace rapid

namespace rapid {

std::optional<std::vector<std::string_view>> json_list_items(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
  std::size_t begin = 0, end = text.size();
  while (begin < end && space(text[begin])) ++begin;
  while (end > begin && space(text[end - 1])) --end;
  if (end - begin < 2 || text[begin] != '[' || text[end - 1] != ']') return std::nullopt;
  std::vector<std::string_view> items;
  std::size_t depth = 0, item = begin + 1;
  bool in_string = false;
  const auto add_item = [&](std::size_t stop) {
    std::size_t first = item, last = stop;
    while (first < last && space(text[first])) ++first;
    while (last > first && space(text[last - 1])) --last;
    if (first == last) return false;
    items.push_back(text.substr(first, last - first));
    return true;
  };
  for (std::size_t i = begin + 1; i < end - 1; ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if (c == ']' || c == '}') {
      if (depth == 0) return std::nullopt;
      --depth;
    } else if (c == ',' && depth == 0) {
      if (!add_item(i)) return std::nullopt;
      item = i + 1;
    }
  }
  if (in_string || depth != 0) return std::nullopt;
  // "[]" (blank inside) has no items; otherwise the last one ends at "]".
  std::size_t rest = item;
  while (rest < end - 1 && space(text[rest])) ++rest;
  if (rest == end - 1) return items.empty() ? std::optional(items) : std::nullopt;
  if (!add_item(end - 1)) return std::nullopt;
  return items;
}

}  // namespace rapid
