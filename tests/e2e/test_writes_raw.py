"""Writes and job handling through raw HTTP, where exact answers matter or the
Python client has no method: the /wait long poll, PUT /2/query, tags via ?tag=,
dry runs, job cancellation, twin writes on rapid and on the real daemon, and
the error bodies of refused writes (byte for byte).

Run: /usr/bin/python3 -m unittest -v test_writes_raw   (in tests/e2e)
"""

import os
import time
import unittest

import harness
from harness import INST1, INST2, INST3, NODE

RUN = "%x%x" % (os.getpid() % 0x1000, int(time.time() * 10) % 0x10000)


def setUpModule():
    harness.start_module_rapid()


def tearDownModule():
    harness.stop_module_rapid()


JOB_ID = (r"^\$\.id$",)
# Twin objects differ in their names, which the job summaries show.
TWIN = JOB_ID + (r"^\$\.summary\[0\]$",)
FINAL = ("success", "error", "canceled")


class RawTestCase(harness.E2ETestCase):

    def submit(self, endpoint, method, path, body=None):
        resp = endpoint.request(method, path, body=body)
        self.assertEqual(resp.status, 200, "%s: %s %s: %r" % (endpoint.label, method, path,
                                                             resp))
        self.assertRegex(resp.body.decode(), r"^\d+\n$")
        return resp.data

    def twin_jobs(self, method, path, body=None, volatile=(), expect="success"):
        """The same job-submitting request to both daemons; the jobs end alike."""
        jobs = []
        for endpoint in (self.rapid, self.real):
            job_id = self.submit(endpoint, method, path, body)
            jobs.append(endpoint.wait_job(job_id))
        rapid_job, real_job = jobs
        if expect is not None:
            self.assertEqual(rapid_job["status"], expect, rapid_job["opresult"])
        self.assertSameJson(rapid_job, real_job, "%s %s: the two jobs" % (method, path),
                            volatile=list(JOB_ID) + list(volatile))
        return rapid_job, real_job


class JobWait(RawTestCase):
    """GET /2/jobs/<id>/wait: long poll, previous_job_info and log serials."""

    def test_long_poll_returns_on_change(self):
        with harness.Luxi() as luxi:
            blocker = luxi.delay_job(2.0)
            job = luxi.delay_job(0.1, depends=[[blocker, []]])
            try:
                path = "/2/jobs/%d/wait" % job
                # Without previous_job_info the current values come at once.
                first = self.rapid.json("GET", path, body={
                    "fields": ["status", "opstatus"], "previous_job_info": None,
                    "previous_log_serial": None})
                self.assertEqual(first, {"job_info": ["queued", ["queued"]],
                                         "log_entries": []})
                # With the current values as previous_job_info it blocks until a change:
                # the queued job changes only once the blocker has ended.
                seen = [["queued", ["queued"]]]
                deadline = time.monotonic() + 30
                while seen[-1][0] not in FINAL:
                    blocker_before = luxi.job_status(blocker)
                    answer = self.rapid.json("GET", path, body={
                        "fields": ["status", "opstatus"], "previous_job_info": seen[-1],
                        "previous_log_serial": None})
                    self.assertEqual(list(answer), ["job_info", "log_entries"])
                    if answer["job_info"] != seen[-1]:
                        if len(seen) == 1:
                            self.assertIn(luxi.job_status(blocker), FINAL,
                                          "the wait returned before anything changed")
                            if blocker_before not in FINAL:
                                self.assertIn(blocker_before, ("queued", "running"))
                        seen.append(answer["job_info"])
                    self.assertLess(time.monotonic(), deadline, seen)
                self.assertEqual(seen[-1], ["success", ["success"]])
                self.assertLessEqual(len(seen), 4, seen)
            finally:
                luxi.call("CancelJob", job, False)
                luxi.wait_status(blocker, FINAL)

    def test_log_serials_equal_real(self):
        """On a finished job with log entries both daemons answer every wait alike."""
        jobs = self.real.json("GET", "/2/jobs?bulk=1")
        # An instance creation logs several messages (and the fixture made three).
        creates = [j["id"] for j in jobs if j["status"] == "success" and j["ops"]
                   and j["ops"][0]["OP_ID"] == "OP_INSTANCE_CREATE"
                   and not j["ops"][0].get("dry_run")]
        self.assertTrue(creates, "no finished OP_INSTANCE_CREATE job in the queue")
        path = "/2/jobs/%d/wait" % creates[-1]
        full = self.real.json("GET", path, body={"fields": ["status"]})
        serials = [entry[0] for entry in full["log_entries"]]
        self.assertGreater(len(serials), 1, full)
        bodies = [{"fields": ["status"]},
                  {"fields": ["status", "opstatus", "id"], "previous_job_info": None,
                   "previous_log_serial": None},
                  {"fields": ["status"], "previous_job_info": ["running"],
                   "previous_log_serial": 0},
                  {"fields": ["status"], "previous_job_info": ["success"],
                   "previous_log_serial": serials[0]},
                  {"fields": ["status"], "previous_job_info": ["success"],
                   "previous_log_serial": serials[-1]},
                  {"fields": [], "previous_log_serial": True},
                  {"fields": ["nosuchfield"]}]
        for body in bodies:
            with self.subTest(body=body):
                rapid, _ = self.compare("GET", path, body=body, raw=True)
                if "previous_log_serial" in body and isinstance(
                        body["previous_log_serial"], int) and not isinstance(
                            body["previous_log_serial"], bool):
                    self.assertTrue(all(e[0] > body["previous_log_serial"]
                                        for e in rapid.data["log_entries"]))


