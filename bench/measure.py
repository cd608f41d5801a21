"""One cell: wrk against a server, luxi_floor against luxid, fetch.py for
the large-cluster runs; the original's children sampled meanwhile."""

import json
import os
import re
import subprocess
import threading
import time
import urllib.parse

from common import (AUTH_HEADER, FETCH, LUXI_CALLS, LUXI_SOCKET, SLOW_PATHS, USER,
                    children_of, in_sandbox, log, status_value)


def parse_duration_ms(text):
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        return 0.0
    value, unit = float(match.group(1)), match.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(output):
    cell = {"rps": 0.0, "p50_ms": 0.0, "p99_ms": 0.0, "requests": 0, "non2xx": 0,
            "socket_errors": 0, "timeouts": 0}
    for line in output.splitlines():
        line = line.strip()
        if line.startswith("Requests/sec:"):
            cell["rps"] = float(line.split()[1])
        elif re.match(r"^50(\.0+)?%", line):
            cell["p50_ms"] = parse_duration_ms(line.split()[1])
        elif re.match(r"^99(\.0+)?%", line):
            cell["p99_ms"] = parse_duration_ms(line.split()[1])
        elif "requests in" in line:
            cell["requests"] = int(line.split()[0])
        elif line.startswith("Non-2xx or 3xx responses:"):
            cell["non2xx"] = int(line.split()[-1])
        elif line.startswith("Socket errors:"):
            numbers = [int(n) for n in re.findall(r"\d+", line)]
            cell["socket_errors"] = sum(numbers[:3])
            cell["timeouts"] = numbers[3]
    return cell


class Sampler(threading.Thread):
    """While a cell runs: the original's per-connection children (how many at
    once, their RSS), or nothing. Twice a second, cheap on two cores. The
    total is PSS: forked children share most pages with the master."""

    def __init__(self, master_pid):
        super().__init__(daemon=True)
        self.master_pid = master_pid
        self.stop_event = threading.Event()
        self.max_children = 0
        self.max_child_kb = 0
        self.max_total_kb = 0

    def run(self):
        while not self.stop_event.wait(0.5):
            kids = children_of(self.master_pid)
            self.max_children = max(self.max_children, len(kids))
            self.max_child_kb = max([self.max_child_kb] +
                                    [status_value(p, "VmRSS") or 0 for p in kids])
            self.max_total_kb = max(self.max_total_kb, sum(
                status_value(p, "Pss", "smaps_rollup") or 0 for p in [self.master_pid] + kids))

    def finish(self):
        self.stop_event.set()
        self.join()


class Bench:
    def __init__(self, opts, work):
        self.opts = opts
        self.work = work
        self.cells = []          # every measurement, in the order taken
        self.children = {"max_children": 0, "max_child_kb": 0, "max_total_kb": 0}

    def seconds(self, path):
        return max(self.opts.seconds, self.opts.slow_seconds) if path in SLOW_PATHS \
            else self.opts.seconds

    def wrk(self, url, connections, mode="keepalive", inside=False, master_pid=None):
        """mode: keepalive, close (Connection: close; wrk resumes its last TLS
        session) or full (Connection: close and a full TLS handshake each
        time, through bench/no_resume.cpp)."""
        threads = 1 if connections < 2 else 2
        parts = urllib.parse.urlsplit(url)
        path = parts.path + ("?" + parts.query if parts.query else "")
        argv = ["wrk", "-t%d" % threads, "-c%d" % connections,
                "-d%ds" % max(1, round(self.seconds(path))),
                "--latency", "--timeout", "%gs" % self.opts.wrk_timeout, "-H", AUTH_HEADER]
        if mode in ("close", "full"):
            argv += ["-H", "Connection: close"]
        env = dict(os.environ, LD_PRELOAD=self.opts.no_resume) if mode == "full" else None
        argv.append(url)
        if inside:
            argv = in_sandbox(argv)
        sampler = Sampler(master_pid) if master_pid else None
        if sampler:
            sampler.start()
        result = subprocess.run(argv, capture_output=True, text=True, env=env)
        if sampler:
            sampler.finish()
            for key in self.children:
                self.children[key] = max(self.children[key], getattr(sampler, key))
        cell = parse_wrk(result.stdout)
        if result.returncode != 0:
            cell["failure"] = (result.stderr or result.stdout).strip()[-300:]
        return cell

    def floor(self, path, connections, requests=None):
        method, args = LUXI_CALLS[path]
        argv = [self.opts.luxi_floor, "--socket", LUXI_SOCKET, "-c", str(connections)]
        argv += ["-n", str(requests)] if requests else ["-d", "%g" % self.seconds(path)]
        argv += [method, json.dumps(args)]
        result = subprocess.run(argv, capture_output=True, text=True)
        try:
            cell = json.loads(result.stdout)
        except ValueError:
            cell = {"rps": 0.0, "p50_ms": 0.0, "p99_ms": 0.0}
        if result.returncode != 0:
            cell["failure"] = result.stderr.strip()[-300:]
        return cell

    def record(self, server, path, scheme, connections, mode, key, cell):
        cell.update(server=server, path=path, scheme=scheme, connections=connections, mode=mode,
                    key=key)
        self.cells.append(cell)
        flag = "" if cell_clean(cell) else "  (errors)"
        log("%-8s %-5s %-22s c=%-3d %-10s %-5s %10.1f req/s  p50 %.2f ms  p99 %.2f ms%s"
            % (server, scheme, path, connections, mode, key, cell.get("rps", 0),
               cell.get("p50_ms", 0), cell.get("p99_ms", 0), flag))

    def settle(self, original):
        """After a cell on the original: its children still finishing requests
        that wrk gave up on load luxid; wait until they are gone."""
        start = time.monotonic()
        while children_of(original.pid) and time.monotonic() < start + 30:
            time.sleep(0.2)
        if time.monotonic() - start > 2:
            log("waited %.0f s for the original's children (%s still there)"
                % (time.monotonic() - start, children_of(original.pid) or "none"))
        time.sleep(self.opts.pause)

    def settle_rapid(self, rapid):
        """After a slow cell on rapid: calls it still makes for requests wrk
        gave up on load luxid; wait until its LUXI call count stands still."""
        start, last = time.monotonic(), rapid.luxi_calls()
        while time.monotonic() < start + 60:
            time.sleep(1)
            now = rapid.luxi_calls()
            if now == last:
                break
            last = now
        if time.monotonic() - start > 2:
            log("waited %.0f s for rapid's LUXI calls to end" % (time.monotonic() - start))

    def find(self, **keys):
        """The matching cell; of several (--rounds), the one of median req/s
        (the lower of the middle two)."""
        found = [cell for cell in self.cells if all(cell.get(k) == v for k, v in keys.items())]
        if not found:
            return None
        return sorted(found, key=lambda cell: cell.get("rps", 0))[(len(found) - 1) // 2]


def cell_clean(cell):
    return not (cell.get("failure") or cell.get("non2xx") or cell.get("timeouts")
                or cell.get("socket_errors") or cell.get("errors"))


def fetch(opts, url, connections, requests, inside=False):
    argv = ["/usr/bin/python3", FETCH, url, "-c", str(connections), "-n", str(requests),
            "--timeout", "%g" % opts.large_timeout, "--user", USER]
    if inside:
        argv = in_sandbox(argv)
    result = subprocess.run(argv, capture_output=True, text=True)
    try:
        return json.loads(result.stdout)
    except ValueError:
        return {"failure": result.stderr.strip()[-300:], "ok": 0, "requests": 0}
