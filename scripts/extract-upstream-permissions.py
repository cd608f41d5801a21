#!/usr/bin/env python3
"""Writes tests/data/upstream_permissions.json from upstream Ganeti's source.

Upstream Ganeti's master gave the RAPI role-based permissions in commit
0641adfb9b619abe617fbb559e3e3173d9ce2dfe ("Add role-based access control for
the Remote API"). rapid's permission table (src/auth/permissions.h) and the
permission column of its resource table (src/rapi/resources.cpp) are checked
against that commit by tests/unit/permissions_test.cpp, which reads the JSON
this script writes, so the tests need no Ganeti checkout.

The three files are read from a git mirror of ganeti/ganeti and parsed, not
imported (they need Ganeti's generated modules):
  lib/rapi/__init__.py   the RAPI_ACCESS_* names and the RAPI_ROLES sets;
  lib/rapi/rlib2.py      per resource class and method: *_ACCESS, *_AUTH_REQUIRED
                         and whether the method exists (a method definition or
                         an *_OPCODE attribute, as baserlib generates handlers);
  lib/rapi/connector.py  GetHandlers(): the path of each resource class, with
                         the placeholders written as rapid writes them.

Usage:
    python3 scripts/extract-upstream-permissions.py
        [--mirror /work/.mirror/ganeti+ganeti/repo] [--commit SHA] [-o OUTPUT]

Standard library only.
"""

import argparse
import ast
import json
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_MIRROR = "/work/.mirror/ganeti+ganeti/repo"
DEFAULT_COMMIT = "0641adfb9b619abe617fbb559e3e3173d9ce2dfe"
DEFAULT_OUTPUT = os.path.join(REPO, "tests", "data", "upstream_permissions.json")

METHODS = ("GET", "PUT", "POST", "DELETE")
PREFIX = "RAPI_ACCESS_"
NOT_DEFINED = "RAPI_ACCESS_NOT_DEFINED"
# GetHandlers()'s pattern variables, as rapid's resource table names them.
PLACEHOLDERS = {"job_id": "[job_id]", "disk": "[disk_index]"}
# The base classes of baserlib: no permission declared, authentication required.
BASES = {"ResourceBase", "OpcodeResource"}


def source(mirror, commit, path):
    return subprocess.run(["git", "-C", mirror, "show", f"{commit}:{path}"], check=True,
                          capture_output=True, text=True).stdout


def fail(message):
    sys.exit(f"extract-upstream-permissions: {message}")


class Constants:
    """The module-level RAPI_ACCESS_* values of lib/rapi/__init__.py."""

    def __init__(self, text):
        self.values = {}
        body = ast.parse(text).body
        for node in body:
            if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name)):
                continue
            name = node.targets[0].id
            if name.startswith(PREFIX) and isinstance(node.value, ast.Constant):
                self.values[name] = node.value.value
        # RAPI_ACCESS_ALL is every string constant but NOT_DEFINED; the roles
        # are unions of literal sets and those names.
        self.values["RAPI_ACCESS_ALL"] = frozenset(
            v for k, v in self.values.items() if isinstance(v, str) and k != NOT_DEFINED)
        self.roles = {}
        for node in body:
            if not (isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)):
                continue
            name = node.targets[0].id
            if name == "RAPI_ACCESS_ALL":
                continue
            if name.startswith(PREFIX) and not isinstance(node.value, ast.Constant):
                self.values[name] = self.evaluate(node.value)
            elif name == "RAPI_ROLES":
                if not isinstance(node.value, ast.Dict):
                    fail("RAPI_ROLES is not a dict literal")
                for key, value in zip(node.value.keys, node.value.values):
                    self.roles[key.value] = self.evaluate(value)
        if not self.roles:
            fail("no RAPI_ROLES in lib/rapi/__init__.py")

    def evaluate(self, node):
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            if node.id not in self.values:
                fail(f"unknown name {node.id}")
            return self.values[node.id]
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id == "rapi":
            return self.evaluate(ast.Name(id=node.attr))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return self.evaluate(node.left) | self.evaluate(node.right)
        if isinstance(node, ast.Call) and len(node.args) == 1:
            argument = node.args[0]
            if isinstance(argument, (ast.List, ast.Set, ast.Tuple)):
                return frozenset(self.evaluate(e) for e in argument.elts)
        fail(f"cannot evaluate {ast.dump(node)}")

    def permissions(self):
        return sorted(self.values["RAPI_ACCESS_ALL"])