class QueryPut(RawTestCase):
    """PUT /2/query/<resource>: same answers as the real daemon."""

    CASES = [
        ("instance", "", {"fields": ["name", "status"], "qfilter": ["=", "name", INST1]}),
        ("instance", "", {"fields": ["name"], "filter": ["=~", "name", "inst[12]"]}),
        ("instance", "", {"fields": ["name"], "qfilter": ["=", "name", INST3],
                          "filter": ["=", "name", INST1]}),
        ("instance", "?fields=name,status", {}),
        ("instance", "?fields=name", {"fields": ["name", "os", "name"]}),
        ("instance", "", {"fields": ["name", "nosuch"], "qfilter": None}),
        ("node", "", {"fields": ["name", "master"], "qfilter": ["?", "master"]}),
        ("group", "", {"fields": ["name", "node_cnt"], "qfilter": ["=~", "name", ".*"]}),
        ("network", "", {"fields": ["name", "network"]}),
        ("job", "", {"fields": ["id", "status"], "qfilter": ["==", "id", 1]}),
        ("filter", "", {"fields": ["uuid"], "qfilter": ["=~", "uuid", ".*"]}),
        ("lock", "", {"fields": ["name"], "qfilter": ["=", "name", "nosuch"]}),
        ("instance", "", {"fields": ["name"], "qfilter": ["nosuch-op", "name"]}),
        ("instance", "", {"fields": "name"}),
        ("nosuch", "", {"fields": ["name"]}),
    ]

    def test_put_query(self):
        for resource, query, body in self.CASES:
            with self.subTest(resource=resource, query=query, body=body):
                self.compare("PUT", "/2/query/%s%s" % (resource, query), body=body, raw=True)

    def test_put_query_reader(self):
        rapid, _ = self.compare("PUT", "/2/query/instance", user="reader", raw=True,
                                body={"fields": ["name"], "qfilter": ["=", "name", INST1]})
        self.assertEqual(rapid.data["data"], [[[0, INST1]]])


class TagsViaQuery(RawTestCase):
    """Tags come from ?tag= only; the body is ignored."""

    def test_instance_tags(self):
        tags = ["e2e-raw-%s-a" % RUN, "e2e-raw-%s-b" % RUN]
        path = "/2/instances/%s/tags" % INST1
        query = "?tag=%s&tag=%s" % tuple(tags)
        self.addCleanup(self._drop, path, tags)
        job = self.rapid.run_job("PUT", path + query, body=["e2e-ignored"])
        op = job["ops"][0]
        self.assertEqual((op["OP_ID"], op["kind"], op["name"], op["tags"], op["dry_run"]),
                         ("OP_TAGS_SET", "instance", INST1, tags, False))
        after = self.rapid.json("GET", path)
        self.assertTrue(set(tags) <= set(after), after)
        self.assertEqual(after, sorted(after))
        listed = harness.sandbox_exec("gnt-instance", "list-tags", INST1).split()
        self.assertTrue(set(tags) <= set(listed))
        self.assertNotIn("e2e-ignored", listed)
        job = self.rapid.run_job("DELETE", path + query)
        self.assertEqual(job["ops"][0]["OP_ID"], "OP_TAGS_DEL")
        self.assertFalse(set(tags) & set(self.rapid.json("GET", path)))
        self.assertFalse(set(tags) & set(
            harness.sandbox_exec("gnt-instance", "list-tags", INST1).split()))

    def test_twin_dry_run_tags_and_depends(self):
        """Same tag PUT (dry run, with depends in the body) on both: equal jobs."""
        finished = self.real.json("GET", "/2/jobs")[0]["id"]
        body = {"depends": [[finished, ["success", "error", "canceled"]]]}
        path = "/2/groups/group2/tags?tag=e2e-raw-%s&dry-run=1" % RUN
        rapid_job, _ = self.twin_jobs("PUT", path, body=body)
        op = rapid_job["ops"][0]
        self.assertEqual((op["kind"], op["name"], op["dry_run"], op["depends"]),
                         ("nodegroup", "group2", True, body["depends"]))
        self.assertEqual(self.rapid.json("GET", "/2/groups/group2/tags"),
                         self.real.json("GET", "/2/groups/group2/tags"))
        self.assertNotIn("e2e-raw-%s" % RUN, self.rapid.json("GET", "/2/groups/group2/tags"))

    def test_cluster_tags_empty_list(self):
        """No ?tag= at all: RAPI submits an OP_TAGS_SET with tags [] (both)."""
        self.twin_jobs("PUT", "/2/tags?dry-run=1")

    def _drop(self, path, tags):
        current = self.real.json("GET", path)
        present = [t for t in tags if t in current]
        if present:
            self.real.run_job("DELETE", path + "?" + "&".join("tag=" + t for t in present))


