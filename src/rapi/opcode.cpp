#include "rapi/opcode.h"

#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "rapi/api_error.h"
#include "rapi/opcode_table.h"
#include "rapi/param_types.h"
#include "rapi/python_semantics.h"
#include "util/pyrepr.h"

// baserlib.FillOpcode + BaseOpCode.__init__/Validate/__getstate__ over the
// generated parameter table (opcode_table.cpp).

namespace rapid::rapi {
namespace {

struct CompiledParam {
  std::string_view name;
  ParamTypePtr type;
  Json default_value;
};

struct CompiledOpcode {
  std::string_view op_id;
  std::string_view class_name;
  std::vector<CompiledParam> params;  // own parameters, then the common ones

  const CompiledParam* find(std::string_view name) const {
    for (const auto& param : params) {
      if (param.name == name) return &param;
    }
    return nullptr;
  }
};

using Registry = std::map<std::string_view, CompiledOpcode, std::less<>>;

[[noreturn]] void table_error(std::string_view op_id, std::string_view param,
                              const std::string& what) {
  std::string where(op_id);
  if (!param.empty()) where += "." + std::string(param);
  throw OpcodeTableError("opcode table: " + where + ": " + what);
}

// Whether the Python test accepts the value as BaseOpCode.Validate applies
// it (an integer is retried as a float); a raising test does not.
bool accepts(const ParamType& type, const Json& value) {
  try {
    if (type.check(value)) return true;
    if (!value.is_number_integer()) return false;
    return type.check(Json(value.get<double>()));
  } catch (const PyCheckError&) {
    return false;
  }
}

CompiledParam compile(const OpcodeParamDef& def, std::string_view op_id) {
  if (def.name.empty()) table_error(op_id, def.name, "empty parameter name");
  CompiledParam param{def.name, nullptr, nullptr};
  try {
    param.type = parse_param_type(def.type);
  } catch (const std::invalid_argument& err) {
    table_error(op_id, def.name, err.what());
  }
  auto value = parse_json(def.default_json);
  if (!value) table_error(op_id, def.name, "default is not JSON: " + std::string(def.default_json));
  param.default_value = std::move(*value);
  // "required": no default, and null rejected; any other default must pass.
  const bool default_ok = accepts(*param.type, param.default_value);
  if (def.required && !param.default_value.is_null()) {
    table_error(op_id, def.name, "required, but has a default");
  }
  if (def.required && default_ok) table_error(op_id, def.name, "required, but null passes");
  if (!def.required && !default_ok) {
    table_error(op_id, def.name, "default " + std::string(def.default_json) + " fails its type");
  }
  return param;
}

// Own parameters, then the common ones; no name twice, no opcode twice.
Registry compile_table(std::span<const OpcodeDef> opcodes, std::span<const OpcodeParamDef> common) {
  Registry result;
  for (const auto& def : opcodes) {
    if (def.op_id.empty() || def.class_name.empty()) {
      table_error(def.op_id, {}, "empty OP_ID or class name");
    }
    CompiledOpcode op{def.op_id, def.class_name, {}};
    for (const auto& params : {def.params, common}) {
      for (const auto& param : params) {
        if (op.find(param.name) != nullptr) table_error(def.op_id, param.name, "listed twice");
        op.params.push_back(compile(param, def.op_id));
      }
    }
    if (!result.emplace(def.op_id, std::move(op)).second) {
      table_error(def.op_id, {}, "opcode listed twice");
    }
  }
  return result;
}

// Every opcode of the table, with its type expressions parsed (once; the
// first call is validate_opcode_table() at start-up).
const Registry& registry() {
  static const Registry opcodes = compile_table(opcode_defs(), common_opcode_params());
  return opcodes;
}

const CompiledOpcode& lookup(std::string_view op_id) {
  const auto& ops = registry();
  const auto it = ops.find(op_id);
  if (it == ops.end()) throw std::invalid_argument("unknown opcode " + std::string(op_id));
  return it->second;
}

[[noreturn]] void invalid_body_parameters(const std::string& detail) {
  throw ApiError(400, "Invalid body parameters: " + detail);
}

// One parameter of BaseOpCode.Validate(False): the test, then the retry of
// an integer as a float; Python exceptions from the test propagate.
void validate(const CompiledOpcode& op, const CompiledParam& param, const Json& value) {
  bool ok = false;
  try {
    ok = param.type->check(value);
    if (!ok && value.is_number_integer()) {
      const double as_float = value.is_number_unsigned()
                                  ? static_cast<double>(value.get<std::uint64_t>())
                                  : static_cast<double>(value.get<std::int64_t>());
      ok = param.type->check(Json(as_float));
    }
  } catch (const PyCheckError& err) {
    if (err.kind() == PyCheckError::Kind::value_error) throw ApiError(500, err.what());
    invalid_body_parameters(err.what());
  }
  if (!ok) {
    const Json args[] = {
        Json("Parameter '" + std::string(op.op_id) + "." + std::string(param.name) +
             "' fails validation"),
        Json("wrong_input"),
    };
    invalid_body_parameters(python_tuple_repr(args));
  }
}

}  // namespace

void validate_opcode_table() { registry(); }

void validate_opcode_table(std::span<const OpcodeDef> opcodes,
                           std::span<const OpcodeParamDef> common) {
  compile_table(opcodes, common);
}

Json fill_opcode(std::string_view op_id, const Json* body, const Json& static_params,
                 std::span<const Rename> renames) {
  const CompiledOpcode& op = lookup(op_id);

  Json params = Json::object();
  if (body != nullptr && !body->is_null()) {  // JSON null is Python None
    if (!body->is_object()) {
      throw wrong_type_error("Body contents", *body, "dict");
    }
    params = *body;
  }

  for (const auto& rename : renames) {
    const std::string from(rename.from);
    const std::string to(rename.to);
    const bool has_from = params.contains(from);
    if (has_from && params.contains(to)) {
      throw ApiError(
          400, "Parameter '" + from + "' was renamed to '" + to + "', but both are specified");
    }
    if (has_from) {
      // params[new] = params.pop(old): the new key goes to the end.
      Json value = std::move(params[from]);
      params.erase(from);
      params[to] = std::move(value);
    }
  }

  if (static_params.is_object() && !static_params.empty()) {
    std::vector<std::string> overwritten;
    for (const auto& item : params.items()) {
      if (static_params.contains(item.key())) overwritten.push_back(item.key());
    }
    if (!overwritten.empty()) {
      throw ApiError(400, "Can't overwrite static parameters " + python_set_repr(overwritten));
    }
    for (const auto& item : static_params.items()) params[item.key()] = item.value();
  }

  // opcls(**params): the first unknown keyword wins.
  for (const auto& item : params.items()) {
    if (op.find(item.key()) == nullptr) {
      invalid_body_parameters("Object " + std::string(op.class_name) +
                              " doesn't support the parameter '" + item.key() + "'");
    }
  }

  Json result = Json::object();
  for (const auto& param : op.params) {
    const std::string name(param.name);
    const auto it = params.find(name);
    const Json& value = it != params.end() ? *it : param.default_value;
    validate(op, param, value);
    result[name] = value;
  }
  result["OP_ID"] = std::string(op.op_id);
  return result;
}

Json build_opcode_unchecked(std::string_view op_id, const Json& params) {
  const CompiledOpcode& op = lookup(op_id);
  if (!params.is_object()) throw std::invalid_argument("opcode parameters must be an object");
  for (const auto& item : params.items()) {
    if (op.find(item.key()) == nullptr) {
      throw std::invalid_argument(std::string(op.class_name) + " has no parameter " + item.key());
    }
  }
  Json result = Json::object();
  for (const auto& param : op.params) {
    const std::string name(param.name);
    const auto it = params.find(name);
    result[name] = it != params.end() ? *it : param.default_value;
  }
  result["OP_ID"] = std::string(op.op_id);
  return result;
}

}  // namespace rapid::rapi
