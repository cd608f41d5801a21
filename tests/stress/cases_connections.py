"""Connections that cost rapid something: idle ones, slow ones, too many, long-lived."""

import selectors
import socket
import threading
import time

from fake_master import FakeMaster
from stress_lib import (FULL, PROBE_P99_MS, PROBES, Rapid, KeepAlive, case, connect,
                        percentile, probe_latencies, probe_p99, raw_exchange, read_answer,
                        ganeti_error, size)

# Idle connections must stay open while they are counted.
LONG_TIMEOUTS = ["--handshake-timeout", "600", "--header-timeout", "600",
                 "--idle-timeout", "600"]


@case("idle_connections")
def idle_connections(c):
    """N idle TLS connections: RSS < 40 MB, probes fast, RSS back within 5 MB after."""
    count = size(300, 1000)
    # After-close: +79 MB before the own TLS stream and malloc_trim, +6.6 MB
    # before the reactor's socket states were reserved at start-up and the
    # trim waited for the closed connections' last handlers (2.1 / 3.2 MB at
    # full size since, docs/security.md).
    after_close_limit = 5
    with FakeMaster() as master, Rapid(master.path, args=LONG_TIMEOUTS) as rapid:
        probe_latencies(rapid, 20, path="/2/info")   # warm-up: TLS, LUXI pool
        idle = rapid.settled_rss_mb(2)
        c.check("RSS of the idle daemon", idle, "(reference)", True, " MB")

        socks = [connect(rapid) for _ in range(count)]
        time.sleep(1)
        c.below("RSS with %d idle TLS connections" % count, rapid.rss_mb(), 40, " MB")
        probe_p99(c, rapid, "%d idle TLS: probe p99 (%d probes)" % (count, PROBES),
                  interval=0.02)
        for sock in socks:
            sock.close()
        after = rapid.settled_rss_mb(size(5, 8))
        c.at_most("RSS after they closed, above idle", after - idle, after_close_limit, " MB")

        # Mixed: a third TCP only (no TLS handshake), a third TLS, a third kept
        # alive after one request.
        third = count // 3
        socks = [connect(rapid, handshake=False) for _ in range(third)]
        socks += [connect(rapid) for _ in range(third)]
        kept = [connect(rapid) for _ in range(count - 2 * third)]
        for sock in kept:
            sock.sendall(b"GET /version HTTP/1.1\r\nHost: rapid\r\n\r\n")
        answered = sum(1 for sock in kept if read_answer(sock, 10, 0).status == 200)
        socks += kept
        c.equal("mixed: kept-alive connections answered", answered, len(kept))
        mixed = rapid.rss_mb()
        c.check("RSS with %d mixed idle connections" % count, mixed, "(reference)", True, " MB")
        probe_p99(c, rapid, "%d mixed: probe p99 (%d probes)" % (count, PROBES), interval=0.02)
        for sock in socks:
            sock.close()
        after = rapid.settled_rss_mb(size(5, 8))
        c.at_most("RSS after the mixed ones closed, above idle", after - idle, after_close_limit,
                  " MB")
        c.check("daemon alive", rapid.alive(), "alive", rapid.alive())


def _trickle(c, rapid, count, prefix, filler, limit_s, label):
    """Opens ``count`` plain connections, sends ``prefix`` at once, then one byte of
    ``filler`` per connection every 0.2 s; returns the seconds each lasted (None: still
    open when we gave up at limit + 5 s)."""
    sel = selectors.DefaultSelector()
    opened = {}
    for _ in range(count):
        sock = connect(rapid)
        sock.setblocking(False)
        opened[sock] = time.monotonic()
        sel.register(sock, selectors.EVENT_READ)
        if prefix:
            sock.send(prefix)
    lasted = {}
    answers = []
    position = 0
    next_byte = time.monotonic()
    give_up = time.monotonic() + limit_s + 5
    while len(lasted) < count and time.monotonic() < give_up:
        for key, _ in sel.select(timeout=0.05):
            sock = key.fileobj
            try:
                data = sock.recv(65536)
            except (ConnectionResetError, BlockingIOError):
                data = b""
            if data:
                answers.append(data[:12])
                continue
            lasted[sock] = time.monotonic() - opened[sock]
            sel.unregister(sock)
            sock.close()
        if time.monotonic() >= next_byte:
            byte = filler[position % len(filler):position % len(filler) + 1]
            position += 1
            for sock in opened:
                if sock not in lasted:
                    try:
                        sock.send(byte)
                    except (BrokenPipeError, ConnectionResetError, BlockingIOError):
                        pass
            next_byte += 0.2
    still_open = [sock for sock in opened if sock not in lasted]
    for sock in still_open:
        sel.unregister(sock)
        sock.close()
    c.equal("%s: connections still open after %.0f s" % (label, limit_s + 5),
            len(still_open), 0)
    if lasted:
        c.at_most("%s: slowest cut" % label, max(lasted.values()), limit_s, " s")
    return answers


