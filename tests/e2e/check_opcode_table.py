#!/usr/bin/python3
"""Cross-checks rapid's opcode table against the real Ganeti opcodes.

Run with the system Python and the installed Ganeti 3.0 code:

    PYTHONPATH=/usr/share/ganeti/3.0 /usr/bin/python3 \
        tests/e2e/check_opcode_table.py [--write-vectors]

Checks, for every opcode of src/rapi/opcode_table.cpp (the generated table):
  * the class name, and the parameter names and their order (own parameters,
    then the common ones) against ganeti.opcodes GetAllParams() and the key
    order of the serialised opcode (__getstate__);
  * every default value (as JSON) and the "required" flag (default None that
    its own test rejects);
  * the behaviour of every type expression: a set of probe values is run
    through each parameter's real ht test (including the Python exceptions
    it raises); parameters sharing a type expression must behave the same.

It also records, per distinct type expression, the outcome of the real
baserlib.FillOpcode for every probe into tests/unit/data/opcode_vectors.json,
which the C++ unit tests replay against rapid::rapi::fill_opcode. Without
--write-vectors the committed file must equal the freshly computed one.

Exit status 0 when everything matches, 1 otherwise.
"""

import argparse
import copy
import json
import logging
import os
import re
import sys

from ganeti import errors
from ganeti import http
from ganeti import ht
from ganeti import opcodes
from ganeti import serializer
from ganeti.rapi import baserlib

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TABLE = os.path.join(REPO, "src", "rapi", "opcode_table.cpp")
VECTORS = os.path.join(REPO, "tests", "unit", "data", "opcode_vectors.json")

# OpInstanceMultiAlloc.Validate() also validates every element of
# "instances" as an opcode object; RAPI only ever puts opcodes built by
# FillOpcode there, so the probes (plain JSON values) would only exercise an
# AttributeError the real resource cannot reach. Its type is recorded from
# the ht test alone.
FILL_EXCLUDE = {("OP_INSTANCE_MULTI_ALLOC", "instances")}

# ---------------------------------------------------------------------------
# Reading the generated table.

C_STR = r'"((?:[^"\\]|\\.)*)"'
PARAM_RE = re.compile(r"^\s*\{%s, %s, %s, (true|false)\},"
                      % (C_STR, C_STR, C_STR))
ARRAY_RE = re.compile(r"^constexpr OpcodeParamDef k(\w+)\[\] = \{$")
OPCODE_RE = re.compile(r"^\s*\{%s, %s, (k\w+|std::span<const OpcodeParamDef>\{\})\},$"
                       % (C_STR, C_STR))


def c_unescape(text):
    return re.sub(r"\\(.)", r"\1", text)


def read_table(path):
    arrays = {}
    opcode_rows = []
    current = None
    in_opcodes = False
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            match = ARRAY_RE.match(line)
            if match:
                current = arrays.setdefault(match.group(1), [])
                continue
            if line.startswith("constexpr OpcodeDef kOpcodes[]"):
                in_opcodes = True
                continue
            if line.startswith("};"):
                current = None
                in_opcodes = False
                continue
            if current is not None:
                match = PARAM_RE.match(line)
                if not match:
                    raise ValueError("unparsable table line: %r" % line)
                current.append({
                    "name": c_unescape(match.group(1)),
                    "type": c_unescape(match.group(2)),
                    "default": c_unescape(match.group(3)),
                    "required": match.group(4) == "true",
                })
            elif in_opcodes:
                match = OPCODE_RE.match(line)
                if not match:
                    raise ValueError("unparsable opcode line: %r" % line)
                array = match.group(3)
                opcode_rows.append({
                    "op_id": c_unescape(match.group(1)),
                    "class": c_unescape(match.group(2)),
                    "params": arrays[array[1:]] if array.startswith("k") else [],
                })
    common = arrays.pop("CommonParams")
    return common, opcode_rows


