"""Malformed requests: each answered with its status, none reaches the master as a job.

Every row is sent raw on a fresh plain-HTTP connection. ``status`` is what
rapid answers (None: the connection is closed without an answer), ``close``
whether it must close the connection after answering (None: either).
Answers with a body must carry Ganeti's JSON error body
``{"code", "message", "explain"}`` with the same code. docs/compatibility.md
lists where these differ from the original on purpose.

Rows with ``needs="rfc9112"`` follow RFC 9112 section 6 (issue 10, branch
i10-http): they run when rapid answers ``Transfer-Encoding: gzip, chunked``
with 501, otherwise they are reported as pending (and fail under
RAPID_STRESS_REQUIRE_ALL=1).
"""

import time

from fake_master import FakeMaster
from stress_lib import Rapid, case, ganeti_error, probe_p99, raw_exchange

AUTH = b"Authorization: Basic YWRtaW46YWRtaW5wYXNz\r\n"   # admin:adminpass
READER = b"Authorization: Basic cmVhZGVyOnJlYWRwYXNz\r\n"  # reader:readpass
HOST = b"Host: rapid\r\n"
JSON = b"Content-Type: application/json\r\n"


def get(target=b"/2/info", version=b"HTTP/1.1", headers=HOST):
    return b"GET " + target + b" " + version + b"\r\n" + headers + b"\r\n"


def write(body, headers=b"", method=b"PUT", target=b"/2/instances/inst1/tags?tag=x",
          length=True):
    """A write request by admin; Content-Length from ``body`` unless length=False."""
    cl = b"Content-Length: %d\r\n" % len(body) if length else b""
    return (method + b" " + target + b" HTTP/1.1\r\n" + HOST + AUTH + JSON + cl + headers +
            b"\r\n" + body)


def chunked(chunks, headers=b"Transfer-Encoding: chunked\r\n", target=b"/2/instances"):
    return write(chunks, headers, method=b"POST", target=target, length=False)


class Row:
    def __init__(self, label, data, status, close=None, needs=None):
        self.label = label
        self.data = data
        self.status = status
        self.close = close
        self.needs = needs


