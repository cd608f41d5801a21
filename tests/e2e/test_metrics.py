"""--metrics-port on the sandbox cluster (docs/metrics.md): the cluster gauges are
what /2/nodes?bulk=1, /2/instances?bulk=1 and /2/jobs?bulk=1 answer at the same
moment, computed as prometheus-ganeti-exporter does; every series its Grafana
dashboards use (but hbal's and hspace's, which rapid leaves out) is there; the
output parses with prometheus_client.parser and promtool; rapid's request counter
moves by the route pattern.

rapid runs with --metrics-cache 0 (every scrape asks luxid). The one cluster change,
an OP_TEST_DELAY job of 0.1 s in the queue (so that job run and wait times exist), is
harmless and archived by Ganeti like any job.

Run: /usr/bin/python3 -m unittest -v test_metrics   (in tests/e2e)
"""

import http.client
import subprocess
import tempfile
import time
import unittest

from prometheus_client.parser import text_string_to_metric_families

import harness

NODE_FIELDS = ("ctotal", "dfree", "dtotal", "mfree", "mtotal", "pinst_cnt", "sinst_cnt")
JOB_STATES = ("queued", "waiting", "canceling", "running", "canceled", "success", "error")
# The exporter's series in example-grafana-dashboard-{details,overview}.json,
# without ganeti_hbal_* and ganeti_hspace_* (left out: docs/metrics.md).
DASHBOARD_SERIES = (
    "ganeti_cluster_instance_count", "ganeti_cluster_jobs", "ganeti_cluster_node_count",
    "ganeti_cluster_offline_nodes", "ganeti_instance_oper_ram", "ganeti_instance_oper_vcpus",
    "ganeti_job_run_time", "ganeti_job_wait_time", "ganeti_node_ctotal", "ganeti_node_dfree",
    "ganeti_node_dtotal", "ganeti_node_mfree", "ganeti_node_mtotal", "ganeti_node_p_oper_vcpus",
    "ganeti_node_pinst_cnt", "ganeti_node_sinst_cnt")
# promtool's naming advice that only the exporter's names (kept as they are) get.
EXPORTER_LINT = ("ganeti_cluster_instance_count", "ganeti_cluster_node_count",
                 "ganeti_node_p_oper_vcpus", "ganeti_node_s_oper_vcpus")

_PORT = None


def setUpModule():
    global _PORT
    harness.require_sandbox()
    _PORT = harness.free_port()
    harness.start_module_rapid(extra_args=["--metrics-port", str(_PORT),
                                           "--metrics-cache", "0"])


def tearDownModule():
    harness.stop_module_rapid()


def scrape():
    conn = http.client.HTTPConnection("127.0.0.1", _PORT, timeout=60)
    try:
        conn.request("GET", "/metrics")
        resp = conn.getresponse()
        body = resp.read().decode("utf-8")
        if resp.status != 200:
            raise AssertionError("GET /metrics: %d %s" % (resp.status, body[:500]))
        return resp.getheader("Content-Type"), body
    finally:
        conn.close()


def samples(text):
    """{(name, frozenset(labels)): value} of every sample."""
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return out


# Gauges from the host's own memory (the fake hypervisor's node and instance
# figures), and the bulk fields behind them.
MOVING_GAUGES = ("ganeti_node_mfree",)
MOVING_FIELDS = ("mfree",)


def without_moving(answers):
    """The bulk answers without the fields that move on their own."""
    cluster, nodes, instances, jobs = answers
    nodes = [{k: v for k, v in node.items() if k not in MOVING_FIELDS} for node in nodes]
    return cluster, nodes, instances, jobs


def series(name, **labels):
    return (name, frozenset(labels.items()))


