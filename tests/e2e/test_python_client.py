"""Ganeti's own Python RAPI client (python3-ganeti-rapi) against rapid.

Every read method is called on rapid and on the real ganeti-rapi and must give
the same result; every write method is driven through rapid and checked by
reading the cluster back (through rapid and with gnt-* on the node). Objects the
tests create carry a per-run suffix and are removed again, even on failure.

Run: /usr/bin/python3 -m unittest -v test_python_client   (in tests/e2e)
"""

import glob
import os
import time
import unittest

from ganeti.rapi import client as rapi_client

import harness
from harness import INST1, INST2, INST3, NODE

GanetiApiError = rapi_client.GanetiApiError

# A suffix unique to this run: other users of the sandbox never see the same names.
RUN = "%x%x" % (os.getpid() % 0x1000, int(time.time() * 10) % 0x10000)


def setUpModule():
    harness.start_module_rapid()


def tearDownModule():
    harness.stop_module_rapid()


def make_client(port):
    return rapi_client.GanetiRapiClient("127.0.0.1", port=port, username="admin",
                                        password="adminpass")


class ClientTestCase(harness.E2ETestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rc = make_client(cls.rapid.port)      # rapid
        cls.gc = make_client(cls.real.port)       # the real ganeti-rapi

    def wait(self, job_id, client=None, expect=True):
        """WaitForJobCompletion (polling every 0.1 s, at most 60 s) and the final job."""
        client = client or self.rc
        self.assertIsInstance(job_id, int)
        ok = client.WaitForJobCompletion(job_id, period=0.1, retries=600)
        job = client.GetJobStatus(job_id)
        self.assertIn(job["status"], ("success", "error", "canceled"), job)
        if expect is not None:
            self.assertEqual(ok, expect, "job %s: %s %r" % (job_id, job["status"],
                                                           job["opresult"]))
        return job

    def same(self, call, volatile=(), unordered=(), attempts=3):
        """call(client) on rapid and on the real daemon: equal results (or errors)."""
        name = getattr(call, "__doc__", None) or "call"
        for attempt in range(attempts):
            results = []
            for client in (self.rc, self.gc):
                try:
                    results.append(["ok", call(client)])
                except GanetiApiError as err:
                    results.append(["error", [err.code, str(err)]])
            diffs = harness.json_diff(results[0], results[1],
                                      list(volatile) + list(harness.VOLATILE_COMMON),
                                      unordered)
            if not diffs:
                return results[0][1]
            if attempt + 1 < attempts:
                time.sleep(0.3)
        self.fail("%s: rapid and the real daemon differ:\n  %s" % (name, "\n  ".join(diffs)))
        return None


def named(text, fn):
    fn.__doc__ = text
    return fn


NODE_LIVE = (r"\.(mfree|mnode|dfree)$",)


class ReadMethods(ClientTestCase):
    """Every read method of the client: rapid's result equals the real daemon's."""

    def test_version_features_os_info(self):
        self.assertEqual(self.same(named("GetVersion", lambda c: c.GetVersion())), 2)
        features = self.same(named("GetFeatures", lambda c: c.GetFeatures()),
                             unordered=[r"^\$\[1\]$"])
        self.assertCountEqual(features, ["instance-create-reqv1", "instance-reinstall-reqv1",
                                         "node-evac-res1", "node-migrate-reqv1"])
        self.assertIn("noop", self.same(named("GetOperatingSystems",
                                              lambda c: c.GetOperatingSystems())))
        info = self.same(named("GetInfo", lambda c: c.GetInfo()))
        self.assertEqual(info["master"], NODE)
        self.assertIn("sandbox", self.same(named("GetClusterTags",
                                                 lambda c: c.GetClusterTags())))

    def test_instances(self):
        names = self.same(named("GetInstances", lambda c: c.GetInstances()))
        self.assertTrue({INST1, INST2, INST3} <= set(names))
        bulk = self.same(named("GetInstances(bulk)", lambda c: c.GetInstances(bulk=True)))
        self.assertEqual([i["name"] for i in bulk], names)
        for inst in (INST1, INST2, INST3):
            self.same(named("GetInstance(%s)" % inst, lambda c, i=inst: c.GetInstance(i)))
        self.assertCountEqual(
            self.same(named("GetInstanceTags", lambda c: c.GetInstanceTags(INST1))),
            ["env:test", "role:web"])
        console = self.same(named("GetInstanceConsole", lambda c: c.GetInstanceConsole(INST1)))
        self.assertEqual(console["instance"], INST1)
        self.same(named("GetInstanceConsole(stopped)", lambda c: c.GetInstanceConsole(INST3)))
        self.same(named("GetInstance(unknown)", lambda c: c.GetInstance("nosuch.example.com")))

    def test_instance_info_job(self):
        rapid_job_id = self.rc.GetInstanceInfo(INST1)
        real_job_id = self.gc.GetInstanceInfo(INST1)
        rapid_job = self.wait(rapid_job_id)
        real_job = self.wait(real_job_id, self.gc)
        self.assertSameJson(rapid_job, real_job, "GetInstanceInfo jobs",
                            volatile=[r"^\$\.id$"])
        static = self.wait(self.rc.GetInstanceInfo(INST2, static=True))
        self.assertTrue(static["ops"][0]["static"])
        self.assertIn(INST2, static["opresult"][0])

    def test_jobs(self):
        ids = self.same(named("GetJobs", lambda c: c.GetJobs()))
        self.assertTrue(all(isinstance(i, int) for i in ids))
        bulk = self.same(named("GetJobs(bulk)", lambda c: c.GetJobs(bulk=True)))
        self.assertEqual([j["id"] for j in bulk][:len(ids)], ids[:len(bulk)])
        done = [j["id"] for j in bulk if j["status"] == "success"]
        self.same(named("GetJobStatus", lambda c: c.GetJobStatus(done[-1])))
        self.same(named("GetJobStatus(unknown)", lambda c: c.GetJobStatus(999999)))
        change = self.same(named("WaitForJobChange",
                                 lambda c: c.WaitForJobChange(done[-1], ["status", "opstatus"],
                                                              None, None)))
        self.assertEqual(change["job_info"], ["success", ["success"]])
        self.same(named("WaitForJobChange(unknown)",
                        lambda c: c.WaitForJobChange(999999, ["status"], None, None)))

    def test_nodes(self):
        self.assertEqual(self.same(named("GetNodes", lambda c: c.GetNodes())), [NODE])
        self.same(named("GetNodes(bulk)", lambda c: c.GetNodes(bulk=True)), volatile=NODE_LIVE)
        self.same(named("GetNode", lambda c: c.GetNode(NODE)), volatile=NODE_LIVE)
        self.assertEqual(self.same(named("GetNodeRole", lambda c: c.GetNodeRole(NODE))),
                         "master")
        self.same(named("GetNodeTags", lambda c: c.GetNodeTags(NODE)))
        rapid_job = self.wait(self.rc.GetNodeStorageUnits(NODE, "file", "name,size"))
        real_job = self.wait(self.gc.GetNodeStorageUnits(NODE, "file", "name,size"), self.gc)
        self.assertSameJson(rapid_job, real_job, "GetNodeStorageUnits jobs",
                            volatile=[r"^\$\.id$"])

    def test_groups_networks(self):
        self.assertEqual(self.same(named("GetGroups", lambda c: c.GetGroups()))[:2],
                         ["default", "group2"])
        self.same(named("GetGroups(bulk)", lambda c: c.GetGroups(bulk=True)))
        self.same(named("GetGroup", lambda c: c.GetGroup("default")))
        self.same(named("GetGroupTags", lambda c: c.GetGroupTags("group2")))
        self.assertIn("net1", self.same(named("GetNetworks", lambda c: c.GetNetworks())))
        self.same(named("GetNetworks(bulk)", lambda c: c.GetNetworks(bulk=True)))
        self.same(named("GetNetwork", lambda c: c.GetNetwork("net1")))
        self.same(named("GetNetworkTags", lambda c: c.GetNetworkTags("net1")))

    def test_query(self):
        result = self.same(named("Query", lambda c: c.Query(
            "instance", ["name", "status", "tags"], qfilter=["=", "name", INST1])))
        self.assertEqual(result["data"], [[[0, INST1], [0, "running"],
                                           [0, ["env:test", "role:web"]]]])
        self.same(named("Query(node)", lambda c: c.Query("node", ["name", "role"])))
        self.same(named("Query(node, master filter)",
                        lambda c: c.Query("node", ["name", "master"], ["?", "master"])))
        self.same(named("QueryFields", lambda c: c.QueryFields("node", ["name", "role"])))
        self.same(named("QueryFields(all)", lambda c: c.QueryFields("instance")))

    def test_filters(self):
        self.same(named("GetFilters", lambda c: c.GetFilters()))
        self.same(named("GetFilters(bulk)", lambda c: c.GetFilters(bulk=True)))
        uuid = self.rc.AddFilter(9999, [], "CONTINUE", [["rapid:e2e", "read test", 0]])
        self.addCleanup(self._drop_filter, uuid)
        self.same(named("GetFilters", lambda c: c.GetFilters()))
        self.same(named("GetFilters(bulk)", lambda c: c.GetFilters(bulk=True)),
                  volatile=[r"\.watermark$"])
        got = self.same(named("GetFilter", lambda c: c.GetFilter(uuid)))
        self.assertEqual(got["uuid"], uuid)

    def _drop_filter(self, uuid):
        try:
            self.gc.DeleteFilter(uuid)
        except GanetiApiError:
            pass


class Cleanup:
    """Best-effort removal of what a test created, through the real daemon."""

    def __init__(self, gc):
        self.gc = gc

    def job(self, job_id):
        self.gc.WaitForJobCompletion(job_id, period=0.1, retries=600)

    def instance(self, name):
        if name in self.gc.GetInstances():
            self.job(self.gc.DeleteInstance(name))

    def group(self, name):
        if name in self.gc.GetGroups():
            self.job(self.gc.DeleteGroup(name))

    def network(self, name, groups=()):
        if name in self.gc.GetNetworks():
            for group in groups:
                self.job(self.gc.DisconnectNetwork(name, group))
            self.job(self.gc.DeleteNetwork(name))

    def tags(self, kind, name, tags):
        args = () if kind == "cluster" else (name,)
        prefix = "Cluster" if kind == "cluster" else kind
        present = [t for t in tags if t in getattr(self.gc, "Get%sTags" % prefix)(*args)]
        if present:
            self.job(getattr(self.gc, "Delete%sTags" % prefix)(*args, present))


class WriteMethods(ClientTestCase):
    """Writes through the client on rapid, read back through rapid and gnt-*."""

    def setUp(self):
        self.cleanup = Cleanup(self.gc)

    def instance_status(self, name):
        rows = harness.gnt_table("gnt-instance", "list", "-o", "name,status")
        return dict(rows).get(name)

    def test_tags_every_level(self):
        tag = "e2e-%s" % RUN
        levels = [
            ("cluster", None, ["gnt-cluster", "list-tags"]),
            ("Instance", INST1, ["gnt-instance", "list-tags", INST1]),
            ("Node", NODE, ["gnt-node", "list-tags", NODE]),
            ("Group", "group2", ["gnt-group", "list-tags", "group2"]),
            ("Network", "net1", ["gnt-network", "list-tags", "net1"]),
        ]
        for kind, name, gnt in levels:
            with self.subTest(level=kind):
                args = () if name is None else (name,)
                prefix = "Cluster" if kind == "cluster" else kind
                get = getattr(self.rc, "Get%sTags" % prefix)
                add = getattr(self.rc, "Add%sTags" % prefix)
                delete = getattr(self.rc, "Delete%sTags" % prefix)
                self.addCleanup(self.cleanup.tags, kind, name, [tag, tag + "-2"])
                before = get(*args)
                # A dry run submits a job that changes nothing.
                job = self.wait(add(*args, [tag], dry_run=True))
                self.assertTrue(job["ops"][0]["dry_run"])
                self.assertNotIn(tag, get(*args))
                job = self.wait(add(*args, [tag, tag + "-2"]))
                self.assertEqual(job["ops"][0]["OP_ID"], "OP_TAGS_SET")
                self.assertEqual(job["ops"][0]["tags"], [tag, tag + "-2"])
                after = get(*args)
                self.assertTrue({tag, tag + "-2"} <= set(after), after)
                self.assertTrue(set(before) <= set(after), after)
                self.assertEqual(after, sorted(after))
                self.assertIn(tag, harness.sandbox_exec(*gnt).split())
                self.wait(delete(*args, [tag, tag + "-2"]))
                self.assertFalse({tag, tag + "-2"} & set(get(*args)))
                self.assertNotIn(tag, harness.sandbox_exec(*gnt).split())

    def test_instance_lifecycle(self):
        name = "e2e-pc-%s.example.com" % RUN
        renamed = "e2e-pc-%s-renamed.example.com" % RUN
        self.addCleanup(self.cleanup.instance, name)
        self.addCleanup(self.cleanup.instance, renamed)

        job = self.wait(self.rc.CreateInstance(
            "create", name, "diskless", [], [{}], os="noop", pnode=NODE,
            name_check=False, ip_check=False, beparams={"memory": 128, "vcpus": 1}))
        op = job["ops"][0]
        self.assertEqual((op["OP_ID"], op["instance_name"], op["os_type"]),
                         ("OP_INSTANCE_CREATE", name, "noop"))
        self.assertEqual(op["reason"][0][:2], ["gnt:library:rlib2:instances", ""])
        inst = self.rc.GetInstance(name)
        self.assertEqual((inst["name"], inst["status"], inst["pnode"], inst["os"]),
                         (name, "running", NODE, "noop"))
        self.assertEqual(self.instance_status(name), "running")

        self.wait(self.rc.ShutdownInstance(name, timeout=10))
        self.assertEqual(self.rc.GetInstance(name)["status"], "ADMIN_down")
        self.assertEqual(self.instance_status(name), "ADMIN_down")
        self.wait(self.rc.StartupInstance(name))
        self.assertEqual(self.rc.GetInstance(name)["status"], "running")
        self.assertEqual(self.instance_status(name), "running")
        job = self.wait(self.rc.RebootInstance(name, reboot_type="hard"))
        self.assertEqual(job["ops"][0]["reboot_type"], "hard")
        self.assertEqual(self.instance_status(name), "running")

        # Only a stopped instance can be renamed.
        self.wait(self.rc.ShutdownInstance(name))
        self.wait(self.rc.RenameInstance(name, renamed, ip_check=False, name_check=False))
        names = self.rc.GetInstances()
        self.assertIn(renamed, names)
        self.assertNotIn(name, names)
        self.assertIn(renamed, dict(harness.gnt_table("gnt-instance", "list", "-o",
                                                      "name,status")))
        self.wait(self.rc.RenameInstance(renamed, name, ip_check=False, name_check=False))
        self.assertIn(name, self.rc.GetInstances())
        self.wait(self.rc.StartupInstance(name))

        self.wait(self.rc.ModifyInstance(name, beparams={"vcpus": 2}))
        inst = self.rc.GetInstance(name)
        self.assertEqual(inst["beparams"]["vcpus"], 2)
        self.assertEqual(inst["custom_beparams"]["vcpus"], 2)
        rows = harness.gnt_table("gnt-instance", "list", "-o", "name,be/vcpus", name)
        self.assertEqual(rows, [[name, "2"]])

        job = self.wait(self.rc.DeleteInstance(name))
        self.assertEqual(job["ops"][0]["OP_ID"], "OP_INSTANCE_REMOVE")
        self.assertNotIn(name, self.rc.GetInstances())
        self.assertIsNone(self.instance_status(name))
        with self.assertRaises(GanetiApiError) as ctx:
            self.rc.GetInstance(name)
        self.assertEqual(ctx.exception.code, 404)

    def test_file_disk_instance(self):
        name = "e2e-pcf-%s.example.com" % RUN
        self.addCleanup(self.cleanup.instance, name)
        self.wait(self.rc.CreateInstance(
            "create", name, "file", [{"size": 1024}], [{}], os="noop", pnode=NODE,
            name_check=False, ip_check=False, start=False,
            beparams={"memory": 128}))
        inst = self.rc.GetInstance(name)
        self.assertEqual((inst["disk_template"], inst["disk.sizes"], inst["status"]),
                         ("file", [1024], "ADMIN_down"))

        job = self.wait(self.rc.GrowInstanceDisk(name, 0, 1024, wait_for_sync=False))
        self.assertEqual((job["ops"][0]["disk"], job["ops"][0]["amount"]), (0, 1024))
        self.assertEqual(self.rc.GetInstance(name)["disk.sizes"], [2048])
        rows = harness.gnt_table("gnt-instance", "list", "-o", "name,disk.size/0", name)
        self.assertEqual(rows, [[name, "2048"]])

        # Lose the disk file, then have it recreated (an existing file is an error).
        files = glob.glob("/srv/ganeti/file-storage/%s/*.disk0" % name)
        self.assertEqual(len(files), 1, files)
        os.unlink(files[0])
        job = self.wait(self.rc.RecreateInstanceDisks(name, disks=[0]))
        self.assertEqual((job["ops"][0]["OP_ID"], job["ops"][0]["disks"]),
                         ("OP_INSTANCE_RECREATE_DISKS", [[0, {}]]))
        self.assertEqual(os.path.getsize(files[0]), 2048 * 1024 * 1024)

        # Reinstall (it needs a disk). With a reason the server refuses it with 400,
        # as the real daemon does; without one it works.
        with self.assertRaises(GanetiApiError) as ctx:
            self.rc.ReinstallInstance(name, os="noop", reason="e2e")
        self.assertEqual(ctx.exception.code, 400)
        with self.assertRaises(GanetiApiError) as real_ctx:
            self.gc.ReinstallInstance(INST3, os="noop", reason="e2e")
        self.assertEqual(str(ctx.exception), str(real_ctx.exception))
        job = self.wait(self.rc.ReinstallInstance(name, os="noop"))
        self.assertEqual([op["OP_ID"] for op in job["ops"]],
                         ["OP_INSTANCE_SHUTDOWN", "OP_INSTANCE_REINSTALL",
                          "OP_INSTANCE_STARTUP"])
        self.assertEqual(self.instance_status(name), "running")

        job = self.wait(self.rc.PrepareExport(name, "local"))
        self.assertEqual((job["ops"][0]["OP_ID"], job["ops"][0]["mode"]),
                         ("OP_BACKUP_PREPARE", "local"))

        self.wait(self.rc.DeleteInstance(name))
        self.assertNotIn(name, self.rc.GetInstances())
        self.assertFalse(os.path.exists("/srv/ganeti/file-storage/%s" % name))

    def test_groups(self):
        name, renamed = "e2e-pc-%s" % RUN, "e2e-pc-%s-r" % RUN
        self.addCleanup(self.cleanup.group, name)
        self.addCleanup(self.cleanup.group, renamed)
        self.wait(self.rc.CreateGroup(name, alloc_policy="preferred"))
        group = self.rc.GetGroup(name)
        self.assertEqual((group["name"], group["alloc_policy"], group["node_cnt"]),
                         (name, "preferred", 0))
        self.assertIn(name, [row[0] for row in harness.gnt_table("gnt-group", "list",
                                                                 "-o", "name")])
        self.wait(self.rc.RenameGroup(name, renamed))
        self.assertIn(renamed, self.rc.GetGroups())
        self.assertNotIn(name, self.rc.GetGroups())
        self.wait(self.rc.ModifyGroup(renamed, alloc_policy="last_resort"))
        self.assertEqual(self.rc.GetGroup(renamed)["alloc_policy"], "last_resort")
        rows = harness.gnt_table("gnt-group", "list", "-o", "name,alloc_policy", renamed)
        self.assertEqual(rows, [[renamed, "last_resort"]])
        job = self.wait(self.rc.AssignGroupNodes(renamed, [NODE], dry_run=True))
        self.assertTrue(job["ops"][0]["dry_run"])
        self.assertEqual(self.rc.GetNode(NODE)["group.uuid"],
                         self.rc.GetGroup("default")["uuid"])
        self.assertEqual(self.rc.GetGroup(renamed)["node_cnt"], 0)
        self.wait(self.rc.DeleteGroup(renamed))
        self.assertNotIn(renamed, self.rc.GetGroups())
        self.assertNotIn(renamed, [row[0] for row in harness.gnt_table("gnt-group", "list",
                                                                       "-o", "name")])

    def test_networks(self):
        name = "e2e-pc-%s" % RUN
        subnet = "10.%d.%d.0/24" % (os.getpid() % 200 + 20, int(time.time()) % 250)
        gateway = subnet.replace(".0/24", ".1")
        self.addCleanup(self.cleanup.network, name, ["group2"])

        # Without tags the client sends "tags": null, which both servers refuse.
        with self.assertRaises(GanetiApiError) as ctx:
            self.rc.CreateNetwork(name, subnet)
        with self.assertRaises(GanetiApiError) as real_ctx:
            self.gc.CreateNetwork(name, subnet)
        self.assertEqual(ctx.exception.code, 400)
        self.assertEqual(str(ctx.exception), str(real_ctx.exception))
        self.assertNotIn(name, self.rc.GetNetworks())

        self.wait(self.rc.CreateNetwork(name, subnet, tags="e2e,e2e-%s" % RUN))
        net = self.rc.GetNetwork(name)
        self.assertEqual((net["name"], net["network"], net["gateway"], net["tags"]),
                         (name, subnet, None, ["e2e", "e2e-%s" % RUN]))
        self.assertIn(name, [row[0] for row in harness.gnt_table("gnt-network", "list",
                                                                 "-o", "name")])

        self.wait(self.rc.ConnectNetwork(name, "group2", "bridged", "br0"))
        self.assertEqual(self.rc.GetNetwork(name)["group_list"],
                         [["group2", "bridged", "br0", ""]])
        self.wait(self.rc.DisconnectNetwork(name, "group2"))
        self.assertEqual(self.rc.GetNetwork(name)["group_list"], [])

        self.wait(self.rc.ModifyNetwork(name, gateway=gateway))
        self.assertEqual(self.rc.GetNetwork(name)["gateway"], gateway)
        rows = harness.gnt_table("gnt-network", "list", "-o", "name,gateway", name)
        self.assertEqual(rows, [[name, gateway]])

        self.wait(self.rc.DeleteNetwork(name))
        self.assertNotIn(name, self.rc.GetNetworks())

    def test_filters(self):
        uuid = self.rc.AddFilter(9998, [], "CONTINUE", [["rapid:e2e", "write", 0]])
        real_uuid = self.gc.AddFilter(9998, [], "CONTINUE", [["rapid:e2e", "write", 0]])
        for u in (uuid, real_uuid):
            self.addCleanup(lambda u=u: u in self.gc.GetFilters() and self.gc.DeleteFilter(u))
        self.assertRegex(uuid, r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                               r"[0-9a-f]{12}$")
        got = self.rc.GetFilter(uuid)
        self.assertEqual((got["priority"], got["action"], got["predicates"]),
                         (9998, "CONTINUE", []))
        self.assertEqual([r[:2] for r in got["reason_trail"]],
                         [["rapid:e2e", "write"], ["gnt:client", ""], ["luxid", ""]])
        # The twin made through the real daemon looks the same.
        self.assertSameJson(got, self.gc.GetFilter(real_uuid), "GetFilter of twin filters",
                            volatile=[r"^\$\.(uuid|watermark)$",
                                      r"^\$\.reason_trail\[\d+\]\[2\]$"])
        self.assertEqual(self.rc.ReplaceFilter(uuid, 9997, [], "CONTINUE", []), uuid)
        self.assertEqual(self.rc.GetFilter(uuid)["priority"], 9997)
        self.assertEqual(self.gc.GetFilter(uuid)["priority"], 9997)
        self.assertIsNone(self.rc.DeleteFilter(uuid))
        self.assertNotIn(uuid, self.rc.GetFilters())
        self.assertNotIn(uuid, self.gc.GetFilters())

    def test_cancel_queued_job(self):
        with harness.Luxi() as luxi:
            blocker = luxi.delay_job(2.0)
            queued = luxi.delay_job(0.1, depends=[[blocker, []]])
            try:
                self.assertEqual(self.rc.GetJobStatus(queued)["status"], "queued")
                self.assertEqual(self.rc.CancelJob(queued),
                                 [True, "Dequeued job %d" % queued])
                job = self.rc.GetJobStatus(queued)
                self.assertEqual((job["status"], job["opstatus"]), ("canceled", ["canceled"]))
            finally:
                luxi.call("CancelJob", queued, False)
                luxi.wait_status(blocker, ("success", "error", "canceled"))

    def test_set_node_role_master(self):
        """The only node is the master: the job fails as in capture 082/083."""
        job = self.wait(self.rc.SetNodeRole(NODE, "master-candidate"), expect=False)
        self.assertEqual(job["status"], "error")
        self.assertEqual(job["opresult"], [["OpPrereqError", [
            "The master role can be changed only via master-failover", "wrong_input"]]])
        op = job["ops"][0]
        self.assertEqual((op["OP_ID"], op["master_candidate"], op["force"], op["auto_promote"]),
                         ("OP_NODE_SET_PARAMS", True, False, False))
        self.assertEqual(self.rc.GetNodeRole(NODE), "master")

    def test_prepare_export_and_redistribute_config(self):
        job = self.wait(self.rc.PrepareExport(INST1, "local"))
        self.assertEqual(job["opresult"], [None])
        job = self.wait(self.rc.RedistributeConfig())
        self.assertEqual(job["ops"][0]["OP_ID"], "OP_CLUSTER_REDIST_CONF")

    def test_modify_cluster(self):
        before = self.rc.GetInfo()["candidate_pool_size"]
        self.addCleanup(lambda: self.gc.GetInfo()["candidate_pool_size"] != before
                        and self.cleanup.job(self.gc.ModifyCluster(
                            candidate_pool_size=before)))
        job = self.wait(self.rc.ModifyCluster(candidate_pool_size=before + 1))
        self.assertEqual(job["ops"][0]["OP_ID"], "OP_CLUSTER_SET_PARAMS")
        self.assertEqual(self.rc.GetInfo()["candidate_pool_size"], before + 1)
        self.assertIn("candidate pool size: %d" % (before + 1),
                      harness.sandbox_exec("gnt-cluster", "info").lower())
        self.wait(self.rc.ModifyCluster(candidate_pool_size=before))
        self.assertEqual(self.rc.GetInfo()["candidate_pool_size"], before)
        with self.assertRaises(GanetiApiError) as ctx:
            self.rc.ModifyCluster(compression_tools=["gzip"])
        self.assertEqual(ctx.exception.code, 403)


if __name__ == "__main__":
    unittest.main()