class DryRun(RawTestCase):
    """dry-run=1 submits a job that succeeds and changes nothing."""

    def test_group_create_dry_run(self):
        name = "e2e-raw-%s-dry" % RUN
        rapid_job, _ = self.twin_jobs("POST", "/2/groups?dry-run=1",
                                      body={"name": name, "alloc_policy": "preferred"})
        self.assertEqual((rapid_job["ops"][0]["group_name"], rapid_job["ops"][0]["dry_run"]),
                         (name, True))
        self.assertEqual(self.rapid.request("GET", "/2/groups/%s" % name).status, 404)
        self.assertNotIn(name, harness.sandbox_exec("gnt-group", "list", "-o", "name").split())

    def test_instance_create_dry_run(self):
        name = "e2e-raw-%s-dry.example.com" % RUN
        body = {"__version__": 1, "mode": "create", "name": name,
                "disk_template": "diskless", "disks": [], "nics": [{}], "os_type": "noop",
                "pnode": NODE, "name_check": False, "ip_check": False,
                "beparams": {"memory": 128, "vcpus": 1}}
        rapid_job, _ = self.twin_jobs("POST", "/2/instances?dry-run=1", body=body)
        op = rapid_job["ops"][0]
        self.assertEqual((op["instance_name"], op["dry_run"], op["os_type"]),
                         (name, True, "noop"))
        self.assertEqual(self.rapid.request("GET", "/2/instances/%s" % name).status, 404)

    def test_instance_actions_dry_run(self):
        self.twin_jobs("DELETE", "/2/instances/%s?dry-run=1" % INST3)
        self.twin_jobs("PUT", "/2/instances/%s/shutdown?dry-run=1" % INST1, body={"timeout": 5})
        self.twin_jobs("PUT", "/2/networks/net1/connect?dry-run=1",
                       body={"group_name": "group2", "network_mode": "bridged",
                             "network_link": "br0"})
        self.assertEqual(self.rapid.json("GET", "/2/instances/%s" % INST1)["status"], "running")
        self.assertIn(INST3, [i["id"] for i in self.rapid.json("GET", "/2/instances")])
        self.assertEqual(self.rapid.json("GET", "/2/networks/net1")["group_list"], [])
        rows = dict(harness.gnt_table("gnt-instance", "list", "-o", "name,status"))
        self.assertEqual((rows.get(INST1), rows.get(INST3)), ("running", "ADMIN_down"))