# ---------------------------------------------------------------------------
# Probe values (JSON-representable, as a client could send them).

GENERAL_PROBES = [
    None, True, False, 0, 1, -1, 2, 5, 10, -10, 15, 16, 17, 120,
    2 ** 63 - 1, -2 ** 63, 2 ** 64 - 1,
    0.0, -0.0, 1.0, 10.0, -10.0, 0.5, -2.5, 1e300,
    "", "x", "a", "0", "5", "12", "-1", "1.0", "12\n", "\n", "12\n\n", " 12",
    "\u0661\u0662", "\uff11\uff12", "\u00b2", "1\u0662", "abc", "ab", "none",
    "true", "null", "h\u00e9", "\U0001d7ce",
    [], {}, [1], [0, 1], [-1], ["x"], [""], [None], [True], [1.0], [[]],
    [{}], ["x", ""], [1, "x"],
    {"a": 1}, {"a": "b"}, {"a": None}, {"a": True}, {"a": 1.5}, {"a": ""},
    {"": "x"}, {"a": {}}, {"a": {"b": 1}}, {"a": []}, {"a": -3},
    {"size": 1024}, {"size": "10G"}, {"mode": "rw"}, {"ip": "1.2.3.4"},
    {"_unknown_": False}, {"mac": None}, {"link": 5}, {"vlan": ""},
    {"plain": {}}, {"drbd": {"resync-rate": 1}}, {"bogus": {}},
    {"plain": 5}, {"kvm": {"a": 1}}, {"x": False}, {"x": 1},
    # pairs and lists of pairs
    [1, 2], [[1, 2]], [[1, 2], [3, 4]], [[1, 2, 3]], [[1]], [[1.0, 2]],
    [[True, 2]], [["1", 2]], [["add", "x"]], [["remove", "debian"]],
    [["modify", "x"]], [["add", ""]], [[[], "x"]], [[{}, "x"]], [["add", 1]],
    # modification lists
    [["add", -1, {"ip": "1.2.3.4"}]], [[0, {"mode": "rw"}]],
    [["add", -1, {}], [0, {}]], [[0, {}], ["add", -1, {}]],
    [5], [None], [1.5], ["abc"], ["ab"], [{"a": 1, "b": 2, "c": 3}],
    [{"add": 1, "x": 2}], [{"add": 1, "x": 2, "y": 3}], [[[], 1, {}]],
    [[{}, {}]], [["add", [1], {}]], [["modify", "0", {"size": 5}]],
    [["remove", 0, {}]], [[-1, {}]], [["add", {}]], [["x", {}]],
    [["detach", {}]], [["attach", 1, {"name": "d"}]],
    [[0, {}], 5], [["add", -1, {}], 5], [[0, {"size": 1024}]],
    [["add", -1, {"size": 1024, "mode": "rw"}]], [["add", -1, {"size": True}]],
    [["add", -1, {"_unknown_": False}]], [["add", True, {}]],
    [["add", 1.0, {}]], [[0, {"link": None}]], [[True, {}]],
    # recreate-disks
    [[0, {"size": 5}]], [[-1, {}]], [["a", {}]], [1, [0, {}]],
    [[0, {"size": True}]], [[0, {}], [1, {"size": "1G"}]],
    # depends
    [[1, ["success"]]], [[-1, ["error"]]], [["12", []]], [["abc", []]],
    [[1, ["bogus"]]], [[1, [[]]]], [[1, [{}]]], [[1, "success"]],
    [[True, []]], [["12\n", ["canceled"]]], [["\u0661", []]], [[1.0, []]],
    [[0, ["success", "error", "canceled"]]], [[1, [None]]], [[None, []]],
    [[2 ** 64 - 1, []]], [[1, []], [2, ["success"]]], [[1, ["success"]], 3],
    [{"a": 1, "b": 2}], [[1, ["success", 1]]], [["", []]],
    # exports
    ["node1"], [["node1", 1234, "magic"]],
    # reason trails
    [["gnt:user", "foo", 1795720979714094592]],
]

