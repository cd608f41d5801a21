"""Load against the real luxid: while the master is healthy, no request fails.

wrk (Debian's package) drives rapid over HTTPS with Basic auth and keep-alive
at 16 and 256 connections, for GET /2/info (one QueryClusterInfo each) and
GET /2/instances (one QueryInstances each). Every answer must be a 200: a
busy luxid (full listen backlog, slow replies) delays requests, it never
fails them. Each run lasts $RAPID_E2E_LOAD_SECONDS (default 10) seconds.

Run: /usr/bin/python3 -m unittest -v test_load   (in tests/e2e)
"""

import base64
import os
import re
import shutil
import subprocess

import harness

SECONDS = int(os.environ.get("RAPID_E2E_LOAD_SECONDS", "10"))


def setUpModule():
    harness.start_module_rapid()


def tearDownModule():
    harness.stop_module_rapid()


def run_wrk(port, path, connections, seconds):
    """wrk's summary as a dict: requests, non_2xx, socket errors, req/s."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise AssertionError("wrk is not installed: scripts/install-deps installs it")
    token = base64.b64encode(b"%s:%s" % tuple(s.encode() for s in harness.USERS["admin"]))
    argv = [wrk, "-t2", "-c%d" % connections, "-d%ds" % seconds, "--timeout", "60s",
            "-H", "Authorization: Basic " + token.decode(),
            "https://127.0.0.1:%d%s" % (port, path)]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 90,
                         check=True).stdout
    requests = re.search(r"^\s*(\d+) requests in", out, re.M)
    if requests is None:
        raise AssertionError("unexpected wrk output:\n" + out)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       out)
    rate = re.search(r"Requests/sec:\s*([\d.]+)", out)
    return {
        "requests": int(requests.group(1)),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": [int(n) for n in errors.groups()] if errors else [0, 0, 0, 0],
        "rate": float(rate.group(1)) if rate else 0.0,
        "output": out,
    }


class LoadWithoutErrors(harness.E2ETestCase):

    def check(self, path, connections):
        log_size = os.path.getsize(self.rapid_process.log_file)
        result = run_wrk(self.rapid.port, path, connections, SECONDS)
        failures = self._failed_lines(log_size)
        context = "%s at %d connections: %s\nrapid's failed requests:\n%s" % (
            path, connections, result["output"], "\n".join(failures[:10]))
        self.assertEqual(result["non_2xx"], 0, context)
        self.assertEqual(result["socket_errors"], [0, 0, 0, 0], context)
        self.assertEqual(failures, [], context)
        # A run that served next to nothing proves nothing.
        self.assertGreater(result["requests"], 20 * SECONDS, context)

    def _failed_lines(self, offset):
        """Access lines of rapid's log past ``offset`` whose status is not 200."""
        with open(self.rapid_process.log_file, errors="replace") as log:
            log.seek(offset)
            return [line.rstrip() for line in log
                    if re.search(r" HTTP/1\.[01] \d{3}$", line.rstrip())
                    and not line.rstrip().endswith(" 200")]

    def test_info_16(self):
        self.check("/2/info", 16)

    def test_info_256(self):
        self.check("/2/info", 256)

    def test_instances_16(self):
        self.check("/2/instances", 16)

    def test_instances_256(self):
        self.check("/2/instances", 256)
