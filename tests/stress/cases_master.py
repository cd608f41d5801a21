"""rapid and its master: faults, a drain on SIGTERM, long polls, the real luxid."""

import json
import os
import signal
import subprocess
import sys
import threading
import time

from fake_master import FakeMaster
from stress_lib import (HERE, Rapid, case, ganeti_error, parallel, percentile,
                        probe_latencies, request, size)

MAY_HAVE_BEEN_SUBMITTED = ("the request may have been carried out (for a job submission: "
                           "the job may have been submitted; check /2/jobs before retrying)")


def _fault_rows(socket_path):
    """(label, fault, fault methods, HTTP method, path, status, message, seconds bound)."""
    read, write = ("GET", "/2/info"), ("PUT", "/2/instances/inst1/startup")
    return [
        ("missing socket, read", "missing", None, read, 502,
         "Can&#x27;t connect to master daemon: " + socket_path, "at once"),
        # baserlib.SubmitJob's own wording.
        ("missing socket, write", "missing", None, write, 502,
         "Master seems to be unreachable: " + socket_path, "at once"),
        ("hang, read", "hang", None, read, 504, "Gateway Timeout", "timeout"),
        ("garbage reply, read", "garbage", None, read, 502,
         "Error while deserializing response: not valid JSON", "at once"),
        # Python's UnicodeDecodeError, as the original answers it.
        ("non-UTF-8 reply, read", "undecodable", None, read, 500,
         "&#x27;utf-8&#x27; codec can&#x27;t decode byte 0xff in position 29: invalid start "
         "byte", "at once"),
        ("truncated reply, read", "truncated", None, read, 502,
         "Error while deserializing response: not valid JSON", "at once"),
        ("close mid-reply, read", "close_mid_reply", None, read, 502,
         "Connection closed while reading", "at once"),
        ("stall mid-reply, read", "stall_mid_reply", None, read, 504, "Gateway Timeout",
         "timeout"),
        ("lost SubmitJob reply (closed)", "lose_reply", {"SubmitJob"}, write, 502,
         "Lost the connection to the master daemon after sending the request (Connection "
         "closed while reading); " + MAY_HAVE_BEEN_SUBMITTED, "at once"),
        ("lost SubmitJob reply (hang)", "hang", {"SubmitJob"}, write, 504,
         "Timeout while talking to the master daemon after sending the request; " +
         MAY_HAVE_BEEN_SUBMITTED, "timeout"),
    ]


@case("master_faults")
def master_faults(c):
    """Each master fault: the right status and Ganeti error within the LUXI timeout."""
    luxi_timeout = size(2, 5)
    with FakeMaster() as master, Rapid(master.path, tls=False,
                                       args=["--luxi-timeout", str(luxi_timeout)]) as rapid:
        c.note("LUXI timeout %d s" % luxi_timeout)
        for label, fault, methods, (method, path), status, message, bound in \
                _fault_rows(master.path):
            # A pooled connection exists, so a resend would be easy.
            request(rapid, "GET", "/2/info")
            master.reset()
            if fault == "missing":
                master.remove_socket()
            else:
                master.fault, master.fault_methods = fault, methods
            start = time.monotonic()
            got, _headers, body = request(rapid, method, path, timeout=luxi_timeout + 20)
            seconds = time.monotonic() - start
            error = ganeti_error(body) or {}
            limit = 1.0 if bound == "at once" else luxi_timeout + 1.0
            ok = (got == status and error.get("code") == status
                  and error.get("message") == message and seconds <= limit)
            c.check(label, "%d in %.1f s" % (got, seconds), "%d <= %.0f s" % (status, limit),
                    ok)
            if not ok:
                c.note("%s: %d %s (expected %d %r)" % (label, got, body[:300], status, message))
            if method == "PUT" and fault != "missing":
                time.sleep(1.0)   # a resend would arrive by now
                c.equal("%s: SubmitJob calls" % label, master.count("SubmitJob"), 1)
            if fault == "missing":
                master.listen()
            master.reset()
            recovered = request(rapid, "GET", "/2/info")[0]
            c.equal("%s: next request" % label, recovered, 200)
        c.check("daemon alive", rapid.alive(), "alive", rapid.alive())


