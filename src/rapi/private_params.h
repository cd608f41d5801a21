#pragma once
// Ganeti's private parameters (osparams_private, osparams_secret,
// osparams_private_cluster): how the original decodes them from request
// bodies and blanks them in every response it sends.

#include <optional>
#include <string_view>

#include "util/json.h"

namespace rapid::rapi {

// The members whose values are private, wherever they appear.
inline constexpr std::string_view kPrivateFields[] = {"osparams_private", "osparams_secret",
                                                      "osparams_private_cluster"};

// Applies serializer.WrapPrivateValues to a decoded request body: a null
// private dict becomes {}, a list of pairs becomes an object. Returns false
// when a private value cannot be read as a dict (the original then fails to
// decode the body: 400 "Unable to parse JSON data").
bool wrap_private_values(Json& body);

// Replaces every private value in a response with null (keys kept; a null
// private dict becomes {}), as serializer.DumpJson does.
void redact_private_values(Json& value);

// For the audit log: nullopt unless `field` names private parameters; else
// the key names of `value` alone (["root_password"]; per OS for
// osparams_private_cluster: {"debian": ["key"]}), never the values.
std::optional<Json> private_key_names(std::string_view field, const Json& value);

}  // namespace rapid::rapi
