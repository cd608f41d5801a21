#!/usr/bin/env python3
"""The manual page and the operator's guide say what `rapid --help` says.

* every long option of --help has an entry in docs/rapid.8, and every option
  the manual describes exists;
* where both give a default, they give the same one;
* every rapid-only option the operator's guide or conf/rapid.conf names exists,
  and conf/rapid.conf names each rapid-only option.

Usage: check_docs.py RAPID_BINARY   (from the repository root)
"""

import functools
import os
import re
import subprocess
import sys
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = None


def read(path):
    with open(os.path.join(REPO, path), encoding="utf-8") as f:
        return f.read()


@functools.lru_cache(maxsize=None)
def help_options():
    """{long option: default or None} from --help, and the set of rapid-only ones."""
    out = subprocess.run([BINARY, "--help"], capture_output=True, text=True, check=True,
                         env=dict(os.environ, COLUMNS="1000")).stdout
    options, own = {}, set()
    in_own, current = False, []
    for line in out.splitlines():
        stripped = line.strip()
        if stripped == "rapid options:":
            in_own = True
        if stripped.startswith("-"):
            spec, _, desc = stripped.partition("  ")
            names = re.findall(r"--([a-z][a-z0-9-]*)", spec)
            current = names
            for name in names:
                options[name] = None
                if in_own:
                    own.add(name)
        elif not stripped:
            current = []
            continue
        else:
            desc = stripped
        default = re.search(r"\(default: ([^),]+)", desc)
        for name in current:
            if default and options[name] is None:
                options[name] = default.group(1).strip()
    return options, own


@functools.lru_cache(maxsize=None)
def manual_entries():
    """{long option: the text of its entry} from the OPTIONS sections of rapid.8."""
    text = read("docs/rapid.8")
    entries = {}
    for block in re.split(r"^\.TP\n", text, flags=re.M)[1:]:
        lines = block.split("\n")
        names = re.findall(r"\\-\\-([a-z][a-z0-9\\-]*)", lines[0])
        for name in names:
            entries[name.replace("\\-", "-").rstrip("=")] = "\n".join(lines[1:])
    return entries


class Manual(unittest.TestCase):

    def test_every_option_is_described_and_nothing_else(self):
        options, _ = help_options()
        entries = manual_entries()
        self.assertEqual(sorted(set(options) - set(entries)), [], "not in docs/rapid.8")
        self.assertEqual(sorted(set(entries) - set(options)), [], "in docs/rapid.8, not in --help")

    def test_defaults_agree(self):
        options, _ = help_options()
        entries = manual_entries()
        for name, default in options.items():
            match = re.search(r"\(default \\fB([^\\]+)\\fR|\(default ([^):;]+)",
                              entries.get(name, ""))
            if default is None or match is None:
                continue
            written = (match.group(1) or match.group(2)).strip()
            with self.subTest(option=name):
                self.assertEqual(written.replace("\\fI", "").replace("\\fR", "")
                                 .replace("\\-", "-").split(":")[0],
                                 default.split(",")[0].split(":")[0], "default of --" + name)


class Guide(unittest.TestCase):

    def test_named_options_exist(self):
        options, own = help_options()
        guide = read("docs/operator-guide.md")
        named = set(re.findall(r"(?<![\w-])--([a-z][a-z0-9-]*)", guide))
        # Options of Ganeti's tools the guide quotes, not rapid's.
        others = {"new-rapi-certificate", "rapi-certificate", "wait-children", "purge",
                  "list", "rename"}
        self.assertEqual(sorted(named - set(options) - others), [])
        conf_keys = set(re.findall(r"^\s*#?\s*([a-z][a-z0-9-]*)\s*=", guide, re.M))
        self.assertEqual(sorted(conf_keys - own), [], "config keys in the guide")

    def test_example_config_lists_every_own_option(self):
        _, own = help_options()
        conf = read("conf/rapid.conf")
        keys = set(re.findall(r"^#\s*([a-z][a-z0-9-]*)\s*=", conf, re.M))
        self.assertEqual(sorted(keys - own), [], "keys that are no option")
        self.assertEqual(sorted(own - keys - {"config", "check-users"}), [],
                         "options missing in conf/rapid.conf")


if __name__ == "__main__":
    BINARY = sys.argv.pop(1)
    unittest.main()
