#!/usr/bin/env python3
"""Checks that rapid's layers depend on each other one way only.

    app -> http, rapi;  rapi -> http, auth, luxi, util, metrics;  http, auth, luxi -> util
    metrics (counters, histograms, the text format) -> nothing

A file of src/<layer>/ may include only headers of its own layer and of the
layers below it. The opcode library (rapid_opcode, the sources listed in its
add_library() in src/rapi/CMakeLists.txt) is a layer of its own inside rapi:
it may include only itself and util, so the opcode tests and fuzzers link
nothing else (rapi/api_error.h, header-only, belongs to it too).

Usage: check-layers.py [SRC_DIR]   (default: src/ of the repository)
Exits 1 and prints file:line: what it may not include.
"""

import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

ALLOWED = {
    "util": {"util"},
    "metrics": {"metrics"},
    "auth": {"auth", "util"},
    "luxi": {"luxi", "util"},
    "http": {"http", "util"},
    "opcode": {"opcode", "util"},
    "rapi": {"rapi", "opcode", "http", "auth", "luxi", "util", "metrics"},
    "app": {"app", "rapi", "opcode", "http", "auth", "luxi", "util", "metrics"},
    "asio": set(),
}
# Header-only files of src/rapi that belong to the opcode layer: FillOpcode
# raises rapi::ApiError, which depends on nothing.
OPCODE_HEADERS = {"api_error"}
INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def opcode_sources(src):
    """Stems of the files of rapid_opcode, from its add_library() call."""
    with open(os.path.join(src, "rapi", "CMakeLists.txt")) as f:
        text = f.read()
    match = re.search(r"add_library\(\s*rapid_opcode\s+STATIC\s+([^)]*)\)", text)
    if not match:
        raise SystemExit("check-layers: no add_library(rapid_opcode ...) in src/rapi")
    return {os.path.splitext(name)[0] for name in match.group(1).split()} | OPCODE_HEADERS


def layer_of(path, opcode):
    """The layer of a repository-relative header or source path under src/."""
    parts = path.split("/")
    layer = parts[0]
    stem = os.path.splitext(parts[-1])[0]
    if layer == "rapi" and stem in opcode:
        return "opcode"
    return layer


def check(src):
    opcode = opcode_sources(src)
    findings = []
    for root, _, files in os.walk(src):
        for name in sorted(files):
            if not name.endswith((".cpp", ".h", ".h.in")):
                continue
            path = os.path.join(root, name)
            rel = os.path.relpath(path, src)
            layer = layer_of(rel, opcode)
            if layer not in ALLOWED:
                findings.append("%s: not in a known layer" % rel)
                continue
            with open(path, encoding="utf-8") as f:
                text = f.read()
            for match in INCLUDE_RE.finditer(text):
                target = match.group(1)
                if "/" not in target:
                    line = text.count("\n", 0, match.start()) + 1
                    findings.append("src/%s:%d: include \"%s\" without its layer folder" % (
                        rel, line, target))
                    continue
                target_layer = layer_of(target, opcode)
                if target_layer not in ALLOWED[layer]:
                    line = text.count("\n", 0, match.start()) + 1
                    findings.append("src/%s:%d: %s may not include %s (%s)" % (
                        rel, line, layer, target, target_layer))
    return findings


def main(argv):
    src = argv[1] if len(argv) > 1 else os.path.join(REPO, "src")
    findings = check(src)
    for finding in findings:
        print(finding)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
