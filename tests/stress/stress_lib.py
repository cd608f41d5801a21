"""Shared machinery of the stress suite: rapid as a process, clients, figures.

* :func:`size` picks the CI size or the full size (``RAPID_STRESS_FULL=1``).
* :class:`Rapid` starts the built binary (``$RAPID_BINARY``) on a free loopback
  port as the tests do (``-f --no-user-check --no-master-check``, its own PID and
  log file, a users file, TLS with a throw-away certificate unless ``tls=False``)
  and reads its RSS and CPU time from /proc.
* :func:`request` / :class:`KeepAlive` are HTTP(S) clients with Basic auth;
  :func:`raw_exchange` sends raw bytes and parses the first answer by hand.
* :func:`probe_latencies` / :func:`percentile` measure how fast rapid answers.
* :class:`Case` collects a case's figures (value, limit, pass) for the summary.
"""

import base64
import http.client
import json
import os
import resource
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DEFAULT_BINARY = os.path.join(REPO, "build", "src", "app", "rapid")

FULL = os.environ.get("RAPID_STRESS_FULL", "") not in ("", "0")
# The RFC 9112 rows are merged: a binary without them fails (0 to allow it).
REQUIRE_ALL = os.environ.get("RAPID_STRESS_REQUIRE_ALL", "1") != "0"

# Credentials the clients know; "churn" is in the users file only at times
# (cases_ops.users_reload).
USERS = {"admin": "adminpass", "reader": "readpass", "churn": "churnpass"}
USERS_FILE = "admin adminpass write\nreader readpass read\n"

TLS_CLIENT = ssl._create_unverified_context()  # pylint: disable=protected-access

# Thousands of client sockets live in this process.
_soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (_hard, _hard))


def size(ci, full):
    """The figure for this run: ``full`` under RAPID_STRESS_FULL=1, else ``ci``."""
    return full if FULL else ci


def binary():
    path = os.environ.get("RAPID_BINARY") or DEFAULT_BINARY
    if not os.access(path, os.X_OK):
        raise AssertionError("rapid binary %s does not exist: build it or set RAPID_BINARY"
                             % path)
    return path


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(fraction * len(ordered) + 0.5)) - 1))
    return ordered[index]


def auth_header(user="admin"):
    if user is None:
        return {}
    name, password = (user, USERS[user]) if isinstance(user, str) else user
    token = base64.b64encode(("%s:%s" % (name, password)).encode()).decode()
    return {"Authorization": "Basic " + token}


_CERT_LOCK = threading.Lock()
_CERT = None


def certificate():
    """A self-signed key and certificate (one PEM file), made once per run."""
    global _CERT
    with _CERT_LOCK:
        if _CERT is None:
            directory = tempfile.mkdtemp(prefix="rapid-stress-cert-")
            path = os.path.join(directory, "rapi.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                            "-days", "2", "-subj", "/CN=rapid-stress", "-keyout", path,
                            "-out", path + ".crt"], check=True, capture_output=True)
            with open(path, "a") as pem, open(path + ".crt") as crt:
                pem.write(crt.read())
            _CERT = path
        return _CERT


# ---------------------------------------------------------------------------
# rapid

