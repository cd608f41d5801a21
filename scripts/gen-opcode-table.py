#!/usr/bin/env python3
"""Generates src/rapi/opcode_table.cpp from the opcode parameter reference.

Reads section 7 of the resource specification (resources.md: 7.1 common
parameters, 7.2 class names, 7.3 per-opcode tables) and writes the C++ table
that rapid::rapi::fill_opcode() works from: per opcode its OP_ID, the Python
class name and the ordered own parameters as {name, type expression,
default JSON text, required}.

Type expressions stay strings in the vocabulary of resources.md 7.0; they
are parsed once at start-up by src/rapi/param_types.cpp.

Usage (from the repository root):
    python3 scripts/gen-opcode-table.py [RESOURCES_MD] [-o OUTPUT]
RESOURCES_MD defaults to ../shared/spec/resources.md relative to the
repository, OUTPUT to src/rapi/opcode_table.cpp.

Standard library only.
"""

import argparse
import json
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SPEC = os.path.join(REPO, "..", "shared", "spec", "resources.md")
DEFAULT_OUTPUT = os.path.join(REPO, "src", "rapi", "opcode_table.cpp")

# Where the real Ganeti 3.0.2 code differs from the specification's type
# column, the real code wins. Each override names the parameter and the type
# expression used instead, with the reason.
TYPE_OVERRIDES = {
    # VALID_ALLOC_POLICIES is a Python list, not a frozenset: membership is
    # tested by equality, so an array/object value simply fails validation
    # instead of raising "unhashable type" (a different 400 text).
    ("OP_GROUP_ADD", "alloc_policy"):
        "enum-nohash{last_resort,preferred,unallocable} or null",
    ("OP_GROUP_SET_PARAMS", "alloc_policy"):
        "enum-nohash{last_resort,preferred,unallocable} or null",
}

HEADING_RE = re.compile(r"^(#{2,4})\s+(.*?)\s*$")
OPCODE_HEADING_RE = re.compile(r"^(OP_[A-Z0-9_]+)\s+\(`(Op[A-Za-z0-9]+)`\)$")
BACKTICK_RE = re.compile(r"`([^`]*)`")


class SpecError(Exception):
    pass


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
    """(default JSON text, required) for a default cell."""
    if cell == "*(required)*":
        return "null", True
    if cell == "null":
        return "null", False
    text = first_code(cell, "default")
    try:
        value = json.loads(text)
    except ValueError as err:
        raise SpecError("default %r is not JSON: %s" % (text, err))
    return json.dumps(value, separators=(",", ":")), False


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
    seen = set()
    for cells in rows:
        if len(cells) < 3:
            raise SpecError("%s: short row %r" % (where, cells))
        name = first_code(cells[0], "name")
        type_expr = first_code(cells[1], "type")
        default, required = parse_default(cells[2])
        if name in seen:
            raise SpecError("%s: duplicate parameter %s" % (where, name))
        seen.add(name)
        params.append({"name": name, "type": type_expr, "default": default,
                       "required": required})
    return params


def parse_spec(text):
    lines = text.splitlines()
    common = None
    class_names = {}
    opcodes = []
    in_73 = False
    for level, title, body in sections(lines):
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
    if len(set(ids)) != len(ids):
        raise SpecError("duplicate opcode in 7.3")
    for op in opcodes:
        listed = class_names.get(op["op_id"])
        if listed is not None and listed != op["class"]:
            raise SpecError("%s: class %s in 7.2 but %s in 7.3" %
                            (op["op_id"], listed, op["class"]))
    missing = set(class_names) - set(ids)
    if missing:
        raise SpecError("in 7.2 without a 7.3 table: %s" %
                        ", ".join(sorted(missing)))

    common_names = {p["name"] for p in common}
    used = set()
    for op in opcodes:
        for param in op["params"]:
            if param["name"] in common_names:
                raise SpecError("%s redefines common parameter %s" %
                                (op["op_id"], param["name"]))
            key = (op["op_id"], param["name"])
            if key in TYPE_OVERRIDES:
                param["type"] = TYPE_OVERRIDES[key]
                param["override"] = True
                used.add(key)
    unused = set(TYPE_OVERRIDES) - used
    if unused:
        raise SpecError("type overrides for unknown parameters: %s" %
                        sorted(unused))
    return common, opcodes


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


def param_line(param):
    line = "    {%s, %s, %s, %s}," % (
        c_string(param["name"]), c_string(param["type"]),
        c_string(param["default"]), "true" if param["required"] else "false")
    if param.get("override"):
        line += "  // type: real code wins (see generator)"
    return line


def render(common, opcodes, spec_name):
    out = []
    out.append("// GENERATED FILE -- DO NOT EDIT.")
    out.append("// Generated by scripts/gen-opcode-table.py from %s, section 7"
               % spec_name)
    out.append("// (opcode parameter reference). To regenerate, from the "
               "repository root:")
    out.append("//   python3 scripts/gen-opcode-table.py "
               "../shared/spec/resources.md")
    out.append("// Cross-checked against the real Ganeti classes by "
               "tests/e2e/check_opcode_table.py.")
    out.append("")
    out.append('#include "opcode_table.h"')
    out.append("")
    out.append("namespace rapid::rapi {")
    out.append("namespace {")
    out.append("")
    out.append("// name, type expression (resources.md 7.0), default (JSON),"
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", nargs="?", default=DEFAULT_SPEC,
                        help="path of resources.md (default: %(default)s)")
    parser.add_argument("-o", "--output", default=DEFAULT_OUTPUT,
                        help="output file (default: %(default)s)")
    args = parser.parse_args(argv)
    with open(args.spec, encoding="utf-8") as handle:
        text = handle.read()
    try:
        common, opcodes = parse_spec(text)
    except SpecError as err:
        sys.stderr.write("gen-opcode-table: %s\n" % err)
        return 1
    result = render(common, opcodes, os.path.basename(args.spec))
    with open(args.output, "w", encoding="utf-8") as handle:
        handle.write(result)
    sys.stderr.write("gen-opcode-table: %d opcodes, %d common parameters "
                     "-> %s\n" % (len(opcodes), len(common), args.output))
    return 0


if __name__ == "__main__":
    sys.exit(main())
