"""Shared machinery for rapid's end-to-end tests against the Ganeti sandbox.

Run with the system Python (``/usr/bin/python3``): the tests import the real
Ganeti modules and its RAPI client.

* :func:`require_sandbox` checks that the sandbox cluster (``scripts/ganeti-sandbox``)
  is up and its real ganeti-rapi answers; if not, the tests FAIL with a message that
  says how to bring it up (they never skip).
* :class:`RapidProcess` starts rapid (``$RAPID_BINARY``, default
  ``build/src/app/rapid``) through ``ganeti-sandbox uts`` on a free loopback port with
  TLS and ``--require-authentication``, waits until it answers, and stops it with
  SIGTERM, asserting exit status 0.
* :class:`Endpoint` is a raw HTTPS client (``http.client``, unverified TLS, Basic
  auth) for rapid and for the real daemon alike; :class:`Response` keeps the status,
  the ordered headers, the raw body and the parsed JSON.
* :func:`json_diff` / :meth:`E2ETestCase.assertSameJson` compare JSON values
  structurally (member order included) with per-path normalisation of run-to-run
  values; a mismatch fails with a readable list of differing paths.
* :class:`Luxi` is a minimal client for luxid's socket (used to submit helper jobs
  such as ``OP_TEST_DELAY`` and to look at the cluster without going through RAPI).
"""

import base64
import email.utils
import http.client
import json
import os
import re
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
# The real daemon's recorded answers, shared with the integration tests.
CAPTURES = os.path.join(REPO, "tests", "data", "captures")
SANDBOX = os.path.join(REPO, "scripts", "ganeti-sandbox")
DEFAULT_RAPID = os.path.join(REPO, "build", "src", "app", "rapid")

# The fixture of docs/sandbox.md.
NODE = "node1.example.com"
INST1 = "inst1.example.com"   # diskless, running, tags env:test role:web
INST2 = "inst2.example.com"   # file disk, running
INST3 = "inst3.example.com"   # diskless, stopped

USERS = {
    "admin": ("admin", "adminpass"),
    "reader": ("reader", "readpass"),
    "badpass": ("admin", "wrongpass"),
    "nobody": ("nobody", "adminpass"),
}

UP_HINT = ("the Ganeti sandbox is not up: bring it up as root with "
           "'%s up' (see docs/sandbox.md), then run the tests again" % SANDBOX)


class SandboxNotUp(AssertionError):
    """The sandbox cluster is missing: the e2e tests fail (they do not skip)."""


# ---------------------------------------------------------------------------
# The sandbox

_ENV = None


def sandbox_env():
    """The GANETI_SANDBOX_* settings printed by ``ganeti-sandbox env`` (cached)."""
    global _ENV
    if _ENV is None:
        try:
            out = subprocess.run([SANDBOX, "env"], check=True, capture_output=True,
                                 text=True, timeout=30).stdout
        except (OSError, subprocess.SubprocessError) as err:
            raise SandboxNotUp("%s (ganeti-sandbox env: %s)" % (UP_HINT, err)) from None
        env = {}
        for line in out.splitlines():
            words = shlex.split(line)
            if len(words) == 2 and words[0] == "export" and "=" in words[1]:
                key, value = words[1].split("=", 1)
                env[key] = value
        _ENV = env
    return _ENV