class Rapid:
    """The rapid binary on 127.0.0.1:<free port>, in a temporary directory."""

    def __init__(self, luxi_socket, tls=True, args=(), users=USERS_FILE, nofile=None,
                 start_timeout=20.0):
        self.luxi_socket = luxi_socket
        self.tls = tls
        self.extra = list(args)
        self.nofile = nofile
        self.start_timeout = start_timeout
        self.dir = tempfile.mkdtemp(prefix="rapid-stress-")
        self.users_file = os.path.join(self.dir, "users")
        with open(self.users_file, "w") as f:
            f.write(users)
        self.proc = None
        self.port = None

    @property
    def pid(self):
        return self.proc.pid

    @property
    def log_file(self):
        return os.path.join(self.dir, "rapid.log")

    def logs(self, limit=3000):
        text = ""
        for name in ("rapid.log", "stdio.txt"):
            path = os.path.join(self.dir, name)
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    text += "--- %s ---\n%s" % (name, f.read()[-limit:])
        return text

    def argv(self):
        argv = [binary(), "-f", "--no-user-check", "--no-master-check", "-b", "127.0.0.1",
                "-p", str(self.port), "--pid-file", os.path.join(self.dir, "rapid.pid"),
                "--log-file", self.log_file, "--users-file", self.users_file,
                "--luxi-socket", self.luxi_socket,
                # Its own, never the cluster's: rapid as root would create
                # /var/log/ganeti/rapi-audit.log with the package's daemon
                # (gnt-rapi) unable to write it.
                "--audit-log", os.path.join(self.dir, "audit.log")]
        if self.tls:
            argv += ["--ssl-key", certificate(), "--ssl-cert", certificate()]
        else:
            argv.append("--no-ssl")
        return argv + self.extra

    def start(self):
        for _attempt in range(3):
            if self._try_start():
                return self
        raise AssertionError("rapid did not start:\n" + self.logs())

    def _preexec(self):
        if self.nofile is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (self.nofile, self.nofile))

    def _try_start(self):
        self.port = free_port()
        with open(os.path.join(self.dir, "stdio.txt"), "wb") as stdio:
            self.proc = subprocess.Popen(self.argv(), stdin=subprocess.DEVNULL, stdout=stdio,
                                         stderr=subprocess.STDOUT, preexec_fn=self._preexec)
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                if "in use" in self.logs():
                    return False
                raise AssertionError("rapid exited with %d at start-up:\n%s" % (
                    self.proc.returncode, self.logs()))
            try:
                status = request(self, "GET", "/version", user=None, timeout=2)[0]
            except (OSError, http.client.HTTPException):
                time.sleep(0.05)
                continue
            if status != 200:
                raise AssertionError("GET /version answered %d at start-up" % status)
            return True
        self.kill()
        raise AssertionError("rapid did not answer within %.0f s:\n%s" % (
            self.start_timeout, self.logs()))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def rss_kb(self):
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise AssertionError("no VmRSS for pid %d" % self.pid)

    def rss_mb(self):
        return self.rss_kb() / 1024.0

    def settled_rss_mb(self, seconds=4.0):
        """The lowest RSS seen over a few seconds (freed memory may return slowly)."""
        low = self.rss_mb()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            time.sleep(0.25)
            low = min(low, self.rss_mb())
        return low

    def cpu_seconds(self):
        """User + system CPU time of the process so far."""
        with open("/proc/%d/stat" % self.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=40.0):
        """SIGTERM and wait; returns the exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                raise AssertionError("rapid did not stop within %.0f s of SIGTERM" % timeout)
        return self.proc.returncode

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def cleanup(self):
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()


# ---------------------------------------------------------------------------
# Clients

def connect(rapid, timeout=10.0, handshake=True):
    """A socket to rapid: TLS (handshake done) for a TLS process unless handshake=False."""
    sock = socket.create_connection(("127.0.0.1", rapid.port), timeout=timeout)
    if rapid.tls and handshake:
        sock = TLS_CLIENT.wrap_socket(sock)
    return sock


def _connection(rapid, timeout):
    if rapid.tls:
        return http.client.HTTPSConnection("127.0.0.1", rapid.port, context=TLS_CLIENT,
                                           timeout=timeout)
    return http.client.HTTPConnection("127.0.0.1", rapid.port, timeout=timeout)


def _headers(user, body, headers, close):
    send = dict(auth_header(user))
    if close:
        send["Connection"] = "close"
    if body is not None:
        send["Content-Type"] = "application/json"
    send.update(headers or {})
    return send


def _encode(body):
    if body is None or isinstance(body, bytes):
        return body
    return json.dumps(body).encode()


def request(rapid, method, path, body=None, user="admin", headers=None, timeout=10.0):
    """One request on a fresh connection: (status, {header: value}, body bytes)."""
    conn = _connection(rapid, timeout)
    try:
        body = _encode(body)
        conn.request(method, path, body=body, headers=_headers(user, body, headers, True))
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, dict(resp.getheaders()), data
    finally:
        conn.close()


class KeepAlive:
    """One kept-alive connection; reconnects only when told to."""

    def __init__(self, rapid, user="admin", timeout=10.0):
        self.rapid = rapid
        self.user = user
        self.timeout = timeout
        self.conn = _connection(rapid, timeout)

    def request(self, method, path, body=None, user=None):
        body = _encode(body)
        self.conn.request(method, path, body=body,
                          headers=_headers(user or self.user, body, None, False))
        resp = self.conn.getresponse()
        data = resp.read()
        return resp.status, data

    def close(self):
        self.conn.close()


def ganeti_error(body):
    """The parsed Ganeti error body {code, message, explain}, or None."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if isinstance(data, dict) and list(data) == ["code", "message", "explain"]:
        return data
    return None


class RawAnswer:
    def __init__(self, status, headers, body, closed, raw):
        self.status = status      # None: closed without an answer
        self.headers = headers    # {lower-case name: value}
        self.body = body
        self.closed = closed      # the server closed the connection after the answer
        self.raw = raw

    def __repr__(self):
        return "<%s closed=%s %r>" % (self.status, self.closed, self.raw[:200])


def _recv(sock):
    """The next bytes from the socket; b"" once it is closed, reset or silent."""
    try:
        return sock.recv(65536)
    except (ConnectionResetError, ssl.SSLError, socket.timeout, BrokenPipeError):
        return b""


