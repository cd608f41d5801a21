"""rapid's Debian package as a drop-in for ganeti-rapi, on the sandbox cluster.

Installs the .deb that scripts/build-package made (CTest runs that first, as the
fixture test package.build; $RAPID_PACKAGE_DIR says where it is) on the sandbox
node, then drives the RAPI daemon with Ganeti's own tools inside the sandbox's
namespaces: daemon-util, a reinstall of the ganeti package, log rotation,
gnt-cluster renew-crypto, ganeti-watcher and Ganeti's Python RAPI client. After
each step the process serving port 5080 in the netns must be rapid
(/proc/PID/exe is /usr/sbin/rapid, its name ganeti-rapi, user gnt-rapi). Last,
the package is purged and the original Python daemon must serve again with no
diversion left.

Whatever happens, tearDown leaves the cluster as it was: package purged,
diversion removed, RAPI certificate and log file back, the watcher's files
removed if this test created them, the original daemon running.

Run as root with the sandbox up (scripts/ganeti-sandbox up), after
scripts/build-package:  /usr/bin/python3 -m unittest -v test_dropin
"""

import fnmatch
import glob
import json
import os
import re
import shutil
import ssl
import subprocess
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SANDBOX = os.path.join(REPO, "scripts", "ganeti-sandbox")
PACKAGE_DIR = os.environ.get("RAPID_PACKAGE_DIR", os.path.join(REPO, "build-package"))

# The test's own notes, for a run killed before its tearDown.
STATE_FILE = os.path.join(PACKAGE_DIR, "dropin-test.leftovers.json")
CERT_BACKUP = os.path.join(PACKAGE_DIR, "dropin-test.rapi.pem")

DAEMON_UTIL = "/usr/lib/ganeti/daemon-util"
GANETI_RAPI = "/usr/sbin/ganeti-rapi"
DIVERTED = "/usr/sbin/ganeti-rapi.distrib"
RAPID = "/usr/sbin/rapid"
PID_FILE = "/run/ganeti/ganeti-rapi.pid"
LOG_FILE = "/var/log/ganeti/rapi-daemon.log"
MOVED_LOG = LOG_FILE + ".dropin-test"
AUDIT_LOG = "/var/log/ganeti/rapi-audit.log"
GANETI_LOGROTATE = "/etc/logrotate.d/ganeti"
CERT_FILE = "/var/lib/ganeti/rapi.pem"
DROPIN = "/lib/systemd/system/ganeti-rapi.service.d/rapid.conf"
CLUSTER = "cluster.example.com"
INSTANCES = {"inst1.example.com", "inst2.example.com", "inst3.example.com"}
# What ganeti-watcher and renew-crypto leave behind; removed again if new.
LEFTOVER_GLOBS = ("/var/lib/ganeti/watcher.*", "/run/ganeti/instance-status",
                  "/var/log/ganeti/watcher.log", "/var/lock/ganeti-watcher.lock",
                  CERT_FILE + ".backup-*")
STALE_PID_FILE = "non-root pidfile /var/run/ganeti/ganeti-rapi.pid is insecure"
APT = ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "-y", "-q",
       "-o", "DPkg::Lock::Timeout=120"]


def run(argv, check=True, timeout=120):
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError("%s failed (%d):\n%s%s" % (
            " ".join(argv), proc.returncode, proc.stdout, proc.stderr))
    return proc


def node(*argv, check=True, timeout=120):
    """Runs a command on the node: the sandbox's netns and UTS namespace."""
    return run([SANDBOX, "exec", *argv], check=check, timeout=timeout)


def daemon_util(*args, check=True):
    return node(DAEMON_UTIL, *args, check=check)


def gnt_rapi_uid():
    return int(run(["id", "-u", "gnt-rapi"]).stdout)


def package_status():
    proc = run(["dpkg-query", "-W", "-f=${Status}", "rapid"], check=False)
    return proc.stdout if proc.returncode == 0 else "not-installed"


def rapi_diversions():
    return [line for line in run(["dpkg-divert", "--list"]).stdout.splitlines()
            if GANETI_RAPI in line]


def leftover_files():
    """The files of LEFTOVER_GLOBS there now."""
    return {p for g in LEFTOVER_GLOBS for p in glob.glob(g)}


def reaped(pid):
    return not os.path.exists("/proc/%d" % pid)