IP_PROBES = [
    "10.0.0.0/24", "10.0.0.1/24", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/255.255.255.0",
    "10.0.0.0/0.0.0.255", "10.0.0.0/255.0.255.0", "10.0.0.0/024", "10.0.0.0/+24",
    "10.0.0.0/ 24", "10.0.0.0/-1", "10.0.0.0/abc", "10.0.0.0/24/1", "10.0.0.0",
    "1.2.3.4", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.256", "1.2.3.4 ", " 1.2.3.4",
    "1.2.3.04", "0.0.0.0/0", "255.255.255.255/32", "1.2.3.4/32", "1.2.3.4/31",
    "1.2.3.4/0", "1.2.3.4/255.255.255.255", "1.2.3.4/0.0.0.0", "10.0.0.0/24\n",
    "\u0661.2.3.4", "1.2.3.4/\u0662\u0664", "1.2.3.4/\uff12\uff14", "1.2.3.0/00000000024",
    "1.2.3.0/1000", "1.2.3.4/255.255.255.256", "1.2.3.4/x.y", "1..3.4", "1.2.3.",
    "1.2.3.4/8", "10.0.0.0/8", "10.0.0.0/7", "/24", "1.2.3.4/\x00",
    "1.2.3.4/'q'", "1.2.3.4/\"q\"", "1.2.3.4/h\u00e9",
    "::", "::1", "::/0", "2001:db8::/32", "2001:DB8::/32", "2001:db8::1/64",
    "2001:db8::/129", "2001:db8::/64/1", "fe80::1%eth0", "fe80::%eth0/64",
    "fe80::1%eth0/64", "fe80::1%", "fe80::1%a%b", "1:2:3:4:5:6:7:8",
    "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1::2::3",
    ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:", "::ffff:1.2.3.4", "::ffff:1.2.3.4/120",
    "::ffff:1.2.3.0/120", "::1.2.3", "12345::", "g::", "1:2:3:4:5:6:1.2.3.4",
    "1:2:3:4:5:6:7:1.2.3.4", "0:0:0:0:0:0:0:0", "1:0:0:2:0:0:0:3/128",
    "1:0:0:2:0:0:3:4/64", "0:0:1:0:0:1:0:0/16", "1:0:0:0:1:0:0:0/16",
    "1:2:3:4:5:6:7:8/112", "ABCD:EF01::/16", "abcd:ef01::/16", "1::/15", "1::/16",
    "::/2", "::1/127", "2001:db8::/+32", "2001:db8::/032", "2001:db8::/", ":",
    "::::", "1:2", "1:2:3", "::01234", "::0123", "1:2:3:4:5:6:7:8%x/128",
    "fe80::1%\u00e9/64", "2001:db8::1.2.3.4", "::1.2.3.04", "::1.2.3.4/96",
]


def all_enum_members(types):
    members = set()
    for text in types:
        for group in re.findall(r"enum(?:-nohash)?\{([^}]*)\}", text):
            for item in group.split(","):
                item = item.strip()
                if not re.fullmatch(r"-?\d+", item):
                    members.add(item)
    return sorted(members)


# ---------------------------------------------------------------------------
# Outcomes.

def direct_outcome(test, value):
    """BaseOpCode.Validate for one parameter, as an outcome token."""
    try:
        if test(value) or (ht.TInt(value) and test(float(value))):
            return "ok"
        return "fail"
    except TypeError as err:
        return ["TypeError", str(err)]
    except ValueError as err:
        return ["ValueError", str(err)]


def fail_message(op_id, name):
    return ("Invalid body parameters: %s" %
            str(errors.OpPrereqError("Parameter '%s.%s' fails validation" %
                                     (op_id, name), errors.ECODE_INVAL)))


