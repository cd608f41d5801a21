"""Permissions and roles in the users file (upstream Ganeti's role-based access
control, which rapid reads; see docs/operator-guide.md) on the real cluster: an
@operator starts, reboots and stops an instance but may not create or remove one
or migrate a node; a "@readonly,+jobs.cancel" user cancels a job and writes
nothing else; a user edited from @admin to @readonly loses write access within a
second, by inotify and by SIGHUP.

rapid runs with a users file of its own (in a temporary directory); the real
ganeti-rapi and its users file are not touched. The one cluster change, inst3
started and rebooted, is undone (it is stopped again, as the fixture has it).

Run: /usr/bin/python3 -m unittest -v test_permissions   (in tests/e2e)
"""

import os
import shutil
import signal
import tempfile
import time
import unittest

import harness
from harness import INST1, INST3, NODE

USERS = """\
admin adminpass write
ops opspass @operator
mon monpass @readonly,+jobs.cancel
flip flippass @admin
"""
ADMIN = ("admin", "adminpass")
OPS = ("ops", "opspass")
MON = ("mon", "monpass")
FLIP = ("flip", "flippass")
FINAL = ("success", "error", "canceled")

_DIR = None


def write_users(path, text):
    # In place: the close after writing is what the watcher reacts to.
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def setUpModule():
    global _DIR
    harness.require_sandbox()
    _DIR = tempfile.mkdtemp(prefix="rapid-e2e-perm-")
    write_users(os.path.join(_DIR, "users"), USERS)
    harness.start_module_rapid(extra_args=["--users-file", os.path.join(_DIR, "users")])


def tearDownModule():
    try:
        harness.stop_module_rapid()
    finally:
        shutil.rmtree(_DIR, ignore_errors=True)


