"""What an operator does to a running rapid: users-file rewrites and SIGHUP; its TLS."""

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time

from fake_master import FakeMaster
from stress_lib import FULL, USERS_FILE, KeepAlive, Rapid, case, request, size

# Every version of the file has the same length (a padded comment), so an in-place
# rewrite never leaves a shorter or longer file behind for a moment.
WITHOUT_CHURN = USERS_FILE
WITH_CHURN = USERS_FILE + "churn churnpass read\n"


def _users_text(with_churn, generation):
    body = (WITH_CHURN if with_churn else WITHOUT_CHURN) + "# generation %d\n" % generation
    return body + "#" * (120 - len(body) - 1) + "\n"


@case("users_reload")
def users_reload(c):
    """200 req/s while the users file is rewritten (atomically, in place) with SIGHUPs.

    admin and reader are in every version: each of their requests must be a 200.
    churn comes and goes: a 200 or a 401, whichever version rapid has at that
    moment; once the last version is in place (and a SIGHUP sent), churn gets what
    that version says.
    """
    seconds = size(10, 60)
    rate = 200
    workers = 8
    with FakeMaster() as master, Rapid(master.path, tls=False,
                                       users=_users_text(True, 0)) as rapid:
        stop = threading.Event()
        outcomes = {"stable": [], "churn": []}
        lock = threading.Lock()

        def load(index):
            user = "churn" if index % 4 == 3 else ("admin" if index % 2 else "reader")
            client = KeepAlive(rapid, user=user)
            period = workers / rate
            next_at = time.monotonic()
            try:
                while not stop.is_set():
                    try:
                        status, _ = client.request("GET", "/2/info")
                    except Exception as err:  # pylint: disable=broad-except
                        status = type(err).__name__
                        client.close()
                        client = KeepAlive(rapid, user=user)
                    with lock:
                        outcomes["churn" if user == "churn" else "stable"].append(status)
                    next_at += period
                    time.sleep(max(0.0, next_at - time.monotonic()))
            finally:
                client.close()

        threads = [threading.Thread(target=load, args=(i,), daemon=True) for i in range(workers)]
        for thread in threads:
            thread.start()
        generation = 0
        rewrites = sighups = 0
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            generation += 1
            text = _users_text(generation % 2 == 0, generation)
            if generation % 2:
                # In place: same inode, one write of a same-length text.
                with open(rapid.users_file, "r+") as users:
                    users.write(text)
            else:
                # Atomically: a new file renamed over the old one.
                temp = rapid.users_file + ".new"
                with open(temp, "w") as users:
                    users.write(text)
                os.rename(temp, rapid.users_file)
            rewrites += 1
            time.sleep(0.1)
            rapid.signal(signal.SIGHUP)
            sighups += 1
            time.sleep(0.15)
        stop.set()
        for thread in threads:
            thread.join()
        final_has_churn = generation % 2 == 0
        rapid.signal(signal.SIGHUP)
        time.sleep(0.5)
        final = request(rapid, "GET", "/2/info", user="churn")[0]
        expected_final = 200 if final_has_churn else 401

        stable, churn = outcomes["stable"], outcomes["churn"]
        total = len(stable) + len(churn)
        c.note("%d rewrites, %d SIGHUPs, %d requests in %d s; churn: %d x 200, %d x 401" % (
            rewrites, sighups, total, seconds, churn.count(200), churn.count(401)))
        c.at_least("request rate", total / seconds, 0.9 * rate, " req/s")
        c.equal("failed requests of users in every version",
                sum(1 for s in stable if s != 200), 0)
        c.equal("churn requests neither 200 nor 401",
                sum(1 for s in churn if s not in (200, 401)), 0)
        c.equal("churn after the last version", final, expected_final)
        c.check("daemon alive", rapid.alive(), "alive", rapid.alive())


# TLS ----------------------------------------------------------------------

WEAK = re.compile(r"RC4|3DES|DES-CBC|NULL|EXP|anon|ADH|AECDH|MD5|CBC|-SHA$|PSK|SRP|CAMELLIA|"
                  r"ARIA|SEED|IDEA")