class Metrics(harness.E2ETestCase):

    def bulk(self):
        return (self.rapid.json("GET", "/2/info")["name"],
                self.rapid.json("GET", "/2/nodes?bulk=1"),
                self.rapid.json("GET", "/2/instances?bulk=1"),
                self.rapid.json("GET", "/2/jobs?bulk=1"))

    def expected(self, cluster, nodes, instances, jobs):
        """The exporter's values (its __main__.py) for these answers."""
        want = {}
        for node in nodes:
            for field in NODE_FIELDS:
                if node[field] is not None:
                    want[series("ganeti_node_" + field, cluster=cluster,
                                node=node["name"])] = node[field]
            running = [i for i in instances if i["oper_state"]]
            want[series("ganeti_node_p_oper_vcpus", cluster=cluster, node=node["name"])] = sum(
                i["oper_vcpus"] for i in running if i["pnode"] == node["name"])
            want[series("ganeti_node_s_oper_vcpus", cluster=cluster, node=node["name"])] = sum(
                i["oper_vcpus"] for i in running if node["name"] in i["snodes"])
        for inst in instances:
            for field in ("oper_ram", "oper_vcpus"):
                want[series("ganeti_instance_" + field, cluster=cluster,
                            instance=inst["name"])] = inst[field] if inst["oper_state"] else 0
        want[series("ganeti_cluster_instance_count", cluster=cluster)] = len(instances)
        want[series("ganeti_cluster_node_count", cluster=cluster)] = len(nodes)
        want[series("ganeti_cluster_offline_nodes", cluster=cluster)] = len(
            [n for n in nodes if n["offline"]])
        for state in JOB_STATES:
            want[series("ganeti_cluster_jobs", cluster=cluster, job_status=state)] = len(
                [j for j in jobs if j["status"] == state])
        return want

    def test_cluster_gauges_equal_the_bulk_answers(self):
        # The fake hypervisor reports the host's own free memory, which moves
        # with whatever else the machine runs (tens of MB between two reads,
        # not monotonically): those gauges must lie between the two reads that
        # frame the scrape, give or take 1% of the node's memory; everything
        # else must equal them.
        for _attempt in range(10):
            before = self.bulk()
            _, text = scrape()
            after = self.bulk()
            if without_moving(before) == without_moving(after):
                break
            time.sleep(0.5)
        else:
            self.fail("the cluster kept changing between reads")
        got = samples(text)
        want, want_after = self.expected(*before), self.expected(*after)
        self.assertTrue(before[1] and before[2], "no nodes or instances on the sandbox")
        for key, value in want.items():
            self.assertIn(key, got, "missing %r" % (key,))
            if key[0] in MOVING_GAUGES:
                slack = 0.01 * got[("ganeti_node_mtotal", key[1])]
                low, high = sorted((value, want_after[key]))
                self.assertTrue(low - slack <= got[key] <= high + slack,
                                (key, got[key], low, high, slack))
            else:
                self.assertEqual(got[key], value, key)
        # Nothing else of those families.
        families = {name for name, _ in want}
        extra = [key for key in got if key[0] in families and key not in want]
        self.assertEqual(extra, [])

    def test_dashboard_series_are_present(self):
        # A finished job, so that run and wait times exist.
        with harness.Luxi() as luxi:
            job_id = luxi.delay_job(0.1)
            self.assertEqual(luxi.wait_status(job_id, ("success", "error")), "success")
        _, text = scrape()
        names = {name for name, _ in samples(text)}
        for name in DASHBOARD_SERIES:
            self.assertIn(name, names)
        self.assertIn(series("rapid_cluster_scrape_success"), samples(text))
        self.assertEqual(samples(text)[series("rapid_cluster_scrape_success")], 1)
        self.assertFalse([n for n in names if n.startswith(("ganeti_hbal", "ganeti_hspace"))])

    def test_real_parsers_accept_it(self):
        content_type, text = scrape()
        self.assertEqual(content_type, "text/plain; version=0.0.4; charset=utf-8")
        families = list(text_string_to_metric_families(text))
        self.assertGreater(len(families), 20)
        with tempfile.TemporaryFile("w+") as f:
            f.write(text)
            f.seek(0)
            check = subprocess.run(["promtool", "check", "metrics"], stdin=f,
                                   capture_output=True, text=True, timeout=60)
        # 1: unparsable; 3: naming advice, for the exporter's names only.
        self.assertIn(check.returncode, (0, 3), check.stdout + check.stderr)
        for line in (check.stdout + check.stderr).splitlines():
            if line.strip():
                self.assertIn(line.split()[0], EXPORTER_LINT, line)

    def test_request_counter_moves_by_route(self):
        key = series("rapid_http_requests_total", route="/2/instances/[name]", method="GET",
                     code="200")
        before = samples(scrape()[1]).get(key, 0)
        self.rapid.json("GET", "/2/instances/" + harness.INST1)
        after = samples(scrape()[1])
        self.assertEqual(after.get(key, 0), before + 1)
        self.assertFalse([k for k in after if dict(k[1]).get("route", "").endswith(
            harness.INST1)])
        self.assertGreaterEqual(after[series("rapid_luxi_calls_total", method="QueryInstances",
                                             outcome="ok")], 1)
        self.assertGreaterEqual(after[series("rapid_open_connections", transport="tls")], 0)


if __name__ == "__main__":
    unittest.main()
