#pragma once
// Arrays and objects laid out as Python writes them in both JSON (simplejson)
// and repr(): ", " between items, ": " after keys. Private to the util layer.

#include "util/json.h"

#include <string>

namespace rapid::detail {

template <typename WriteKey, typename WriteItem>
void write_container(const Json& value, std::string& out, WriteKey&& write_key,
                     WriteItem&& write_item) {
  const bool object = value.is_object();
  out += object ? '{' : '[';
  bool first = true;
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (!first) out += ", ";
    first = false;
    if (object) {
      write_key(it.key(), out);
      out += ": ";
    }
    write_item(*it, out);
  }
  out += object ? '}' : ']';
}

}  // namespace rapid::detail
