#include "rapi/param_types.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <utility>
#include <vector>

#include "rapi/python_ipaddress.h"
#include "rapi/python_semantics.h"
#include "util/utf8.h"

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

// -1, 0 or 1 for a JSON integer.
int int_sign(const Json& value) {
  if (value.is_number_unsigned()) return value.get<std::uint64_t>() == 0 ? 0 : 1;
  const std::int64_t v = value.get<std::int64_t>();
  return v < 0 ? -1 : (v == 0 ? 0 : 1);
}

// ---------------------------------------------------------------------------
// Checkers.

Json typed(const char* type) {
  Json schema = Json::object();
  schema["type"] = type;
  return schema;
}

struct AnyType final : ParamType {
  bool check(const Json&) const override { return true; }
  Json schema() const override { return Json::object(); }
};

struct NullType final : ParamType {
  bool check(const Json& value) const override { return value.is_null(); }
  Json schema() const override { return typed("null"); }
};

struct BoolType final : ParamType {
  bool check(const Json& value) const override { return value.is_boolean(); }
  Json schema() const override { return typed("boolean"); }
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
      case Sign::any:
        break;
      case Sign::non_negative:
        if (s < 0) return false;
        break;
      case Sign::positive:
        if (s <= 0) return false;
        break;
      case Sign::negative:
        if (s >= 0) return false;
        break;
    }
    if (below) {
      if (value.is_number_unsigned()) {
        return *below > 0 && value.get<std::uint64_t>() < static_cast<std::uint64_t>(*below);
      }
      return value.get<std::int64_t>() < *below;
    }
    return true;
  }
  // JSON Schema's "integer" also admits 1.0, which check() refuses.
  Json schema() const override {
    Json out = typed("integer");
    if (sign == Sign::non_negative) out["minimum"] = 0;
    if (sign == Sign::positive) out["minimum"] = 1;
    if (sign == Sign::negative) out["maximum"] = -1;
    if (below) out["maximum"] = *below - 1;
    return out;
  }
};

struct FloatType final : ParamType {
  bool check(const Json& value) const override { return value.is_number_float(); }
  // Integers pass too: fill_opcode retries them as floats.
  Json schema() const override { return typed("number"); }
};

struct StrType final : ParamType {
  bool non_empty = false;
  bool check(const Json& value) const override {
    return value.is_string() && (!non_empty || !value.get_ref<const std::string&>().empty());
  }
  Json schema() const override {
    Json out = typed("string");
    if (non_empty) out["minLength"] = 1;
    return out;
  }
};

// TElemOf: `value in container`. A frozenset container hashes the value.
struct EnumType final : ParamType {
  std::vector<Json> members;
  bool hashed = true;

  bool check(const Json& value) const override {
    if (hashed && (value.is_array() || value.is_object())) {
      raise_type_error(unhashable_message(value));
    }
    return std::any_of(members.begin(), members.end(),
                       [&](const Json& member) { return python_equals(value, member); });
  }
  // Python's equality: False == 0 and True == 1 (JSON Schema's enum
  // already takes 0.0 for 0).
  Json schema() const override {
    Json values(members);
    // A pair, not a structured binding: clang 14 (the fuzz build) cannot
    // capture a binding in a lambda.
    for (const auto& equal : {std::pair{0, false}, std::pair{1, true}}) {
      if (std::any_of(members.begin(), members.end(),
                      [&](const Json& m) { return m.is_number_integer() && m == equal.first; })) {
        values.push_back(equal.second);
      }
    }
    Json out = Json::object();
    out["enum"] = std::move(values);
    return out;
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
  Json schema() const override {
    Json out = typed("array");
    if (element) out["items"] = element->schema();
    return out;
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
  Json schema() const override {
    Json out = typed("object");
    if (key) out["propertyNames"] = key->schema();
    if (value_type) out["additionalProperties"] = value_type->schema();
    return out;
  }
};

// TAnd(TIsLength(n), TItems([...])) on any value.
struct ItemsType final : ParamType {
  std::vector<Ptr> items;
  bool check(const Json& value) const override {
    const auto length = python_len(value);
    if (!length) raise_type_error(no_len_message(value));
    if (*length != items.size()) return false;
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
      const auto chars = utf8::split_code_points(value.get_ref<const std::string&>());
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (!items[i]->check(Json(std::string(chars[i])))) return false;
      }
    }
    return true;
  }
  // Only the array form: Python's test also takes a string or an object of
  // that length, testing its characters or keys.
  Json schema() const override {
    Json out = typed("array");
    Json prefix = Json::array();
    for (const auto& item : items) prefix.push_back(item->schema());
    out["prefixItems"] = std::move(prefix);
    out["minItems"] = items.size();
    out["maxItems"] = items.size();
    return out;
  }
};

Json schemas_of(const std::vector<Ptr>& parts) {
  Json out = Json::array();
  for (const auto& part : parts) out.push_back(part->schema());
  return out;
}

