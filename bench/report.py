"""The markdown table, the large-cluster table, memory, the machine, the
targets of issue 13 as PASS/FAIL lines, and --check."""

import json
import os
import platform
import subprocess

from common import LUXI_CALLS, ROOT, SLOW_PATHS
from measure import cell_clean


def fmt_rps(value):
    if not value:
        return "0"
    return "{:,.0f}".format(value) if value >= 100 else "{:.1f}".format(value)


def fmt_ms(value):
    if value >= 100:
        return "%.0f" % value
    if value >= 10:
        return "%.1f" % value
    return "%.2f" % value


def fmt_cell(cell, notes):
    if cell is None:
        return "–"
    text = "%s (%s / %s)" % (fmt_rps(cell.get("rps")), fmt_ms(cell.get("p50_ms", 0)),
                             fmt_ms(cell.get("p99_ms", 0)))
    if not cell_clean(cell):
        notes.append(cell)
        text += " [%d]" % len(notes)
    return text


def ratio(a, b):
    if not a or not b or not a.get("rps") or not b.get("rps"):
        return "–"
    value = a["rps"] / b["rps"]
    return ("%.0f×" % value) if value >= 10 else ("%.2f×" % value)


FULL_LABEL = ", Connection: close, full handshakes"


def table(bench, opts):
    lines = ["| request | scheme | c | original | rapid | rapid/original | LUXI floor | "
             "rapid/floor | nginx | rapid/nginx |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    notes = []
    rows = []
    for path in opts.paths:
        for scheme in opts.schemes:
            for c in opts.connections:
                rows.append((path, "", scheme, c, "keepalive", "rsa"))
                if path == "/version":
                    rows.append((path, ", Connection: close", scheme, c, "close", "rsa"))
                    if scheme == "https":
                        rows.append((path, FULL_LABEL, scheme, c, "full", "rsa"))
        if path == "/version" and "https" in opts.schemes:
            for c in opts.connections:
                rows.append((path, ", ECDSA P-256", "https", c, "keepalive", "ecdsa"))
                rows.append((path, ", ECDSA P-256, Connection: close", "https", c, "close",
                             "ecdsa"))
                rows.append((path, ", ECDSA P-256" + FULL_LABEL, "https", c, "full", "ecdsa"))
    for path, label, scheme, c, mode, key in rows:
        rap = bench.find(server="rapid", path=path, scheme=scheme, connections=c, mode=mode,
                         key=key)
        if rap is None:
            continue
        orig = None if key == "ecdsa" else bench.find(server="original", path=path,
                                                      scheme=scheme, connections=c)
        floor = bench.find(server="floor", path=path, connections=c)
        nginx = bench.find(server="nginx", path=path, scheme=scheme, connections=c, mode=mode,
                           key=key)
        lines.append("| GET %s%s | %s | %d | %s | %s | %s | %s | %s | %s | %s |" % (
            path, label, scheme, c, fmt_cell(orig, notes), fmt_cell(rap, notes),
            ratio(rap, orig), fmt_cell(floor, notes) if scheme == "https" else "–",
            ratio(rap, floor) if scheme == "https" else "–", fmt_cell(nginx, notes),
            ratio(rap, nginx)))
    lines.append("")
    lines.append("Cells: req/s (p50 / p99 ms). rapid keeps connections alive unless the row "
                 "says Connection: close; there wrk resumes its last TLS session on each new "
                 "connection, unless the row says full handshakes (no session kept, as "
                 "Ganeti's Python client and the Prometheus exporter); the original closes "
                 "every connection; the floor is luxi_floor making rapid's LUXI call straight "
                 "to luxid over c connections." + (
                     " Each cell is the median of %d rounds." % opts.rounds
                     if opts.rounds > 1 else ""))
    for number, cell in enumerate(notes, 1):
        problems = ["%s %s" % (cell[k], k) for k in ("non2xx", "timeouts", "socket_errors",
                                                       "errors") if cell.get(k)]
        if cell.get("failure"):
            problems.append("failure: " + cell["failure"].replace("\n", " "))
        lines.append("[%d] %s %s %s c=%d: %s" % (number, cell["server"], cell["scheme"],
                                                  cell["path"], cell["connections"],
                                                  ", ".join(problems)))
    return "\n".join(lines)


def gaps(bench, opts):
    """Cells the table should have but that are missing, zero or answered
    non-2xx (--check)."""
    wanted = []
    for path in opts.paths:
        for scheme in ["https"] + (["http"] if path in opts.http_paths else []):
            for c in opts.connections:
                wanted.append(dict(server="original", path=path, scheme=scheme, connections=c))
                wanted.append(dict(server="rapid", path=path, scheme=scheme, connections=c,
                                   mode="keepalive", key="rsa"))
                if opts.floor and path in LUXI_CALLS and scheme == "https" and not (
                        path in SLOW_PATHS and c > 16):
                    wanted.append(dict(server="floor", path=path, connections=c))
                if path == "/version":
                    modes = [("close", "rsa")]
                    if scheme == "https":
                        modes += [("full", "rsa")]
                    if opts.nginx:
                        modes += [("keepalive", "rsa")]
                    if opts.ecdsa and scheme == "https":
                        modes += [("keepalive", "ecdsa"), ("close", "ecdsa"),
                                  ("full", "ecdsa")]
                    for mode, key in modes:
                        for server in ["rapid"] + (["nginx"] if opts.nginx else []):
                            wanted.append(dict(server=server, path=path, scheme=scheme,
                                               connections=c, mode=mode, key=key))
    problems = []
    for keys in wanted:
        cell = bench.find(**keys)
        if cell is None or not cell.get("rps") or cell.get("non2xx"):
            problems.append("%s: %s" % (" ".join("%s=%s" % kv for kv in keys.items()),
                                        "missing" if cell is None else json.dumps(cell)))
    return problems


def seconds_of(run):
    return (run.get("p50_ms") or run.get("mean_ms") or 0) / 1000


def large_table(results, opts):
    if not results:
        return ""
    if results[0].get("skipped"):
        return "Large clusters: skipped (%s).\n" % results[0]["skipped"]
    lines = ["| instances | reply | floor c=1 | rapid c=1 | original c=1 | rapid/floor time | "
             "rapid c=16: ok, p50 / p99 / max | original c=16: ok, p50 / p99 / max | "
             "rapid peak RSS at c=16 |", "|---|---|---|---|---|---|---|---|---|"]

    def c16(run):
        if not run.get("requests"):
            return "failed"
        return "%d/%d, %.1f / %.1f / %.1f s" % (run["ok"], run["requests"], run["p50_ms"] / 1000,
                                               run["p99_ms"] / 1000, run["max_ms"] / 1000)

    for e in results:
        floor, rap, orig = e["floor_c1"], e["rapid_c1"], e["original_c1"]
        lines.append("| %d | %.1f MB | %.2f s | %.2f s | %s | %s | %s | %s | %s |" % (
            e["instances"], (rap.get("reply_bytes") or 0) / 1e6, seconds_of(floor),
            seconds_of(rap), ("%.2f s" % seconds_of(orig)) if orig.get("ok") else "failed",
            ("%.2f×" % (seconds_of(rap) / seconds_of(floor))) if seconds_of(floor) else "–",
            c16(e["rapid_c16"]), c16(e["original_c16"]),
            mb(e["rapid_c16"].get("peak_rss_kb"))))
    lines.append("")
    lines.append("c=1: median time per request; c=16: 16 connections at once, each request on a "
                 "new connection, every one waited for (timeout %g s)." % opts.large_timeout)
    return "\n".join(lines) + "\n"


def mb(kb):
    return "%.1f MB" % (kb / 1024) if kb else "n/a"


def machine(rapid_binary):
    def cmd(argv):
        try:
            out = subprocess.run(argv, capture_output=True, text=True)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        except (OSError, IndexError):
            return "n/a"

    cpu = "n/a"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])

    def package(name):
        return cmd(["dpkg-query", "-W", "-f=${Version}", name])

    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_mb": mem_kb // 1024,
        "kernel": platform.release(), "os": cmd(["cat", "/etc/debian_version"]),
        "loadavg_start": os.getloadavg(),
        "rapid": os.path.realpath(rapid_binary),
        "rapid_commit": cmd(["git", "-C", ROOT, "describe", "--always", "--dirty"]),
        "ganeti": package("ganeti-3.0"), "nginx": cmd(["nginx", "-v"]),
        "wrk": package("wrk"), "openssl": cmd(["openssl", "version"]),
        "python": platform.python_version(),
    }


