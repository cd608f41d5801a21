#!/usr/bin/env python3
"""Generates src/rapi/opcode_table.cpp from spec/opcodes.json.

spec/opcodes.json (format and type vocabulary: spec/README.md) lists the
common opcode parameters and, per opcode, its OP_ID, the Python class name
and the ordered own parameters with type expression, default and "required".
This script writes the C++ table that rapid::rapi::fill_opcode() works from,
after applying TYPE_OVERRIDES below. Type expressions stay strings; rapid
parses them at start-up (rapi::validate_opcode_table()).

Usage (paths default to the repository's own files):
    python3 scripts/gen-opcode-table.py [--table JSON] [-o OUTPUT]
        [--check-against FILE]
    python3 scripts/gen-opcode-table.py --from-markdown MARKDOWN [--table JSON]

--check-against FILE: after writing OUTPUT, fail (exit 1, with a diff) if
FILE differs from it (the build's "generated" test).

--from-markdown: the one-time extraction step. spec/opcodes.json was
extracted from a markdown reference whose section 7 holds "7.1" (common
parameters), "7.2" (OP_ID -> class name) and "7.3" (one "#### OP_ID
(`ClassName`)" table per opcode) tables of `name` | `type` | default rows;
this writes the JSON extract (to --table) and nothing else.

Standard library only.
"""

import argparse
import difflib
import json
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_TABLE = os.path.join(REPO, "spec", "opcodes.json")
DEFAULT_OUTPUT = os.path.join(REPO, "src", "rapi", "opcode_table.cpp")

# Where the real Ganeti 3.0.2 code differs from the type column of the
# extract, the real code wins. Each override names the parameter and the
# type expression used instead, with the reason.
TYPE_OVERRIDES = {
    # VALID_ALLOC_POLICIES is a Python list, not a frozenset: membership is
    # tested by equality, so an array/object value simply fails validation
    # instead of raising "unhashable type" (a different 400 text).
    ("OP_GROUP_ADD", "alloc_policy"):
        "enum-nohash{last_resort,preferred,unallocable} or null",
    ("OP_GROUP_SET_PARAMS", "alloc_policy"):
        "enum-nohash{last_resort,preferred,unallocable} or null",
}

PARAM_KEYS = ("name", "type", "default", "required")


class SpecError(Exception):
    pass


# ---------------------------------------------------------------------------
# spec/opcodes.json


def check_params(params, where):
    if not isinstance(params, list):
        raise SpecError("%s: parameters must be a list" % where)
    seen = set()
    for param in params:
        if not isinstance(param, dict) or tuple(sorted(param)) != \
                tuple(sorted(PARAM_KEYS)):
            raise SpecError("%s: a parameter needs exactly the keys %s: %r"
                            % (where, ", ".join(PARAM_KEYS), param))
        name = param["name"]
        if not isinstance(name, str) or not name:
            raise SpecError("%s: bad parameter name %r" % (where, name))
        if not isinstance(param["type"], str) or not param["type"]:
            raise SpecError("%s.%s: bad type %r" % (where, name, param["type"]))
        if not isinstance(param["required"], bool):
            raise SpecError("%s.%s: required must be true or false"
                            % (where, name))
        if param["required"] and param["default"] is not None:
            raise SpecError("%s.%s: a required parameter has no default"
                            % (where, name))
        if name in seen:
            raise SpecError("%s: duplicate parameter %s" % (where, name))
        seen.add(name)


def check_table(table):
    """The table as the generator expects it; SpecError otherwise."""
    if not isinstance(table, dict):
        raise SpecError("the table must be a JSON object")
    common = table.get("common_params")
    opcodes = table.get("opcodes")
    if not common:
        raise SpecError("no common_params")
    if not opcodes or not isinstance(opcodes, list):
        raise SpecError("no opcodes")
    check_params(common, "common_params")
    common_names = {p["name"] for p in common}
    ids = set()
    for op in opcodes:
        if not isinstance(op, dict) or sorted(op) != ["class", "op_id",
                                                      "params"]:
            raise SpecError("an opcode needs exactly op_id, class, params: %r"
                            % (op,))
        op_id = op["op_id"]
        if not isinstance(op_id, str) or not re.fullmatch(r"OP_[A-Z0-9_]+",
                                                          op_id):
            raise SpecError("bad OP_ID %r" % (op_id,))
        if not isinstance(op["class"], str) or \
                not re.fullmatch(r"Op[A-Za-z0-9]+", op["class"]):
            raise SpecError("%s: bad class name %r" % (op_id, op["class"]))
        if op_id in ids:
            raise SpecError("duplicate opcode %s" % op_id)
        ids.add(op_id)
        check_params(op["params"], op_id)
        for param in op["params"]:
            if param["name"] in common_names:
                raise SpecError("%s redefines common parameter %s" %
                                (op_id, param["name"]))


def apply_overrides(opcodes):
    used = set()
    for op in opcodes:
        for param in op["params"]:
            key = (op["op_id"], param["name"])
            if key in TYPE_OVERRIDES:
                param["type"] = TYPE_OVERRIDES[key]
                param["override"] = True
                used.add(key)
    unused = set(TYPE_OVERRIDES) - used
    if unused:
        raise SpecError("type overrides for unknown parameters: %s" %
                        sorted(unused))