@case("slowloris")
def slowloris(c):
    """Headers one byte at a time: every connection cut at the header timeout."""
    count = size(100, 500)
    timeout = size(2, 10)
    args = [] if timeout == 10 else ["--header-timeout", str(timeout)]
    with FakeMaster() as master, Rapid(master.path, tls=False, args=args) as rapid:
        c.note("header timeout %d s (%s)" % (timeout, "default" if not args else "set"))
        stop = threading.Event()
        latencies = []

        def probing():
            while not stop.is_set():
                latencies.extend(probe_latencies(rapid, 1, path="/2/info", interval=0.02))

        prober = threading.Thread(target=probing, daemon=True)
        prober.start()
        _trickle(c, rapid, count, b"GET /2/info HTTP/1.1\r\n",
                 b"X-Slow-Header-Name-That-Never-Ends: aaaaaaaaaaaaaaaaaaaa", timeout + 1.5,
                 "%d slow-header connections" % count)
        stop.set()
        prober.join()
        c.below("probe p99 meanwhile (%d probes)" % len(latencies),
                percentile(latencies, 0.99), PROBE_P99_MS, " ms")
        c.equal("jobs submitted", master.count("SubmitJob"), 0)
        c.check("daemon alive", rapid.alive(), "alive", rapid.alive())


@case("slow_body")
def slow_body(c):
    """Full headers, then the body one byte at a time: cut at the body timeout."""
    count = size(100, 500)
    # CI passes a short body timeout; the full run keeps the default, whose
    # target is 10 s (issue 10).
    timeout = size(2, 10)
    args = [] if FULL else ["--body-timeout", str(timeout)]
    with FakeMaster() as master, Rapid(master.path, tls=False, args=args) as rapid:
        c.note("body timeout %s" % ("%d s (set)" % timeout if args else
                                    "the default (target %d s, issue 10)" % timeout))
        head = (b"PUT /2/instances/inst1/tags HTTP/1.1\r\nHost: rapid\r\n"
                b"Authorization: Basic YWRtaW46YWRtaW5wYXNz\r\n"
                b"Content-Type: application/json\r\nContent-Length: 4000\r\n\r\n")
        _trickle(c, rapid, count, head, b'["tag-', timeout + 1.5,
                 "%d slow-body connections" % count)
        probe_p99(c, rapid, "probe p99 afterwards")
        c.equal("jobs submitted", master.count("SubmitJob"), 0)
        c.check("daemon alive", rapid.alive(), "alive", rapid.alive())


