"""A fake LUXI master (luxid) on a Unix socket, with delays and injected faults.

Messages are JSON objects ended by byte 0x03 (src/luxi/protocol.cpp): rapid
sends {"method", "args", "version"}, the master answers {"success", "result"}.
It answers what rapid asks for the resources the stress suite uses:

* QueryClusterInfo (GET /2/info): a small cluster object;
* SubmitJob (every write): the next job id, counted;
* QueryJobs (GET /2/jobs/<id>): rows of the requested fields, jobs "running";
* WaitForJobChange (GET /2/jobs/<id>/wait): for a running job it holds the
  call for the timeout rapid passes (its 5th argument), then "nochange",
  as luxid does when nothing changed.

``delays`` maps a method to seconds before its answer. ``fault`` (with
``fault_methods``, None for every method) makes the answer go wrong:

=================  ==============================================================
hang               read the request, never answer (the connection stays open)
garbage            a terminated message that is not JSON
undecodable        a terminated message that is not UTF-8
truncated          a terminated message whose JSON is cut short
close_mid_reply    half a message, then close the connection
stall_mid_reply    half a message, then nothing more
lose_reply         read the request (it counts), close without answering
=================  ==============================================================

:meth:`remove_socket` makes the socket disappear (a master that is down);
:meth:`listen` brings it back.
"""

import collections
import json
import os
import socket
import tempfile
import threading

EOM = b"\x03"

CLUSTER_INFO = {"name": "stress.example.com", "volume_group_name": "xenvg",
                "software_version": "3.0.2", "protocol_version": 3000000,
                "architecture": ["64bit", "x86_64"], "master": "node1.example.com"}


class FakeMaster:
    def __init__(self, path=None):
        self.path = path or os.path.join(tempfile.mkdtemp(prefix="rapid-stress-luxi-"),
                                         "luxi.sock")
        self.delays = {}
        self.fault = None
        self.fault_methods = None
        self.calls = collections.Counter()
        self.in_flight = 0
        self.job_status = "running"
        self._next_job = 1000
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._listener = None
        self._acceptor = None
        self._open = set()

    # -- lifecycle ---------------------------------------------------------

    def listen(self):
        if os.path.exists(self.path):
            os.unlink(self.path)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(self.path)
        listener.listen(256)
        listener.settimeout(0.2)
        self._listener = listener
        self._acceptor = threading.Thread(target=self._accept_loop, args=(listener,),
                                          daemon=True)
        self._acceptor.start()
        return self

    def remove_socket(self):
        """No master: its connections closed, the socket file gone (connect: ENOENT)."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
            self._acceptor.join()
        if os.path.exists(self.path):
            os.unlink(self.path)
        with self._lock:
            for conn in list(self._open):
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self):
        self._stop.set()
        self.remove_socket()

    def __enter__(self):
        return self.listen()

    def __exit__(self, *exc):
        self.stop()

    def reset(self):
        with self._lock:
            self.calls.clear()
            self.delays = {}
            self.fault = None
            self.fault_methods = None

    def count(self, method):
        with self._lock:
            return self.calls[method]

    # -- serving -----------------------------------------------------------

    def _accept_loop(self, listener):
        while self._listener is listener and not self._stop.is_set():
            try:
                conn, _ = listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with self._lock:
                self._open.add(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        buffer = b""
        try:
            while not self._stop.is_set():
                while EOM not in buffer:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    buffer += chunk
                message, _, buffer = buffer.partition(EOM)
                if not self._answer(conn, message):
                    return
        except OSError:
            return
        finally:
            with self._lock:
                self._open.discard(conn)
            conn.close()

    def _answer(self, conn, message):
        """Answers one message; False when the connection is to be closed."""
        try:
            request = json.loads(message.decode("utf-8"))
            method, args = request["method"], request["args"]
        except (ValueError, KeyError, TypeError):
            method, args = "<bad request>", []
        with self._lock:
            self.calls[method] += 1
            self.in_flight += 1
            fault = self.fault if self.fault_methods is None or method in self.fault_methods \
                else None
            delay = self.delays.get(method, 0)
        try:
            if delay:
                self._stop.wait(delay)
            if fault == "lose_reply":
                return False
            if fault in ("hang", "stall_mid_reply"):
                if fault == "stall_mid_reply":
                    conn.sendall(b'{"success": true, "result": {"na')
                self._hold(conn)
                return False
            if fault == "close_mid_reply":
                conn.sendall(b'{"success": true, "result": {"na')
                return False
            if fault == "garbage":
                conn.sendall(b"<html>not json at all</html>" + EOM)
                return True
            if fault == "undecodable":
                conn.sendall(b'{"success": true, "result": "\xff"}' + EOM)
                return True
            if fault == "truncated":
                conn.sendall(b'{"success": true, "result": {"name": "clu' + EOM)
                return True
            result = self._result(method, args)
            conn.sendall(json.dumps({"success": True, "result": result}).encode() + EOM)
            return True
        finally:
            with self._lock:
                self.in_flight -= 1

    def _hold(self, conn):
        """Keeps the connection open, unanswered, until the peer closes it or we stop."""
        conn.settimeout(0.2)
        while not self._stop.is_set():
            try:
                if conn.recv(65536) == b"":
                    return
            except socket.timeout:
                continue
            except OSError:
                return

    def _result(self, method, args):
        if method == "QueryClusterInfo":
            return CLUSTER_INFO
        if method == "SubmitJob":
            with self._lock:
                self._next_job += 1
                return self._next_job
        if method == "QueryJobs":
            ids, fields = args[0], args[1]
            return [[self._job_field(job, field) for field in fields] for job in ids]
        if method == "WaitForJobChange":
            if self.job_status == "running":
                self._stop.wait(float(args[4]))
                return "nochange"
            return [[self.job_status], []]
        if method == "QueryTags":
            return []
        return None

    def _job_field(self, job, field):
        if field == "id":
            return int(job)
        if field == "status":
            return self.job_status
        if field in ("ops", "opstatus", "opresult", "oplog"):
            return []
        return None
