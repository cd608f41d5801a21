"""The audit log of writes (docs/audit-log.md) on the sandbox cluster: rapid runs with
--audit-log in its temporary directory (harness.RapidProcess); every write through it
gives exactly one JSON line with the user, the method, the path and the job id rapid
answered; refused writes are logged as refused; secrets never reach the file.

Every change is undone (tags removed, the filter deleted, the modification a dry run).

Run: /usr/bin/python3 -m unittest -v test_audit   (in tests/e2e)
"""

import json
import os
import time

import harness
from harness import INST1

RUN = "%x%x" % (os.getpid() % 0x1000, int(time.time() * 10) % 0x10000)


def setUpModule():
    harness.start_module_rapid()


def tearDownModule():
    harness.stop_module_rapid()


class AuditTestCase(harness.E2ETestCase):

    def lines(self):
        path = self.rapid_process.audit_log_file
        if not os.path.exists(path):
            return []
        with open(path, encoding="ascii") as f:
            text = f.read()
        self.assertTrue(text == "" or text.endswith("\n"), "a partial last line")
        return [json.loads(line) for line in text.splitlines()]

    def one_new_line(self, before, method, path, user="admin", outcome="submitted",
                     status=200):
        new = self.lines()[before:]
        self.assertEqual(len(new), 1, "%s %s: expected one audit line, got %r" % (
            method, path, new))
        line = new[0]
        self.assertEqual(list(line), ["time", "peer", "user", "method", "path", "outcome",
                                      "status", "opcodes", "job_id", "filter", "error"])
        self.assertRegex(line["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertTrue(line["peer"].startswith("127.0.0.1:"), line)
        self.assertEqual((line["user"], line["method"], line["path"], line["outcome"],
                          line["status"]), (user, method, path, outcome, status), line)
        return line


class Writes(AuditTestCase):

    def write(self, method, path, body=None):
        """A job through rapid: its one line, with the job id rapid answered."""
        before = len(self.lines())
        job = self.rapid.run_job(method, path, body=body)
        line = self.one_new_line(before, method, path)
        self.assertEqual(line["job_id"], job["id"], line)
        self.assertEqual([op["OP_ID"] for op in line["opcodes"]],
                         [op["OP_ID"] for op in job["ops"]], line)
        self.assertIsNone(line["error"])
        return line

    def test_jobs_give_one_line_each_with_their_job_id(self):
        tag = "e2e-audit-%s" % RUN
        path = "/2/instances/%s/tags" % INST1
        self.addCleanup(lambda: self.rapid.request("DELETE", "%s?tag=%s" % (path, tag)))
        line = self.write("PUT", "%s?tag=%s" % (path, tag))
        self.assertEqual(line["opcodes"], [{"OP_ID": "OP_TAGS_SET", "kind": "instance",
                                            "name": INST1}])
        self.write("DELETE", "%s?tag=%s" % (path, tag))
        self.assertNotIn(tag, self.rapid.json("GET", path))
        line = self.write("PUT", "/2/tags?tag=%s&dry-run=1" % tag)
        self.assertEqual(line["opcodes"], [{"OP_ID": "OP_TAGS_SET", "kind": "cluster"}])
        self.write("PUT", "/2/redistribute-config")
        line = self.write("PUT", "/2/instances/%s/startup?dry-run=1" % INST1)
        self.assertEqual(line["opcodes"][0]["instance_name"], INST1)

    def test_cancel_names_the_job(self):
        with harness.Luxi() as luxi:
            running = luxi.delay_job(2.0)
            queued = luxi.delay_job(0.1, depends=[[running, []]])
            try:
                before = len(self.lines())
                answer = self.rapid.json("DELETE", "/2/jobs/%d" % queued)
                self.assertEqual(answer, [True, "Dequeued job %d" % queued])
                line = self.one_new_line(before, "DELETE", "/2/jobs/%d" % queued)
                self.assertEqual((line["job_id"], line["opcodes"]), (queued, []))
            finally:
                luxi.call("CancelJob", queued, False)
                luxi.wait_status(running, ("success", "error", "canceled"))

    def test_filter_add_and_delete_name_the_filter(self):
        before = len(self.lines())
        uuid = self.rapid.json("POST", "/2/filters", body={
            "priority": 999, "predicates": [], "action": "CONTINUE",
            "reason": [["e2e-audit", RUN, 0]]})
        self.addCleanup(lambda: self.rapid.request("DELETE", "/2/filters/%s" % uuid))
        line = self.one_new_line(before, "POST", "/2/filters")
        self.assertEqual((line["filter"], line["job_id"]), (uuid, None))
        before = len(self.lines())
        self.rapid.json("DELETE", "/2/filters/%s" % uuid)
        line = self.one_new_line(before, "DELETE", "/2/filters/%s" % uuid)
        self.assertEqual(line["filter"], uuid)

    def test_reads_give_no_line(self):
        before = len(self.lines())
        self.rapid.json("GET", "/2/info")
        self.rapid.json("GET", "/2/instances?bulk=1")
        self.rapid.json("PUT", "/2/query/node", body={"fields": ["name"]})
        self.assertEqual(self.lines()[before:], [])


class Refused(AuditTestCase):

    def test_refused_writes_are_logged_as_refused(self):
        path = "/2/instances/%s/tags?tag=e2e-audit-never" % INST1
        for user, status, logged_user in ((None, 401, None), ("badpass", 401, None),
                                          ("reader", 403, "reader")):
            before = len(self.lines())
            resp = self.rapid.request("PUT", path, user=user)
            self.assertEqual(resp.status, status)
            line = self.one_new_line(before, "PUT", path, user=logged_user, outcome="refused",
                                     status=status)
            self.assertIsNone(line["job_id"])
            self.assertIsInstance(line["error"], str)
        before = len(self.lines())
        resp = self.rapid.request("PUT", "/2/instances/%s/modify" % INST1, body=b"{nope")
        self.assertEqual(resp.status, 400)
        line = self.one_new_line(before, "PUT", "/2/instances/%s/modify" % INST1,
                                 outcome="refused", status=400)
        self.assertEqual(line["error"], "Unable to parse JSON data")


class Secrets(AuditTestCase):

    def test_private_values_and_passwords_never_appear(self):
        secret = "S3CRET-e2e-%s" % RUN
        # Modify ignores ?dry-run=1: a dry run only with "dry_run" in the body.
        path = "/2/instances/%s/modify" % INST1
        before = len(self.lines())
        job_id = self.rapid.json("PUT", path, body={
            "dry_run": True,
            "osparams_private": {"e2e_private": secret + "-p"}})
        self.rapid.wait_job(job_id)
        line = self.one_new_line(before, "PUT", path)
        self.assertEqual(line["job_id"], job_id)
        self.assertEqual(line["opcodes"], [{
            "OP_ID": "OP_INSTANCE_SET_PARAMS", "instance_name": INST1,
            "osparams_private": ["e2e_private"]}])
        # Refused, with secrets in the body: a user who may not, and a parameter the
        # opcode does not have.
        self.rapid.request("PUT", path, body={"dry_run": True, "bogus": 1,
                                              "osparams_private": {"e2e_private": secret}})
        self.rapid.request("PUT", path, user="reader",
                           body={"dry_run": True,
                                 "osparams_secret": {"e2e_secret": secret + "-r"}})
        with open(self.rapid_process.audit_log_file, encoding="ascii") as f:
            text = f.read()
        for needle in (secret, "adminpass", "readpass", "wrongpass", "Basic "):
            self.assertNotIn(needle, text)


if __name__ == "__main__":
    import unittest
    unittest.main()
