// JSON: parse_json accepts what nlohmann's parser accepts (but a NUL byte,
// which nlohmann reads as the end of the input) and builds the same value;
// whatever parses must serialise (Python style) to JSON that parses back to
// the same value, and repr() must not fail.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "util/json.h"
#include "util/pyrepr.h"

namespace {

bool same(const rapid::Json& a, const rapid::Json& b) {
  if (a.is_number_float() && b.is_number_float()) {
    const double x = a.get<double>(), y = b.get<double>();
    return x == y || (std::isnan(x) && std::isnan(y));
  }
  if (a.type() != b.type() || a.size() != b.size()) return a == b;
  if (a.is_array()) {
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!same(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.is_object()) {
    auto ib = b.begin();
    for (auto ia = a.begin(); ia != a.end(); ++ia, ++ib) {
      if (ia.key() != ib.key() || !same(*ia, *ib)) return false;
    }
    return true;
  }
  return a == b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto value = rapid::parse_json(text);
  if (text.find('\0') == std::string_view::npos) {
    const rapid::Json reference =
        rapid::Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (reference.is_discarded() != !value) std::abort();
    if (value && (value->type() != reference.type() || !same(*value, reference))) std::abort();
  }
  if (!value) return 0;
  const std::string dumped = rapid::dump_python(*value);
  auto again = rapid::parse_json(dumped);
  if (!again || !same(*value, *again)) std::abort();
  (void)rapid::python_repr(*value);
  return 0;
}
