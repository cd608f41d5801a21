#pragma once
// Ganeti's private parameters (osparams_private, osparams_secret,
// osparams_private_cluster): how the original decodes them from request
// bodies and blanks them in every response it sends.

#include "util/json.h"

namespace rapid::rapi {

// Applies serializer.WrapPrivateValues to a decoded request body: a null
// private dict becomes {}, a list of pairs becomes an object. Returns false
// when a private value cannot be read as a dict (the original then fails to
// decode the body: 400 "Unable to parse JSON data").
bool wrap_private_values(Json& body);

// Replaces every private value in a response with null (keys kept; a null
// private dict becomes {}), as serializer.DumpJson does.
void redact_private_values(Json& value);

}  // namespace rapid::rapi