def alive(pid):
    """True for a live process (a zombie counts as gone: PID 1 here reaps late)."""
    try:
        with open("/proc/%d/stat" % pid) as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def read_text(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def pid_from_file():
    try:
        with open(PID_FILE) as f:
            return int(f.read().strip() or 0)
    except (OSError, ValueError):
        return 0


def listeners():
    """{pid: comm} of the processes listening on TCP port 5080 in the netns."""
    out = node("ss", "-ltnpH", "sport = :5080").stdout
    return {int(pid): comm for comm, pid in re.findall(r'\("([^"]+)",pid=(\d+)', out)}, out


def served_certificate():
    """DER of the certificate served on 127.0.0.1:5080 inside the netns."""
    pem = node("/usr/bin/python3", "-c",
               "import ssl; print(ssl.get_server_certificate(('127.0.0.1', 5080)))").stdout
    return ssl.PEM_cert_to_DER_cert(pem)


def file_certificate():
    with open(CERT_FILE) as f:
        pem = re.search(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----",
                        f.read(), re.S).group(0)
    return ssl.PEM_cert_to_DER_cert(pem)


CLIENT_SCRIPT = """
import json
from ganeti.rapi import client
c = client.GanetiRapiClient("127.0.0.1", port=5080, username="admin", password="adminpass")
print(json.dumps({"version": c.GetVersion(), "info": c.GetInfo(),
                  "instances": c.GetInstances()}))
"""


class DropInTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise AssertionError("run as root: the test installs a package")
        debs = sorted(glob.glob(os.path.join(PACKAGE_DIR, "rapid_*.deb")))
        if len(debs) != 1:
            raise AssertionError("expected one rapid_*.deb in %s (run scripts/build-package): %s"
                                 % (PACKAGE_DIR, debs))
        cls.deb = debs[0]
        status = run([SANDBOX, "status"], check=False)
        if status.returncode != 0:
            raise AssertionError("the sandbox is not up (scripts/ganeti-sandbox up):\n"
                                 + status.stdout + status.stderr)

    def setUp(self):
        self.addCleanup(self.restore)
        # What was there before: kept from the run that wrote it if that run was
        # killed before its tearDown (a CTest timeout), so its leftovers go too.
        if os.path.exists(STATE_FILE):
            with open(STATE_FILE) as f:
                self.leftovers = set(json.load(f))
        else:
            self.leftovers = leftover_files()
            with open(STATE_FILE, "w") as f:
                json.dump(sorted(self.leftovers), f)
        self.moved_log = MOVED_LOG
        self.restore_log()
        if os.path.exists(CERT_BACKUP):
            self.restore_certificate()
        shutil.copy2(CERT_FILE, CERT_BACKUP)
        # ... and perhaps the package, the diversion, a killed daemon.
        installed = package_status() != "not-installed"
        if installed or rapi_diversions():
            if installed:
                self.purge()
            self.remove_diversion()
            self.restart_original()
        self.assertEqual(rapi_diversions(), [], "a diversion of ganeti-rapi is left over")
        self.assert_original_serves()

    # --- what serves port 5080 ----------------------------------------------------

    def serving(self, timeout=15):
        """(pid, comm, exe) of the daemon whose pid file names a listener on 5080."""
        deadline = time.monotonic() + timeout
        while True:
            found, out = listeners()
            pid = pid_from_file()
            if pid in found and alive(pid):
                return pid, found[pid], os.readlink("/proc/%d/exe" % pid)
            if time.monotonic() > deadline:
                raise AssertionError("no daemon of %s (pid %s) listens on 5080 in the netns: %r"
                                     % (PID_FILE, pid, out))
            time.sleep(0.2)

    def assert_rapid_serves(self, step):
        pid, comm, exe = self.serving()
        self.assertEqual((comm, exe), ("ganeti-rapi", RAPID), "after %s: pid %d" % (step, pid))
        with open("/proc/%d/status" % pid) as status:
            uid = re.search(r"^Uid:\s+(\d+)", status.read(), re.M).group(1)
        self.assertEqual(gnt_rapi_uid(), int(uid), "after %s: rapid runs as uid %s" % (step, uid))
        self.assertEqual(daemon_util("check", "ganeti-rapi", check=False).returncode, 0,
                         "after %s: daemon-util check ganeti-rapi fails" % step)
        return pid

    def assert_original_serves(self):
        _, comm, exe = self.serving()
        self.assertEqual(comm, "ganeti-rapi")
        self.assertTrue(re.fullmatch(r"/usr/bin/python3(\.\d+)?", exe),
                        "the original ganeti-rapi should serve, not %s" % exe)

    def assert_nothing_serves(self, step):
        found, out = listeners()
        self.assertEqual(found, {}, "after %s something still listens: %r" % (step, out))

    def wait_for_luxid(self):
        deadline = time.monotonic() + 60
        while run([SANDBOX, "status"], check=False).returncode != 0:
            self.assertLess(time.monotonic(), deadline, "luxid does not answer")
            time.sleep(0.5)

    # --- the steps ---------------------------------------------------------------------

    def test_dropin(self):
        started = time.monotonic()
        for step in (self.install, self.reinstall_ganeti, self.start_stop, self.master_role,
                     self.log_rotation, self.audit_log_rotation, self.renew_rapi_certificate,
                     self.watcher,
                     self.python_client, self.purge_brings_the_original_back):
            t0 = time.monotonic()
            step()
            print("%-32s %5.1f s" % (step.__name__, time.monotonic() - t0), flush=True)
        print("total %.1f s" % (time.monotonic() - started), flush=True)

    def install(self):
        # An audit log left by a rapid run by hand as root: postinst gives it
        # to gnt-rapi (the audit step below then writes it).
        if not os.path.exists(AUDIT_LOG):
            with open(AUDIT_LOG, "a"):
                pass
        os.chown(AUDIT_LOG, 0, 0)
        node(*APT, "install", self.deb, timeout=300)
        self.assertEqual(os.stat(AUDIT_LOG).st_uid, gnt_rapi_uid(),
                         "postinst left %s to another owner than gnt-rapi" % AUDIT_LOG)
        self.assertIn("install ok installed", package_status())
        self.assertEqual(rapi_diversions(),
                         ["diversion of %s to %s by rapid" % (GANETI_RAPI, DIVERTED)])
        self.assertEqual(os.readlink(GANETI_RAPI), "rapid")
        self.assertTrue(os.readlink(DIVERTED).endswith("/ganeti-rapi"))
        files = set(run(["dpkg-query", "-L", "rapid"]).stdout.split())
        for path in ("/usr/share/man/man8/rapid.8.gz", DROPIN,
                     "/usr/share/doc/rapid/examples/rapid.conf",
                     "/usr/share/doc/rapid/operator-guide.md.gz"):
            self.assertIn(path, files)
        self.assertEqual([p for p in files if p.startswith("/etc/")], [],
                         "the package puts nothing into /etc")
        self.assertIn("Type=notify", read_text(DROPIN))
        # The original ran, so postinst restarted the daemon: now rapid.
        self.assert_rapid_serves("install")
        self.assertIn("127.0.0.1:5080", listeners()[1], "RAPI_ARGS' -b 127.0.0.1 ignored")

    def reinstall_ganeti(self):
        """An upgrade of the package that owns /usr/sbin/ganeti-rapi keeps rapid in place."""
        node(*APT, "install", "--reinstall", "ganeti", timeout=300)
        self.assertEqual(os.readlink(GANETI_RAPI), "rapid")
        self.assertTrue(os.readlink(DIVERTED).endswith("/ganeti-rapi"))
        self.assert_rapid_serves("apt-get install --reinstall ganeti")

    def start_stop(self):
        daemon_util("stop", "ganeti-rapi")
        self.assertNotEqual(daemon_util("check", "ganeti-rapi", check=False).returncode, 0)
        self.assert_nothing_serves("daemon-util stop ganeti-rapi")
        # A pid file left behind would make the next start fail (start-stop-daemon
        # refuses a non-root pid file as the only match).
        self.assertFalse(os.path.exists(PID_FILE), "rapid left its pid file behind")
        daemon_util("start", "ganeti-rapi")
        self.assert_rapid_serves("daemon-util start ganeti-rapi")

    def master_role(self):
        daemon_util("stop-master")
        self.assert_nothing_serves("daemon-util stop-master")
        daemon_util("start-master")
        self.wait_for_luxid()
        self.assert_rapid_serves("daemon-util start-master")

    def log_rotation(self):
        """rotate-all-logs sends SIGHUP (what logrotate's postrotate runs)."""
        pid = self.assert_rapid_serves("log rotation")
        self.moved_log = MOVED_LOG
        os.rename(LOG_FILE, self.moved_log)
        daemon_util("rotate-all-logs")
        marker = "dropin-%d" % os.getpid()
        deadline = time.monotonic() + 10
        while True:
            node("curl", "-sk", "-o", "/dev/null", "https://127.0.0.1:5080/version?" + marker)
            if marker in read_text(LOG_FILE):
                break
            self.assertLess(time.monotonic(), deadline,
                            "the request after rotate-all-logs is not in a new %s" % LOG_FILE)
            time.sleep(0.3)
        self.assertNotIn(marker, read_text(self.moved_log))
        self.assertEqual(self.assert_rapid_serves("rotate-all-logs"), pid)
        self.restore_log()

    def audit_log_rotation(self):
        """The audit log is on by default, Ganeti's logrotate rule covers it, and
        rotate-all-logs reopens it (docs/audit-log.md). A refused write (no
        credentials) gives a line and changes nothing."""
        with open(GANETI_LOGROTATE) as f:
            patterns = re.findall(r"^(/\S+)\s*\{", f.read(), re.M)
        self.assertTrue(any(fnmatch.fnmatch(AUDIT_LOG, p) for p in patterns),
                        "%s rotates %r, not %s" % (GANETI_LOGROTATE, patterns, AUDIT_LOG))
        pid = self.assert_rapid_serves("audit log rotation")
        marker = "/2/instances/dropin-audit-%d" % os.getpid()

        def refused_write(path):
            node("curl", "-sk", "-o", "/dev/null", "-X", "DELETE", "https://127.0.0.1:5080" + path)

        refused_write(marker)
        self.assertIn('"path":"%s","outcome":"refused","status":401' % marker,
                      read_text(AUDIT_LOG))
        moved = AUDIT_LOG + ".dropin-test"
        os.rename(AUDIT_LOG, moved)
        try:
            daemon_util("rotate-all-logs")
            deadline = time.monotonic() + 10
            while True:
                refused_write(marker + "-rotated")
                if marker + "-rotated" in read_text(AUDIT_LOG):
                    break
                self.assertLess(time.monotonic(), deadline,
                                "no line after rotate-all-logs in a new %s" % AUDIT_LOG)
                time.sleep(0.3)
            self.assertNotIn(marker + "-rotated", read_text(moved))
        finally:
            # Back as it was: the lines of both files in the original one.
            if os.path.exists(AUDIT_LOG):
                with open(AUDIT_LOG, "rb") as new, open(moved, "ab") as old:
                    shutil.copyfileobj(new, old)
            os.rename(moved, AUDIT_LOG)
            daemon_util("rotate-logs", "ganeti-rapi", check=False)
        self.assertEqual(self.assert_rapid_serves("audit log rotation"), pid)

    def renew_rapi_certificate(self):
        old = file_certificate()
        self.assertEqual(served_certificate(), old)
        node("gnt-cluster", "renew-crypto", "--new-rapi-certificate", "-f", timeout=300)
        self.wait_for_luxid()
        self.assert_rapid_serves("gnt-cluster renew-crypto")
        new = file_certificate()
        self.assertNotEqual(new, old, "renew-crypto did not replace %s" % CERT_FILE)
        self.assertEqual(served_certificate(), new, "rapid serves the old certificate")
        # Put the cluster's certificate back; a restart picks it up.
        self.restore_certificate()
        self.assertEqual(served_certificate(), old)
        self.assert_rapid_serves("restoring the certificate")

    def run_watcher(self):
        # --ignore-pause: a paused watcher does nothing; --no-verify-disks and a long
        # job age: no jobs submitted, none archived.
        proc = node("ganeti-watcher", "-d", "--ignore-pause", "--no-verify-disks",
                    "--job-age=520w", check=False, timeout=180)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        return proc.stdout + proc.stderr

    def watcher(self):
        pid = self.assert_rapid_serves("watcher")
        out = self.run_watcher()
        self.assertIn("Successfully talked to remote API", out)
        self.assertNotIn("Couldn't get answer from remote API", out)
        self.assertEqual(self.assert_rapid_serves("ganeti-watcher"), pid,
                         "the watcher restarted a healthy rapid")

        os.kill(pid, 9)
        # Until PID 1 reaps it, daemon-util check takes the zombie for a live daemon.
        deadline = time.monotonic() + 10
        while not reaped(pid):
            if time.monotonic() > deadline:
                self.assertFalse(alive(pid), "rapid survived SIGKILL")
                break
            time.sleep(0.1)
        out = self.run_watcher()
        if not listeners()[0] and STALE_PID_FILE in out:
            # Debian 12's daemon-util starts a daemon matching its pid file only, and
            # start-stop-daemon refuses a stale non-root one: after a SIGKILL the
            # watcher cannot restart the original ganeti-rapi either (ganeti/ganeti
            # issue 1623). A reboot clears /run; here the test removes the file.
            print("watcher: the stale pid file blocked the restart (ganeti issue 1623),"
                  " removed it", flush=True)
            os.unlink(PID_FILE)
            out = self.run_watcher()
        self.assertIn("daemon-util check-and-start ganeti-rapi", out)
        self.assertNotIn("Can't start daemon 'ganeti-rapi'", out)
        self.assertIn("Successfully talked to remote API", out)
        self.assertNotEqual(self.assert_rapid_serves("ganeti-watcher after kill -9"), pid)

    def python_client(self):
        pid = self.assert_rapid_serves("Python client")
        out = node("env", "PYTHONPATH=/usr/share/ganeti/3.0", "/usr/bin/python3", "-c",
                   CLIENT_SCRIPT).stdout
        answers = json.loads(out)
        self.assertEqual(answers["version"], 2)
        self.assertEqual(answers["info"]["name"], CLUSTER)
        self.assertEqual(answers["info"]["software_version"], "3.0.2")
        self.assertTrue(INSTANCES <= set(answers["instances"]), answers["instances"])
        self.assertEqual(self.assert_rapid_serves("Python client"), pid)

    def purge_brings_the_original_back(self):
        self.purge()
        self.assertEqual(package_status(), "not-installed")
        self.assertEqual(rapi_diversions(), [])
        self.assertFalse(os.path.lexists(DIVERTED))
        self.assertTrue(os.readlink(GANETI_RAPI).endswith("/ganeti-rapi"))
        self.assert_original_serves()

    # --- restoring ----------------------------------------------------------------------

    def purge(self):
        node(*APT, "purge", "rapid", timeout=300)

    def restore_log(self):
        if self.moved_log and os.path.exists(self.moved_log):
            if os.path.exists(LOG_FILE):
                with open(LOG_FILE, "rb") as new, open(self.moved_log, "ab") as old:
                    shutil.copyfileobj(new, old)
            os.rename(self.moved_log, LOG_FILE)
            daemon_util("rotate-logs", "ganeti-rapi", check=False)
        self.moved_log = None

    def restore_certificate(self):
        with open(CERT_FILE, "rb") as now, open(CERT_BACKUP, "rb") as saved:
            if now.read() == saved.read():
                return
        shutil.copy2(CERT_BACKUP, CERT_FILE)
        if daemon_util("check", "ganeti-rapi", check=False).returncode == 0:
            daemon_util("stop", "ganeti-rapi", check=False)
            daemon_util("start", "ganeti-rapi", check=False)

    def restore(self):
        """Best effort, every part on its own: the cluster as it was before the test."""
        steps = [self.restore_log, self.restore_certificate]
        if package_status() != "not-installed":
            steps.append(self.purge)
        steps.append(self.remove_diversion)
        steps.append(self.restart_original)
        steps.append(self.remove_leftovers)
        errors = []
        for step in steps:
            try:
                step()
            except Exception as err:  # pylint: disable=broad-except
                errors.append("%s: %s" % (step.__name__, err))
        if errors:  # the next run tries again with what was saved
            raise AssertionError("restoring the sandbox failed:\n" + "\n".join(errors))
        os.unlink(CERT_BACKUP)
        os.unlink(STATE_FILE)

    def remove_diversion(self):
        if rapi_diversions():
            if os.path.islink(GANETI_RAPI) and os.readlink(GANETI_RAPI) == "rapid":
                os.unlink(GANETI_RAPI)
            run(["dpkg-divert", "--package", "rapid", "--remove", "--rename",
                 "--divert", DIVERTED, GANETI_RAPI])

    def restart_original(self):
        pid = pid_from_file()
        try:
            serving = os.readlink("/proc/%d/exe" % pid) if pid and alive(pid) else None
        except OSError:
            serving = None
        if serving == RAPID:
            daemon_util("stop", "ganeti-rapi", check=False)
        if not (pid and alive(pid)) and os.path.exists(PID_FILE):
            os.unlink(PID_FILE)     # stale: it would block daemon-util start
        # Starts whatever daemon is missing (stale pid files first), luxid included.
        run([SANDBOX, "up"], timeout=300)
        self.assert_original_serves()

    def remove_leftovers(self):
        for path in leftover_files() - self.leftovers:
            os.unlink(path)


if __name__ == "__main__":
    unittest.main()