@case("sigterm_drain")
def sigterm_drain(c):
    """100 GET /2/info in flight (master answers after 1 s, pool 32), SIGTERM at 0.5 s."""
    rounds = size(3, 20)
    in_flight = 100
    answered = 0
    exits = []
    at_master = []   # LUXI calls in flight when SIGTERM was sent
    for _round in range(rounds):
        with FakeMaster() as master:
            master.delays["QueryClusterInfo"] = 1.0
            with Rapid(master.path, tls=False,
                       args=["--luxi-connections", "32", "--no-coalesce"]) as rapid:
                def terminate(rapid=rapid, master=master):
                    at_master.append(master.in_flight)
                    rapid.signal(signal.SIGTERM)

                sigterm = threading.Timer(0.5, terminate)
                sigterm.start()
                results = parallel(lambda _i: request(rapid, "GET", "/2/info", timeout=30)[0],
                                   list(range(in_flight)))
                sigterm.join()
                ok = sum(1 for r in results if r == 200)
                answered += ok
                if ok != in_flight:
                    c.note("round %d: %d of %d answered 200: %s" % (
                        _round + 1, ok, in_flight,
                        sorted(set(str(r) for r in results if r != 200))))
                # It exits on its own after the drain (a second SIGTERM would not be
                # the same test).
                try:
                    exits.append(rapid.proc.wait(30))
                except subprocess.TimeoutExpired:
                    exits.append("still running 30 s after SIGTERM")
    c.at_least("fewest LUXI calls in flight at SIGTERM", min(at_master), 32)
    c.equal("answered 200 (%d rounds of %d)" % (rounds, in_flight), answered,
            rounds * in_flight)
    if any(exits):
        c.note("exit statuses: %s" % exits)
    c.equal("exit statuses other than 0", sum(1 for e in exits if e != 0), 0)


@case("long_polls")
def long_polls(c):
    """200 /2/jobs/<id>/wait on a running job; /2/info keeps its latency."""
    polls = 200
    with FakeMaster() as master, Rapid(master.path, tls=False) as rapid:
        before = probe_latencies(rapid, 50, path="/2/info", interval=0.01)
        p99_before = percentile(before, 0.99)
        body = json.dumps({"fields": ["status"], "previous_job_info": None,
                           "previous_log_serial": None}).encode()
        results = []
        pollers = threading.Thread(target=lambda: results.extend(parallel(
            lambda _i: request(rapid, "GET", "/2/jobs/1001/wait", body=body, timeout=25)[0],
            list(range(polls)))), daemon=True)
        pollers.start()
        deadline = time.monotonic() + 5
        while master.in_flight < polls and time.monotonic() < deadline:
            time.sleep(0.05)
        holding = master.in_flight
        # At most 10 probes of 2 s each: a starved /2/info must not stretch the case.
        failed = []
        during = []
        while len(during) < 10 and len(failed) < 3:
            during += probe_latencies(rapid, 1, path="/2/info", interval=0.05, failures=failed,
                                      timeout=2)
        p99_during = percentile(during, 0.99)
        pollers.join(30)
        c.check("polls held by the master", holding, "(reference)", True)
        c.check("/2/info p99 before", p99_before, "(reference)", True, " ms")
        c.below("/2/info p99 during %d polls" % polls, p99_during, 100, " ms")
        c.below("/2/info p99 during / before", p99_during / max(p99_before, 0.001), 3)
        c.equal("/2/info probes failed during the polls (2 s timeout)", len(failed), 0)
        c.equal("polls answered 200", sum(1 for r in results if r == 200), polls)


@case("luxid_load", sandbox=True)
def luxid_load(c):
    """Zero errors at 16 and 256 connections on /2/info against the real luxid (wrk)."""
    sys.path.insert(0, os.path.join(os.path.dirname(HERE), "e2e"))
    import harness  # pylint: disable=import-outside-toplevel
    from test_load import run_wrk  # pylint: disable=import-outside-toplevel
    seconds = size(5, 30)
    rapid = harness.RapidProcess().start()
    try:
        for connections in (16, 256):
            result = run_wrk(rapid.port, "/2/info", connections, seconds)
            label = "%d connections, %d s" % (connections, seconds)
            c.note("%s: %d requests, %.0f req/s" % (label, result["requests"], result["rate"]))
            c.equal("%s: non-2xx" % label, result["non_2xx"], 0)
            c.equal("%s: socket errors" % label, sum(result["socket_errors"]), 0)
            c.at_least("%s: requests" % label, result["requests"], 20 * seconds)
    finally:
        c.equal("exit status", rapid.stop(), 0)