def base_name(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    fail(f"unexpected base {ast.dump(node)}")


def resource_classes(text, constants):
    """{class name: {method: {"permission": str|None, "auth_required": bool}}}."""
    classes = {}
    for node in ast.parse(text).body:
        if not isinstance(node, ast.ClassDef):
            continue
        own = {"bases": [base_name(b) for b in node.bases], "attrs": {}, "defined": set()}
        for item in node.body:
            if isinstance(item, ast.FunctionDef) and item.name in METHODS:
                own["defined"].add(item.name)
            elif isinstance(item, ast.Assign) and isinstance(item.targets[0], ast.Name):
                own["attrs"][item.targets[0].id] = item.value
        classes[node.name] = own

    def lookup(name, attribute):
        """The attribute's AST node along the (single) base chain, or None."""
        while name not in BASES:
            if name not in classes:
                fail(f"class {name} not in rlib2.py")
            cls = classes[name]
            if attribute in cls["attrs"]:
                return name, cls["attrs"][attribute]
            if len(cls["bases"]) != 1:
                fail(f"class {name} has several bases")
            name = cls["bases"][0]
        return None

    def has_method(name, method):
        while name not in BASES:
            cls = classes[name]
            if method in cls["defined"] or f"{method}_OPCODE" in cls["attrs"]:
                return True
            name = cls["bases"][0]
        return False

    def access(name, method):
        found = lookup(name, f"{method}_ACCESS")
        if found is None:
            fail(f"{name}.{method}_ACCESS is not defined")
        owner, node = found
        # "PUT_ACCESS = GET_ACCESS": another attribute of the same class.
        if isinstance(node, ast.Name) and node.id.endswith("_ACCESS"):
            return access(owner, node.id[:-len("_ACCESS")])
        value = constants.evaluate(node)
        if value == constants.values[NOT_DEFINED]:
            fail(f"{name}.{method}_ACCESS is RAPI_ACCESS_NOT_DEFINED")
        return value

    def auth_required(name, method):
        found = lookup(name, f"{method}_AUTH_REQUIRED")
        return True if found is None else bool(found[1].value)

    def describe(name):
        methods = {}
        for method in METHODS:
            if has_method(name, method):
                methods[method] = {"permission": access(name, method),
                                   "auth_required": auth_required(name, method)}
        return methods

    return describe


def resource_paths(text):
    """[(path, class name)] from GetHandlers()'s dictionary."""
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef) and node.name == "GetHandlers":
            returns = [n for n in ast.walk(node) if isinstance(n, ast.Return)]
            table = returns[-1].value
            break
    else:
        fail("no GetHandlers() in connector.py")
    pairs = []
    for key, value in zip(table.keys, table.values):
        if isinstance(key, ast.Constant):
            path = key.value
        elif isinstance(key, ast.Call):
            path = "".join(a.value if isinstance(a, ast.Constant)
                           else PLACEHOLDERS.get(a.id, "[name]") for a in key.args)
        else:
            fail(f"unexpected key {ast.dump(key)}")
        pairs.append((path, base_name(value)))
    return pairs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", default=DEFAULT_MIRROR)
    parser.add_argument("--commit", default=DEFAULT_COMMIT)
    parser.add_argument("-o", "--output", default=DEFAULT_OUTPUT)
    args = parser.parse_args()

    constants = Constants(source(args.mirror, args.commit, "lib/rapi/__init__.py"))
    describe = resource_classes(source(args.mirror, args.commit, "lib/rapi/rlib2.py"), constants)
    resources = {}
    for path, cls in resource_paths(source(args.mirror, args.commit, "lib/rapi/connector.py")):
        resources[path] = describe(cls)
    data = {
        "source": f"ganeti/ganeti {args.commit}: lib/rapi/__init__.py, lib/rapi/rlib2.py, "
                  "lib/rapi/connector.py (scripts/extract-upstream-permissions.py)",
        "permissions": constants.permissions(),
        "roles": {name: sorted(members) for name, members in sorted(constants.roles.items())},
        "resources": dict(sorted(resources.items())),
    }
    with open(args.output, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=1, sort_keys=False)
        out.write("\n")


if __name__ == "__main__":
    main()