class CancelJobs(RawTestCase):
    """DELETE /2/jobs/<id>: luxid's [bool, message] verbatim."""

    def test_cancel_running_and_queued(self):
        with harness.Luxi() as luxi:
            running = luxi.delay_job(3.0)
            queued = luxi.delay_job(0.1, depends=[[running, []]])
            try:
                luxi.wait_status(running, ("running",))
                # A running job cannot be cancelled: both say so in the same words.
                rapid, real = self.compare("DELETE", "/2/jobs/%d" % running, raw=True)
                self.assertEqual(rapid.data, [False, "Job no longer waiting, can't cancel "
                                                     "(informed it anyway)"])
                self.assertEqual(self.rapid.json("GET", "/2/jobs/%d" % queued)["status"],
                                 "queued")
                rapid = self.rapid.request("DELETE", "/2/jobs/%d?dry-run=1" % queued)
                self.assertEqual((rapid.status, rapid.data),
                                 (200, [True, "Dequeued job %d" % queued]))
                self.assertHeaders(rapid, "DELETE /2/jobs/<queued>")
                job = self.rapid.json("GET", "/2/jobs/%d" % queued)
                self.assertEqual((job["status"], job["opstatus"], job["start_ts"]),
                                 ("canceled", ["canceled"], None))
                # Cancelling it again: both daemons answer alike.
                self.compare("DELETE", "/2/jobs/%d" % queued, raw=True)
                self.assertEqual(luxi.wait_status(running, FINAL), "success")
            finally:
                luxi.call("CancelJob", queued, False)
                luxi.wait_status(running, FINAL)
        self.compare("DELETE", "/2/jobs/999999", raw=True)
        self.compare("DELETE", "/2/jobs/%d" % running, raw=True)


class TwinWrites(RawTestCase):
    """The same real write through each daemon on twin objects."""

    def test_twin_groups(self):
        names = ["e2e-raw-%s-r" % RUN, "e2e-raw-%s-g" % RUN]
        for name in names:
            self.addCleanup(self._remove, "/2/groups/%s" % name)
        jobs = [endpoint.run_job("POST", "/2/groups", body={"name": name,
                                                            "alloc_policy": "last_resort"})
                for endpoint, name in zip((self.rapid, self.real), names)]
        self.assertSameJson(jobs[0], jobs[1], "POST /2/groups: the two jobs",
                            volatile=TWIN + (r"^\$\.ops\[0\]\.group_name$",))
        groups = [self.rapid.json("GET", "/2/groups/%s" % name) for name in names]
        self.assertSameJson(groups[0], groups[1], "the twin groups",
                            volatile=[r"^\$\.(name|uuid)$"])
        self.assertEqual(groups[0]["alloc_policy"], "last_resort")
        self.compare("GET", "/2/groups/%s" % names[0], raw=True)
        rows = harness.gnt_table("gnt-group", "list", "-o", "name,alloc_policy", *names)
        self.assertEqual(sorted(rows), sorted([[n, "last_resort"] for n in names]))
        # Rename and modify through rapid, delete through each.
        self.rapid.run_job("PUT", "/2/groups/%s/modify" % names[0],
                           body={"alloc_policy": "preferred"})
        self.assertEqual(self.real.json("GET", "/2/groups/%s" % names[0])["alloc_policy"],
                         "preferred")
        jobs = [endpoint.run_job("DELETE", "/2/groups/%s" % name)
                for endpoint, name in zip((self.rapid, self.real), names)]
        self.assertSameJson(jobs[0], jobs[1], "DELETE /2/groups/<name>: the two jobs",
                            volatile=TWIN + (r"^\$\.ops\[0\]\.group_name$",))
        for name in names:
            self.assertEqual(self.rapid.request("GET", "/2/groups/%s" % name).status, 404)

    def test_twin_instances(self):
        names = ["e2e-raw-%s-r.example.com" % RUN, "e2e-raw-%s-g.example.com" % RUN]
        for name in names:
            self.addCleanup(self._remove, "/2/instances/%s" % name)
        jobs = []
        for endpoint, name in zip((self.rapid, self.real), names):
            body = {"__version__": 1, "mode": "create", "instance_name": name,
                    "disk_template": "diskless", "disks": [], "nics": [{}],
                    "os_type": "noop", "pnode": NODE, "name_check": False,
                    "ip_check": False, "beparams": {"memory": 128, "vcpus": 1},
                    "tags": ["e2e"]}
            jobs.append(endpoint.run_job("POST", "/2/instances", body=body))
        created = (r"^\$\.ops\[0\]\.(instance_name)$",
                   r"^\$\.oplog\[0\]\[\d+\]\[3\]$")    # messages name the instance
        self.assertSameJson(jobs[0], jobs[1], "POST /2/instances: the two jobs",
                            volatile=TWIN + created)
        # The log serial semantics of /wait on rapid's own creation job.
        path = "/2/jobs/%d/wait" % jobs[0]["id"]
        full = self.rapid.json("GET", path, body={"fields": ["status"]})
        self.assertEqual(full["job_info"], ["success"])
        serials = [e[0] for e in full["log_entries"]]
        self.assertEqual(serials, list(range(1, len(serials) + 1)))
        rest = self.rapid.json("GET", path, body={"fields": ["status"],
                                                  "previous_job_info": ["running"],
                                                  "previous_log_serial": 1})
        self.assertEqual(rest["log_entries"], full["log_entries"][1:])
        self.compare("GET", path, body={"fields": ["status"], "previous_log_serial": 1},
                     raw=True)

        insts = [self.rapid.json("GET", "/2/instances/%s" % name) for name in names]
        self.assertSameJson(insts[0], insts[1], "the twin instances", volatile=[
            r"^\$\.(name|uuid|network_port)$", r"^\$\.nic\.(macs|uuids)\[\d+\]$"])
        self.assertEqual((insts[0]["status"], insts[0]["tags"]), ("running", ["e2e"]))
        rows = dict(harness.gnt_table("gnt-instance", "list", "-o", "name,status"))
        self.assertEqual([rows.get(n) for n in names], ["running", "running"])
        # The same startup request (its body is ignored) on both: equal jobs.
        self.twin_jobs("PUT", "/2/instances/%s/startup" % names[0], body={"bogus": 1})
        jobs = [endpoint.run_job("DELETE", "/2/instances/%s" % name)
                for endpoint, name in zip((self.rapid, self.real), names)]
        self.assertSameJson(jobs[0], jobs[1], "DELETE /2/instances/<name>: the two jobs",
                            volatile=TWIN + (r"^\$\.ops\[0\]\.instance_(name|uuid)$",))
        rows = dict(harness.gnt_table("gnt-instance", "list", "-o", "name,status"))
        self.assertFalse(set(names) & set(rows))

    def _remove(self, path):
        if self.real.request("GET", path).status == 200:
            self.real.run_job("DELETE", path, expect=None)