class PermissionsTestCase(harness.E2ETestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The real daemon's 403, to a read user's write.
        real = cls.real.request("PUT", "/2/redistribute-config", user="reader")
        if real.status != 403:
            raise AssertionError("the real daemon: %r" % real)
        cls.forbidden_body = real.body

    def assertForbidden(self, method, path, user, body=None):
        """rapid refuses with 3.0's 403, byte for byte (naming no permission)."""
        resp = self.rapid.request(method, path, body=body, user=user)
        self.assertEqual((resp.status, resp.body), (403, self.forbidden_body),
                         "%s %s as %s: %r" % (method, path, user[0], resp))

    def instance_status(self, name):
        return dict(harness.gnt_table("gnt-instance", "list", "-o", "name,status"))[name]


class Operator(PermissionsTestCase):

    def test_runs_instances(self):
        self.assertEqual(self.instance_status(INST3), "ADMIN_down", "the fixture changed")
        try:
            self.rapid.run_job("PUT", "/2/instances/%s/startup" % INST3, user=OPS)
            self.assertEqual(self.instance_status(INST3), "running")
            job = self.rapid.run_job("POST", "/2/instances/%s/reboot?type=hard" % INST3, user=OPS)
            self.assertEqual(job["ops"][0]["OP_ID"], "OP_INSTANCE_REBOOT")
            console = self.rapid.request("GET", "/2/instances/%s/console" % INST3, user=OPS)
            self.assertEqual(console.status, 200, console)
            self.rapid.run_job("PUT", "/2/instances/%s/shutdown" % INST3, body={"timeout": 10},
                               user=OPS)
            self.assertEqual(self.instance_status(INST3), "ADMIN_down")
        finally:
            if self.instance_status(INST3) != "ADMIN_down":
                self.rapid.run_job("PUT", "/2/instances/%s/shutdown" % INST3,
                                   body={"timeout": 10}, user=ADMIN)

    def test_creates_removes_migrates_nothing(self):
        create = {"__version__": 1, "mode": "create", "name": "perm-e2e.example.com",
                  "disk_template": "diskless", "disks": [], "nics": [{}], "os": "noop",
                  "pnode": NODE, "name_check": False, "ip_check": False, "dry_run": True}
        self.assertForbidden("POST", "/2/instances", OPS, body=create)
        self.assertForbidden("DELETE", "/2/instances/%s?dry-run=1" % INST3, OPS)
        self.assertForbidden("POST", "/2/nodes/%s/migrate?dry-run=1" % NODE, OPS)
        self.assertForbidden("PUT", "/2/instances/%s/modify?dry-run=1" % INST1, OPS, body={})
        self.assertIn(INST3, [i["id"] for i in self.rapid.json("GET", "/2/instances",
                                                               user=OPS)])


class ReadonlyPlusCancel(PermissionsTestCase):

    def test_cancels_a_job(self):
        with harness.Luxi() as luxi:
            blocker = luxi.delay_job(10.0)
            job = luxi.delay_job(0.1, depends=[[blocker, []]])
            try:
                resp = self.rapid.request("DELETE", "/2/jobs/%d" % job, user=MON)
                self.assertEqual(resp.status, 200, resp)
                self.assertEqual(resp.data[0], True, resp)
                self.assertEqual(luxi.wait_status(job, FINAL), "canceled")
                self.assertEqual(self.rapid.json("GET", "/2/jobs/%d" % job, user=MON)["status"],
                                 "canceled")
            finally:
                luxi.call("CancelJob", job, False)
                luxi.call("CancelJob", blocker, False)
                luxi.wait_status(blocker, FINAL)

    def test_writes_nothing_else(self):
        for method, path, body in [
                ("PUT", "/2/instances/%s/startup?dry-run=1" % INST3, None),
                ("POST", "/2/instances/%s/reboot?dry-run=1" % INST1, None),
                ("PUT", "/2/instances/%s/shutdown?dry-run=1" % INST1, None),
                ("DELETE", "/2/instances/%s?dry-run=1" % INST3, None),
                ("PUT", "/2/tags?tag=perm-e2e&dry-run=1", None),
                ("DELETE", "/2/instances/%s/tags?tag=env:test&dry-run=1" % INST1, None),
                ("PUT", "/2/nodes/%s/role?dry-run=1" % NODE, "regular"),
                ("GET", "/2/nodes/%s/storage?storage_type=file" % NODE, None),
                ("PUT", "/2/redistribute-config?dry-run=1", None),
                ("PUT", "/2/modify?dry-run=1", {}),
                ("POST", "/2/groups?dry-run=1", {"name": "perm-e2e"}),
                ("POST", "/2/filters", {"priority": 1, "predicates": [], "action": "ACCEPT"}),
                ("GET", "/2/jobs/1/wait", {"fields": ["status"]}),
                ("GET", "/2/instances/%s/console" % INST1, None)]:
            with self.subTest(method=method, path=path):
                self.assertForbidden(method, path, MON, body=body)
        # It reads what @readonly reads.
        self.assertEqual(self.rapid.request("GET", "/2/info", user=MON).status, 200)
        self.assertEqual(self.rapid.request("GET", "/2/query/instance?fields=name",
                                            user=MON).status, 200)


def forbidden_within(endpoint, user, seconds):
    """Polls a dry-run write until it is refused; the time it took, or None."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if endpoint.request("PUT", "/2/tags?tag=perm-e2e&dry-run=1", user=user).status == 403:
            return time.monotonic() - start
        time.sleep(0.02)
    return None


class Reload(PermissionsTestCase):

    def test_admin_to_readonly_by_inotify(self):
        users = os.path.join(_DIR, "users")
        try:
            self.rapid.run_job("PUT", "/2/tags?tag=perm-e2e&dry-run=1", user=FLIP)
            write_users(users, USERS.replace("flip flippass @admin", "flip flippass @readonly"))
            took = forbidden_within(self.rapid, FLIP, 1.0)
            self.assertIsNotNone(took, "flip still writes 1 s after the edit")
            self.assertEqual(self.rapid.request("GET", "/2/info", user=FLIP).status, 200)
        finally:
            write_users(users, USERS)

    def test_admin_to_readonly_by_sighup(self):
        # A symlinked users file: rapid's watcher sees the link, not edits of its
        # target, so only SIGHUP brings the edit in.
        directory = tempfile.mkdtemp(prefix="rapid-e2e-perm-hup-")
        target = os.path.join(directory, "real-users")
        link = os.path.join(directory, "users")
        # admin follows the jobs (harness.Endpoint.wait_job).
        write_users(target, "admin adminpass write\nflip flippass @admin\n")
        os.symlink(target, link)
        proc = harness.RapidProcess(extra_args=["--users-file", link]).start()
        try:
            endpoint = proc.endpoint
            resp = endpoint.request("PUT", "/2/tags?tag=perm-e2e&dry-run=1", user=FLIP)
            self.assertEqual(resp.status, 200, resp)
            endpoint.wait_job(resp.data)
            write_users(target, "admin adminpass write\nflip flippass @readonly\n")
            time.sleep(0.3)
            resp = endpoint.request("PUT", "/2/tags?tag=perm-e2e&dry-run=1", user=FLIP)
            self.assertEqual(resp.status, 200, "the edit was seen without SIGHUP: %r" % resp)
            endpoint.wait_job(resp.data)
            proc.proc.send_signal(signal.SIGHUP)
            took = forbidden_within(endpoint, FLIP, 1.0)
            self.assertIsNotNone(took, "flip still writes 1 s after SIGHUP:\n" + proc.logs())
        finally:
            status = proc.stop()
            logs = proc.logs()
            shutil.rmtree(proc.tmpdir, ignore_errors=True)
            shutil.rmtree(directory, ignore_errors=True)
        self.assertEqual(status, 0, logs)


if __name__ == "__main__":
    unittest.main()