def decode_like_rapi(body):
    """The body as RAPI's JSON decoding leaves it (private keys wrapped), and
    its plain JSON form; None when the decoder itself would reject it."""
    body = copy.deepcopy(body)
    try:
        serializer.WrapPrivateValues(body)
    except Exception:  # pylint: disable=broad-except
        return None, None
    plain = json.loads(serializer.DumpJson(
        body, private_encoder=serializer.EncodeWithPrivateFields))
    return body, plain


def fill_outcome(op_class, op_id, name, body, value):
    """Outcome of the real FillOpcode for body (with `name` set to `value`)."""
    try:
        op = baserlib.FillOpcode(op_class, body, {})
    except http.HttpBadRequest as err:
        if err.message == fail_message(op_id, name):
            return "fail"
        return [400, err.message]
    except ValueError as err:  # ipaddress errors escape FillOpcode
        return [500, str(err)]
    state = json.loads(serializer.DumpJson(
        op.__getstate__(), private_encoder=serializer.EncodeWithPrivateFields))
    if state.get(name) != value:
        return ["wrong value", state.get(name)]
    return "ok"


def direct_to_fill(op_id, name, outcome):
    if outcome in ("ok", "fail"):
        return outcome
    if outcome[0] == "TypeError":
        return [400, "Invalid body parameters: %s" % outcome[1]]
    return [500, outcome[1]]


# ---------------------------------------------------------------------------

def check(write_vectors):
    problems = []
    common, table = read_table(TABLE)
    common_names = [p["name"] for p in common]

    # Structure and defaults.
    by_key = {}
    for row in table:
        op_id = row["op_id"]
        op_class = opcodes.OP_MAPPING.get(op_id)
        if op_class is None:
            problems.append("%s: no such opcode in ganeti.opcodes" % op_id)
            continue
        if op_class.__name__ != row["class"]:
            problems.append("%s: class %s, table says %s" %
                            (op_id, op_class.__name__, row["class"]))
        params = row["params"] + common
        real = op_class.GetAllParams()
        names = [p["name"] for p in params]
        real_names = [p[0] for p in real]
        if names != real_names:
            problems.append("%s: parameters differ:\n  table: %s\n  real:  %s" %
                            (op_id, names, real_names))
            continue
        state_names = list(op_class().__getstate__().keys())
        if state_names != names + ["OP_ID"]:
            problems.append("%s: serialised key order %s" % (op_id, state_names))
        for param, (name, default, test, _) in zip(params, real):
            table_default = json.dumps(json.loads(param["default"]), sort_keys=True)
            real_default = json.dumps(default, sort_keys=True)
            if table_default != real_default:
                problems.append("%s.%s: default %s, real %s" %
                                (op_id, name, table_default, real_default))
            required = default is None and not test(None)
            if required != param["required"]:
                problems.append("%s.%s: required=%s, real %s" %
                                (op_id, name, param["required"], required))
            by_key[(op_id, name)] = (param["type"], test, op_class)
        if row["params"] and any(p["name"] in common_names for p in row["params"]):
            problems.append("%s: own parameter shadows a common one" % op_id)

    # Type behaviour.
    types = sorted({t for (t, _, _) in by_key.values()})
    enum_probes = all_enum_members(types)
    groups = {}
    for key, (type_expr, test, op_class) in by_key.items():
        groups.setdefault(type_expr, []).append((key, test, op_class))

    def probes_for(type_expr):
        probes = GENERAL_PROBES + enum_probes
        if "ipv" in type_expr:
            probes = probes + IP_PROBES + [[p] for p in IP_PROBES[:20]]
        return probes

    for type_expr, members in sorted(groups.items()):
        probes = probes_for(type_expr)
        reference = None
        for (key, test, _) in members:
            outcomes = [direct_outcome(test, copy.deepcopy(p)) for p in probes]
            if reference is None:
                reference = (key, outcomes)
            elif outcomes != reference[1]:
                diffs = [(p, a, b) for p, a, b in zip(probes, reference[1], outcomes)
                         if a != b][:5]
                problems.append("type %r: %s.%s and %s.%s behave differently, e.g. %s" %
                                (type_expr, reference[0][0], reference[0][1],
                                 key[0], key[1], diffs))

    # Required parameters need a valid value when probing others.
    def sample(test):
        for probe in GENERAL_PROBES + enum_probes + IP_PROBES:
            if direct_outcome(test, copy.deepcopy(probe)) == "ok" and probe is not None:
                return probe
        raise AssertionError("no valid sample")

    vector_types = []
    for type_expr, members in sorted(groups.items()):
        eligible = [m for m in members if m[0] not in FILL_EXCLUDE]
        (op_id, name), test, op_class = (eligible or members)[0]
        base = {}
        for param in op_class.GetAllParams():
            if param[0] != name and param[1] is None and not param[2](None):
                base[param[0]] = sample(param[2])
        cases = []
        for probe in probes_for(type_expr):
            body = dict(base)
            body[name] = copy.deepcopy(probe)
            wrapped, plain = decode_like_rapi(body)
            if wrapped is None:
                continue
            value = plain[name]
            if (op_id, name) in FILL_EXCLUDE:
                outcome = direct_to_fill(op_id, name,
                                         direct_outcome(test, wrapped[name]))
            else:
                outcome = fill_outcome(op_class, op_id, name, wrapped, value)
            if isinstance(outcome, list) and outcome[0] == "wrong value":
                problems.append("%s.%s: value %r serialised as %r" %
                                (op_id, name, value, outcome[1]))
            cases.append([value, outcome])
        vector_types.append({"type": type_expr, "op": op_id, "param": name,
                             "base": base, "cases": cases})

    vectors_text = render_vectors(vector_types)
    if write_vectors:
        os.makedirs(os.path.dirname(VECTORS), exist_ok=True)
        with open(VECTORS, "w", encoding="utf-8") as handle:
            handle.write(vectors_text)
        print("wrote %s (%d types, %d cases)" %
              (VECTORS, len(vector_types), sum(len(t["cases"]) for t in vector_types)))
    else:
        try:
            with open(VECTORS, encoding="utf-8") as handle:
                current = handle.read()
        except OSError:
            current = None
        if current != vectors_text:
            problems.append("%s is out of date (rerun with --write-vectors)" % VECTORS)

    return problems, len(table), len(types)


