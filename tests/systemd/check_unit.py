#!/usr/bin/python3
"""Checks systemd/ganeti-rapi.service.d/rapid.conf with systemd-analyze.

The drop-in is applied to stand-ins of Ganeti's own units (units/, see their
header) in a temporary directory. systemd-analyze reads only that directory
and the distribution's unit directory (sysinit.target and the like, through
SYSTEMD_UNIT_PATH), or only the temporary tree (--root): neither /etc/systemd
nor /run/systemd of this machine is read, nothing is written outside the
temporary directory, and no service manager is asked.

  check_unit.py verify    `systemd-analyze verify`: no error and no warning
                          (systemd prints warnings yet exits 0)
  check_unit.py security  `systemd-analyze security --offline=true`: the
                          overall exposure under --max-exposure, and nothing
                          flagged but the items KNOWN_FLAGGED explains
  check_unit.py merged    the unit as systemd merges it (`systemd-analyze
                          cat-config` over the installed layout): Type=notify,
                          upstream's ExecStart= untouched, ...
"""

import argparse
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
DROP_IN = HERE.parent.parent / "systemd" / "ganeti-rapi.service.d" / "rapid.conf"
STAND_INS = HERE / "units"
UNIT = "ganeti-rapi.service"
UPSTREAM_EXEC_START = "/usr/sbin/ganeti-rapi -f $RAPI_ARGS $ONETIME_ARGS"
# rapid's default --shutdown-timeout: systemd must wait longer.
SHUTDOWN_TIMEOUT_S = 30

# What `security` may still flag, each with why it stays (rapid.conf's
# closing comment says the same).
KNOWN_FLAGGED = {
    # rapid serves RAPI clients over the network ...
    "PrivateNetwork=",
    "RestrictAddressFamilies=~AF_(INET|INET6)",
    # ... talks to luxid, syslog and systemd over Unix sockets ...
    "RestrictAddressFamilies=~AF_UNIX",
    # ... and lists interfaces for -i/--interface (getifaddrs()).
    "RestrictAddressFamilies=~AF_NETLINK",
    # Which clients may connect is the site's choice.
    "IPAddressDeny=",
    # rapid needs Ganeti's tree as it is.
    "RootDirectory=/RootImage=",
    # luxid's socket is reached through the supplementary group gnt-daemons,
    # which a private user namespace does not map.
    "PrivateUsers=",
    # ProtectClock= itself allows reading the RTC (char-rtc:r).
    "DeviceAllow=",
}

ENVIRONMENT = {
    "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
    "LANG": "C.UTF-8",
    "SYSTEMD_PAGER": "",
    "SYSTEMD_COLORS": "0",
    "SYSTEMD_LOG_COLOR": "0",
}


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def system_unit_dir():
    """The distribution's unit directory (Debian 12: /lib/systemd/system)."""
    try:
        found = subprocess.run(
            ["pkg-config", "--variable=systemdsystemunitdir", "systemd"],
            capture_output=True, text=True, check=False).stdout.strip()
    except FileNotFoundError:
        found = ""
    return found or "/lib/systemd/system"


def analyze(args, unit_path=None):
    environment = dict(ENVIRONMENT)
    if unit_path:
        environment["SYSTEMD_UNIT_PATH"] = unit_path
    command = ["systemd-analyze", "--no-pager", *args]
    print("$", " ".join(command), file=sys.stderr)
    return subprocess.run(command, capture_output=True, text=True, env=environment, check=False)


def lay_out_search_path(directory):
    """Stand-ins and the drop-in in one directory: the first of the search path."""
    units = directory / "units"
    shutil.copytree(STAND_INS, units)
    (units / f"{UNIT}.d").mkdir()
    shutil.copy(DROP_IN, units / f"{UNIT}.d" / DROP_IN.name)
    return units, f"{units}:{system_unit_dir()}"


def check_verify(directory, _options):
    if not os.access("/usr/sbin/ganeti-rapi", os.X_OK):
        fail("/usr/sbin/ganeti-rapi is missing: verify checks ExecStart=, install ganeti")
    units, unit_path = lay_out_search_path(directory)
    # --man=no: upstream's Documentation= man pages are Ganeti's to ship.
    result = analyze(["verify", "--man=no", *sorted(str(u) for u in units.glob("ganeti*") if u.is_file())],
                     unit_path)
    output = (result.stdout + result.stderr).strip()
    if result.returncode != 0 or output:
        fail(f"systemd-analyze verify exited {result.returncode}:\n{output}")
    print(f"verify: {UNIT} with {DROP_IN.name} and the units it names: clean")