struct AndType final : ParamType {
  std::vector<Ptr> parts;
  bool check(const Json& value) const override {
    return std::all_of(parts.begin(), parts.end(), [&](const Ptr& p) { return p->check(value); });
  }
  Json schema() const override {
    Json out = Json::object();
    out["allOf"] = schemas_of(parts);
    return out;
  }
};

struct OrType final : ParamType {
  std::vector<Ptr> parts;
  bool check(const Json& value) const override {
    return std::any_of(parts.begin(), parts.end(), [&](const Ptr& p) { return p->check(value); });
  }
  Json schema() const override {
    Json out = Json::object();
    out["anyOf"] = schemas_of(parts);
    return out;
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
    for (std::size_t pos = 0; pos < text.size();) {
      if (utf8::decimal_digit_value(utf8::decode(text, pos)) < 0) return false;
    }
    return true;
  }
  // ASCII digits only: Python's \d also matches other Unicode digits.
  Json schema() const override {
    Json out = typed("string");
    out["pattern"] = "^[0-9]+\\n?$";
    return out;
  }
};

// Python's ipaddress: a JSON Schema format for addresses, rapid's own name
// for networks (which no format or short pattern checks exactly).
// ht.TObject(ht.TPrivate(ht.TAny)) after the body decoder: it has made the
// value a dict with Python's dict() (WrapPrivateValues, private_params.cpp),
// so the request may also carry null (an empty dict), [key, value] pairs or
// two-character strings.
struct PrivateDictType final : ParamType {
  bool check(const Json& value) const override { return value.is_object(); }
  Json schema() const override {
    Json key = Json::object();
    key["type"] = Json::array({"string", "number", "boolean", "null"});
    Json pair = typed("array");
    pair["prefixItems"] = Json::array({key, Json::object()});
    pair["minItems"] = 2;
    pair["maxItems"] = 2;
    Json two_chars = typed("string");
    two_chars["minLength"] = 2;
    two_chars["maxLength"] = 2;
    Json item = Json::object();
    item["anyOf"] = Json::array({pair, two_chars});
    Json pairs = typed("array");
    pairs["items"] = std::move(item);
    Json out = Json::object();
    out["anyOf"] = Json::array({typed("object"), typed("null"), std::move(pairs)});
    return out;
  }
};

struct IpType final : ParamType {
  bool (*fn)(std::string_view) = nullptr;
  const char* format = nullptr;
  bool check(const Json& value) const override {
    return value.is_string() && fn(value.get_ref<const std::string&>());
  }
  Json schema() const override {
    Json out = typed("string");
    out[std::string_view(format).ends_with("network") ? "x-rapid-format" : "format"] = format;
    return out;
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

Ptr ip_type(bool (*fn)(std::string_view), const char* format) {
  auto t = make<IpType>();
  t->fn = fn;
  t->format = format;
  return t;
}

Ptr any_type() { return make<AnyType>(); }
Ptr null_type() { return make<NullType>(); }

Ptr disk_template_type() {
  return enum_of(
      {"blockdev", "diskless", "drbd", "ext", "file", "gluster", "plain", "rbd", "sharedfile"});
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
  auto dep = and_of(
      {list_of(nullptr), items_of({job_id, list_of(enum_of({"canceled", "error", "success"}))})});
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
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
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
    auto add = [&](Ptr term, bool is_null) {
      (is_null ? nulls : others).push_back(std::move(term));
    };
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
    const bool numeric =
        !digits.empty() && digits.size() < 18 &&
        std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
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
    if (type == "HYPERVISOR")
      return enum_of({"chroot", "fake", "kvm", "lxc", "xen-hvm", "xen-pvm"});
    if (type == "STORAGE_TYPE") {
      return enum_of({"blockdev", "diskless", "ext", "file", "gluster", "lvm-pv", "lvm-vg", "rados",
                      "sharedfile"});
    }
    if (type == "nic-dict") return nic_dict_type();
    if (type == "disk-dict") return disk_dict_type();
    // ht.TObject(ht.TPrivate(ht.TAny)): every value wrapped as Private, which
    // the body decoder does for these keys (WrapPrivateValues in
    // lib/serializer.py), so any dict that reaches validation passes.
    if (type == "private-dict") return make<PrivateDictType>();
    if (type == "recreate-disks") return recreate_disks_type();
    if (type == "export-target") return or_of({str_type(true), list_of(nullptr)});
    if (type == "ipv4-address") return ip_type(python_ipv4_address_ok, "ipv4");
    if (type == "ipv6-address") return ip_type(python_ipv6_address_ok, "ipv6");
    if (type == "ipv4-network") return ip_type(python_ipv4_network_ok, "ipv4-network");
    if (type == "ipv6-network") return ip_type(python_ipv6_network_ok, "ipv6-network");
    if (type == "depends") return depends_type();
    fail("unknown type '" + type + "'");
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

ParamTypePtr parse_param_type(std::string_view expression) { return Parser(expression).parse(); }

}  // namespace rapid::rapi