CREATE = {"mode": "create", "instance_name": "e2e-twin-never.example.com",
          "disk_template": "diskless", "disks": [], "nics": [{}], "os_type": "noop",
          "pnode": NODE, "name_check": False, "ip_check": False}

# Job-submitting writes that must leave the fixture as it is, whether the
# cluster is new or has seen earlier runs. Each entry says why it changes
# nothing, and the test checks that reason on the job itself:
#   DRY   every opcode has dry_run set (by ?dry-run=1, or in the body where
#         rlib2 does not pass the query argument on: node, group, instance
#         modify and the like ignore ?dry-run=1 in both daemons);
#   FAILS the job fails its prerequisites (a missing object, a layout the
#         sandbox does not have);
#   NOOP  the job runs for real but only does what is already done (listed
#         here one by one, each with its reason).
DRY, FAILS, NOOP = "dry run", "fails", "no-op"
TWIN_JOBS = [
    (DRY, "PUT", "/2/instances/nosuch.example.com/modify",
     {"dry_run": True, "beparams": {"vcpus": 1}, "hvparams": {"migration_mode": "live"},
      "nics": [["add", -1, {"link": "br0"}]], "disks": [["add", -1, {"size": "1g"}]]}),
    (FAILS, "PUT", "/2/instances/nosuch.example.com/modify?dry-run=1",
     {"beparams": {"vcpus": 1}}),
    (FAILS, "PUT", "/2/instances/nosuch.example.com/rename",
     {"new_name": "x.example.com", "name_check": False, "ip_check": False}),
    (FAILS, "POST", "/2/instances/nosuch.example.com/disk/0/grow",
     {"amount": 1024, "absolute": True, "wait_for_sync": False}),
    (FAILS, "PUT", "/2/instances/nosuch.example.com/export",
     {"destination": NODE, "mode": "local", "shutdown": False}),
    (DRY, "POST", "/2/instances/%s/reboot?dry-run=1&type=soft&ignore_secondaries=1" % INST1,
     None),
    (DRY, "PUT", "/2/instances/%s/startup?dry-run=1&no_remember=1" % INST3, None),
    (DRY, "PUT", "/2/instances/%s/shutdown?dry-run=1&no_remember=1" % INST1, {"timeout": 7}),
    (DRY, "PUT", "/2/instances/%s/shutdown?dry-run=1&reason=because" % INST1, None),
    # A diskless or plain file instance has no secondary to replace disks on.
    (FAILS, "POST", "/2/instances/%s/replace-disks?dry-run=1&mode=replace_auto&disks=0,1"
     "&early_release=1" % INST2, None),
    (FAILS, "POST", "/2/instances/%s/replace-disks" % INST2,
     {"mode": "replace_on_secondary", "disks": "0"}),
    # inst2 is running: its disks cannot be recreated.
    (FAILS, "POST", "/2/instances/%s/recreate-disks?dry-run=1" % INST2, {"disks": [0]}),
    # One node: hail finds no target.
    (FAILS, "PUT", "/2/instances/%s/migrate" % INST1, {"mode": "live", "cleanup": False}),
    (FAILS, "PUT", "/2/instances/%s/failover" % INST1, {"ignore_consistency": True}),
    (DRY, "POST", "/2/instances-multi-alloc?dry-run=1", {"instances": [CREATE]}),
    (DRY, "POST", "/2/instances?dry-run=1",
     dict(CREATE, __version__=1, hvparams={"usb_devices": "a b"},
          beparams={"memory": "256M"}, tags=["a"])),
    (DRY, "POST", "/2/instances?dry-run=1",
     dict(CREATE, __version__=1, disk_template="file", disks=[{"size": "1g"}],
          nics=[{"mac": "generate"}], osparams={"a": "b"}, osparams_private={"p": "s"})),
    (DRY, "DELETE", "/2/instances/%s?dry-run=1" % INST3, {"shutdown_timeout": 3}),
    # Reinstall shuts inst3 down (it is down already), then fails: inst3 has no disks.
    (NOOP, "POST", "/2/instances/%s/reinstall?os=noop&nostartup=1" % INST3, None),
    (NOOP, "POST", "/2/instances/%s/reinstall" % INST3, {"os": "noop", "start": False,
                                                         "osparams": {}}),
    (NOOP, "POST", "/2/instances/%s/reinstall" % INST3, None),
    (DRY, "PUT", "/2/instances/%s/tags?tag=a&tag=b&dry-run=1" % INST1, ["x"]),
    (DRY, "POST", "/2/nodes/%s/modify" % NODE,
     {"dry_run": True, "drained": False, "ndparams": {"spindle_count": 1}}),
    # File storage can be neither modified nor repaired.
    (FAILS, "PUT", "/2/nodes/%s/storage/modify?storage_type=file"
     "&name=/srv/ganeti/file-storage&allocatable=1" % NODE, None),
    (FAILS, "PUT", "/2/nodes/%s/storage/repair?storage_type=file&name=x" % NODE, None),
    (DRY, "PUT", "/2/groups/group2/modify",
     {"dry_run": True, "alloc_policy": "preferred", "custom_ndparams": {"spindle_count": 1}}),
    (DRY, "PUT", "/2/groups/group2/rename?dry-run=1", {"new_name": "x"}),
    (DRY, "PUT", "/2/groups/group2/assign-nodes?dry-run=1&force=1", {"nodes": [NODE]}),
    (DRY, "DELETE", "/2/groups/group2?dry-run=1", None),
    (DRY, "PUT", "/2/networks/net1/disconnect?dry-run=1", {"group_name": "group2"}),
    (DRY, "DELETE", "/2/networks/net1?dry-run=1", None),
    (DRY, "POST", "/2/networks?dry-run=1",
     {"network_name": "x", "network": "10.1.0.0/24", "gateway": "10.1.0.1",
      "add_reserved_ips": ["10.1.0.5"], "tags": ["t"], "mac_prefix": "aa:bb:cc"}),
    (DRY, "PUT", "/2/modify", {"dry_run": True, "candidate_pool_size": 10,
                               "maintain_node_health": False}),
    # Copies the configuration to the (only) node again.
    (NOOP, "PUT", "/2/redistribute-config", {"priority": 10, "comment": "c", "debug_level": 1}),
]

