"""A larger cluster: rapid lists $RAPID_E2E_LARGE_N (200) synthetic instances as the
real ganeti-rapi does, and the cluster comes back exactly as it was.

scripts/large-cluster grows the sandbox (daemons restarted with synthetic diskless
instances in config.data) while rapid keeps running, so rapid also has to reconnect
to the restarted luxid. The restore runs in a ``finally``, whatever fails; a cluster
left grown by an interrupted run is restored before the test starts.

Run: /usr/bin/python3 -m unittest -v test_large_cluster   (in tests/e2e)
"""

import hashlib
import os
import re
import subprocess

import harness

N = int(os.environ.get("RAPID_E2E_LARGE_N", "200"))
LARGE_CLUSTER = os.path.join(harness.REPO, "scripts", "large-cluster")
CONFIG = "/var/lib/ganeti/config.data"
SYNTHETIC = re.compile(r"synth-\d{5}\.example\.com")


def large_cluster(*args):
    proc = subprocess.run([LARGE_CLUSTER, *args], capture_output=True, text=True,
                          timeout=240)
    if proc.returncode != 0:
        raise AssertionError("large-cluster %s failed (%d):\n%s%s" % (
            " ".join(args), proc.returncode, proc.stdout, proc.stderr))
    return proc.stdout


def config_digest():
    with open(CONFIG, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def setUpModule():
    harness.require_sandbox()
    if large_cluster("status").strip() != "0":
        large_cluster("restore")  # an earlier run was interrupted while grown
    harness.start_module_rapid()


def tearDownModule():
    harness.stop_module_rapid()


class LargeCluster(harness.E2ETestCase):

    def names(self, endpoint):
        return [item["id"] for item in endpoint.json("GET", "/2/instances")]

    def test_grow_list_restore(self):
        digest = config_digest()
        before = self.names(self.real)
        self.assertFalse([n for n in before if SYNTHETIC.fullmatch(n)], before)
        try:
            large_cluster("grow", str(N))
            self.assertEqual(large_cluster("status").strip(), str(N))
            expected = sorted(before + ["synth-%05d.example.com" % i for i in range(1, N + 1)])
            listed = self.names(self.rapid)
            self.assertEqual(sorted(listed), expected)
            self.compare("GET", "/2/instances", raw=True)
            rapid, _real = self.compare("GET", "/2/instances?bulk=1", raw=True)
            bulk = {item["name"]: item for item in rapid.data}
            self.assertEqual(sorted(bulk), expected)
            synthetic = bulk["synth-%05d.example.com" % N]
            self.assertEqual((synthetic["status"], synthetic["disk_template"],
                              len(synthetic["nic.macs"])), ("ADMIN_down", "diskless", 1))
        finally:
            large_cluster("restore")
        self.assertEqual(config_digest(), digest, "config.data not restored byte for byte")
        self.assertEqual(large_cluster("status").strip(), "0")
        self.assertEqual(self.names(self.rapid), before)
        self.compare("GET", "/2/instances?bulk=1", raw=True)
