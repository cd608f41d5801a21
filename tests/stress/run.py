#!/usr/bin/python3
"""Runs stress cases against the built rapid and prints a summary table.

  run.py [--list] [--json FILE] [CASE ...]     (no CASE: every case but the
                                                ones needing the real luxid)
  RAPID_BINARY=build/src/app/rapid   the binary (default: the build tree's)
  RAPID_STRESS_FULL=1                full size (figures for docs/security.md)
  RAPID_STRESS_REQUIRE_ALL=1         rows waiting for another branch fail

Exit status 0 when every case run passed.
"""

import argparse
import json
import os
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import stress_lib  # noqa: E402
import cases_connections  # noqa: E402,F401  (registers its cases)
import cases_requests  # noqa: E402,F401
import cases_master  # noqa: E402,F401
import cases_ops  # noqa: E402,F401


def run_case(name):
    fn, _sandbox = stress_lib.CASES[name]
    result = stress_lib.Case(name)
    print("==> %s (%s size)" % (name, "full" if stress_lib.FULL else "CI"), flush=True)
    start = time.monotonic()
    try:
        fn(result)
    except Exception as err:  # pylint: disable=broad-except
        traceback.print_exc()
        result.check("completed", "%s: %s" % (type(err).__name__, err), "no exception", False)
    if result.pending and stress_lib.REQUIRE_ALL:
        result.check("rows pending another branch", len(result.pending), "== 0 (REQUIRE_ALL)",
                     False)
    result.seconds = time.monotonic() - start
    print("    %s in %.1f s" % ("PASS" if result.ok else "FAIL", result.seconds), flush=True)
    return result


def summary(results):
    rows = [("case", "figure", "value", "limit", "pass")]
    for result in results:
        for f in result.figures:
            rows.append((result.name, f.name, f.value_text(), str(f.limit),
                         "yes" if f.ok else "NO"))
        for pending in result.pending:
            rows.append((result.name, pending, "-", "pending i10-http", "skip"))
    caps = (20, 62, 20, 24, 4)   # longer cells overflow their column
    widths = [min(max(len(row[i]) for row in rows), caps[i]) for i in range(5)]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--with-sandbox", action="store_true",
                        help="with no CASE: also the cases against the real luxid")
    options = parser.parse_args()
    if options.list:
        for name, (_fn, sandbox) in stress_lib.CASES.items():
            print(name + ("  (real luxid)" if sandbox else ""))
        return 0
    names = options.cases or [n for n, (_f, sandbox) in stress_lib.CASES.items()
                              if options.with_sandbox or not sandbox]
    unknown = [n for n in names if n not in stress_lib.CASES]
    if unknown:
        parser.error("unknown case(s): %s (see --list)" % ", ".join(unknown))
    results = [run_case(name) for name in names]
    print()
    print("Stress suite, %s size, binary %s" % ("full" if stress_lib.FULL else "CI",
                                               stress_lib.binary()))
    print(summary(results))
    total = sum(r.seconds for r in results)
    failed = [r.name for r in results if not r.ok]
    print("\n%d case(s) in %.0f s: %s" % (len(results), total,
                                        "all passed" if not failed else
                                        "FAILED: " + ", ".join(failed)))
    if options.json:
        with open(options.json, "w") as out:
            json.dump([{"case": r.name, "seconds": round(r.seconds, 1), "pass": r.ok,
                        "notes": r.notes, "pending": r.pending,
                        "figures": [{"figure": f.name, "value": f.value, "limit": f.limit,
                                     "pass": f.ok} for f in r.figures]}
                       for r in results], out, indent=1)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