def sandbox_exec(*argv, check=True, timeout=60):
    """Runs a command on the node (netns + UTS namespace), e.g. gnt-instance list."""
    proc = subprocess.run([SANDBOX, "exec", *argv], capture_output=True, text=True,
                          timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError("ganeti-sandbox exec %s failed (%d):\n%s%s" % (
            " ".join(argv), proc.returncode, proc.stdout, proc.stderr))
    return proc.stdout


def gnt_table(command, subcommand, *args):
    """Rows of ``gnt-X list ... --no-headers --separator=|`` as lists of strings."""
    out = sandbox_exec(command, subcommand, "--no-headers", "--separator=|", *args)
    return [line.split("|") for line in out.splitlines() if line.strip()]


_SANDBOX_OK = False


def require_sandbox():
    """Fails (AssertionError) unless luxid and the real ganeti-rapi both answer."""
    global _SANDBOX_OK
    if _SANDBOX_OK:
        return
    try:
        status = subprocess.run([SANDBOX, "status"], capture_output=True, text=True,
                                timeout=30)
    except (OSError, subprocess.SubprocessError) as err:
        raise SandboxNotUp("%s (ganeti-sandbox status: %s)" % (UP_HINT, err)) from None
    if status.returncode != 0:
        raise SandboxNotUp("%s\n'ganeti-sandbox status' said:\n%s%s" % (
            UP_HINT, status.stdout, status.stderr))
    try:
        answer = real_endpoint().request("GET", "/version")
    except OSError as err:
        raise SandboxNotUp("%s (the real ganeti-rapi at %s does not answer: %s)" % (
            UP_HINT, sandbox_env().get("GANETI_SANDBOX_REAL_RAPI"), err)) from None
    if answer.status != 200 or answer.data != 2:
        raise SandboxNotUp("%s (GET /version on the real ganeti-rapi: %d %r)" % (
            UP_HINT, answer.status, answer.body))
    _SANDBOX_OK = True


def real_endpoint():
    url = sandbox_env().get("GANETI_SANDBOX_REAL_RAPI", "https://127.0.0.1:15080")
    match = re.fullmatch(r"https://([^:/]+):(\d+)/?", url)
    if not match:
        raise SandboxNotUp("unexpected GANETI_SANDBOX_REAL_RAPI %r" % url)
    return Endpoint(match.group(1), int(match.group(2)), "real ganeti-rapi")


# ---------------------------------------------------------------------------
# Raw HTTPS

_TLS = ssl._create_unverified_context()  # pylint: disable=protected-access


class Response:
    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers          # [(name, value)] in wire order
        self.body = body                # raw bytes
        self._data = None
        self._parsed = False

    @property
    def data(self):
        """The body parsed as JSON (object member order preserved)."""
        if not self._parsed:
            self._data = json.loads(self.body.decode("utf-8")) if self.body else None
            self._parsed = True
        return self._data

    def header(self, name):
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def header_names(self):
        return [key for key, _ in self.headers]

    def __repr__(self):
        body = self.body.decode("utf-8", "replace")
        if len(body) > 400:
            body = body[:400] + "..."
        return "<%d %s %s>" % (self.status, self.reason, body.rstrip())


class Endpoint:
    """A RAPI server reachable over HTTPS on 127.0.0.1 (rapid or the real daemon)."""

    def __init__(self, host, port, label):
        self.host = host
        self.port = port
        self.label = label

    def request(self, method, path, body=None, user="admin", content_type=None,
                headers=None, keep_alive=False, timeout=60):
        """One request on a fresh connection; ``body`` is bytes, str or a JSON value.

        ``user`` names an entry of USERS, is a (user, password) pair, or None for no
        credentials. A body gets ``Content-Type: application/json`` unless
        ``content_type`` says otherwise (``""`` sends none). Like Ganeti's own client,
        the connection is closed after the answer (``Connection: close``) unless
        ``keep_alive``.
        """
        send = {}
        if not keep_alive:
            send["Connection"] = "close"
        if user is not None:
            name, password = USERS[user] if isinstance(user, str) else user
            token = base64.b64encode(("%s:%s" % (name, password)).encode()).decode()
            send["Authorization"] = "Basic " + token
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode("utf-8")
        if body is not None:
            ctype = "application/json" if content_type is None else content_type
            if ctype:
                send["Content-Type"] = ctype
        send.update(headers or {})
        conn = http.client.HTTPSConnection(self.host, self.port, context=_TLS,
                                           timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=send)
            resp = conn.getresponse()
            data = resp.read()
            return Response(resp.status, resp.reason, resp.getheaders(), data)
        finally:
            conn.close()

    def json(self, method, path, body=None, user="admin", expect=200):
        """Request and return the parsed answer, asserting its status."""
        resp = self.request(method, path, body=body, user=user)
        if resp.status != expect:
            raise AssertionError("%s: %s %s answered %r, expected %d" % (
                self.label, method, path, resp, expect))
        return resp.data

    # Jobs -----------------------------------------------------------------

    def wait_job(self, job_id, timeout=60.0):
        """Polls GET /2/jobs/<id> until the job is final; returns the job object."""
        deadline = time.monotonic() + timeout
        delay = 0.05
        while True:
            job = self.json("GET", "/2/jobs/%s" % job_id)
            if job["status"] in ("success", "error", "canceled"):
                return job
            if time.monotonic() > deadline:
                raise AssertionError("%s: job %s not finished after %.0f s: %r" % (
                    self.label, job_id, timeout, job))
            time.sleep(delay)
            delay = min(delay * 1.5, 0.3)

    def run_job(self, method, path, body=None, expect="success", timeout=60.0, user="admin"):
        """Submits a job through RAPI as ``user``, waits, asserts its final status."""
        job_id = self.json(method, path, body=body, user=user)
        if not isinstance(job_id, int) or isinstance(job_id, bool):
            raise AssertionError("%s: %s %s answered %r, not a job id" % (
                self.label, method, path, job_id))
        job = self.wait_job(job_id, timeout)
        if expect is not None and job["status"] != expect:
            raise AssertionError("%s: job %d of %s %s ended %s, expected %s: %r" % (
                self.label, job_id, method, path, job["status"], expect,
                job["opresult"]))
        return job


def raw_exchange(port, data, timeout=15):
    """Sends raw bytes over TLS and returns everything read until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        with _TLS.wrap_socket(sock) as tls:
            tls.sendall(data)
            out = b""
            while True:
                try:
                    chunk = tls.recv(65536)
                except (ssl.SSLError, ConnectionResetError):
                    break
                if not chunk:
                    break
                out += chunk
            return out


def without_date(raw):
    """A raw answer with its Date header value blanked."""
    return re.sub(rb"\r\nDate: [^\r]*\r\n", b"\r\nDate: -\r\n", raw)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------------------
# rapid

class RapidProcess:
    """rapid started through ``ganeti-sandbox uts`` on a free port.

    With every feature of its own switched on, so that the fidelity tests prove
    they change no answer: the audit log (into the temporary directory) and
    /metrics (on another free port, unless extra_args names one); the OpenAPI
    description is always served. ``stop`` fails when rapid logged a query
    argument its resource table does not declare (rapid serves the request, but
    the OpenAPI description lacks it)."""

    def __init__(self, binary=None, extra_args=()):
        self.binary = binary or os.environ.get("RAPID_BINARY") or DEFAULT_RAPID
        self.extra_args = list(extra_args)   # e.g. ["--users-file", path]
        self.proc = None
        self.port = None
        self.endpoint = None
        self.tmpdir = None
        self.metrics_port = None

    @property
    def log_file(self):
        return os.path.join(self.tmpdir, "rapid.log")

    @property
    def audit_log_file(self):
        """--audit-log: in the temporary directory, never the cluster's own."""
        return os.path.join(self.tmpdir, "rapid-audit.log")

    def logs(self, limit=4000):
        text = ""
        for name in ("rapid.log", "stdio.txt"):
            path = os.path.join(self.tmpdir, name)
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    text += "--- %s ---\n%s" % (name, f.read()[-limit:])
        return text

    def start(self, timeout=20.0):
        require_sandbox()
        if not os.access(self.binary, os.X_OK):
            raise AssertionError("rapid binary %s does not exist: build it (ninja rapid) "
                                 "or set RAPID_BINARY" % self.binary)
        for _attempt in range(3):
            if self._try_start(timeout):
                return self
        raise AssertionError("rapid did not start:\n" + self.logs())

    def _try_start(self, timeout):
        self.tmpdir = tempfile.mkdtemp(prefix="rapid-e2e-")
        self.port = free_port()
        argv = [SANDBOX, "uts", self.binary, "-f", "--no-user-check", "--require-authentication",
                "-b", "127.0.0.1", "-p", str(self.port),
                "--pid-file", os.path.join(self.tmpdir, "rapid.pid"),
                "--log-file", self.log_file,
                "--audit-log", self.audit_log_file] + self.extra_args
        if "--metrics-port" not in self.extra_args:
            self.metrics_port = free_port()
            argv += ["--metrics-port", str(self.metrics_port)]
        with open(os.path.join(self.tmpdir, "stdio.txt"), "wb") as stdio:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=stdio,
                                         stderr=subprocess.STDOUT)
        self.endpoint = Endpoint("127.0.0.1", self.port, "rapid")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                # Most likely the port was taken meanwhile: try another one.
                if "in use" in self.logs():
                    shutil.rmtree(self.tmpdir, ignore_errors=True)
                    return False
                raise AssertionError("rapid exited with %d at start-up:\n%s" % (
                    self.proc.returncode, self.logs()))
            try:
                answer = self.endpoint.request("GET", "/version", user=None, timeout=5)
            except (OSError, http.client.HTTPException):
                time.sleep(0.05)
                continue
            if answer.status != 401:
                raise AssertionError("rapid answered an anonymous GET /version with %r "
                                     "(expected 401 under --require-authentication)"
                                     % answer)
            return True
        self.proc.kill()
        self.proc.wait()
        raise AssertionError("rapid did not answer within %.0f s:\n%s" % (
            timeout, self.logs()))

    def stop(self, timeout=20.0):
        """SIGTERM; returns rapid's exit status (0 expected)."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        pid_file = os.path.join(self.tmpdir, "rapid.pid")
        if os.path.exists(pid_file):
            with open(pid_file) as f:
                pid = int(f.read().strip() or 0)
            # nsenter execs rapid, so the child we started is rapid itself.
            if pid != self.proc.pid:
                raise AssertionError("pid file says %d, started %d" % (pid, self.proc.pid))
        self.proc.send_signal(signal.SIGTERM)
        try:
            status = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("rapid did not stop within %.0f s of SIGTERM:\n%s" % (
                timeout, self.logs())) from None
        with open(self.log_file, errors="replace") as f:
            undeclared = [line for line in f if "not declared in the resource table" in line]
        if undeclared:
            raise AssertionError("rapid read undeclared query arguments:\n" + "".join(undeclared))
        return status


# ---------------------------------------------------------------------------
# LUXI

class Luxi:
    """A blocking client of luxid's socket (one connection)."""

    def __init__(self, path=None):
        self.path = path or sandbox_env().get("GANETI_SANDBOX_LUXI_SOCKET",
                                              "/run/ganeti/socket/ganeti-query")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(60)
        self.sock.connect(self.path)

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def call(self, method, *args):
        msg = {"method": method, "args": list(args), "version": 3000000}
        self.sock.sendall(json.dumps(msg).encode() + b"\x03")
        buf = b""
        while not buf.endswith(b"\x03"):
            chunk = self.sock.recv(65536)
            if not chunk:
                raise AssertionError("luxid closed the connection")
            buf += chunk
        answer = json.loads(buf[:-1])
        if not answer["success"]:
            raise AssertionError("LUXI %s%r failed: %r" % (method, args, answer["result"]))
        return answer["result"]

    def submit(self, *ops):
        """Submits one job; every opcode gets the mandatory reason trail."""
        ops = [dict(op, reason=[["rapid:e2e", "", time.time_ns()]]) for op in ops]
        return self.call("SubmitJob", ops)

    def delay_job(self, seconds, depends=None):
        op = {"OP_ID": "OP_TEST_DELAY", "duration": seconds, "on_master": True}
        if depends:
            op["depends"] = depends
        return self.submit(op)

    def job_status(self, job_id):
        return self.call("QueryJobs", [job_id], ["status"])[0][0]

    def wait_status(self, job_id, statuses, timeout=30.0):
        deadline = time.monotonic() + timeout
        while True:
            status = self.job_status(job_id)
            if status in statuses:
                return status
            if time.monotonic() > deadline:
                raise AssertionError("job %s still %s after %.0f s (waiting for %s)" % (
                    job_id, status, timeout, statuses))
            time.sleep(0.05)


