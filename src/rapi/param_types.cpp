#include "param_types.h"

#include "rapid/util/pyrepr.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <utility>
#include <vector>

// The checkers mirror the semantics of Ganeti's ht.py tests on values
// decoded from JSON (Python int/float/str/list/dict/bool/None):
//  * combinators short-circuit left to right, and a Python exception raised
//    anywhere propagates (TOr does not catch it);
//  * membership in a frozenset hashes the value first, so a list or dict
//    raises TypeError("unhashable type: ...") instead of failing; membership
//    in a list compares by equality (False == 0 == 0.0, True == 1);
//  * TIsLength calls len(), which raises TypeError for numbers, booleans and
//    None and counts code points of strings and keys of dicts; TItems then
//    iterates the value (characters of a string, keys of a dict).

namespace rapid::rapi {
namespace {

using Ptr = ParamTypePtr;

[[noreturn]] void raise_type_error(std::string message) {
  throw PyCheckError(PyCheckError::Kind::type_error, message);
}

[[noreturn]] void raise_value_error(std::string message) {
  throw PyCheckError(PyCheckError::Kind::value_error, message);
}

// ---------------------------------------------------------------------------
// UTF-8 helpers (input strings come from the JSON parser: valid UTF-8).

std::size_t code_point_count(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

// Splits text into its code points (each as a UTF-8 substring).
std::vector<std::string_view> code_points(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 1; i <= text.size(); ++i) {
    if (i == text.size() || (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      out.push_back(text.substr(start, i - start));
      start = i;
    }
  }
  return out;
}

char32_t decode_code_point(std::string_view text) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80 || text.size() == 1) return lead;
  char32_t cp = 0;
  if ((lead & 0xE0) == 0xC0) {
    cp = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    cp = lead & 0x0F;
  } else {
    cp = lead & 0x07;
  }
  for (std::size_t i = 1; i < text.size(); ++i) cp = (cp << 6) | (byte(i) & 0x3F);
  return cp;
}

// Code points matched by Python's re "\d" (Unicode category Nd) in the
// Unicode 14.0 database of Python 3.11 (derived with re.match(r"\d", chr(c))
// over all code points).
constexpr std::pair<char32_t, char32_t> kDecimalDigits[] = {
    {0x30, 0x39},       {0x660, 0x669},     {0x6F0, 0x6F9},     {0x7C0, 0x7C9},
    {0x966, 0x96F},     {0x9E6, 0x9EF},     {0xA66, 0xA6F},     {0xAE6, 0xAEF},
    {0xB66, 0xB6F},     {0xBE6, 0xBEF},     {0xC66, 0xC6F},     {0xCE6, 0xCEF},
    {0xD66, 0xD6F},     {0xDE6, 0xDEF},     {0xE50, 0xE59},     {0xED0, 0xED9},
    {0xF20, 0xF29},     {0x1040, 0x1049},   {0x1090, 0x1099},   {0x17E0, 0x17E9},
    {0x1810, 0x1819},   {0x1946, 0x194F},   {0x19D0, 0x19D9},   {0x1A80, 0x1A89},
    {0x1A90, 0x1A99},   {0x1B50, 0x1B59},   {0x1BB0, 0x1BB9},   {0x1C40, 0x1C49},
    {0x1C50, 0x1C59},   {0xA620, 0xA629},   {0xA8D0, 0xA8D9},   {0xA900, 0xA909},
    {0xA9D0, 0xA9D9},   {0xA9F0, 0xA9F9},   {0xAA50, 0xAA59},   {0xABF0, 0xABF9},
    {0xFF10, 0xFF19},   {0x104A0, 0x104A9}, {0x10D30, 0x10D39}, {0x11066, 0x1106F},
    {0x110F0, 0x110F9}, {0x11136, 0x1113F}, {0x111D0, 0x111D9}, {0x112F0, 0x112F9},
    {0x11450, 0x11459}, {0x114D0, 0x114D9}, {0x11650, 0x11659}, {0x116C0, 0x116C9},
    {0x11730, 0x11739}, {0x118E0, 0x118E9}, {0x11950, 0x11959}, {0x11C50, 0x11C59},
    {0x11D50, 0x11D59}, {0x11DA0, 0x11DA9}, {0x16A60, 0x16A69}, {0x16AC0, 0x16AC9},
    {0x16B50, 0x16B59}, {0x1D7CE, 0x1D7FF}, {0x1E140, 0x1E149}, {0x1E2F0, 0x1E2F9},
    {0x1E950, 0x1E959}, {0x1FBF0, 0x1FBF9},
};

bool is_unicode_decimal(char32_t cp) {
  for (const auto& [low, high] : kDecimalDigits) {
    if (cp < low) return false;
    if (cp <= high) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------
// Python value semantics.

// len(value): raises TypeError for values without a length.
std::size_t python_len(const Json& value) {
  if (value.is_array() || value.is_object()) return value.size();
  if (value.is_string()) return code_point_count(value.get_ref<const std::string&>());
  raise_type_error("object of type '" + std::string(python_type_name(value)) +
                   "' has no len()");
}

// value == member for a str or int member (bool is an int in Python).
bool python_equals(const Json& value, const Json& member) {
  if (member.is_string()) {
    return value.is_string() &&
           value.get_ref<const std::string&>() == member.get_ref<const std::string&>();
  }
  const std::int64_t m = member.get<std::int64_t>();
  switch (value.type()) {
    case Json::value_t::boolean: return (value.get<bool>() ? 1 : 0) == m;
    case Json::value_t::number_integer: return value.get<std::int64_t>() == m;
    case Json::value_t::number_unsigned:
      return m >= 0 && value.get<std::uint64_t>() == static_cast<std::uint64_t>(m);
    case Json::value_t::number_float: return value.get<double>() == static_cast<double>(m);
    default: return false;
  }
}

// -1, 0 or 1 for a JSON integer.
int int_sign(const Json& value) {
  if (value.is_number_unsigned()) return value.get<std::uint64_t>() == 0 ? 0 : 1;
  const std::int64_t v = value.get<std::int64_t>();
  return v < 0 ? -1 : (v == 0 ? 0 : 1);
}

// ---------------------------------------------------------------------------
// Checkers.

struct AnyType final : ParamType {
  bool check(const Json&) const override { return true; }
};

struct NullType final : ParamType {
  bool check(const Json& value) const override { return value.is_null(); }
};

struct BoolType final : ParamType {
  bool check(const Json& value) const override { return value.is_boolean(); }
};

// TInt (bool excluded), optionally with TNonNegative/TPositive/TNegativeInt
// and TMaxValue.
struct IntType final : ParamType {
  enum class Sign { any, non_negative, positive, negative };
  Sign sign = Sign::any;
  std::optional<std::int64_t> below;  // exclusive upper bound

  bool check(const Json& value) const override {
    if (!value.is_number_integer()) return false;  // excludes bool and float
    const int s = int_sign(value);
    switch (sign) {
      case Sign::any: break;
      case Sign::non_negative: if (s < 0) return false; break;
      case Sign::positive: if (s <= 0) return false; break;
      case Sign::negative: if (s >= 0) return false; break;
    }
    if (below) {
      if (value.is_number_unsigned()) {
        return *below > 0 && value.get<std::uint64_t>() < static_cast<std::uint64_t>(*below);
      }
      return value.get<std::int64_t>() < *below;
    }
    return true;
  }
};

struct FloatType final : ParamType {
  bool check(const Json& value) const override { return value.is_number_float(); }
};

struct StrType final : ParamType {
  bool non_empty = false;
  bool check(const Json& value) const override {
    return value.is_string() && (!non_empty || !value.get_ref<const std::string&>().empty());
  }
};

// TElemOf: `value in container`. A frozenset container hashes the value.
struct EnumType final : ParamType {
  std::vector<Json> members;
  bool hashed = true;

  bool check(const Json& value) const override {
    if (hashed && (value.is_array() || value.is_object())) {
      raise_type_error("unhashable type: '" + std::string(python_type_name(value)) + "'");
    }
    return std::any_of(members.begin(), members.end(),
                       [&](const Json& member) { return python_equals(value, member); });
  }
};

// TListOf (a missing element type means TList).
struct ListType final : ParamType {
  Ptr element;
  bool check(const Json& value) const override {
    if (!value.is_array()) return false;
    if (!element) return true;
    return std::all_of(value.begin(), value.end(),
                       [&](const Json& item) { return element->check(item); });
  }
};

// TDictOf (missing key/value types mean TAny): all keys first, then values.
struct DictType final : ParamType {
  Ptr key;
  Ptr value_type;
  bool check(const Json& value) const override {
    if (!value.is_object()) return false;
    if (key) {
      for (const auto& item : value.items()) {
        if (!key->check(Json(item.key()))) return false;
      }
    }
    if (value_type) {
      for (const auto& item : value.items()) {
        if (!value_type->check(item.value())) return false;
      }
    }
    return true;
  }
};

// TAnd(TIsLength(n), TItems([...])) on any value.
struct ItemsType final : ParamType {
  std::vector<Ptr> items;
  bool check(const Json& value) const override {
    if (python_len(value) != items.size()) return false;
    if (value.is_array()) {
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (!items[i]->check(value[i])) return false;
      }
    } else if (value.is_object()) {
      std::size_t i = 0;
      for (const auto& item : value.items()) {
        if (!items[i++]->check(Json(item.key()))) return false;
      }
    } else {  // str: its characters
      const auto chars = code_points(value.get_ref<const std::string&>());
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (!items[i]->check(Json(std::string(chars[i])))) return false;
      }
    }
    return true;
  }
};

struct AndType final : ParamType {
  std::vector<Ptr> parts;
  bool check(const Json& value) const override {
    return std::all_of(parts.begin(), parts.end(), [&](const Ptr& p) { return p->check(value); });
  }
};

struct OrType final : ParamType {
  std::vector<Ptr> parts;
  bool check(const Json& value) const override {
    return std::any_of(parts.begin(), parts.end(), [&](const Ptr& p) { return p->check(value); });
  }
};

// TRegex(re.compile("^\d+$")) with Python's re.match semantics: Unicode
// decimal digits, and "$" also matches before a final newline.
struct JobIdStringType final : ParamType {
  bool check(const Json& value) const override {
    if (!value.is_string()) return false;
    std::string_view text = value.get_ref<const std::string&>();
    if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
    if (text.empty()) return false;
    for (const auto cp : code_points(text)) {
      if (!is_unicode_decimal(decode_code_point(cp))) return false;
    }
    return true;
  }
};

struct IpType final : ParamType {
  bool (*fn)(std::string_view) = nullptr;
  bool check(const Json& value) const override {
    return value.is_string() && fn(value.get_ref<const std::string&>());
  }
};

// ---------------------------------------------------------------------------
// Constructors.

template <typename T>
std::shared_ptr<T> make() {
  return std::make_shared<T>();
}

Ptr int_type(IntType::Sign sign, std::optional<std::int64_t> below = std::nullopt) {
  auto t = make<IntType>();
  t->sign = sign;
  t->below = below;
  return t;
}

Ptr str_type(bool non_empty) {
  auto t = make<StrType>();
  t->non_empty = non_empty;
  return t;
}

Ptr enum_of(std::initializer_list<const char*> names, bool hashed = true) {
  auto t = make<EnumType>();
  for (const char* name : names) t->members.emplace_back(name);
  t->hashed = hashed;
  return t;
}

Ptr list_of(Ptr element) {
  auto t = make<ListType>();
  t->element = std::move(element);
  return t;
}

Ptr dict_of(Ptr key, Ptr value) {
  auto t = make<DictType>();
  t->key = std::move(key);
  t->value_type = std::move(value);
  return t;
}

Ptr items_of(std::vector<Ptr> items) {
  auto t = make<ItemsType>();
  t->items = std::move(items);
  return t;
}

Ptr and_of(std::vector<Ptr> parts) {
  auto t = make<AndType>();
  t->parts = std::move(parts);
  return t;
}

Ptr or_of(std::vector<Ptr> parts) {
  auto t = make<OrType>();
  t->parts = std::move(parts);
  return t;
}

Ptr ip_type(bool (*fn)(std::string_view)) {
  auto t = make<IpType>();
  t->fn = fn;
  return t;
}

Ptr any_type() { return make<AnyType>(); }
Ptr null_type() { return make<NullType>(); }

Ptr disk_template_type() {
  return enum_of({"blockdev", "diskless", "drbd", "ext", "file", "gluster", "plain", "rbd",
                  "sharedfile"});
}

// ht.TINicParams
Ptr nic_dict_type() {
  return dict_of(enum_of({"bridge", "ip", "link", "mac", "mode", "name", "network", "vlan"}),
                 or_of({null_type(), str_type(false)}));
}

// ht.TIDiskParams / ht.TDiskParams
Ptr disk_dict_type() {
  return dict_of(str_type(true), or_of({str_type(true), int_type(IntType::Sign::any)}));
}

// ht.TSetParamsMods(item): new form (triples) first, then the deprecated
// pairs.
Ptr mods_type(Ptr item) {
  auto triple = items_of({enum_of({"add", "attach", "detach", "modify", "remove"}),
                          or_of({int_type(IntType::Sign::any), str_type(false)}), item});
  auto pair = items_of({or_of({enum_of({"add", "attach", "detach", "remove"}),
                               int_type(IntType::Sign::non_negative)}),
                        item});
  return or_of({list_of(triple), list_of(pair)});
}

// ht.TRecreateDisksInfo
Ptr recreate_disks_type() {
  auto changes = items_of({int_type(IntType::Sign::non_negative), disk_dict_type()});
  return or_of({list_of(int_type(IntType::Sign::non_negative)), list_of(changes)});
}

// opcodes_base.BuildJobDepCheck(True)
Ptr depends_type() {
  auto job_id = or_of({or_of({int_type(IntType::Sign::non_negative), make<JobIdStringType>()}),
                       int_type(IntType::Sign::negative)});
  auto dep = and_of({list_of(nullptr),
                     items_of({job_id, list_of(enum_of({"canceled", "error", "success"}))})});
  return or_of({null_type(), list_of(dep)});
}

// ---------------------------------------------------------------------------
// Parser.
//
//   expr  := term ("or" term)*
//   term  := name ["<" expr ("," expr)* ">"] | enum-kind "{" member ("," member)* "}"
//   name  := [A-Za-z0-9_-]+, plus "int>=0" / "int>0"

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Ptr parse() {
    Ptr result = expr();
    skip_space();
    if (pos_ != text_.size()) fail("unexpected text");
    return result;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::invalid_argument("type expression '" + std::string(text_) + "': " + what +
                                " at offset " + std::to_string(pos_));
  }