def check_security(directory, options):
    units, unit_path = lay_out_search_path(directory)
    target = str(units / UNIT)
    text = analyze(["security", "--offline=true", target], unit_path)
    print(text.stdout)
    match = re.search(r"Overall exposure level for " + re.escape(UNIT) + r": (\d+\.\d+)",
                      text.stdout)
    if text.returncode != 0 or not match:
        fail(f"systemd-analyze security exited {text.returncode}:\n{text.stderr}")
    exposure = float(match.group(1))
    report = analyze(["security", "--offline=true", "--json=short", target], unit_path)
    flagged = {item["name"] for item in json.loads(report.stdout)
               if item.get("exposure") not in (None, "0.0")}
    unexpected = sorted(flagged - KNOWN_FLAGGED)
    if unexpected:
        fail("flagged, and not among the items known to stay: " + ", ".join(unexpected))
    if exposure >= options.max_exposure:
        fail(f"exposure {exposure} is not under {options.max_exposure}")
    print(f"security: exposure {exposure} (under {options.max_exposure}); "
          f"flagged: {', '.join(sorted(flagged))}")


def merged_service_section(text):
    """Service settings of cat-config's output: key -> values, in order, an
    empty assignment clearing the list as systemd does."""
    settings = {}
    section = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line
            continue
        if section != "[Service]" or "=" not in line:
            continue
        key, value = (part.strip() for part in line.split("=", 1))
        if value:
            settings.setdefault(key, []).append(value)
        else:
            settings[key] = []
    return settings


def check_merged(directory, _options):
    # Where things are on a site: upstream's unit copied by the admin, the
    # drop-in where the rapid package installs it.
    root = directory / "root"
    (root / "etc/systemd/system").mkdir(parents=True)
    shutil.copy(STAND_INS / UNIT, root / "etc/systemd/system" / UNIT)
    drop_in_dir = root / "usr/lib/systemd/system" / f"{UNIT}.d"
    drop_in_dir.mkdir(parents=True)
    shutil.copy(DROP_IN, drop_in_dir / DROP_IN.name)
    result = analyze(["cat-config", f"--root={root}", f"systemd/system/{UNIT}"])
    if result.returncode != 0:
        fail(f"systemd-analyze cat-config exited {result.returncode}:\n{result.stderr}")
    print(result.stdout)
    if f"{UNIT}.d/{DROP_IN.name}" not in result.stdout:
        fail("cat-config does not show the drop-in")
    service = merged_service_section(result.stdout)
    expected = {
        "Type": ["notify"],
        "NotifyAccess": ["main"],
        "ExecStart": [UPSTREAM_EXEC_START],
        "ExecReload": ["/bin/kill -HUP $MAINPID"],
        "User": ["gnt-rapi"],
        "SuccessExitStatus": ["0 11"],
    }
    for key, values in expected.items():
        last = service.get(key, [])
        got = last[-1:] if key not in ("ExecStart", "ExecReload") else last
        if got != values:
            fail(f"merged {key}= is {last}, expected {values}")
    stop_timeout = service.get("TimeoutStopSec", ["?"])[-1]
    seconds = re.fullmatch(r"(\d+)s?", stop_timeout)
    if not seconds or int(seconds.group(1)) <= SHUTDOWN_TIMEOUT_S:
        fail(f"TimeoutStopSec={stop_timeout} is not above --shutdown-timeout's "
             f"{SHUTDOWN_TIMEOUT_S}s")
    print(f"merged: Type=notify, NotifyAccess=main, upstream's ExecStart=, "
          f"TimeoutStopSec={stop_timeout}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("check", choices=["verify", "security", "merged"])
    parser.add_argument("--max-exposure", type=float, default=5.0)
    options = parser.parse_args()
    if not shutil.which("systemd-analyze"):
        fail("systemd-analyze is missing (Debian: systemd)")
    with tempfile.TemporaryDirectory(prefix="rapid-systemd-") as directory:
        {"verify": check_verify, "security": check_security, "merged": check_merged}[
            options.check](pathlib.Path(directory), options)


if __name__ == "__main__":
    main()