# What a NOOP job does, opcode by opcode: the opcodes that run for real and
# why that changes nothing on the fixture.
NOOP_OPCODES = {
    "OP_INSTANCE_SHUTDOWN": "inst3 is down already",
    "OP_INSTANCE_REINSTALL": "fails: inst3 has no disks",
    "OP_INSTANCE_STARTUP": "never runs: the reinstall before it fails",
    "OP_CLUSTER_REDIST_CONF": "the configuration is the same",
}


class TwinJobs(RawTestCase):
    """Every kind of write, on both daemons: the opcodes (and so the jobs) are equal."""

    def test_opcodes_of_write_resources(self):
        before = self._state()
        submitted = []
        for _, method, path, body in TWIN_JOBS:
            submitted.append([self.submit(endpoint, method, path, body)
                              for endpoint in (self.rapid, self.real)])
        for (effect, method, path, _), (rapid_id, real_id) in zip(TWIN_JOBS, submitted):
            with self.subTest(method=method, path=path):
                rapid_job = self.rapid.wait_job(rapid_id)
                real_job = self.real.wait_job(real_id)
                self.assertSameJson(rapid_job, real_job, "%s %s: the two jobs" % (method, path),
                                    volatile=JOB_ID)
                self.assertHarmless(effect, rapid_job)
        self.assertEqual(self._state(), before)

    def assertHarmless(self, effect, job):
        dry = [bool(op.get("dry_run")) for op in job["ops"]]
        ops = [op["OP_ID"] for op in job["ops"]]
        if effect == DRY:
            self.assertEqual(dry, [True] * len(dry), "not a dry run: %r" % ops)
        elif effect == FAILS:
            self.assertEqual(job["status"], "error", "expected to fail: %r" % job["opresult"])
            self.assertEqual(job["opstatus"][-1], "error")
        else:
            unknown = [op for op in ops if op not in NOOP_OPCODES]
            self.assertEqual(unknown, [], "real opcodes not known to be harmless")

    def _state(self):
        """The fixture's configuration as the real daemon shows it (no run-time values)."""
        drop = {"mtime", "serial_no", "oper_ram", "oper_vcpus", "oper_state", "mfree",
                "mnode", "dfree"}

        def clean(value):
            rows = value if isinstance(value, list) else [value]
            return [{k: v for k, v in row.items() if k not in drop} for row in rows]
        return [clean(self.real.json("GET", path)) for path in (
            "/2/instances?bulk=1", "/2/groups?bulk=1", "/2/networks?bulk=1", "/2/info",
            "/2/nodes?bulk=1")] + [
                self.real.json("GET", "/2/tags"), self._node_own_parameters()]

    @staticmethod
    def _node_own_parameters():
        """The node's own (not inherited) parameters and flags, which RAPI does not show."""
        with harness.Luxi() as luxi:
            return luxi.call("QueryNodes", [NODE], ["custom_ndparams", "drained", "offline",
                                                    "master_candidate", "powered"], False)