  void skip_space() {
    while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
  }

  bool peek(char c) {
    skip_space();
    return pos_ < text_.size() && text_[pos_] == c;
  }

  void expect(char c) {
    if (!peek(c)) fail(std::string("expected '") + c + "'");
    ++pos_;
  }

  static bool name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
  }

  std::string name() {
    skip_space();
    const std::size_t start = pos_;
    while (pos_ < text_.size() && name_char(text_[pos_])) ++pos_;
    std::string result(text_.substr(start, pos_ - start));
    if (result == "int") {
      for (std::string_view bound : {">=0", ">0"}) {
        if (text_.substr(pos_, bound.size()) == bound) {
          result += bound;
          pos_ += bound.size();
          break;
        }
      }
    }
    if (result.empty()) fail("expected a type name");
    return result;
  }

  bool at_keyword_or() {
    skip_space();
    if (text_.substr(pos_, 2) != "or") return false;
    return pos_ + 2 == text_.size() || !name_char(text_[pos_ + 2]);
  }

  Ptr expr() {
    std::vector<Ptr> nulls;
    std::vector<Ptr> others;
    auto add = [&](Ptr term, bool is_null) { (is_null ? nulls : others).push_back(std::move(term)); };
    bool is_null = false;
    Ptr first = term(is_null);
    if (!at_keyword_or()) return first;
    add(std::move(first), is_null);
    while (at_keyword_or()) {
      pos_ += 2;
      Ptr next = term(is_null);
      add(std::move(next), is_null);
    }
    // ht.TMaybe(x) is TOr(TNone, x): None is tested first.
    nulls.insert(nulls.end(), others.begin(), others.end());
    return or_of(std::move(nulls));
  }

  std::vector<Ptr> arguments() {
    std::vector<Ptr> args;
    if (!peek('<')) return args;
    ++pos_;
    args.push_back(expr());
    while (peek(',')) {
      ++pos_;
      args.push_back(expr());
    }
    expect('>');
    return args;
  }

  std::vector<Json> members() {
    expect('{');
    std::vector<Json> result;
    while (true) {
      skip_space();
      const std::size_t start = pos_;
      while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '}') ++pos_;
      std::string_view member = text_.substr(start, pos_ - start);
      while (!member.empty() && member.back() == ' ') member.remove_suffix(1);
      if (member.empty()) fail("empty enum member");
      result.push_back(enum_member(member));
      if (peek('}')) break;
      expect(',');
    }
    ++pos_;
    return result;
  }

  static Json enum_member(std::string_view member) {
    std::string_view digits = member;
    if (!digits.empty() && digits.front() == '-') digits.remove_prefix(1);
    const bool numeric = !digits.empty() && digits.size() < 18 &&
                         std::all_of(digits.begin(), digits.end(),
                                     [](char c) { return c >= '0' && c <= '9'; });
    if (numeric) return Json(std::stoll(std::string(member)));
    return Json(std::string(member));
  }

  Ptr term(bool& is_null) {
    const std::string type = name();
    is_null = type == "null";
    if (type == "enum" || type == "enum-nohash") {
      auto t = make<EnumType>();
      t->members = members();
      t->hashed = type == "enum";
      return t;
    }
    std::vector<Ptr> args = arguments();
    auto arity = [&](std::size_t n) {
      if (args.size() != n) fail("'" + type + "' takes " + std::to_string(n) + " type argument(s)");
    };
    if (type == "list") {
      if (args.empty()) return list_of(nullptr);
      arity(1);
      return list_of(args[0]);
    }
    if (type == "dict") {
      if (args.empty()) return dict_of(nullptr, nullptr);
      arity(2);
      return dict_of(args[0], args[1]);
    }
    if (type == "pair") {
      arity(2);
      return and_of({list_of(nullptr), items_of({args[0], args[1]})});
    }
    if (type == "mods") {
      arity(1);
      return mods_type(args[0]);
    }
    arity(0);
    if (type == "any") return any_type();
    if (type == "null") return null_type();
    if (type == "bool") return make<BoolType>();
    if (type == "int") return int_type(IntType::Sign::any);
    if (type == "int>=0") return int_type(IntType::Sign::non_negative);
    if (type == "int>0") return int_type(IntType::Sign::positive);
    if (type == "disk-index") return int_type(IntType::Sign::non_negative, 16);
    if (type == "float") return make<FloatType>();
    if (type == "str") return str_type(false);
    if (type == "nestr") return str_type(true);
    if (type == "DISK_TEMPLATE") return disk_template_type();
    if (type == "HYPERVISOR") return enum_of({"chroot", "fake", "kvm", "lxc", "xen-hvm", "xen-pvm"});
    if (type == "STORAGE_TYPE") {
      return enum_of({"blockdev", "diskless", "ext", "file", "gluster", "lvm-pv", "lvm-vg",
                      "rados", "sharedfile"});
    }
    if (type == "nic-dict") return nic_dict_type();
    if (type == "disk-dict") return disk_dict_type();
    // ht.TObject(ht.TPrivate(ht.TAny)): every value wrapped as Private, which
    // the body decoder does for these keys (resources.md 1.5), so any dict
    // that reaches validation passes.
    if (type == "private-dict") return dict_of(nullptr, nullptr);
    if (type == "recreate-disks") return recreate_disks_type();
    if (type == "export-target") return or_of({str_type(true), list_of(nullptr)});
    if (type == "ipv4-address") return ip_type(python_ipv4_address_ok);
    if (type == "ipv6-address") return ip_type(python_ipv6_address_ok);
    if (type == "ipv4-network") return ip_type(python_ipv4_network_ok);
    if (type == "ipv6-network") return ip_type(python_ipv6_network_ok);
    if (type == "depends") return depends_type();
    fail("unknown type '" + type + "'");
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

// ---------------------------------------------------------------------------
// Python's ipaddress (3.11), strict=True networks.

std::vector<std::string_view> split_view(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(sep, start);
    if (end == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

bool ascii_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// _BaseV4._ip_int_from_string
std::optional<std::uint32_t> ipv4_int(std::string_view text) {
  if (text.empty()) return std::nullopt;
  const auto octets = split_view(text, '.');
  if (octets.size() != 4) return std::nullopt;
  std::uint32_t result = 0;
  for (const auto octet : octets) {
    if (!ascii_digits(octet) || octet.size() > 3) return std::nullopt;
    if (octet != "0" && octet[0] == '0') return std::nullopt;
    unsigned value = 0;
    for (const char c : octet) value = value * 10 + static_cast<unsigned>(c - '0');
    if (value > 255) return std::nullopt;
    result = (result << 8) | value;
  }
  return result;
}

std::string ipv4_string(std::uint32_t address) {
  return std::to_string(address >> 24) + "." + std::to_string((address >> 16) & 0xFF) + "." +
         std::to_string((address >> 8) & 0xFF) + "." + std::to_string(address & 0xFF);
}

// _BaseNetwork._prefix_from_prefix_string without the error: ASCII digits
// (leading zeros allowed, as int() does) in 0..max.
std::optional<unsigned> prefix_from_string(std::string_view text, unsigned max) {
  if (!ascii_digits(text)) return std::nullopt;
  while (text.size() > 1 && text.front() == '0') text.remove_prefix(1);
  if (text.size() > 3) return std::nullopt;
  unsigned value = 0;
  for (const char c : text) value = value * 10 + static_cast<unsigned>(c - '0');
  if (value > max) return std::nullopt;
  return value;
}

[[noreturn]] void invalid_netmask(std::string_view mask) {
  raise_value_error(python_str_repr(mask) + " is not a valid netmask");
}

// _BaseNetwork._prefix_from_ip_int for 32 bits.
std::optional<unsigned> ipv4_prefix_from_int(std::uint32_t mask) {
  const unsigned trailing_zeros = mask == 0 ? 32 : static_cast<unsigned>(std::countr_zero(mask));
  const unsigned prefix = 32 - trailing_zeros;
  const std::uint64_t leading_ones = trailing_zeros == 32 ? 0 : (mask >> trailing_zeros);
  const std::uint64_t all_ones = (std::uint64_t{1} << prefix) - 1;
  if (leading_ones != all_ones) return std::nullopt;
  return prefix;
}

// IPv4Network._make_netmask: prefix length, else netmask, else hostmask.
unsigned ipv4_prefix(std::string_view mask) {
  if (auto prefix = prefix_from_string(mask, 32)) return *prefix;
  const auto value = ipv4_int(mask);
  if (!value) invalid_netmask(mask);
  if (auto prefix = ipv4_prefix_from_int(*value)) return *prefix;
  if (auto prefix = ipv4_prefix_from_int(~*value)) return *prefix;
  invalid_netmask(mask);
}

using Hextets = std::array<std::uint16_t, 8>;

std::optional<std::uint16_t> parse_hextet(std::string_view text) {
  const bool hex = std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
  if (!hex || text.empty() || text.size() > 4) return std::nullopt;
  unsigned value = 0;
  for (const char c : text) {
    const unsigned digit = c <= '9' ? static_cast<unsigned>(c - '0')
                                    : static_cast<unsigned>((c | 0x20) - 'a' + 10);
    value = value * 16 + digit;
  }
  return static_cast<std::uint16_t>(value);
}

// _BaseV6._ip_int_from_string
std::optional<Hextets> ipv6_hextets(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::vector<std::string> parts;
  for (const auto part : split_view(text, ':')) parts.emplace_back(part);
  if (parts.size() < 3) return std::nullopt;
  if (parts.back().find('.') != std::string::npos) {
    const std::string last = parts.back();
    if (last.find('/') != std::string::npos) return std::nullopt;
    const auto v4 = ipv4_int(last);
    if (!v4) return std::nullopt;
    parts.pop_back();
    for (const unsigned half : {(*v4 >> 16) & 0xFFFFu, *v4 & 0xFFFFu}) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "%x", half);
      parts.emplace_back(buf);
    }
  }
  if (parts.size() > 9) return std::nullopt;

  std::optional<std::size_t> skip_index;
  for (std::size_t i = 1; i + 1 < parts.size(); ++i) {
    if (parts[i].empty()) {
      if (skip_index) return std::nullopt;
      skip_index = i;
    }
  }
  std::size_t parts_hi = 0;
  std::size_t parts_lo = 0;
  if (skip_index) {
    parts_hi = *skip_index;
    parts_lo = parts.size() - *skip_index - 1;
    if (parts.front().empty()) {
      if (--parts_hi != 0) return std::nullopt;
    }
    if (parts.back().empty()) {
      if (--parts_lo != 0) return std::nullopt;
    }
    if (parts_hi + parts_lo >= 8) return std::nullopt;
  } else {
    if (parts.size() != 8 || parts.front().empty() || parts.back().empty()) return std::nullopt;
    parts_hi = parts.size();
  }
  Hextets result{};
  for (std::size_t i = 0; i < parts_hi; ++i) {
    const auto h = parse_hextet(parts[i]);
    if (!h) return std::nullopt;
    result[i] = *h;
  }
  for (std::size_t i = 0; i < parts_lo; ++i) {
    const auto h = parse_hextet(parts[parts.size() - parts_lo + i]);
    if (!h) return std::nullopt;
    result[8 - parts_lo + i] = *h;
  }
  return result;
}

struct Ipv6Address {
  Hextets hextets;
  std::string_view scope;  // empty: none
};

// IPv6Address(str)
std::optional<Ipv6Address> ipv6_address(std::string_view text) {
  if (text.find('/') != std::string_view::npos) return std::nullopt;
  std::string_view scope;
  if (const std::size_t pct = text.find('%'); pct != std::string_view::npos) {
    scope = text.substr(pct + 1);
    if (scope.empty() || scope.find('%') != std::string_view::npos) return std::nullopt;
    text = text.substr(0, pct);
  }
  const auto hextets = ipv6_hextets(text);
  if (!hextets) return std::nullopt;
  return Ipv6Address{*hextets, scope};
}

// str(IPv6Address): lower-case hex, the longest run (first on ties) of two
// or more zero hextets compressed to "::", then "%scope".
std::string ipv6_string(const Ipv6Address& address) {
  const Hextets& h = address.hextets;
  int best_start = -1;
  int best_len = 0;
  for (int i = 0; i < 8;) {
    if (h[static_cast<std::size_t>(i)] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && h[static_cast<std::size_t>(j)] == 0) ++j;
    if (j - i > best_len) {
      best_start = i;
      best_len = j - i;
    }
    i = j;
  }
  if (best_len < 2) best_start = -1;
  auto hex = [](unsigned v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%x", v);
    return std::string(buf);
  };
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (i == best_start) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    out += hex(h[static_cast<std::size_t>(i)]);
  }
  if (!address.scope.empty()) {
    out += '%';
    out += address.scope;
  }
  return out;
}

}  // namespace