ROWS = [
    # --- request line
    Row("one word", b"GET\r\n\r\n", 400, True),
    Row("two words (HTTP/0.9 form)", b"GET /2/info\r\n\r\n", 400, True),
    Row("four words", b"GET /2/info HTTP/1.1 x\r\nHost: r\r\n\r\n", 400, True),
    Row("double space", b"GET  /2/info HTTP/1.1\r\nHost: r\r\n\r\n", 400, True),
    Row("space before the method", b" GET /2/info HTTP/1.1\r\nHost: r\r\n\r\n", 400, True),
    Row("lone CR before the method", b"\rGET /2/info HTTP/1.1\r\nHost: r\r\n\r\n", 400, True),
    Row("NUL in the method", b"G\x00T /2/info HTTP/1.1\r\nHost: r\r\n\r\n", 400, True),
    Row("version HTTP/0.9", get(version=b"HTTP/0.9"), 400, True),
    Row("version HTTP/1.2", get(version=b"HTTP/1.2"), 400, True),
    Row("version HTTP/1.01", get(version=b"HTTP/1.01"), 400, True),
    Row("version HTTP/2.0", get(version=b"HTTP/2.0"), 505, True),
    Row("version HTTP/3.0", get(version=b"HTTP/3.0"), 505, True),
    Row("version http/1.1 (lower case)", get(version=b"http/1.1"), 400, True),
    Row("version HTTP/", get(version=b"HTTP/"), 400, True),
    Row("version HTTP/a.b", get(version=b"HTTP/a.b"), 400, True),
    Row("version FOO/1.1", get(version=b"FOO/1.1"), 400, True),
    Row("unknown method FOO", b"FOO /2/info HTTP/1.1\r\nHost: r\r\n\r\n", 501),
    # The original upper-cases the method (lib/server/rapi.py).
    Row("lower-case method get", b"get /2/info HTTP/1.1\r\nHost: r\r\n\r\n", 200),
    Row("HEAD", b"HEAD /2/info HTTP/1.1\r\nHost: r\r\n\r\n", 501, True),
    # The resource is looked up before the method, as in the original.
    Row("OPTIONS *", b"OPTIONS * HTTP/1.1\r\nHost: r\r\n\r\n", 404),
    Row("CONNECT authority-form", b"CONNECT rapid:5080 HTTP/1.1\r\nHost: r\r\n\r\n", 404),
    Row("TRACE", b"TRACE /2/info HTTP/1.1\r\nHost: r\r\n\r\n", 501),
    Row("PATCH", b"PATCH /2/info HTTP/1.1\r\nHost: r\r\n" + AUTH + b"\r\n", 501),
    Row("absolute-form target", get(b"http://rapid/2/info"), 404),
    Row("target without leading slash", get(b"2/info"), 404),
    Row("invalid percent-encoding %zz", get(b"/2/info%zz"), 404),
    Row("truncated percent-encoding %f", get(b"/2/instances/inst1%f"), 404),
    Row("percent-encoded NUL", get(b"/2/instances/inst%00"), 404),
    Row("NUL in the target", get(b"/2/in\x00fo"), 400, True),
    Row("non-UTF-8 byte in the target", get(b"/2/instances/\xff"), 404),
    Row("unknown resource /nonexistent", get(b"/nonexistent"), 404),
    Row("unknown resource /2/nope", get(b"/2/nope"), 404),
    Row("dot segments /2/../2/info", get(b"/2/../2/info"), 404),
    Row("bad query flag ?bulk=x", get(b"/2/instances?bulk=x"), 400),
    # --- headers
    Row("HTTP/1.1 without Host", get(headers=b""), 400),
    # Accepted today (RFC 9112 section 3.2 asks for a 400).
    Row("two Host headers", get(headers=b"Host: a\r\nHost: b\r\n"), 200),
    Row("header line without colon", get(headers=HOST + b"NoColonHere\r\n"), 400, True),
    Row("space before the colon", get(headers=HOST + b"X-A : b\r\n"), 400, True),
    Row("empty header name", get(headers=HOST + b": value\r\n"), 400, True),
    Row("NUL in a header name", get(headers=HOST + b"X-\x00A: b\r\n"), 400, True),
    Row("NUL in a header value", get(headers=HOST + b"X-A: b\x00c\r\n"), 400, True),
    # Folded into the value (RFC 9112 section 5.2 allows either).
    Row("obs-fold continuation line", get(headers=HOST + b"X-A: b\r\n folded\r\n"), 200),
    Row("Content-Length: abc", write(b"", b"Content-Length: abc\r\n", length=False), 400, True),
    Row("Content-Length: -1", write(b"", b"Content-Length: -1\r\n", length=False), 400, True),
    Row("Content-Length: +2", write(b"[]", b"Content-Length: +2\r\n", length=False), 400, True),
    Row("Content-Length: 0x10", write(b"", b"Content-Length: 0x10\r\n", length=False), 400,
        True),
    # Identical values are one length (RFC 9110 section 8.6 allows it); sent to a
    # read so that accepting them submits nothing.
    Row("Content-Length list 2, 2",
        b"GET /version HTTP/1.1\r\nHost: r\r\n" + JSON + b"Content-Length: 2, 2\r\n\r\n[]", 200),
    Row("two different Content-Lengths",
        write(b"[]", b"Content-Length: 2\r\nContent-Length: 3\r\n", length=False), 400, True),
    Row("two equal Content-Lengths",
        b"GET /version HTTP/1.1\r\nHost: r\r\n" + JSON +
        b"Content-Length: 2\r\nContent-Length: 2\r\n\r\n[]", 200),
    Row("Content-Length of 20 digits",
        write(b"", b"Content-Length: 99999999999999999999\r\n", length=False), 400, True),
    Row("malformed Basic credentials", get(headers=HOST + b"Authorization: Basic !!!\r\n"),
        401),
    Row("unknown auth scheme", get(headers=HOST + b"Authorization: Digest x=y\r\n"), 401),
    Row("write without credentials",
        b"PUT /2/instances/inst1/tags?tag=x HTTP/1.1\r\nHost: r\r\nContent-Length: 0\r\n\r\n",
        401),
    Row("write as a read-only user",
        b"PUT /2/instances/inst1/tags?tag=x HTTP/1.1\r\nHost: r\r\n" + READER +
        b"Content-Length: 0\r\n\r\n", 403),
    # --- chunked framing
    Row("chunk size not hex", chunked(b"zz\r\nab\r\n0\r\n\r\n"), 400, True),
    Row("chunk size of 20 hex digits", chunked(b"ffffffffffffffffffff\r\nab\r\n"), 400, True),
    Row("chunk size 16 MiB (past the body limit)", chunked(b"1000000\r\nab\r\n"), 413, True),
    Row("negative chunk size", chunked(b"-1\r\nab\r\n0\r\n\r\n"), 400, True),
    Row("chunk data longer than its size", chunked(b"2\r\nabcd\r\n0\r\n\r\n"), 400, True),
    Row("junk after the chunk size", chunked(b"2x\r\nab\r\n0\r\n\r\n"), 400, True),
    # --- transfer codings, RFC 9112 section 6
    Row("Transfer-Encoding: gzip, chunked",
        chunked(b"2\r\n[]\r\n0\r\n\r\n", b"Transfer-Encoding: gzip, chunked\r\n"), 501, True,
        "rfc9112"),
    Row("Transfer-Encoding: gzip",
        chunked(b"[]", b"Transfer-Encoding: gzip\r\n"), 501, True, "rfc9112"),
    Row("Transfer-Encoding: identity",
        chunked(b"[]", b"Transfer-Encoding: identity\r\n"), 501, True, "rfc9112"),
    Row("chunked not last (chunked, gzip)",
        chunked(b"2\r\n[]\r\n0\r\n\r\n", b"Transfer-Encoding: chunked, gzip\r\n"), 400, True,
        "rfc9112"),
    Row("chunked twice",
        chunked(b"2\r\n[]\r\n0\r\n\r\n", b"Transfer-Encoding: chunked\r\n"
                b"Transfer-Encoding: chunked\r\n"), 400, True, "rfc9112"),
    Row("Content-Length and Transfer-Encoding",
        chunked(b"2\r\n[]\r\n0\r\n\r\n", b"Content-Length: 12\r\nTransfer-Encoding: chunked\r\n"),
        400, True, "rfc9112"),
    # --- bodies
    Row("body is not JSON", write(b"{", method=b"POST", target=b"/2/instances"), 400),
    Row("body is NaN", write(b"NaN", method=b"POST", target=b"/2/instances"), 400),
    Row("body is not UTF-8", write(b'"\xff\xfe"', method=b"POST", target=b"/2/instances"), 400),
    Row("body is a list for an instance creation",
        write(b"[]", method=b"POST", target=b"/2/instances"), 400),
    Row("Content-Type: text/plain",
        write(b"{}", b"", method=b"POST", target=b"/2/instances").replace(
            b"application/json", b"text/plain"), 415),
    # Last: it kills today's rapid (stack overflow), the case restarts it.
    Row("body nested 100000 deep",
        write(b"[" * 100000 + b"]" * 100000, method=b"POST", target=b"/2/instances"), 400),
]