def read_answer(sock, timeout=5.0, close_wait=0.5):
    """Reads one HTTP answer (by Content-Length) and whether the server then closes."""
    sock.settimeout(timeout)
    data = b""
    closed = False
    deadline = time.monotonic() + timeout
    while b"\r\n\r\n" not in data and time.monotonic() < deadline:
        chunk = _recv(sock)
        if not chunk:
            closed = True
            break
        data += chunk
    if b"\r\n\r\n" not in data:
        return RawAnswer(None, {}, b"", True, data)
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length and not closed:
        chunk = _recv(sock)
        if not chunk:
            closed = True
            break
        body += chunk
    if not closed and close_wait > 0:
        sock.settimeout(close_wait)
        try:
            closed = sock.recv(1) == b""
        except socket.timeout:
            closed = False
        except (ConnectionResetError, ssl.SSLError, BrokenPipeError, OSError):
            closed = True
    return RawAnswer(status, headers, body[:length], closed, data)


def raw_exchange(rapid, data, timeout=5.0, close_wait=0.5):
    """Sends raw bytes on a fresh connection and reads the first answer."""
    with connect(rapid, timeout) as sock:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        return read_answer(sock, timeout, close_wait)


# Probes per p99: with 100, one scheduling hiccup of a loaded machine is not the p99.
PROBES = 100


def probe_latencies(rapid, count, path="/version", interval=0.02, user="admin", failures=None,
                    timeout=10):
    """Latencies (ms) of ``count`` requests, each on a new connection.

    A failed probe (not 200, an error) raises, unless ``failures`` is a list: then
    it is appended there and its latency counted as measured.
    """
    latencies = []
    for _ in range(count):
        start = time.monotonic()
        try:
            status = request(rapid, "GET", path, user=user, timeout=timeout)[0]
        except (OSError, http.client.HTTPException) as err:
            if failures is None:
                raise
            status = type(err).__name__
        latencies.append((time.monotonic() - start) * 1000.0)
        if status != 200:
            if failures is None:
                raise AssertionError("probe GET %s answered %s" % (path, status))
            failures.append(status)
        time.sleep(interval)
    return latencies


# The p99 a probe of /2/info must stay under, whatever else the daemon is doing.
PROBE_P99_MS = 100


def probe_p99(c, rapid, figure, count=PROBES, interval=0.01):
    """Probes GET /2/info ``count`` times and asserts their p99 as ``figure``."""
    latencies = probe_latencies(rapid, count, path="/2/info", interval=interval)
    c.below(figure, percentile(latencies, 0.99), PROBE_P99_MS, " ms")


def parallel(fn, items, workers=None):
    """fn(item) for every item on its own thread; returns results (or exceptions) in order."""
    results = [None] * len(items)

    def run(index, item):
        try:
            results[index] = fn(item)
        except Exception as err:  # pylint: disable=broad-except
            results[index] = err

    threads = [threading.Thread(target=run, args=(i, item), daemon=True)
               for i, item in enumerate(items)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


# ---------------------------------------------------------------------------
# Figures and the case registry

CASES = {}


def case(name, sandbox=False):
    """Registers ``fn(Case)`` as a stress case; ``sandbox``: needs the real luxid."""
    def register(fn):
        CASES[name] = (fn, sandbox)
        return fn
    return register


class Figure:
    def __init__(self, case, name, value, limit, ok, unit=""):
        self.case = case
        self.name = name
        self.value = value
        self.limit = limit
        self.ok = ok
        self.unit = unit

    def value_text(self):
        if isinstance(self.value, float):
            return "%.1f%s" % (self.value, self.unit)
        return "%s%s" % (self.value, self.unit)


class Case:
    """What one case measured; a case passes when each of its figures does."""

    def __init__(self, name):
        self.name = name
        self.figures = []
        self.notes = []
        self.pending = []   # rows waiting for another branch

    def check(self, name, value, limit_text, ok, unit=""):
        self.figures.append(Figure(self.name, name, value, limit_text, bool(ok), unit))
        return ok

    def at_most(self, name, value, limit, unit=""):
        return self.check(name, value, "<= %s%s" % (limit, unit), value <= limit, unit)

    def below(self, name, value, limit, unit=""):
        return self.check(name, value, "< %s%s" % (limit, unit), value < limit, unit)

    def equal(self, name, value, expected, unit=""):
        return self.check(name, value, "== %s%s" % (expected, unit), value == expected, unit)

    def at_least(self, name, value, limit, unit=""):
        return self.check(name, value, ">= %s%s" % (limit, unit), value >= limit, unit)

    def note(self, text):
        self.notes.append(text)
        print("    note: " + text, flush=True)

    @property
    def ok(self):
        return all(f.ok for f in self.figures) and bool(self.figures)