ParamTypePtr parse_param_type(std::string_view expression) { return Parser(expression).parse(); }

bool python_ipv4_address_ok(std::string_view text) {
  return text.find('/') == std::string_view::npos && ipv4_int(text).has_value();
}

bool python_ipv6_address_ok(std::string_view text) { return ipv6_address(text).has_value(); }

bool python_ipv4_network_ok(std::string_view text) {
  const auto parts = split_view(text, '/');
  if (parts.size() > 2) return false;
  const auto address = ipv4_int(parts[0]);
  if (!address) return false;
  const unsigned prefix = parts.size() == 2 ? ipv4_prefix(parts[1]) : 32;
  const std::uint32_t netmask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
  if ((*address & netmask) != *address) {
    raise_value_error(ipv4_string(*address) + "/" + std::to_string(prefix) +
                      " has host bits set");
  }
  return true;
}

bool python_ipv6_network_ok(std::string_view text) {
  const auto parts = split_view(text, '/');
  if (parts.size() > 2) return false;
  const auto address = ipv6_address(parts[0]);
  if (!address) return false;
  unsigned prefix = 128;
  if (parts.size() == 2) {
    const auto parsed = prefix_from_string(parts[1], 128);
    if (!parsed) invalid_netmask(parts[1]);
    prefix = *parsed;
  }
  bool host_bits = false;
  for (unsigned i = 0; i < 8; ++i) {
    const unsigned first_bit = i * 16;
    std::uint16_t mask = 0;
    if (prefix >= first_bit + 16) {
      mask = 0xFFFF;
    } else if (prefix > first_bit) {
      mask = static_cast<std::uint16_t>(0xFFFF << (16 - (prefix - first_bit)));
    }
    if ((address->hextets[i] & ~mask & 0xFFFF) != 0) host_bits = true;
  }
  if (host_bits) {
    raise_value_error(ipv6_string(*address) + "/" + std::to_string(prefix) +
                      " has host bits set");
  }
  return true;
}

}  // namespace rapid::rapi
