#include "luxi/protocol.h"

#include "luxi/error.h"
#include "util/pyrepr.h"
#include "util/text.h"

namespace rapid::luxi {

std::string encode_request(std::string_view method, const Json& args) {
  Json request = Json::object();
  request["method"] = method;
  request["args"] = args;
  request["version"] = kLuxiVersion;
  std::string out = dump_python(request);
  out += '\n';
  out += kEndOfMessage;
  return out;
}

Json decode_response(std::string_view message) {
  // The Python client decodes the whole message before parsing it.
  if (auto error = python_utf8_decode_error(message)) throw Error(ErrorKind::undecodable, *error);
  auto parsed = parse_json(message);
  if (!parsed) {
    throw Error(ErrorKind::protocol, "Error while deserializing response: not valid JSON");
  }
  Json& data = *parsed;
  if (!data.is_object() || !data.contains("success") || !data.contains("result")) {
    throw Error(ErrorKind::protocol, "Invalid response from server: " + python_repr(data));
  }
  // rpc/client.py: a response version other than the request's is an error.
  if (auto version = data.find("version"); version != data.end() && !version->is_null() &&
                                           !(version->is_number() && *version == kLuxiVersion)) {
    throw Error::ganeti(
        "LuxiError", Json::array({"RPC version mismatch, client " + std::to_string(kLuxiVersion) +
                                  ", response " + python_str(*version)}));
  }
  // Python truthiness of "success".
  const Json& success = data["success"];
  bool ok = false;
  if (success.is_boolean())
    ok = success.get<bool>();
  else if (success.is_number())
    ok = success != 0;
  else if (success.is_string())
    ok = !success.get_ref<const std::string&>().empty();
  else if (success.is_array() || success.is_object())
    ok = !success.empty();
  Json result = std::move(data["result"]);
  if (ok) return result;
  // ["ExceptionName", [args...]] with a name Ganeti knows: that exception.
  if (result.is_array() && result.size() == 2 && result[0].is_string() && result[1].is_array() &&
      is_ganeti_error_class(result[0].get<std::string>())) {
    throw Error::ganeti(result[0].get<std::string>(), std::move(result[1]));
  }
  throw Error(ErrorKind::request_rejected, python_str(result));
}

}  // namespace rapid::luxi