def rfc9112_in_force(rapid):
    """Whether this rapid answers an unsupported transfer coding with 501."""
    probe = (b"GET /version HTTP/1.1\r\nHost: rapid\r\nTransfer-Encoding: gzip, chunked\r\n"
             b"\r\n0\r\n\r\n")
    return raw_exchange(rapid, probe, timeout=5, close_wait=0.3).status == 501


def _verdict(row, answer, seconds):
    """What is wrong with an answer ('' when it is right)."""
    problems = []
    if answer.status != row.status:
        problems.append("status %s, expected %s" % (answer.status, row.status))
    if answer.status is not None and answer.status >= 400 and answer.body:
        error = ganeti_error(answer.body)
        if error is None or error["code"] != answer.status:
            problems.append("body is not Ganeti's JSON error: %r" % answer.body[:200])
    if row.close is not None and answer.closed != row.close:
        problems.append("connection %s" % ("closed" if answer.closed else "left open"))
    if seconds > 2.5:
        problems.append("took %.1f s" % seconds)
    return "; ".join(problems)


@case("malformed_requests")
def malformed_requests(c):
    with FakeMaster() as master, Rapid(master.path, tls=False,
                                       args=["--header-timeout", "3",
                                             "--body-timeout", "3"]) as rapid:
        rfc9112 = rfc9112_in_force(rapid)
        c.note("RFC 9112 transfer-coding rules %s" % ("in force" if rfc9112 else
                                                      "not in this binary: rows pending"))
        wrong = []
        ran = 0
        crashes = 0
        for row in ROWS:
            if row.needs == "rfc9112" and not rfc9112:
                c.pending.append(row.label)
                print("    SKIP (pending i10-http): %s" % row.label, flush=True)
                continue
            start = time.monotonic()
            answer = raw_exchange(rapid, row.data, timeout=6, close_wait=0.3)
            seconds = time.monotonic() - start
            ran += 1
            problem = _verdict(row, answer, seconds)
            print("    %-4s %-44s %s%s" % ("ok" if not problem else "BAD", row.label,
                                          answer.status, "" if not problem else ": " + problem),
                  flush=True)
            if problem:
                wrong.append("%s: %s" % (row.label, problem))
            time.sleep(0.05)
            if not rapid.alive():
                crashes += 1
                c.note("daemon died (exit %s) after: %s" % (rapid.proc.returncode, row.label))
                rapid.start()
        for line in wrong:
            c.note(line)
        c.at_least("malformed requests in the table", len(ROWS), 50)
        c.equal("rows answered otherwise than expected (of %d run)" % ran, len(wrong), 0)
        c.equal("daemon crashes (restarted)", crashes, 0)
        c.equal("jobs submitted", master.count("SubmitJob"), 0)
        probe_p99(c, rapid, "probe p99 afterwards")
        c.check("daemon alive", rapid.alive(), "alive", rapid.alive())