def memory_lines(memory):
    r, o = memory["rapid"], memory["original"]
    return "\n".join([
        "Memory (RSS): rapid %s at start, %s after the runs, peak %s (VmHWM over the rapi cells);"
        " %s at start when it detaches, as daemon-util starts it (the rapid above runs with -f)"
        % (mb(r["start_kb"]), mb(r["end_kb"]), mb(r["peak_kb"]), mb(r.get("detached_start_kb"))),
        "Memory (RSS): original master %s at start, %s after; per-connection children up to "
        "%d at once, up to %s each; master and children together up to %s (PSS)"
        % (mb(o["start_kb"]), mb(o["end_kb"]), o["max_children"], mb(o["max_child_kb"]),
           mb(o["max_total_kb"])),
    ])


def targets(bench, large, memory):
    """The targets of issue 13, as PASS/FAIL lines (n/a: not measured)."""
    out = []

    def check(name, ok, detail):
        out.append("%s  %s (%s)" % ("n/a " if ok is None else ("PASS" if ok else "FAIL"), name,
                                    detail))

    def rps(**keys):
        cell = bench.find(**keys)
        return cell.get("rps") if cell else None

    def share(a, b, need, name):
        if not a or not b:
            check(name, None, "not measured")
        else:
            check(name, a / b >= need, "%.0f%%, need %.0f%%" % (100 * a / b, 100 * need))

    https = dict(scheme="https", mode="keepalive", key="rsa")
    floor16 = max(filter(None, [rps(server="floor", path="/2/info", connections=1),
                                rps(server="floor", path="/2/info", connections=16)]),
                  default=None)
    share(rps(server="rapid", path="/2/info", connections=16, **https), floor16, 1.0,
          "/2/info HTTPS c=16 vs the floor (best of c=1/c=16)")
    share(rps(server="rapid", path="/2/info", connections=1, **https),
          rps(server="floor", path="/2/info", connections=1), 0.7, "/2/info HTTPS c=1 vs the floor")
    share(rps(server="rapid", path="/2/instances", connections=16, **https),
          rps(server="floor", path="/2/instances", connections=16), 0.8,
          "/2/instances HTTPS c=16 vs the names floor")
    for path in ("/2/instances?bulk=1", "/2/jobs?bulk=1"):
        share(rps(server="rapid", path=path, connections=16, **https),
              rps(server="original", path=path, scheme="https", connections=16), 3.0,
              "%s HTTPS c=16 vs the original" % path)
    for c in (16, 256):
        share(rps(server="rapid", path="/version", connections=c, **https),
              rps(server="nginx", path="/version", connections=c, **https), 0.7,
              "/version HTTPS keep-alive c=%d vs nginx" % c)
    for mode, how in (("close", "resumed"), ("full", "full handshakes")):
        for key, label in (("rsa", "RSA-2048"), ("ecdsa", "ECDSA P-256")):
            keys = dict(path="/version", scheme="https", connections=16, mode=mode, key=key)
            share(rps(server="rapid", **keys), rps(server="nginx", **keys), 0.8,
                  "/version new connections c=16, %s, %s, vs nginx" % (label, how))
    rap = bench.find(server="rapid", path="/2/info", connections=16, **https)
    floor = bench.find(server="floor", path="/2/info", connections=16)
    if rap and floor:
        added = rap["p99_ms"] - floor["p99_ms"]
        check("/2/info c=16 p99 added over the direct LUXI call < 1 ms", added < 1.0,
              "%.2f ms" % added)
    else:
        check("/2/info c=16 p99 added over the direct LUXI call < 1 ms", None, "not measured")
    # As Ganeti's tools run it (daemon-util: detached). With -f (systemd's
    # Type=notify, the rapid of the cells) the pages that start-up touched
    # stay mapped, which a detached child never maps.
    idle = memory["rapid"].get("detached_start_kb")
    check("rapid idle RSS <= 10 MB (detached, as daemon-util starts it)",
          idle <= 10 * 1024 if idle else None,
          "%s; with -f %s" % (mb(idle), mb(memory["rapid"]["start_kb"])))
    for e in large:
        if e.get("instances") != 5000:
            continue
        floor_s, rap_s = seconds_of(e["floor_c1"]), seconds_of(e["rapid_c1"])
        check("5,000 instances ?bulk=1 c=1 within 1.1x the floor",
              rap_s <= 1.1 * floor_s if floor_s and rap_s else None,
              "%.2f s vs %.2f s" % (rap_s, floor_s))
        run = e["rapid_c16"]
        complete = run.get("requests") and run["ok"] == run["requests"]
        check("5,000 instances c=16: every request completes, p99 within 2.5x the c=1 time",
              bool(complete and run["p99_ms"] / 1000 <= 2.5 * rap_s),
              "%s/%s ok, p99 %.1f s vs %.1f s" % (run.get("ok"), run.get("requests"),
                                                   run.get("p99_ms", 0) / 1000, 2.5 * rap_s))
        reply_kb = (run.get("reply_bytes") or 0) / 1024
        # The idle figure is rapid's at the start; the same rapid has served
        # every earlier cell, so the growth during this run is shown too.
        idle_kb = memory["rapid"]["start_kb"] or 0
        limit = 3 * reply_kb + idle_kb
        growth = run.get("peak_rss_kb", 0) - (run.get("rss_before_kb") or 0)
        check("5,000 instances c=16 peak RSS < 3x the reply + idle",
              run.get("peak_rss_kb", 0) < limit if reply_kb else None,
              "%s vs %s (%s more than before the run)" % (mb(run.get("peak_rss_kb")), mb(limit),
                                                         mb(growth)))
    return "\n".join(out)