def _sslscan(port):
    out = subprocess.run(["sslscan", "--no-colour", "127.0.0.1:%d" % port],
                         capture_output=True, text=True, timeout=120).stdout
    protocols = dict(re.findall(r"^(SSLv[23]|TLSv1\.[0-3])\s+(enabled|disabled)", out, re.M))
    ciphers = re.findall(r"^(?:Preferred|Accepted)\s+(TLSv1\.[0-3])\s+\d+ bits\s+(\S+)", out,
                         re.M)
    return protocols, ciphers, out


def _testssl(port):
    """testssl.sh's findings (its full default run) as {id: (severity, finding)}."""
    directory = tempfile.mkdtemp(prefix="rapid-stress-testssl-")
    report = os.path.join(directory, "report.json")
    argv = ["testssl", "--quiet", "--color", "0", "--warnings", "off", "--nodns", "none",
            "--jsonfile", report, "127.0.0.1:%d" % port]
    # Its probes of the local openssl connect to "invalid." unless told otherwise.
    env = dict(os.environ, NXCONNECT="127.0.0.1:0")
    try:
        subprocess.run(argv, capture_output=True, text=True, timeout=1200, env=env)
        with open(report) as f:
            return {entry["id"]: (entry["severity"], entry["finding"]) for entry in json.load(f)}
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@case("tls_profile")
def tls_profile(c):
    """No SSLv3/TLS 1.0/1.1, TLS 1.2 and 1.3 offered, only AEAD suites (tls_context.cpp).

    sslscan always; testssl.sh (minutes, most of it its own start-up) in the full run.
    """
    for tool in ("sslscan",) + (("testssl",) if FULL else ()):
        if shutil.which(tool) is None:
            raise AssertionError("%s is missing: run scripts/install-deps" % tool)
    with FakeMaster() as master, Rapid(master.path) as rapid:
        protocols, ciphers, out = _sslscan(rapid.port)
        for name in ("SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1"):
            c.equal("sslscan: %s" % name, protocols.get(name, "?"), "disabled")
        for name in ("TLSv1.2", "TLSv1.3"):
            c.equal("sslscan: %s" % name, protocols.get(name, "?"), "enabled")
        weak = sorted({name for _proto, name in ciphers if WEAK.search(name)})
        c.note("sslscan accepted: %s" % ", ".join("%s %s" % pair for pair in ciphers))
        c.equal("sslscan: weak suites accepted", ", ".join(weak) or "none", "none")
        c.at_least("sslscan: suites accepted", len(ciphers), 3)
        if not ciphers:
            c.note(out[-2000:])

        if not FULL:
            return
        findings = _testssl(rapid.port)
        for key in ("SSLv2", "SSLv3", "TLS1", "TLS1_1"):
            finding = findings.get(key, ("?", "missing"))[1]
            c.check("testssl: %s" % key, finding, "not offered",
                    finding.startswith("not offered"))
        for key in ("TLS1_2", "TLS1_3"):
            finding = findings.get(key, ("?", "missing"))[1]
            c.check("testssl: %s" % key, finding, "offered", finding.startswith("offered"))
        # Not rapid's TLS settings: the suite's throw-away self-signed certificate
        # (Ganeti's rapi.pem is self-signed too) and HTTP security headers such as
        # HSTS, which rapid leaves out as the original does (same headers, same order).
        bad = sorted(key for key, (severity, _f) in findings.items()
                     if severity in ("MEDIUM", "HIGH", "CRITICAL")
                     and not key.startswith("cert_") and key != "security_headers")
        for key, (severity, finding) in sorted(findings.items()):
            if severity in ("MEDIUM", "HIGH", "CRITICAL"):
                c.note("testssl %s: %s %s%s" % (key, severity, finding,
                                                "" if key in bad else " (not counted)"))
        c.equal("testssl: MEDIUM/HIGH/CRITICAL findings on the TLS setup",
                ", ".join(bad) or "none", "none")