def load_table(path):
    with open(path, encoding="utf-8") as handle:
        try:
            table = json.load(handle)
        except ValueError as err:
            raise SpecError("%s is not JSON: %s" % (path, err))
    check_table(table)
    apply_overrides(table["opcodes"])
    return table["common_params"], table["opcodes"]


def dump_table(common, opcodes):
    """spec/opcodes.json text: one parameter a line, so that diffs stay
    readable."""
    def param(p):
        return "{%s}" % ", ".join("%s: %s" % (json.dumps(k), json.dumps(p[k]))
                                  for k in PARAM_KEYS)

    def params(items, indent):
        if not items:
            return "[]"
        inner = ",\n".join(indent + "  " + param(p) for p in items)
        return "[\n%s\n%s]" % (inner, indent)

    out = ["{"]
    out.append('  "about": %s,' % json.dumps(
        "Ganeti 3.0.2 opcode parameters that RAPI validates (lib/opcodes.py,"
        " generated from src/Ganeti/OpCodes.hs and src/Ganeti/OpParams.hs)."
        " Read by scripts/gen-opcode-table.py; format and type vocabulary in"
        " spec/README.md."))
    out.append('  "common_params": %s,' % params(common, "  "))
    ops = []
    for op in opcodes:
        ops.append('    {"op_id": %s, "class": %s, "params": %s}' % (
            json.dumps(op["op_id"]), json.dumps(op["class"]),
            params(op["params"], "    ")))
    out.append('  "opcodes": [\n%s\n  ]' % ",\n".join(ops))
    out.append("}")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------
# --from-markdown: the extraction step.

HEADING_RE = re.compile(r"^(#{2,4})\s+(.*?)\s*$")
OPCODE_HEADING_RE = re.compile(r"^(OP_[A-Z0-9_]+)\s+\(`(Op[A-Za-z0-9]+)`\)$")
BACKTICK_RE = re.compile(r"`([^`]*)`")


def split_row(line):
    """Cells of a markdown table row (no escaped pipes occur in 7.x)."""
    line = line.strip()
    if not (line.startswith("|") and line.endswith("|")):
        return None
    return [cell.strip() for cell in line[1:-1].split("|")]


def is_separator(cells):
    return all(re.fullmatch(r":?-{3,}:?", cell) for cell in cells)


def first_code(cell, what):
    match = BACKTICK_RE.search(cell)
    if not match:
        raise SpecError("no `code` in %s cell %r" % (what, cell))
    return match.group(1).strip()


def parse_default(cell):
    """(default value, required) for a default cell."""
    if cell == "*(required)*":
        return None, True
    if cell == "null":
        return None, False
    text = first_code(cell, "default")
    try:
        return json.loads(text), False
    except ValueError as err:
        raise SpecError("default %r is not JSON: %s" % (text, err))


def sections(lines):
    """Yields (level, title, body lines) for every heading."""
    current = None
    for line in lines:
        match = HEADING_RE.match(line)
        if match:
            if current:
                yield current
            current = (len(match.group(1)), match.group(2), [])
        elif current:
            current[2].append(line)
    if current:
        yield current


def table_rows(body):
    """Data rows of the first table in body (header and separator dropped)."""
    rows = []
    started = False
    for line in body:
        cells = split_row(line)
        if cells is None:
            if started:
                break
            continue
        if not started:
            started = True
            continue  # header row
        if is_separator(cells):
            continue
        rows.append(cells)
    return rows


def param_rows(rows, where):
    params = []
    for cells in rows:
        if len(cells) < 3:
            raise SpecError("%s: short row %r" % (where, cells))
        default, required = parse_default(cells[2])
        params.append({"name": first_code(cells[0], "name"),
                       "type": first_code(cells[1], "type"),
                       "default": default, "required": required})
    return params


def parse_markdown(text):
    common = None
    class_names = {}
    opcodes = []
    in_73 = False
    for level, title, body in sections(text.splitlines()):
        if level == 3:
            in_73 = title.startswith("7.3 ")
            if title.startswith("7.1 "):
                common = param_rows(table_rows(body), "7.1")
            elif title.startswith("7.2 "):
                for cells in table_rows(body):
                    class_names[first_code(cells[0], "OP_ID")] = \
                        first_code(cells[1], "class")
        elif level == 4 and in_73:
            match = OPCODE_HEADING_RE.match(title)
            if not match:
                raise SpecError("unexpected 7.3 heading %r" % title)
            op_id, class_name = match.groups()
            rows = table_rows(body)
            if not rows and not any("No opcode-specific parameters" in line
                                    for line in body):
                raise SpecError("%s: no parameter table" % op_id)
            opcodes.append({"op_id": op_id, "class": class_name,
                            "params": param_rows(rows, op_id)})
    if not common:
        raise SpecError("section 7.1 (common parameters) not found")
    if not opcodes:
        raise SpecError("section 7.3 (per-opcode parameters) not found")
    ids = [op["op_id"] for op in opcodes]
    for op in opcodes:
        listed = class_names.get(op["op_id"])
        if listed is not None and listed != op["class"]:
            raise SpecError("%s: class %s in 7.2 but %s in 7.3" %
                            (op["op_id"], listed, op["class"]))
    missing = set(class_names) - set(ids)
    if missing:
        raise SpecError("in 7.2 without a 7.3 table: %s" %
                        ", ".join(sorted(missing)))
    check_table({"common_params": common, "opcodes": opcodes})
    return common, opcodes