@case("oversized")
def oversized(c):
    """Headers > 8 KiB: 431; bodies > 10 MiB: 413; answered, closed, daemon fine."""
    with FakeMaster() as master, Rapid(master.path, tls=False) as rapid:
        auth = b"Authorization: Basic YWRtaW46YWRtaW5wYXNz\r\n"
        cases = [
            ("header block of 9 KiB", 431,
             b"GET /2/info HTTP/1.1\r\nHost: rapid\r\nX-Big: " + b"a" * 9216 + b"\r\n\r\n"),
            ("request line of 9 KiB", 431,
             b"GET /2/info?" + b"a" * 9216 + b" HTTP/1.1\r\nHost: rapid\r\n\r\n"),
            ("200 header lines of 60 bytes (12 KB)", 431,
             b"GET /2/info HTTP/1.1\r\nHost: rapid\r\n" +
             b"".join(b"X-H%03d: %s\r\n" % (i, b"v" * 50) for i in range(200)) + b"\r\n"),
            ("Content-Length 10 MiB + 1", 413,
             b"PUT /2/instances/inst1/tags HTTP/1.1\r\nHost: rapid\r\n" + auth +
             b"Content-Type: application/json\r\nContent-Length: 10485761\r\n\r\n"),
            ("chunked body past 10 MiB", 413,
             b"PUT /2/instances/inst1/tags HTTP/1.1\r\nHost: rapid\r\n" + auth +
             b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
             (b"100000\r\n" + b"a" * 0x100000 + b"\r\n") * 11),
        ]
        for label, expected, data in cases:
            answer = raw_exchange(rapid, data, timeout=10, close_wait=2)
            error = ganeti_error(answer.body)
            ok = (answer.status == expected and answer.closed and error is not None
                  and error["code"] == expected)
            c.check(label, answer.status, "%d, JSON error, closed" % expected, ok)
            if not ok:
                c.note("%s: %r" % (label, answer))
        probe_p99(c, rapid, "probe p99 afterwards")
        c.equal("jobs submitted", master.count("SubmitJob"), 0)


@case("fd_exhaustion")
def fd_exhaustion(c):
    """RLIMIT_NOFILE 256, 400 connections: no spin, logged, recovers."""
    count = 400
    hold = size(3, 10)
    with FakeMaster() as master, Rapid(master.path, tls=False, nofile=256,
                                       args=LONG_TIMEOUTS) as rapid:
        probe_latencies(rapid, 5, path="/2/info")
        socks = []
        refused = 0
        for _ in range(count):
            try:
                sock = socket.create_connection(("127.0.0.1", rapid.port), timeout=2)
                socks.append(sock)
            except OSError:
                refused += 1
        time.sleep(0.5)
        cpu_before = rapid.cpu_seconds()
        time.sleep(hold)
        cpu = rapid.cpu_seconds() - cpu_before
        c.note("%d connected (%d refused) against 256 descriptors" % (len(socks), refused))
        # A spinning accept loop burns a core: the whole window.
        c.below("CPU used while out of descriptors (%d s)" % hold, cpu, 0.1 * hold, " s")
        with open(rapid.log_file, errors="replace") as log:
            text = log.read()
        logged = "Too many open files" in text
        c.check("EMFILE logged", logged, "logged", logged)
        lines = text.count("accept failed")
        c.at_most("accept-failure log lines per second", lines / (hold + 0.5), 20)
        for sock in socks:
            sock.close()
        time.sleep(1)
        probe_p99(c, rapid, "probe p99 after they closed")
        c.check("daemon alive", rapid.alive(), "alive", rapid.alive())


@case("keepalive_soak")
def keepalive_soak(c):
    """Requests on a few kept-alive TLS connections: RSS drift < 2 MB after warm-up."""
    seconds = size(10, 60)
    warmup = size(3, 10)
    connections = 4
    with FakeMaster() as master, Rapid(master.path) as rapid:
        stop = threading.Event()
        counts = []
        failures = []

        def drive(_):
            client = KeepAlive(rapid)
            done = 0
            try:
                while not stop.is_set():
                    status, _ = client.request("GET", "/2/info")
                    if status != 200:
                        failures.append(status)
                    done += 1
            finally:
                client.close()
            counts.append(done)

        threads = [threading.Thread(target=drive, args=(i,), daemon=True)
                   for i in range(connections)]
        for thread in threads:
            thread.start()
        time.sleep(warmup)
        start_rss = rapid.rss_mb()
        peak = start_rss
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            time.sleep(0.5)
            peak = max(peak, rapid.rss_mb())
        end_rss = rapid.rss_mb()
        stop.set()
        for thread in threads:
            thread.join()
        total = sum(counts)
        c.note("%d requests on %d connections in %d s (+%d s warm-up), RSS %.1f -> %.1f MB, "
               "peak %.1f" % (total, connections, seconds, warmup, start_rss, end_rss, peak))
        c.below("RSS drift over %d s" % seconds, end_rss - start_rss, 2, " MB")
        c.equal("failed requests", len(failures), 0)
        c.at_least("requests served", total, 50 * seconds)