# Refused writes: (method, path, body, user, content type). Nothing is submitted.
REFUSED = [
    ("POST", "/2/instances", {"__version__": 1}, "admin", None),
    ("POST", "/2/instances", {"__version__": 1, "mode": "create", "name": 5,
                              "disk_template": "diskless", "disks": [], "nics": []},
     "admin", None),
    ("POST", "/2/instances", {"__version__": 1, "mode": "create", "name": "x.example.com",
                              "disk_template": "nosuch", "disks": [], "nics": []},
     "admin", None),
    ("POST", "/2/instances", {"__version__": 1, "mode": "create", "name": "x.example.com",
                              "disk_template": "diskless", "disks": [], "nics": [],
                              "bogus": 1}, "admin", None),
    ("POST", "/2/instances", {"__version__": 1, "mode": "create", "name": "x.example.com",
                              "disk_template": "diskless", "disks": [], "nics": [],
                              "dry_run": True}, "admin", None),
    ("POST", "/2/instances", {}, "admin", None),
    ("POST", "/2/instances", [], "admin", None),
    ("POST", "/2/instances", "string", "admin", None),
    ("POST", "/2/instances", {"__version__": 2}, "admin", None),
    ("POST", "/2/instances", b"", "admin", None),
    ("PUT", "/2/instances/%s/modify" % INST1, {"bogus": 1}, "admin", None),
    ("PUT", "/2/instances/%s/modify" % INST1, None, "admin", None),
    ("PUT", "/2/instances/%s/modify" % INST1, {"beparams": "x"}, "admin", None),
    ("PUT", "/2/instances/%s/modify" % INST1, {"reason": "x"}, "admin", None),
    ("PUT", "/2/instances/%s/rename" % INST1, {}, "admin", None),
    ("POST", "/2/instances/%s/disk/x/grow" % INST1, {"amount": 1}, "admin", None),
    ("POST", "/2/instances/%s/disk/0/grow" % INST1, {}, "admin", None),
    ("PUT", "/2/instances/%s/shutdown" % INST1, {"timeout": "x"}, "admin", None),
    ("POST", "/2/instances/%s/reboot?type=nosuch" % INST1, None, "admin", None),
    ("PUT", "/2/instances/%s/tags?tag=x&dry-run=yes" % INST1, None, "admin", None),
    ("PUT", "/2/instances/%s/prepare-export" % INST1, None, "admin", None),
    ("PUT", "/2/instances/%s/export" % INST1, {}, "admin", None),
    ("POST", "/2/instances/%s/reinstall" % INST1, {"os": "noop", "start": "yes"},
     "admin", None),
    ("POST", "/2/instances-multi-alloc", {"instances": [{"__version__": 1}]}, "admin", None),
    ("POST", "/2/instances-multi-alloc", None, "admin", None),
    ("POST", "/2/instances-multi-alloc", [], "admin", None),
    ("POST", "/2/groups", {"name": 1}, "admin", None),
    ("POST", "/2/groups", {}, "admin", None),
    ("POST", "/2/groups", {"name": "x", "alloc_policy": "nosuch"}, "admin", None),
    ("PUT", "/2/groups/group2/rename", {}, "admin", None),
    ("PUT", "/2/groups/group2/assign-nodes", {}, "admin", None),
    ("PUT", "/2/groups/group2/modify", {"bogus": 1}, "admin", None),
    ("POST", "/2/networks", {"network_name": "x", "network": "foo", "tags": []},
     "admin", None),
    ("POST", "/2/networks", {"network_name": "x", "network": "10.0.0.1/24", "tags": []},
     "admin", None),
    ("POST", "/2/networks", {"network_name": "x", "network": "10.0.0.0/24",
                             "gateway": "10.0.0.1/24", "tags": []}, "admin", None),
    ("POST", "/2/networks", {"network_name": "x", "network": "10.0.0.0/24", "tags": None},
     "admin", None),
    ("PUT", "/2/networks/net1/connect", {}, "admin", None),
    ("PUT", "/2/networks/net1/modify", {"bogus": 1}, "admin", None),
    ("POST", "/2/filters", {"priority": "1"}, "admin", None),
    ("POST", "/2/filters", {"uuid": "x"}, "admin", None),
    ("PUT", "/2/modify", {"bogus": 1}, "admin", None),
    ("PUT", "/2/modify?compression_tools=1", None, "admin", None),
    ("PUT", "/2/modify", {"compression_tools": []}, "admin", None),
    ("DELETE", "/2/jobs/abc", None, "admin", None),
    ("POST", "/2/nodes/%s/evacuate?remote_node=x" % NODE, None, "admin", None),
    ("PUT", "/2/nodes/%s/storage/modify" % NODE, None, "admin", None),
    ("PUT", "/2/nodes/%s/storage/repair?storage_type=file" % NODE, None, "admin", None),
    ("POST", "/2/nodes/%s/modify" % NODE, {"bogus": 1}, "admin", None),
    ("PUT", "/2/nodes/%s/role?force=1" % NODE, {"role": "drained"}, "admin", None),
    ("PUT", "/2/redistribute-config", {"priority": 5}, "admin", None),
    ("PUT", "/2/redistribute-config", {"depends": "x"}, "admin", None),
    # 403: the read-only user writing.
    ("POST", "/2/instances", {"__version__": 1}, "reader", None),
    ("PUT", "/2/instances/%s/startup" % INST1, None, "reader", None),
    ("DELETE", "/2/jobs/1", None, "reader", None),
    ("PUT", "/2/groups/group2/modify", {}, "reader", None),
    ("POST", "/2/filters", {}, "reader", None),
    ("DELETE", "/2/filters/00000000-0000-0000-0000-000000000000", None, "reader", None),
    ("PUT", "/2/redistribute-config", None, "reader", None),
    # 401 before anything else.
    ("POST", "/2/instances", {"__version__": 1}, None, None),
    ("PUT", "/2/instances/%s/startup" % INST1, None, "badpass", None),
    # 415: a body that is not declared JSON.
    ("POST", "/2/instances", b'{"__version__": 1}', "admin", "text/plain"),
    ("PUT", "/2/groups/group2/modify", b"{}", "admin", "application/x-www-form-urlencoded"),
    ("POST", "/2/groups", b'{"name": "x"}', "admin", ""),
    ("PUT", "/2/tags?tag=x", b"[]", "admin", "text/json"),
]


class RefusedWrites(RawTestCase):
    """Writes both daemons refuse: equal status and equal body, byte for byte."""

    def test_refused_writes(self):
        before = self.real.json("GET", "/2/jobs")[-1]["id"]
        for method, path, body, user, ctype in REFUSED:
            with self.subTest(method=method, path=path, body=body, user=user, ctype=ctype):
                rapid, real = self.compare(method, path, body=body, user=user,
                                           content_type=ctype, raw=True)
                self.assertGreaterEqual(rapid.status, 400, rapid)
                self.assertEqual(rapid.body, real.body)
        # Nothing above reached the job queue (none of the objects they name).
        leaked = []
        for job in self.real.json("GET", "/2/jobs?bulk=1"):
            if job["id"] > before and job["ops"]:
                op = job["ops"][0]
                if "x.example.com" in (op.get("instance_name"),) or "x" in (
                        op.get("group_name"), op.get("network_name")):
                    leaked.append((job["id"], job["summary"]))
        self.assertEqual(leaked, [])

if __name__ == "__main__":
    unittest.main()