# ---------------------------------------------------------------------------
# The C++ table.


def c_string(text):
    out = ['"']
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif " " <= ch <= "~":
            out.append(ch)
        else:
            raise SpecError("non-printable character in %r" % text)
    out.append('"')
    return "".join(out)


def default_json(param):
    return json.dumps(param["default"], separators=(",", ":"))


def param_line(param):
    line = "    {%s, %s, %s, %s}," % (
        c_string(param["name"]), c_string(param["type"]),
        c_string(default_json(param)),
        "true" if param["required"] else "false")
    if param.get("override"):
        line += "  // type: real code wins (see generator)"
    return line


def render(common, opcodes):
    out = []
    out.append("// GENERATED FILE -- DO NOT EDIT.")
    out.append("// Generated by scripts/gen-opcode-table.py from "
               "spec/opcodes.json (opcode parameter")
    out.append("// reference). To regenerate, from the repository root:")
    out.append("//   python3 scripts/gen-opcode-table.py")
    out.append("// Cross-checked against the real Ganeti classes by "
               "tests/e2e/check_opcode_table.py.")
    # The generator's layout is the one the test compares against.
    out.append("// clang-format off")
    out.append("")
    out.append('#include "rapi/opcode_table.h"')
    out.append("")
    out.append("namespace rapid::rapi {")
    out.append("namespace {")
    out.append("")
    out.append("// name, type expression (spec/README.md), default (JSON),"
               " required")
    out.append("constexpr OpcodeParamDef kCommonParams[] = {")
    for param in common:
        out.append(param_line(param))
    out.append("};")
    for op in opcodes:
        if not op["params"]:
            continue
        out.append("")
        out.append("constexpr OpcodeParamDef k%s[] = {" % op["op_id"])
        for param in op["params"]:
            out.append(param_line(param))
        out.append("};")
    out.append("")
    out.append("constexpr OpcodeDef kOpcodes[] = {")
    for op in opcodes:
        params = ("k%s" % op["op_id"]) if op["params"] else \
            "std::span<const OpcodeParamDef>{}"
        out.append("    {%s, %s, %s}," % (c_string(op["op_id"]),
                                          c_string(op["class"]), params))
    out.append("};")
    out.append("")
    out.append("}  // namespace")
    out.append("")
    out.append("std::span<const OpcodeParamDef> common_opcode_params() "
               "{ return kCommonParams; }")
    out.append("")
    out.append("std::span<const OpcodeDef> opcode_defs() { return kOpcodes; }")
    out.append("")
    out.append("}  // namespace rapid::rapi")
    return "\n".join(out) + "\n"


def write(path, text):
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def differences(expected_path, text):
    """A unified diff of expected_path against text ("" when equal)."""
    try:
        with open(expected_path, encoding="utf-8") as handle:
            expected = handle.read()
    except OSError as err:
        return "cannot read %s: %s\n" % (expected_path, err)
    if expected == text:
        return ""
    return "".join(difflib.unified_diff(
        expected.splitlines(True), text.splitlines(True),
        expected_path, "regenerated"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", default=DEFAULT_TABLE,
                        help="the opcode table in JSON (default: %(default)s)")
    parser.add_argument("-o", "--output", default=DEFAULT_OUTPUT,
                        help="C++ file to write (default: %(default)s)")
    parser.add_argument("--check-against", metavar="FILE",
                        help="fail if FILE differs from the generated file")
    parser.add_argument("--from-markdown", metavar="MARKDOWN",
                        help="extract --table from MARKDOWN and stop")
    args = parser.parse_args(argv)
    try:
        if args.from_markdown:
            with open(args.from_markdown, encoding="utf-8") as handle:
                common, opcodes = parse_markdown(handle.read())
            write(args.table, dump_table(common, opcodes))
            sys.stderr.write("gen-opcode-table: %d opcodes, %d common "
                             "parameters -> %s\n"
                             % (len(opcodes), len(common), args.table))
            return 0
        common, opcodes = load_table(args.table)
        result = render(common, opcodes)
    except (SpecError, OSError) as err:
        sys.stderr.write("gen-opcode-table: %s\n" % err)
        return 1
    write(args.output, result)
    sys.stderr.write("gen-opcode-table: %d opcodes, %d common parameters "
                     "-> %s\n" % (len(opcodes), len(common), args.output))
    if args.check_against:
        diff = differences(args.check_against, result)
        if diff:
            sys.stdout.write(diff)
            sys.stderr.write("gen-opcode-table: %s is not what %s generates;"
                             " run scripts/gen-opcode-table.py\n"
                             % (args.check_against, args.table))
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