# ---------------------------------------------------------------------------
# JSON comparison

def _kind(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _show(value, limit=160):
    text = json.dumps(value, sort_keys=False)
    return text if len(text) <= limit else text[:limit] + "..."


def _matches(patterns, path):
    return any(p.search(path) for p in patterns)


def _compile(patterns):
    return [p if hasattr(p, "search") else re.compile(p) for p in patterns]


# Values that change from run to run or from object to object; compared by shape
# (same JSON kind, same keys, same lengths) wherever these patterns match the path.
VOLATILE_COMMON = (
    r"\.(ctime|mtime)$",
    r"\.(received_ts|start_ts|end_ts)$",
    r"\.reason\[\d+\]\[2\]$",            # reason trail timestamps (ns)
    r"\.reason\[\d+\]\[1\]$",            # "job=N;index=M"
    r"\.oplog\[\d+\]\[\d+\]\[1\]$",       # job log entry timestamps
    r"\.log_entries\[\d+\]\[1\]$",
)


def json_diff(rapid, real, volatile=(), unordered=(), shape=(), path="$"):
    """Differences between two JSON values, as readable lines (empty when equal).

    Paths look like ``$.ops[0].reason[1][2]``. ``volatile``: regexes of paths whose
    values are compared by shape only (kind, keys, lengths). ``unordered``: regexes of
    list paths compared as multisets. ``shape``: regexes of paths whose whole subtree
    is compared by kind only (lists may differ in length).
    """
    diffs = []
    _diff(rapid, real, _compile(volatile), _compile(unordered), _compile(shape), path,
          diffs, False)
    return diffs


def _diff(a, b, volatile, unordered, shape, path, out, shape_only):
    if _matches(shape, path):
        if _kind(a) != _kind(b):
            out.append("%s: kind differs: rapid %s %s, real %s %s" % (
                path, _kind(a), _show(a), _kind(b), _show(b)))
        return
    shape_only = shape_only or _matches(volatile, path)
    ka, kb = _kind(a), _kind(b)
    if ka != kb:
        out.append("%s: rapid %s, real %s" % (path, _show(a), _show(b)))
        return
    if ka == "object":
        keys_a, keys_b = list(a), list(b)
        missing = [k for k in keys_b if k not in a]
        extra = [k for k in keys_a if k not in b]
        if missing:
            out.append("%s: keys only in real: %s" % (path, missing))
        if extra:
            out.append("%s: keys only in rapid: %s" % (path, extra))
        common_a = [k for k in keys_a if k in b]
        common_b = [k for k in keys_b if k in a]
        if common_a != common_b:
            out.append("%s: member order differs:\n    rapid %s\n    real  %s" % (
                path, common_a, common_b))
        for key in common_b:
            _diff(a[key], b[key], volatile, unordered, shape, "%s.%s" % (path, key), out,
                  shape_only)
    elif ka == "list":
        if _matches(unordered, path) and not shape_only:
            rest = list(b)
            only_a = []
            for item in a:
                if item in rest:
                    rest.remove(item)
                else:
                    only_a.append(item)
            if only_a or rest:
                out.append("%s: as a set: only in rapid %s, only in real %s" % (
                    path, _show(only_a), _show(rest)))
            return
        if len(a) != len(b):
            out.append("%s: length differs: rapid %d, real %d\n    rapid %s\n    real  %s"
                       % (path, len(a), len(b), _show(a, 400), _show(b, 400)))
            return
        for i, (x, y) in enumerate(zip(a, b)):
            _diff(x, y, volatile, unordered, shape, "%s[%d]" % (path, i), out, shape_only)
    elif not shape_only and a != b:
        out.append("%s: rapid %s, real %s" % (path, _show(a), _show(b)))


def format_response(resp):
    return "%d %s\n%s\n%s" % (resp.status, resp.reason,
                              "\n".join("%s: %s" % h for h in resp.headers),
                              resp.body.decode("utf-8", "replace")[:2000])


# Header names, in order, of every answer of the real daemon (and so of rapid's).
HEADER_ORDER = ["Content-Type", "Connection", "Date", "Server", "Content-Length"]
HEADER_ORDER_401 = ["Content-Type", "WWW-Authenticate", "Connection", "Date", "Server",
                    "Content-Length"]


class E2ETestCase(unittest.TestCase):
    """Base class: ``self.rapid`` and ``self.real`` are the two endpoints.

    The module's setUpModule must call :func:`start_module_rapid` and its
    tearDownModule :func:`stop_module_rapid`.
    """

    maxDiff = None
    rapid = None
    real = None

    @classmethod
    def setUpClass(cls):
        if _MODULE_RAPID is None:
            raise AssertionError("rapid is not running: setUpModule must call "
                                 "harness.start_module_rapid()")
        cls.rapid = _MODULE_RAPID.endpoint
        cls.real = real_endpoint()
        cls.rapid_process = _MODULE_RAPID

    def assertSameJson(self, rapid, real, context="", volatile=(), unordered=(),
                       shape=(), common=True):
        vol = list(volatile) + (list(VOLATILE_COMMON) if common else [])
        diffs = json_diff(rapid, real, vol, unordered, shape)
        if diffs:
            self.fail("%s: rapid and the real daemon differ (%d):\n  %s" % (
                context or "answer", len(diffs), "\n  ".join(diffs[:40])))

    def assertHeaders(self, resp, context=""):
        """rapid's header names/order and fixed values (as the real daemon's)."""
        expected = HEADER_ORDER_401 if resp.status == 401 else HEADER_ORDER
        self.assertEqual(resp.header_names(), expected,
                         "%s: header names/order\n%s" % (context, format_response(resp)))
        self.assertEqual(resp.header("Content-Type"), "application/json", context)
        self.assertEqual(resp.header("Server"), "Ganeti 3.0.2", context)
        self.assertIn(resp.header("Connection"), ("close", "keep-alive"), context)
        self.assertEqual(int(resp.header("Content-Length")), len(resp.body), context)
        self.assertTrue(resp.body.endswith(b"\n"), "%s: body without final newline" % context)
        date = email.utils.parsedate_to_datetime(resp.header("Date"))
        self.assertLess(abs(date.timestamp() - time.time()), 120, context)
        self.assertTrue(resp.header("Date").endswith(" GMT"), context)
        if resp.status == 401:
            self.assertEqual(resp.header("WWW-Authenticate"),
                             'Basic realm="Ganeti Remote API"', context)

    def both(self, method, path, body=None, user="admin", content_type=None):
        """The same request to rapid and to the real daemon."""
        a = self.rapid.request(method, path, body=body, user=user, content_type=content_type)
        b = self.real.request(method, path, body=body, user=user, content_type=content_type)
        return a, b

    def compare(self, method, path, body=None, user="admin", volatile=(), unordered=(),
                shape=(), raw=False, attempts=3, content_type=None):
        """Requests both servers; asserts the same status and JSON (and headers).

        The cluster is shared, and state may move between the two requests (a job
        finishing, another user's change), so a mismatch is retried a few times
        before it fails. ``raw``: the bodies must also be equal byte for byte.
        Returns (rapid, real) responses.
        """
        context = "%s %s (user %s)" % (method, path, user)
        for attempt in range(attempts):
            a, b = self.both(method, path, body, user, content_type)
            problems = []
            if a.status != b.status:
                problems.append("status: rapid %d, real %d" % (a.status, b.status))
            else:
                diffs = json_diff(a.data, b.data,
                                  list(volatile) + list(VOLATILE_COMMON), unordered, shape)
                problems.extend(diffs)
                if raw and not diffs and a.body != b.body:
                    problems.append("raw bodies differ:\n    rapid %r\n    real  %r" % (
                        a.body[:3000], b.body[:3000]))
            if not problems:
                break
            if attempt + 1 < attempts:
                time.sleep(0.3)
        if problems:
            self.fail("%s: rapid and the real daemon differ:\n  %s\n--- rapid:\n%s\n"
                      "--- real:\n%s" % (context, "\n  ".join(problems[:40]),
                                         format_response(a), format_response(b)))
        self.assertHeaders(a, context)
        self.assertEqual(a.header_names(), b.header_names(), context)
        self.assertEqual(a.header("Connection"), "close", context)
        return a, b


_MODULE_RAPID = None


def start_module_rapid(extra_args=()):
    """Starts the rapid shared by one test module (call from setUpModule)."""
    global _MODULE_RAPID
    require_sandbox()
    _MODULE_RAPID = RapidProcess(extra_args=extra_args).start()
    return _MODULE_RAPID


def stop_module_rapid():
    """Stops the module's rapid (call from tearDownModule); asserts exit status 0."""
    global _MODULE_RAPID
    proc, _MODULE_RAPID = _MODULE_RAPID, None
    if proc is None:
        return
    status = proc.stop()
    if status != 0:
        raise AssertionError("rapid exited with status %r after SIGTERM (expected 0); its "
                             "files are in %s:\n%s" % (status, proc.tmpdir, proc.logs()))
    shutil.rmtree(proc.tmpdir, ignore_errors=True)


def load_capture(name):
    """A stored capture of the real daemon (tests/data/captures/NNN-name.json; the
    schema is in that folder's README.md)."""
    with open(os.path.join(CAPTURES, name), encoding="utf-8") as f:
        return json.load(f)


def capture_request(capture):
    """The recorded request as (method, path, headers, body), read from its exact bytes:
    ``headers`` the [name, value] pairs in order, ``body`` bytes or None when empty."""
    request = capture["request"]
    head, _, body = request["raw"].partition("\r\n\r\n")
    headers = []
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        headers.append([name, value.strip()])
    return request["method"], request["path"], headers, (body.encode() if body else None)
