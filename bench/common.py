"""What bench/run's parts share: the sandbox's paths and credentials, the
paths measured and their LUXI calls, small process and HTTP helpers."""

import base64
import os
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
SANDBOX = os.path.join(ROOT, "scripts", "ganeti-sandbox")
LARGE_CLUSTER = os.path.join(ROOT, "scripts", "large-cluster")
FETCH = os.path.join(ROOT, "bench", "fetch.py")
LOCK = "/run/rapid-sandbox.lock"
RAPI_PEM = "/var/lib/ganeti/rapi.pem"        # key and certificate, the cluster's
USERS_FILE = "/var/lib/ganeti/rapi/users"
ORIGINAL_PID_FILE = "/run/ganeti/ganeti-rapi.pid"
LUXI_SOCKET = "/run/ganeti/socket/ganeti-query"
ORIGINAL_TLS_PORT = 5080                     # the sandbox's ganeti-rapi, in its netns
USER = "admin:adminpass"
AUTH_HEADER = "Authorization: Basic " + base64.b64encode(USER.encode()).decode()

PATHS = ["/version", "/2/info", "/2/instances", "/2/instances?bulk=1", "/2/jobs?bulk=1"]
# luxid asks noded for these (over 100 ms a call): their cells run --slow-seconds.
SLOW_PATHS = ["/2/instances?bulk=1", "/2/jobs?bulk=1"]
# The LUXI call rapid (and rlib2) makes for each path, as luxi_floor sends it:
# lib/rapi/rlib2.py I_FIELDS / J_FIELDS_BULK (rapid: src/rapi/handlers_objects.cpp,
# handlers_jobs.cpp). Arguments in Python's JSON spelling, as on the wire.
I_FIELDS = ["name", "admin_state", "os", "pnode", "snodes", "disk_template", "nic.ips",
            "nic.macs", "nic.modes", "nic.uuids", "nic.names", "nic.links", "nic.networks",
            "nic.networks.names", "nic.bridges", "network_port", "disk.sizes", "disk.spindles",
            "disk_usage", "disk.uuids", "disk.names", "beparams", "hvparams", "oper_state",
            "oper_ram", "oper_vcpus", "status", "custom_hvparams", "custom_beparams",
            "custom_nicparams", "ctime", "mtime", "uuid", "serial_no", "tags"]
J_FIELDS_BULK = ["id", "ops", "status", "summary", "opstatus", "received_ts", "start_ts",
                 "end_ts"]
LUXI_CALLS = {
    "/2/info": ("QueryClusterInfo", []),
    "/2/instances": ("QueryInstances", [[], ["name"], False]),
    "/2/instances?bulk=1": ("QueryInstances", [[], I_FIELDS, False]),
    "/2/jobs?bulk=1": ("QueryJobs", [None, J_FIELDS_BULK]),
}


START = time.monotonic()


def log(message):
    elapsed = int(time.monotonic() - START)
    print("==> %d:%02d %s" % (elapsed // 60, elapsed % 60, message), file=sys.stderr, flush=True)


def die(message):
    print("bench/run: " + message, file=sys.stderr)
    sys.exit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def in_sandbox(argv):
    """argv run inside the sandbox's network and UTS namespaces."""
    return [SANDBOX, "exec"] + argv


def status_value(pid, field, name="status"):
    """A /proc/PID/status field in kB (VmRSS, VmHWM), None if gone; with
    name="smaps_rollup", one of that file's (Pss)."""
    try:
        with open("/proc/%d/%s" % (pid, name)) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def children_of(pid):
    """Live children (the original reaps its finished ones only later)."""
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            kids = [int(p) for p in f.read().split()]
    except OSError:
        return []
    return [kid for kid in kids if process_state(kid) not in ("Z", None)]


def process_state(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def read_pid(path):
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def http_status(url, inside=False, timeout=5):
    """The status of an authenticated GET, 0 if nothing answers."""
    argv = ["curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", str(timeout),
            "-u", USER, url]
    if inside:
        argv = in_sandbox(argv)
    result = subprocess.run(argv, capture_output=True, text=True)
    try:
        return int(result.stdout.strip() or 0)
    except ValueError:
        return 0


def wait_until(what, predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError("timed out after %.0f s waiting for %s" % (timeout, what))
        time.sleep(0.1)