def render_vectors(vector_types):
    out = ["{\"generated_by\": \"tests/e2e/check_opcode_table.py --write-vectors "
           "(real Ganeti 3.0.2 baserlib.FillOpcode)\",",
           " \"outcomes\": \"ok | fail (the 'fails validation' 400 of the parameter) | "
           "[status, message]\",",
           " \"types\": ["]
    for index, entry in enumerate(vector_types):
        out.append("  {\"type\": %s, \"op\": %s, \"param\": %s, \"base\": %s, \"cases\": [" %
                   (json.dumps(entry["type"]), json.dumps(entry["op"]),
                    json.dumps(entry["param"]), json.dumps(entry["base"])))
        lines = ["    %s" % json.dumps(case) for case in entry["cases"]]
        out.append(",\n".join(lines))
        out.append("  ]}" + ("," if index + 1 < len(vector_types) else ""))
    out.append(" ]}")
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-vectors", action="store_true",
                        help="(re)write tests/unit/data/opcode_vectors.json")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # Validate() logs every failure
    problems, n_ops, n_types = check(args.write_vectors)
    for problem in problems:
        print("MISMATCH: %s" % problem)
    if problems:
        print("%d problem(s)" % len(problems))
        return 1
    print("opcode table OK: %d opcodes, %d distinct types match ganeti.opcodes" %
          (n_ops, n_types))
    return 0


if __name__ == "__main__":
    sys.exit(main())
