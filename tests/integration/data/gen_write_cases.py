#!/usr/bin/python3
"""Expected outcomes of RAPI write requests, recorded from the real Ganeti
3.0.2 ganeti-rapi code (run in-process with a recording LUXI transport).

Usage (regenerates the committed test data; the C++ tests never run Python):

  PYTHONPATH=/usr/share/ganeti/3.0 /usr/bin/python3 \\
      tests/integration/data/gen_write_cases.py [--captures DIR] [--output DIR]

Writes into --output (default: next to this script):
  write_cases.json     every case below: the request, the scripted LUXI
                       answers, and what the original answered (status, body)
                       and sent to LUXI (method, args);
  write_captures.json  the write requests of the sandbox captures (real
                       cluster), with the SubmitJob/CancelJob messages
                       ganeti-rapi sent, from --captures (default: the
                       environment's RAPID_CAPTURES, else DEFAULT_CAPTURES:
                       the repository's recordings of the real daemon, in
                       the format of tests/data/captures/README.md).

Reason-trail timestamps are replaced by 0 (the tests check them against the
clock and then compare with 0).
"""

import argparse
import base64
import json
import logging
import os
import sys
from io import StringIO

from ganeti import http
from ganeti import luxi
import ganeti.http.auth  # noqa: F401
import ganeti.http.server  # noqa: F401
import ganeti.server.rapi  # noqa: F401
from ganeti.rapi import testutils

logging.disable(logging.CRITICAL)  # the original logs every failed check

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
# The recordings with the LUXI messages (tests/e2e/data/captures has none).
DEFAULT_CAPTURES = os.path.join(REPO, "tests", "data", "captures")

# The users of tests/support/rapid_server.h (kDefaultUsers).
PASSWORDS = {"admin": "adminpass", "reader": "readpass", "plain": "plainpass"}
USERS = {
    "admin": http.auth.PasswordFileUser("admin", "adminpass", ["write"]),
    "reader": http.auth.PasswordFileUser("reader", "readpass", ["read"]),
    "plain": http.auth.PasswordFileUser("plain", "plainpass", []),
}

_calls = []
_answers = {}
_failures = {}


class _Transport(object):
  def __init__(self, address, timeouts=None, allow_non_master=None):
    pass

  def Close(self):
    pass

  def Call(self, data):
    msg = json.loads(data)
    _calls.append({"method": msg["method"], "args": msg["args"]})
    if msg["method"] in _failures:
      return json.dumps({"success": False, "result": _failures[msg["method"]],
                         "version": msg.get("version")})
    result = _answers.get(msg["method"])
    return json.dumps({"success": True, "result": result,
                       "version": msg.get("version")})


class _Client(luxi.Client):
  def __init__(self, address=None):
    luxi.Client.__init__(self, address="/nonexistent", transport=_Transport)


_MOCKS = {
    False: testutils._RapiMock(USERS.get, _Client, reqauth=False),
    True: testutils._RapiMock(USERS.get, _Client, reqauth=True),
}


def _zero_reason_timestamps(calls):
  for call in calls:
    if call["method"] != "SubmitJob":
      continue
    for op in call["args"][0]:
      for entry in op.get("reason") or []:
        assert isinstance(entry[2], int)
        entry[2] = 0
  return calls


def run(method, target, body, user, replies, failures, require_auth):
  del _calls[:]
  _answers.clear()
  _answers.update(replies)
  _failures.clear()
  _failures.update(failures)
  headers = ["Content-Type: application/json"]
  if user:
    token = base64.b64encode(("%s:%s" % (user, PASSWORDS[user])).encode())
    headers.append("Authorization: Basic " + token.decode("ascii"))
  parsed = http.ParseHeaders(StringIO("\n".join(headers)))
  if body:
    parsed[http.HTTP_CONTENT_LENGTH] = str(len(body.encode("utf-8")))
  (status, _, response) = _MOCKS[require_auth].FetchResponse(
      target, method, parsed, body or None)
  if isinstance(response, bytes):
    response = response.decode("utf-8")
  return status, response, _zero_reason_timestamps(list(_calls))


class Raw(object):
  """A request body given as text (not serialized)."""
  def __init__(self, text):
    self.text = text


CASES = []
MISMATCHES = []
_job = [100]


def case(name, method, target, body=None, user="admin", replies=None,
         require_auth=False, status=None, failures=None):
  """Adds a case; `status` is asserted here (documents the intent)."""
  if isinstance(body, Raw):
    text = body.text
  elif body is None:
    text = None
  else:
    text = json.dumps(body)
  if replies is None:
    _job[0] += 1
    replies = {"SubmitJob": _job[0]}
  failures = failures or {}
  got_status, response, calls = run(method, target, text, user, replies,
                                    failures, require_auth)
  if status is not None and got_status != status:
    MISMATCHES.append("%s: expected status %s, original answered %s %s" %
                      (name, status, got_status, response))
  if got_status != 200 and calls and not failures:
    sys.exit("%s: error %s after LUXI calls %r" % (name, got_status, calls))
  if any(c["name"] == name for c in CASES):
    sys.exit("duplicate case name " + name)
  CASES.append({
      "name": name, "method": method, "target": target, "body": text,
      "user": user, "require_auth": require_auth, "luxi_replies": replies,
      "luxi_failures": failures,
      "status": got_status, "response": response, "luxi": calls,
  })


OK, BAD, FORBIDDEN, UNAUTH, ERR = 200, 400, 403, 401, 500

INST = "/2/instances/inst1.example.com"
NODE = "/2/nodes/node1.example.com"
GROUP = "/2/groups/group1"
NET = "/2/networks/net1"
UUID = "0c8d2a0e-4a6e-4b7f-9a38-2b9e4f3b1c55"

# A minimal valid version 1 instance creation body.
CREATE = {"__version__": 1, "mode": "create", "name": "inst9.example.com",
          "disk_template": "plain", "disks": [{"size": 1024}],
          "nics": [{}], "os_type": "debootstrap", "pnode": "node1.example.com"}


def create(**changes):
  body = dict(CREATE)
  for key, value in changes.items():
    if value is _DROP:
      body.pop(key, None)
    else:
      body[key] = value
  return body


_DROP = object()

# ---------------------------------------------------------------- cluster
case("redist", "PUT", "/2/redistribute-config", status=OK)
case("redist_empty_object", "PUT", "/2/redistribute-config", {}, status=OK)
case("redist_reason", "PUT", "/2/redistribute-config?reason=Config%20push",
     status=OK)
case("redist_empty_reason", "PUT", "/2/redistribute-config?reason=",
     status=OK)
case("redist_common_params", "PUT", "/2/redistribute-config",
     {"dry_run": True, "debug_level": 2, "comment": "c", "priority": 10},
     status=OK)
case("redist_unknown", "PUT", "/2/redistribute-config", {"x": 1}, status=BAD)
case("redist_list_body", "PUT", "/2/redistribute-config", [1], status=BAD)
case("redist_string_body", "PUT", "/2/redistribute-config", "x", status=BAD)
case("redist_int_body", "PUT", "/2/redistribute-config", 5, status=BAD)
case("redist_null_body", "PUT", "/2/redistribute-config", Raw("null"),
     status=OK)
case("redist_reason_in_body", "PUT", "/2/redistribute-config",
     {"reason": []}, status=BAD)
for prio in (-10, 0, 10):
  case("redist_priority_%d" % prio, "PUT", "/2/redistribute-config",
       {"priority": prio}, status=OK)
case("redist_priority_false", "PUT", "/2/redistribute-config",
     {"priority": False}, status=OK)
case("redist_priority_5", "PUT", "/2/redistribute-config", {"priority": 5},
     status=BAD)
case("redist_priority_string", "PUT", "/2/redistribute-config",
     {"priority": "0"}, status=BAD)
case("redist_debug_level_negative", "PUT", "/2/redistribute-config",
     {"debug_level": -1}, status=BAD)
case("redist_depends", "PUT", "/2/redistribute-config",
     {"depends": [[-1, ["success"]], [17, ["error", "canceled"]],
                  ["23", []]]}, status=OK)
case("redist_depends_bad_status", "PUT", "/2/redistribute-config",
     {"depends": [[-1, ["bogus"]]]}, status=BAD)
case("redist_depends_not_pairs", "PUT", "/2/redistribute-config",
     {"depends": [[1]]}, status=BAD)
case("redist_depends_empty", "PUT", "/2/redistribute-config",
     {"depends": []}, status=OK)

case("cluster_modify", "PUT", "/2/modify",
     {"vg_name": "testvg", "candidate_pool_size": 100}, status=OK)
for key in ("vg_name", "candidate_pool_size", "beparams"):
  case("cluster_modify_bad_%s" % key, "PUT", "/2/modify", {key: True},
       status=BAD)
case("cluster_modify_unknown", "PUT", "/2/modify", {"_-Unknown#": 1},
     status=BAD)
case("cluster_modify_compression_tools", "PUT", "/2/modify",
     {"compression_tools": ["lzop"]}, status=FORBIDDEN)
case("cluster_modify_compression_tools_query", "PUT",
     "/2/modify?compression_tools=gzip", {}, status=FORBIDDEN)
case("cluster_modify_compression_tools_query_no_body", "PUT",
     "/2/modify?compression_tools=gzip", status=FORBIDDEN)
case("cluster_modify_compression_tools_list_body", "PUT", "/2/modify",
     ["compression_tools"], status=FORBIDDEN)
case("cluster_modify_list_body", "PUT", "/2/modify", ["vg_name"], status=BAD)
case("cluster_modify_no_body", "PUT", "/2/modify", status=ERR)
case("cluster_modify_dry_run_force", "PUT", "/2/modify?dry-run=1",
     {"dry_run": True, "force": True, "reserved_lvs": ["xenvg/a"]},
     status=OK)
case("cluster_modify_full", "PUT", "/2/modify?reason=tune",
     {"enabled_hypervisors": ["kvm", "xen-pvm"],
      "hvparams": {"kvm": {"kernel_path": ""}},
      "beparams": {"default": {"maxmem": 256}},
      "ipolicy": {"vcpu-ratio": 4.0}, "mac_prefix": "aa:00:00",
      "uid_pool": [[100, 200]], "maintain_node_health": False},
     status=OK)
case("cluster_modify_bad_hypervisor", "PUT", "/2/modify",
     {"enabled_hypervisors": ["vmware"]}, status=BAD)

# ------------------------------------------------------------------- tags
TAG_RESOURCES = [("cluster", "/2/tags"), ("node", NODE + "/tags"),
                 ("instance", INST + "/tags"), ("group", GROUP + "/tags"),
                 ("network", NET + "/tags")]
for kind, path in TAG_RESOURCES:
  case("tags_%s_put" % kind, "PUT", path + "?tag=foo&tag=bar&tag=baz&dry-run=0",
       status=OK)
  case("tags_%s_delete" % kind, "DELETE",
       path + "?tag=foo&tag=bar&tag=baz&dry-run=1", status=OK)
case("tags_put_no_tags", "PUT", "/2/tags", status=OK)
case("tags_put_body_ignored", "PUT", "/2/tags?tag=a&tag=b&dry-run=1", ["x"],
     status=OK)
case("tags_put_object_body_ignored", "PUT", NODE + "/tags?tag=a",
     {"tags": ["x"], "kind": "cluster", "whatever": 1}, status=OK)
case("tags_put_depends", "PUT", INST + "/tags?tag=a",
     {"depends": [[-2, ["success"]]]}, status=OK)
case("tags_put_depends_bad", "PUT", INST + "/tags?tag=a",
     {"depends": [[-2, ["finished"]]]}, status=BAD)
case("tags_put_reason", "PUT", "/2/tags?tag=a&reason=because", status=OK)
case("tags_put_dry_run_true", "PUT", "/2/tags?tag=a&dry-run=true",
     status=BAD)
case("tags_put_dry_run_empty", "PUT", "/2/tags?tag=a&dry-run=", status=OK)
case("tags_put_dry_run_repeated", "PUT", "/2/tags?tag=a&dry-run=0&dry-run=1",
     status=OK)
case("tags_put_dry_run_space", "PUT", "/2/tags?tag=a&dry-run=%201",
     status=OK)
case("tags_put_dry_run_negative", "PUT", "/2/tags?tag=a&dry-run=-5",
     status=OK)
case("tags_put_encoded", "PUT", "/2/tags?tag=a+b&tag=c%3Ad&tag=%C3%A9",
     status=OK)
case("tags_put_empty_tag_dropped", "PUT", "/2/tags?tag=&tag=x", status=OK)

# ------------------------------------------------------------------- jobs
case("job_cancel", "DELETE", "/2/jobs/5",
     replies={"CancelJob": [True, "Dequeued job 5"]}, status=OK)
case("job_cancel_failed", "DELETE", "/2/jobs/65",
     replies={"CancelJob": [False, "Job no longer waiting, can't cancel"]},
     status=OK)
case("job_cancel_dry_run", "DELETE", "/2/jobs/7?dry-run=1&reason=x",
     {"x": 1}, replies={"CancelJob": [True, "Dequeued job 7"]}, status=OK)

# ---------------------------------------------------------------- filters
NEW = {"ReplaceFilter": UUID}
case("filter_add_empty", "POST", "/2/filters", {}, replies=NEW, status=OK)
case("filter_add_full", "POST", "/2/filters?reason=ignored",
     {"priority": 10,
      "predicates": [["jobid", [">", "id", "watermark"]],
                     ["opcode", ["=", "OP_ID", "OP_INSTANCE_CREATE"]]],
      "action": "REJECT", "reason": [["me", "why", 1]]},
     replies=NEW, status=OK)
case("filter_add_rate_limit", "POST", "/2/filters",
     {"action": ["RATE_LIMIT", 2]}, replies=NEW, status=OK)
case("filter_add_bool_priority", "POST", "/2/filters", {"priority": True},
     replies=NEW, status=OK)
case("filter_add_negative_priority", "POST", "/2/filters",
     {"priority": -1}, replies=NEW, status=OK)
case("filter_add_string_priority", "POST", "/2/filters", {"priority": "1"},
     replies=NEW, status=BAD)
case("filter_add_float_priority", "POST", "/2/filters", {"priority": 1.5},
     replies=NEW, status=BAD)
case("filter_add_bad_predicates", "POST", "/2/filters", {"predicates": {}},
     replies=NEW, status=BAD)
case("filter_add_bad_reason", "POST", "/2/filters", {"reason": "x"},
     replies=NEW, status=BAD)
case("filter_add_uuid_key", "POST", "/2/filters", {"uuid": UUID},
     replies=NEW, status=BAD)
case("filter_add_no_body", "POST", "/2/filters", replies=NEW, status=BAD)
case("filter_add_list_body", "POST", "/2/filters", [1], replies=NEW,
     status=BAD)
case("filter_replace", "PUT", "/2/filters/" + UUID,
     {"priority": 5, "action": "PAUSE"}, replies=NEW, status=OK)
case("filter_replace_empty", "PUT", "/2/filters/" + UUID, {}, replies=NEW,
     status=OK)
case("filter_replace_no_body", "PUT", "/2/filters/" + UUID, replies=NEW,
     status=BAD)
case("filter_delete", "DELETE", "/2/filters/" + UUID,
     replies={"DeleteFilter": None}, status=OK)

# ------------------------------------------------------------------ nodes
case("node_evacuate", "POST", "/2/nodes/node92/evacuate?dry-run=1",
     {"mode": "secondary-only"}, status=OK)
case("node_evacuate_full", "POST", NODE + "/evacuate",
     {"mode": "all", "iallocator": "hail", "early_release": True,
      "ignore_soft_errors": True}, status=OK)
case("node_evacuate_remote_node", "POST", NODE + "/evacuate",
     {"mode": "primary-only", "remote_node": "node2.example.com"}, status=OK)
case("node_evacuate_legacy_query", "POST",
     NODE + "/evacuate?iallocator=hail&early_release=1", status=BAD)
case("node_evacuate_no_mode", "POST", NODE + "/evacuate", {}, status=BAD)
case("node_evacuate_bad_mode", "POST", NODE + "/evacuate", {"mode": "some"},
     status=BAD)
case("node_evacuate_dry_run_body", "POST", NODE + "/evacuate",
     {"mode": "all", "dry_run": True}, status=BAD)

case("node_migrate_body", "POST", "/2/nodes/node1/migrate",
     {"iallocator": "fooalloc"}, status=OK)
case("node_migrate_body_full", "POST", NODE + "/migrate",
     {"mode": "live", "target_node": "node2.example.com",
      "allow_runtime_changes": False, "ignore_ipolicy": True}, status=OK)
case("node_migrate_live_and_mode", "POST",
     NODE + "/migrate?live=1&mode=non-live", status=BAD)
case("node_migrate_mode_live", "POST", NODE + "/migrate?mode=live",
     status=OK)
case("node_migrate_live_0", "POST", NODE + "/migrate?live=0", status=OK)
case("node_migrate_live_1", "POST", NODE + "/migrate?live=1", status=OK)
case("node_migrate_live_bad", "POST", NODE + "/migrate?live=yes",
     status=BAD)
case("node_migrate_query_ignores_body", "POST", NODE + "/migrate?dry-run=1",
     {"mode": "live", "iallocator": "hail"}, status=OK)
case("node_migrate_reason_ignores_body", "POST", NODE + "/migrate?reason=r",
     {"mode": "live", "bogus": 1}, status=OK)
case("node_migrate_nothing", "POST", NODE + "/migrate", status=OK)
case("node_migrate_bad_mode", "POST", NODE + "/migrate", {"mode": "fast"},
     status=BAD)
case("node_migrate_unknown", "POST", NODE + "/migrate", {"live": True,
                                                         "speed": 1},
     status=BAD)

ROLE = "/2/nodes/node-z/role"
for role in ("regular", "master-candidate", "drained", "offline"):
  case("node_role_" + role, "PUT", ROLE, role, status=OK)
case("node_role_force_auto_promote", "PUT",
     "/2/nodes/n1/role?force=1&auto-promote=1", "drained", status=OK)
case("node_role_auto_promote_underscore", "PUT",
     "/2/nodes/n1/role?auto_promote=1", "offline", status=OK)
case("node_role_reason", "PUT", ROLE + "?reason=maintenance", "drained",
     status=OK)
case("node_role_master", "PUT", ROLE, "master", status=BAD)
case("node_role_unknown", "PUT", ROLE, "x", status=BAD)
case("node_role_dict", "PUT", ROLE, {"role": "x"}, status=BAD)
case("node_role_list", "PUT", ROLE, ["drained"], status=BAD)
case("node_role_no_body", "PUT", ROLE, status=BAD)

case("node_modify", "POST", NODE + "/modify",
     {"master_candidate": True, "auto_promote": True, "secondary_ip": None},
     status=OK)
case("node_modify_empty", "POST", NODE + "/modify", {}, status=OK)
case("node_modify_no_body", "POST", NODE + "/modify", status=OK)
case("node_modify_static", "POST", NODE + "/modify", {"node_name": "x"},
     status=BAD)
case("node_modify_dry_run", "POST", NODE + "/modify?dry-run=1",
     {"dry_run": True, "ndparams": {"oob_program": "/bin/true"},
      "powered": False}, status=OK)
case("node_modify_bad_type", "POST", NODE + "/modify", {"offline": "yes"},
     status=BAD)

case("node_powercycle", "POST", "/2/nodes/node20744/powercycle?force=1",
     status=OK)
case("node_powercycle_body", "POST", NODE + "/powercycle", {"comment": "hi"},
     status=OK)
case("node_powercycle_static", "POST", NODE + "/powercycle",
     {"force": True}, status=BAD)

case("node_storage", "GET",
     "/2/nodes/node21075/storage?storage_type=lvm-pv&output_fields=name,other",
     status=OK)
case("node_storage_no_trim", "GET",
     NODE + "/storage?storage_type=file&output_fields=name,%20size",
     status=OK)
case("node_storage_empty_field", "GET",
     NODE + "/storage?storage_type=file&output_fields=name,,free",
     status=BAD)
case("node_storage_no_type", "GET", NODE + "/storage?output_fields=name",
     status=OK)
case("node_storage_diskless_no_fields", "GET",
     NODE + "/storage?storage_type=diskless", status=BAD)
case("node_storage_lvm_vg_no_fields", "GET",
     NODE + "/storage?storage_type=lvm-vg", status=BAD)
case("node_storage_empty_fields", "GET",
     NODE + "/storage?storage_type=lvm-vg&output_fields=", status=BAD)
case("node_storage_unknown_type", "GET",
     NODE + "/storage?storage_type=%23%23unknown_storage%23%23"
     "&output_fields=name", status=BAD)
case("node_storage_reader", "GET",
     NODE + "/storage?storage_type=lvm-pv&output_fields=name", user="reader",
     status=FORBIDDEN)
case("node_storage_anonymous", "GET",
     NODE + "/storage?storage_type=lvm-pv&output_fields=name", user=None,
     status=UNAUTH)

SMOD = "/2/nodes/node1.example.com/storage/modify"
case("node_storage_modify", "PUT", SMOD + "?storage_type=lvm-vg&name=pv-a",
     status=OK)
case("node_storage_modify_allocatable_1", "PUT",
     SMOD + "?storage_type=lvm-pv&name=pv-a&allocatable=1", status=OK)
case("node_storage_modify_allocatable_0", "PUT",
     SMOD + "?storage_type=lvm-pv&name=pv-a&allocatable=0", status=OK)
case("node_storage_modify_allocatable_empty", "PUT",
     SMOD + "?storage_type=lvm-pv&name=pv-a&allocatable=", status=OK)
case("node_storage_modify_allocatable_noint", "PUT",
     SMOD + "?storage_type=lvm-pv&name=pv-a&allocatable=noint", status=BAD)
case("node_storage_modify_no_type", "PUT", SMOD + "?name=pv-a", status=BAD)
case("node_storage_modify_no_name", "PUT", SMOD + "?storage_type=lvm-pv",
     status=BAD)
case("node_storage_modify_body_ignored", "PUT",
     SMOD + "?storage_type=lvm-pv&name=pv-a",
     {"changes": {"x": 1}, "depends": [[-1, ["success"]]]}, status=OK)
SREP = "/2/nodes/node1.example.com/storage/repair"
case("node_storage_repair", "PUT", SREP + "?storage_type=lvm-pv&name=pv16611",
     status=OK)
case("node_storage_repair_no_type", "PUT", SREP + "?name=pv16611",
     status=BAD)
case("node_storage_repair_no_name", "PUT", SREP + "?storage_type=lvm-pv",
     status=BAD)

# -------------------------------------------------------------- instances
case("instance_create", "POST", "/2/instances", create(), status=OK)
case("instance_create_dry_run", "POST", "/2/instances?dry-run=1", create(),
     status=OK)
case("instance_create_reason", "POST", "/2/instances?reason=new%20vm",
     create(), status=OK)
case("instance_create_instance_name", "POST", "/2/instances",
     create(name=_DROP, instance_name="inst8.example.com"), status=OK)
case("instance_create_name_and_instance_name", "POST", "/2/instances",
     create(instance_name="inst8.example.com"), status=BAD)
case("instance_create_os", "POST", "/2/instances",
     create(os_type=_DROP, os="debian+default"), status=OK)
case("instance_create_os_and_os_type", "POST", "/2/instances",
     create(os="debian"), status=BAD)
case("instance_create_no_version", "POST", "/2/instances",
     create(__version__=_DROP), status=BAD)
case("instance_create_empty", "POST", "/2/instances", {}, status=BAD)
for label, version in (("0", 0), ("minus1", -1), ("10483", 10483),
                       ("hello", "Hello World"), ("string1", "1"),
                       ("false", False), ("float0", 0.0), ("null", None),
                       ("list", [1])):
  case("instance_create_version_" + label, "POST", "/2/instances",
       create(__version__=version), status=BAD)
for label, version in (("float1", 1.0), ("true", True)):
  case("instance_create_version_" + label, "POST", "/2/instances",
       create(__version__=version), status=OK)
for key in ("name", "disks", "nics", "mode"):
  case("instance_create_missing_" + key, "POST", "/2/instances",
       create(**{key: _DROP}), status=BAD)
for label, value in (("null", None), ("1", 1), ("empty_string", ""),
                     ("object", {}), ("ints", [1, 2, 3]),
                     ("strings", ["hda1", "hda2"]),
                     ("unknown_key", [{"_unknown_": False}])):
  for key in ("disks", "nics"):
    case("instance_create_%s_%s" % (key, label), "POST", "/2/instances",
         create(**{key: value}), status=None)
case("instance_create_no_body", "POST", "/2/instances", status=BAD)
case("instance_create_list_body", "POST", "/2/instances", [CREATE],
     status=BAD)
case("instance_create_dry_run_in_body", "POST", "/2/instances",
     create(dry_run=True), status=BAD)
case("instance_create_reason_in_body", "POST", "/2/instances",
     create(reason=[]), status=BAD)
case("instance_create_unknown", "POST", "/2/instances", create(k=1),
     status=BAD)
case("instance_create_usb_devices", "POST", "/2/instances",
     create(hypervisor="kvm",
            hvparams={"usb_devices": "a b  c", "kernel_path": ""}),
     status=OK)
case("instance_create_hvparams_null", "POST", "/2/instances",
     create(hvparams=None), status=ERR)
case("instance_create_usb_devices_int", "POST", "/2/instances",
     create(hvparams={"usb_devices": 5}), status=ERR)
case("instance_create_import", "POST", "/2/instances?dry-run=0",
     create(mode="import", src_node="node2.example.com",
            src_path="/srv/export/inst9", disk_template="drbd",
            snode="node2.example.com",
            nics=[{"ip": "192.0.2.10", "mode": "routed",
                   "mac": "aa:00:00:11:22:33"},
                  {"mode": "bridged", "link": "br0"}],
            disks=[{"size": 1024, "mode": "rw"}, {"size": "10G"}],
            beparams={"maxmem": 512, "minmem": 256, "vcpus": 2},
            hvparams={"kernel_path": "/boot/vmlinuz"},
            osparams={"variant": "x"}, tags=["a", "b"],
            iallocator=None, start=False, ip_check=False, name_check=False,
            wait_for_sync=False, no_install=True),
     status=OK)
case("instance_create_remote_import", "POST", "/2/instances",
     create(mode="remote-import", source_handshake=[1, "x", "y"],
            source_x509_ca="---cert---", source_instance_name="old",
            source_shutdown_timeout=60),
     status=OK)
case("instance_create_diskless_three_nics", "POST", "/2/instances",
     create(disk_template="diskless", disks=[], nics=[{}, {}, {}]),
     status=OK)
for template in ("blockdev", "diskless", "drbd", "ext", "file", "gluster",
                 "plain", "rbd", "sharedfile"):
  case("instance_create_template_" + template, "POST", "/2/instances",
       create(disk_template=template), status=OK)
case("instance_create_template_bad", "POST", "/2/instances",
     create(disk_template="lvm"), status=BAD)
case("instance_create_no_template", "POST", "/2/instances",
     create(disk_template=_DROP), status=OK)
case("instance_create_bad_mode", "POST", "/2/instances",
     create(mode="clone"), status=BAD)
case("instance_create_priority_5", "POST", "/2/instances",
     create(priority=5), status=BAD)
case("instance_create_depends", "POST", "/2/instances",
     create(depends=[[-1, ["success"]]]), status=OK)
case("instance_create_osparams_private_null", "POST", "/2/instances",
     create(osparams_private=None), status=OK)
case("instance_create_disk_dict_bool", "POST", "/2/instances",
     create(disks=[{"size": True}]), status=BAD)

MULTI = "/2/instances-multi-alloc"
case("multi_alloc", "POST", MULTI,
     {"instances": [
         {"name": "a.example.com", "mode": "create", "disks": [],
          "nics": [], "disk_template": "diskless", "os": "noop"},
         {"instance_name": "b.example.com", "mode": "create",
          "disks": [{"size": 512}], "nics": [{}], "os_type": "noop",
          "pnode": "node1.example.com"}]},
     status=OK)
case("multi_alloc_dry_run", "POST", MULTI + "?dry-run=1&reason=batch",
     {"instances": [{"name": "a", "mode": "create", "disks": [], "nics": []}],
      "iallocator": "hail", "opportunistic_locking": True}, status=OK)
case("multi_alloc_empty_list", "POST", MULTI, {"instances": []}, status=OK)
case("multi_alloc_missing", "POST", MULTI, {}, status=BAD)
case("multi_alloc_list_body", "POST", MULTI, [], status=BAD)
case("multi_alloc_no_body", "POST", MULTI, status=ERR)
case("multi_alloc_nested_version", "POST", MULTI,
     {"instances": [dict(CREATE)]}, status=BAD)
case("multi_alloc_nested_invalid", "POST", MULTI,
     {"instances": [{"name": "a", "mode": "create", "disks": []}]},
     status=BAD)
case("multi_alloc_nested_both_names", "POST", MULTI,
     {"instances": [{"name": "a", "instance_name": "a", "mode": "create",
                     "disks": [], "nics": []}]}, status=BAD)
case("multi_alloc_nested_reason", "POST", MULTI,
     {"instances": [{"name": "a", "mode": "create", "disks": [], "nics": [],
                     "reason": [["x", "y", 1]]}]}, status=OK)
case("multi_alloc_nested_usb_not_converted", "POST", MULTI,
     {"instances": [{"name": "a", "mode": "create", "disks": [], "nics": [],
                     "hvparams": {"usb_devices": "a b"}}]}, status=OK)
case("multi_alloc_dry_run_in_body", "POST", MULTI,
     {"instances": [], "dry_run": True}, status=BAD)
case("multi_alloc_unknown", "POST", MULTI, {"instances": [], "x": 1},
     status=BAD)

case("instance_delete", "DELETE", "/2/instances/inst30965?dry-run=1",
     status=OK)
case("instance_delete_plain", "DELETE", INST, status=OK)
case("instance_delete_body", "DELETE", INST,
     {"shutdown_timeout": 5}, status=OK)
case("instance_delete_ignore_failures", "DELETE", INST,
     {"ignore_failures": True}, status=BAD)

case("instance_info", "GET", "/2/instances/inst31217/info?static=1",
     status=OK)
case("instance_info_default", "GET", INST + "/info", status=OK)
case("instance_info_anonymous", "GET", INST + "/info", user=None, status=OK)
case("instance_info_reader", "GET", INST + "/info?static=0&reason=look",
     user="reader", status=OK)
case("instance_info_body_ignored", "GET", INST + "/info",
     {"instances": ["x"], "depends": [[-1, ["success"]]]}, status=OK)
case("instance_info_anonymous_require_auth", "GET", INST + "/info",
     user=None, require_auth=True, status=UNAUTH)

case("instance_reboot", "POST",
     "/2/instances/inst847/reboot?dry-run=1&ignore_secondaries=1"
     "&reason=System%20update", status=OK)
case("instance_reboot_type", "POST", INST + "/reboot?type=soft", status=OK)
case("instance_reboot_type_first", "POST",
     INST + "/reboot?type=full&type=soft", status=OK)
case("instance_reboot_bad_type", "POST", INST + "/reboot?type=cold",
     status=BAD)
case("instance_reboot_body", "POST", INST + "/reboot",
     {"shutdown_timeout": 30}, status=OK)
case("instance_reboot_static", "POST", INST + "/reboot",
     {"reboot_type": "soft"}, status=BAD)

case("instance_shutdown", "PUT",
     "/2/instances/inst26791/shutdown?no_remember=0&reason=Not%20used%20anymore",
     status=OK)
case("instance_shutdown_body", "PUT", INST + "/shutdown?no_remember=1&dry-run=1",
     {"timeout": 10, "ignore_offline_nodes": True, "force": True,
      "admin_state_source": "user"}, status=OK)
case("instance_shutdown_static", "PUT", INST + "/shutdown",
     {"no_remember": True}, status=BAD)
case("instance_shutdown_bad_timeout", "PUT", INST + "/shutdown",
     {"timeout": -1}, status=BAD)

case("instance_startup", "PUT",
     "/2/instances/inst31083/startup?force=1&no_remember=1"
     "&reason=Newly%20created%20instance", status=OK)
case("instance_startup_plain", "PUT", INST + "/startup", status=OK)
case("instance_startup_body_ignored", "PUT", INST + "/startup",
     {"force": True, "foo": 1, "reason": []}, status=OK)
case("instance_startup_depends", "PUT", INST + "/startup",
     {"depends": [[-1, ["success", "error"]], [12, ["canceled"]]]},
     status=OK)
case("instance_startup_depends_bad_status", "PUT", INST + "/startup",
     {"depends": [[-1, ["running"]]]}, status=BAD)
case("instance_startup_depends_falsy", "PUT", INST + "/startup",
     {"depends": None}, status=OK)
case("instance_startup_list_body", "PUT", INST + "/startup", [1], status=OK)

REINSTALL = "/2/instances/inst1.example.com/reinstall"
case("reinstall_start", "POST", REINSTALL, {"os": "sys1", "start": True},
     status=OK)
case("reinstall_no_start", "POST", REINSTALL, {"os": "sys1", "start": False},
     status=OK)
case("reinstall_osparams", "POST", REINSTALL,
     {"os": "sys1", "osparams": {"a": "b"}, "ignored": 1}, status=OK)
case("reinstall_os_only", "POST", REINSTALL, {"os": "linux1"}, status=OK)
case("reinstall_nothing", "POST", REINSTALL, status=OK)
case("reinstall_legacy", "POST", REINSTALL + "?os=deb&nostartup=1",
     status=OK)
case("reinstall_legacy_start", "POST", REINSTALL + "?os=deb", status=OK)
case("reinstall_legacy_reason_only", "POST", REINSTALL + "?reason=x",
     status=OK)
case("reinstall_legacy_bad_flag", "POST", REINSTALL + "?nostartup=x",
     status=BAD)
case("reinstall_legacy_empty_body", "POST", REINSTALL + "?os=deb", {},
     status=OK)
case("reinstall_combined", "POST", REINSTALL + "?x=1", {"os": "sys1"},
     status=BAD)
case("reinstall_combined_reason", "POST", REINSTALL + "?reason=x",
     {"os": "sys1"}, status=BAD)
case("reinstall_start_int", "POST", REINSTALL, {"start": 1}, status=BAD)
case("reinstall_list_body", "POST", REINSTALL, [1], status=BAD)
case("reinstall_string_body", "POST", REINSTALL, "sys1", status=BAD)
case("reinstall_bad_os_type_unchecked", "POST", REINSTALL, {"os": 5},
     status=OK)
case("reinstall_depends_ignored", "POST", REINSTALL,
     {"os": "sys1", "depends": [[-1, ["success"]]]}, status=OK)

REPLACE = "/2/instances/inst1.example.com/replace-disks"
for label, disks in (("list", [1, 2, 3]), ("string", "1,2,3"),
                     ("spaces", "1, 2, 3")):
  case("replace_disks_" + label, "POST", REPLACE,
       {"mode": "replace_on_secondary", "disks": disks,
        "iallocator": "myalloc"}, status=OK)
case("replace_disks_auto", "POST", REPLACE, {"mode": "replace_auto"},
     status=OK)
case("replace_disks_new_secondary", "POST", REPLACE + "?reason=r",
     {"mode": "replace_new_secondary", "remote_node": "node3.example.com",
      "early_release": True, "ignore_ipolicy": True}, status=OK)
case("replace_disks_empty", "POST", REPLACE, {}, status=BAD)
for label, disks in (("null", None), ("empty", ""), ("object", {})):
  case("replace_disks_disks_" + label, "POST", REPLACE, {"disks": disks},
       status=BAD)
case("replace_disks_falsy_disks_with_mode", "POST", REPLACE,
     {"mode": "replace_auto", "disks": ""}, status=OK)
case("replace_disks_hello", "POST", REPLACE,
     {"mode": "replace_auto", "disks": "hello world"}, status=BAD)
case("replace_disks_x", "POST", REPLACE, {"mode": "replace_auto",
                                          "disks": "1,x"}, status=BAD)
case("replace_disks_out_of_range", "POST", REPLACE,
     {"mode": "replace_auto", "disks": "16"}, status=BAD)
case("replace_disks_legacy", "POST",
     REPLACE + "?mode=replace_auto&disks=0,1&early_release=1", status=OK)
case("replace_disks_legacy_all", "POST",
     REPLACE + "?mode=replace_new_secondary&remote_node=n3&iallocator=hail",
     status=OK)
case("replace_disks_legacy_bad", "POST", REPLACE + "?mode=replace_auto&disks=x",
     status=BAD)
case("replace_disks_nothing", "POST", REPLACE, status=BAD)

case("activate_disks", "PUT", "/2/instances/xyz/activate-disks?ignore_size=1",
     status=OK)
case("activate_disks_plain", "PUT", INST + "/activate-disks", {"x": 1},
     status=OK)
case("deactivate_disks", "PUT", "/2/instances/inst22357/deactivate-disks",
     status=OK)
case("deactivate_disks_force", "PUT", INST + "/deactivate-disks?force=1",
     status=OK)

case("recreate_disks", "POST", "/2/instances/inst22357/recreate-disks", {},
     status=OK)
case("recreate_disks_iallocator", "POST", INST + "/recreate-disks",
     {"iallocator": "hail"}, status=OK)
case("recreate_disks_nodes", "POST", INST + "/recreate-disks",
     {"disks": [0, 1], "nodes": ["node1.example.com"]}, status=OK)
case("recreate_disks_params", "POST", INST + "/recreate-disks",
     {"disks": [[0, {"size": 1024}]]}, status=OK)
case("recreate_disks_no_body", "POST", INST + "/recreate-disks", status=OK)
case("recreate_disks_bad", "POST", INST + "/recreate-disks",
     {"disks": [-1]}, status=BAD)

case("disk_grow", "POST", "/2/instances/inst10742/disk/3/grow",
     {"amount": 1024}, status=OK)
case("disk_grow_full", "POST", INST + "/disk/0/grow",
     {"amount": 2048, "absolute": True, "wait_for_sync": False,
      "ignore_ipolicy": True}, status=OK)
case("disk_grow_16", "POST", INST + "/disk/16/grow", {"amount": 1024},
     status=BAD)
case("disk_grow_no_amount", "POST", INST + "/disk/1/grow", {}, status=BAD)
case("disk_grow_static", "POST", INST + "/disk/1/grow",
     {"amount": 1, "disk": 2}, status=BAD)

case("prepare_export_remote", "PUT",
     "/2/instances/inst17925/prepare-export?mode=remote", status=OK)
case("prepare_export_local", "PUT", INST + "/prepare-export?mode=local",
     status=OK)
case("prepare_export_no_mode", "PUT", INST + "/prepare-export", status=BAD)
case("prepare_export_bad_mode", "PUT",
     INST + "/prepare-export?mode=%23%23%23invalid%23%23%23", status=BAD)

case("export_remote", "PUT", "/2/instances/instmoo/export",
     {"mode": "remote", "destination": [[1, 2, 3], [99, 99, 99]],
      "shutdown": True, "remove_instance": True,
      "x509_key_name": ["name", "hash"],
      "destination_x509_ca": "---cert---"}, status=OK)
case("export_local", "PUT", INST + "/export",
     {"destination": "node2", "shutdown": False}, status=OK)
case("export_target_node", "PUT", INST + "/export?dry-run=1",
     {"target_node": "node2", "compress": "gzip", "zero_free_space": True,
      "long_sleep": True}, status=OK)
case("export_bad_remove", "PUT", INST + "/export",
     {"destination": "node2", "remove_instance": "True"}, status=BAD)
case("export_both_names", "PUT", INST + "/export",
     {"destination": "node2", "target_node": "node2"}, status=BAD)
case("export_no_target", "PUT", INST + "/export", {}, status=BAD)

for label, body in (("empty", {}),
                    ("live_cleanup", {"mode": "live", "cleanup": True}),
                    ("non_live", {"mode": "non-live", "cleanup": False}),
                    ("full", {"target_node": "n2", "iallocator": "hail",
                              "allow_failover": True,
                              "allow_runtime_changes": False,
                              "ignore_ipolicy": True,
                              "ignore_hvversions": True})):
  case("instance_migrate_" + label, "PUT", INST + "/migrate", body, status=OK)
case("instance_migrate_bad_mode", "PUT", INST + "/migrate", {"mode": "fast"},
     status=BAD)
case("instance_migrate_no_body", "PUT", INST + "/migrate", status=OK)

case("instance_failover", "PUT", "/2/instances/inst12794/failover", {},
     status=OK)
case("instance_failover_full", "PUT", INST + "/failover?dry-run=1",
     {"iallocator": "hail", "ignore_consistency": True,
      "shutdown_timeout": 30, "target_node": "n2", "cleanup": True},
     status=OK)
case("instance_failover_static", "PUT", INST + "/failover",
     {"instance_name": "x"}, status=BAD)

case("instance_rename", "PUT", INST + "/rename",
     {"new_name": "inst2.example.com", "ip_check": False,
      "name_check": False}, status=OK)
case("instance_rename_defaults", "PUT", INST + "/rename",
     {"new_name": "inst2.example.com"}, status=OK)
case("instance_rename_missing", "PUT", INST + "/rename", {}, status=BAD)

IMOD = "/2/instances/inst1.example.com/modify"
case("instance_modify_custom", "PUT", IMOD,
     {"custom_beparams": {}, "custom_hvparams": {}}, status=OK)
case("instance_modify_custom_and_new", "PUT", IMOD,
     {"custom_beparams": {}, "beparams": {}}, status=BAD)
case("instance_modify_custom_hv_and_new", "PUT", IMOD,
     {"custom_hvparams": {}, "hvparams": {}}, status=BAD)
case("instance_modify_empty", "PUT", IMOD, {}, status=OK)
case("instance_modify_no_body", "PUT", IMOD, status=ERR)
case("instance_modify_list_body", "PUT", IMOD, [1], status=ERR)
case("instance_modify_string_body", "PUT", IMOD, "x", status=ERR)
case("instance_modify_usb_devices", "PUT", IMOD,
     {"hvparams": {"usb_devices": "a b"}}, status=OK)
case("instance_modify_usb_devices_custom", "PUT", IMOD,
     {"custom_hvparams": {"usb_devices": "a b"}}, status=OK)
case("instance_modify_hvparams_null", "PUT", IMOD, {"hvparams": None},
     status=ERR)
case("instance_modify_full", "PUT", IMOD + "?reason=resize",
     {"osparams": {"a": "b"}, "hvparams": {"kernel_path": ""},
      "beparams": {"maxmem": 1024}, "force": True, "nics": [],
      "disks": [], "disk_template": "drbd", "remote_node": "n2",
      "os_name": "debian", "force_variant": True, "offline": False,
      "wait_for_sync": False, "hotplug": True}, status=OK)
case("instance_modify_nics_old", "PUT", IMOD,
     {"nics": [[0, {"ip": "192.0.2.1"}]]}, status=OK)
case("instance_modify_nics_new", "PUT", IMOD,
     {"nics": [["add", -1, {"ip": "1.2.3.4", "link": "br0"}],
               ["modify", "nic-1", {"mode": "routed"}],
               ["remove", 2, {}]]}, status=OK)
case("instance_modify_disks_old", "PUT", IMOD,
     {"disks": [[1, {"mode": "rw"}]]}, status=OK)
case("instance_modify_disks_new", "PUT", IMOD,
     {"disks": [["add", -1, {"size": 1024}], ["attach", 0,
                                               {"name": "d"}]]},
     status=OK)
case("instance_modify_disks_old_add", "PUT", IMOD,
     {"disks": [["add", {"size": 1024}]]}, status=OK)
case("instance_modify_mods_mixed", "PUT", IMOD,
     {"nics": [[0, {"ip": "192.0.2.1"}], ["add", -1, {}]]}, status=BAD)
case("instance_modify_nics_bad_key", "PUT", IMOD,
     {"nics": [["add", -1, {"speed": "1G"}]]}, status=BAD)
for template in ("blockdev", "diskless", "drbd", "ext", "file", "gluster",
                 "plain", "rbd", "sharedfile"):
  case("instance_modify_template_" + template, "PUT", IMOD,
       {"disk_template": template}, status=OK)
case("instance_modify_static", "PUT", IMOD, {"instance_name": "x"},
     status=BAD)

# ----------------------------------------------------------------- groups
case("group_add", "POST", "/2/groups",
     {"group_name": "group2", "alloc_policy": "preferred"}, status=OK)
case("group_add_only_name", "POST", "/2/groups", {"group_name": "group2"},
     status=OK)
case("group_add_legacy_name", "POST", "/2/groups?dry-run=1",
     {"name": "group2"}, status=OK)
case("group_add_both_names", "POST", "/2/groups",
     {"name": "group2", "group_name": "group2"}, status=BAD)
case("group_add_bad_policy", "POST", "/2/groups",
     {"group_name": "group2", "alloc_policy": "always"}, status=BAD)
case("group_add_full", "POST", "/2/groups",
     {"group_name": "g", "alloc_policy": "last_resort",
      "ndparams": {"oob_program": ""}, "diskparams": {"drbd": {}},
      "ipolicy": {"vcpu-ratio": 2.5}, "hv_state": None,
      "disk_state": None}, status=OK)
case("group_add_empty_name", "POST", "/2/groups", {"group_name": ""},
     status=BAD)
case("group_add_dry_run_in_body", "POST", "/2/groups",
     {"group_name": "g", "dry_run": False}, status=BAD)

case("group_remove", "DELETE", "/2/groups/grp28575", status=OK)
case("group_remove_dry_run", "DELETE", "/2/groups/grp28575?dry-run=1",
     {"ignored": 1}, status=OK)

GMOD = "/2/groups/group1/modify"
for policy in ("preferred", "last_resort", "unallocable"):
  case("group_modify_" + policy, "PUT", GMOD, {"alloc_policy": policy},
       status=OK)
case("group_modify_bad_policy", "PUT", GMOD, {"alloc_policy": "x"},
     status=BAD)
case("group_modify_empty", "PUT", GMOD, {}, status=OK)
case("group_modify_custom", "PUT", GMOD,
     {"custom_ndparams": {"oob_program": ""},
      "custom_ipolicy": {"vcpu-ratio": 3},
      "custom_diskparams": {"plain": {"stripes": 2}}}, status=OK)
for old, new in (("custom_ndparams", "ndparams"),
                 ("custom_ipolicy", "ipolicy"),
                 ("custom_diskparams", "diskparams")):
  case("group_modify_both_" + new, "PUT", GMOD, {old: {}, new: {}},
       status=BAD)
case("group_modify_dry_run_body", "PUT", GMOD + "?dry-run=1",
     {"dry_run": True}, status=OK)

case("group_rename", "PUT", GROUP + "/rename", {"new_name": "group3"},
     status=OK)
case("group_rename_dry_run", "PUT", GROUP + "/rename?dry-run=1",
     {"new_name": "group3"}, status=OK)
case("group_rename_missing", "PUT", GROUP + "/rename", {}, status=BAD)

case("group_assign_nodes", "PUT", "/2/groups/grp-a/assign-nodes?dry-run=1&force=1",
     {"nodes": ["n2", "n3"]}, status=OK)
case("group_assign_nodes_plain", "PUT", GROUP + "/assign-nodes",
     {"nodes": ["n2"]}, status=OK)
case("group_assign_nodes_missing", "PUT", GROUP + "/assign-nodes", {},
     status=BAD)
case("group_assign_nodes_static", "PUT", GROUP + "/assign-nodes",
     {"nodes": ["n2"], "force": True}, status=BAD)

# --------------------------------------------------------------- networks
case("network_add", "POST", "/2/networks",
     {"network_name": "net1", "network": "203.0.113.0/24"}, status=OK)
case("network_add_full", "POST", "/2/networks?dry-run=1",
     {"name": "net2", "network": "198.51.100.0/24",
      "gateway": "198.51.100.1", "network6": "2001:db8::/64",
      "gateway6": "2001:db8::1", "mac_prefix": "aa:bb:cc",
      "add_reserved_ips": ["198.51.100.5"], "conflicts_check": False,
      "tags": ["a", "b"]}, status=OK)
case("network_add_both_names", "POST", "/2/networks",
     {"name": "n", "network_name": "n", "network": "10.0.0.0/8"}, status=BAD)
case("network_add_tags_null", "POST", "/2/networks",
     {"network_name": "net1", "network": "203.0.113.0/24", "tags": None},
     status=BAD)
case("network_add_host_bits", "POST", "/2/networks",
     {"network_name": "net1", "network": "10.0.0.1/24"}, status=ERR)
case("network_add_bad_netmask", "POST", "/2/networks",
     {"network_name": "net1", "network": "10.0.0.0/33"}, status=ERR)
case("network_add_garbage", "POST", "/2/networks",
     {"network_name": "net1", "network": "foo"}, status=BAD)
case("network_add_gateway_prefix", "POST", "/2/networks",
     {"network_name": "net1", "network": "10.0.0.0/24",
      "gateway": "10.0.0.1/24"}, status=BAD)
case("network_add_missing_network", "POST", "/2/networks",
     {"network_name": "net1"}, status=BAD)

case("network_remove", "DELETE", NET + "?dry-run=1", status=OK)
case("network_remove_force", "DELETE", NET, {"force": True}, status=OK)

case("network_modify", "PUT", NET + "/modify",
     {"gateway": "203.0.113.1", "add_reserved_ips": ["203.0.113.5"],
      "remove_reserved_ips": ["203.0.113.6"], "mac_prefix": "aa:bb:cc",
      "gateway6": None, "network6": None}, status=OK)
case("network_modify_dry_run_body", "PUT", NET + "/modify?dry-run=1",
     {"dry_run": True}, status=OK)
case("network_modify_bad_gateway", "PUT", NET + "/modify",
     {"gateway": "x"}, status=BAD)

case("network_connect", "PUT", NET + "/connect",
     {"group_name": "default", "network_mode": "bridged",
      "network_link": "br0"}, status=OK)
case("network_connect_full", "PUT", NET + "/connect?dry-run=1",
     {"group_name": "default", "network_mode": "openvswitch",
      "network_link": "ovs0", "network_vlan": "100",
      "conflicts_check": False}, status=OK)
case("network_connect_missing", "PUT", NET + "/connect",
     {"group_name": "default"}, status=BAD)
case("network_connect_bad_mode", "PUT", NET + "/connect",
     {"group_name": "default", "network_mode": "nat",
      "network_link": "br0"}, status=BAD)
case("network_disconnect", "PUT", NET + "/disconnect",
     {"group_name": "default"}, status=OK)
case("network_disconnect_missing", "PUT", NET + "/disconnect", {},
     status=BAD)

# ------------------------------------------------ odd inputs, Python-style
for label, body in (("string", "compression"), ("nested_list", [[1]]),
                    ("int", 5), ("bool", True), ("null", Raw("null"))):
  case("cluster_modify_body_" + label, "PUT", "/2/modify", body, status=None)
case("cluster_modify_private_cluster", "PUT", "/2/modify",
     {"osparams_private_cluster": {"debian": {"secret": "x"}},
      "osparams": {"debian": {"a": "b"}}}, status=OK)
for label, value in (("0_0", 0.0), ("10_0", 10.0), ("minus10_0", -10.0),
                     ("true", True), ("null", None), ("0_5", 0.5)):
  case("redist_priority_" + label, "PUT", "/2/redistribute-config",
       {"priority": value}, status=None)
case("redist_unicode_comment", "PUT", "/2/redistribute-config",
     {"comment": "caf\u00e9 \U0001f600 \"q\" <&>"}, status=OK)
for label, value in (("zero", 0), ("string", "x"), ("empty_object", {}),
                     ("object", {"a": 1}), ("false", False)):
  case("instance_startup_depends_" + label, "PUT", INST + "/startup",
       {"depends": value}, status=None)
for label, query in (("first_wins", "dry-run=1&dry-run=x"),
                     ("plus", "dry-run=%2B1"), ("underscore", "dry-run=1_0"),
                     ("double_underscore", "dry-run=1__0"),
                     ("leading_underscore", "dry-run=_1"),
                     ("hex", "dry-run=0x1"), ("float", "dry-run=1.0"),
                     ("newlines", "dry-run=%0A1%0A"),
                     ("zero_padded", "dry-run=007"),
                     ("fullwidth", "dry-run=%EF%BC%91"),
                     ("arabic_indic", "dry-run=%D9%A1"),
                     ("nbsp", "dry-run=%C2%A01"),
                     ("semicolon", "dry-run=1;tag=b"),
                     ("reason_first", "reason=a&reason=b"),
                     ("reason_invalid_utf8", "reason=%FF%FE"),
                     ("reason_plus", "reason=a+b%2Bc"),
                     ("tag_no_equals", "tag")):
  case("tags_query_" + label, "PUT", "/2/tags?tag=a&" + query, status=None)
for label, body in (("object", {"instances": {"a": 1}}),
                    ("string", {"instances": "ab"}),
                    ("int", {"instances": 5}),
                    ("null", {"instances": None}),
                    ("list_of_strings", {"instances": ["x"]}),
                    ("body_string", "instances"),
                    ("body_list", ["instances"]),
                    ("body_int", 5)):
  case("multi_alloc_odd_" + label, "POST", MULTI, body, status=None)
for label, hvparams in (("string", "x"), ("list", [1]), ("int", 5),
                        ("usb_null", {"usb_devices": None}),
                        ("usb_list", {"usb_devices": ["a b"]}),
                        ("usb_commas", {"usb_devices": "a,b"}),
                        ("no_usb", {"kernel_path": "/k"})):
  case("instance_create_hvparams_" + label, "POST", "/2/instances",
       create(hvparams=hvparams), status=None)
  case("instance_modify_hvparams_" + label, "PUT", IMOD,
       {"hvparams": hvparams}, status=None)
case("instance_create_private_params", "POST", "/2/instances",
     create(osparams_private={"p": "1"}, osparams_secret={"s": "2"}),
     status=OK)
for label, body in (("list", [1]), ("string", "x"), ("int", 5),
                    ("true", True)):
  case("replace_disks_body_" + label, "POST", REPLACE, body, status=None)
for label, disks in (("bools", [True, False]), ("floats", [1.5]),
                     ("padded", " 1 , 2"), ("underscore", "1_0"),
                     ("plus", "+1"), ("negative", "-1"),
                     ("arabic_indic", "\u0661"), ("empty_part", "1,,2"),
                     ("trailing_comma", "1,"), ("int", 3),
                     ("mixed_list", [1, "2"]), ("big", "99999999999999999999")):
  case("replace_disks_disks_" + label, "POST", REPLACE,
       {"mode": "replace_auto", "disks": disks}, status=None)
case("disk_grow_zero_padded", "POST", INST + "/disk/007/grow",
     {"amount": 1}, status=OK)
case("disk_grow_huge", "POST", INST + "/disk/99999999999999999999/grow",
     {"amount": 1}, status=BAD)
case("disk_grow_amount_float", "POST", INST + "/disk/0/grow",
     {"amount": 1.5}, status=None)
case("node_role_dry_run_ignored", "PUT", ROLE + "?dry-run=1", "regular",
     status=OK)
case("node_role_unicode", "PUT", ROLE, "caf\u00e9", status=BAD)

for label, body in (("zero", 0), ("empty_string", ""), ("empty_list", []),
                    ("false", False), ("empty_object", {})):
  case("reinstall_falsy_body_" + label, "POST", REINSTALL, body, status=None)
  case("reinstall_falsy_body_query_" + label, "POST",
       REINSTALL + "?os=deb", body, status=None)
case("reinstall_os_null_no_start", "POST", REINSTALL,
     {"os": None, "start": False}, status=OK)
case("reinstall_osparams_unchecked", "POST", REINSTALL, {"osparams": 5},
     status=OK)
case("reinstall_start_null", "POST", REINSTALL, {"start": None}, status=BAD)
case("node_migrate_list_body", "POST", NODE + "/migrate", [1], status=BAD)
case("filter_add_action_unchecked", "POST", "/2/filters",
     {"action": 5, "reason": [1], "predicates": ["x"]}, replies=NEW,
     status=OK)
case("filter_replace_not_uuid", "PUT", "/2/filters/not-a-uuid", {},
     replies=NEW, status=OK)
case("instance_migrate_dry_run_query_ignored", "PUT",
     INST + "/migrate?dry-run=1", {"dry_run": True}, status=OK)
case("instance_migrate_bad_dry_run_ignored", "PUT",
     INST + "/migrate?dry-run=abc&force=x", {}, status=OK)
case("redist_first_unknown_key_wins", "PUT", "/2/redistribute-config",
     {"b_unknown": 1, "a_unknown": 2}, status=BAD)
case("instance_create_first_invalid_param_wins", "POST", "/2/instances",
     create(mode="clone", disks=5, nics=5, beparams=5), status=BAD)
case("instance_create_unknown_before_invalid", "POST", "/2/instances",
     create(mode="clone", zzz=1), status=BAD)
case("export_remote_string_target", "PUT", INST + "/export",
     {"mode": "remote", "destination": "node2"}, status=None)
case("network_connect_int_vlan", "PUT", NET + "/connect",
     {"group_name": "default", "network_mode": "bridged",
      "network_link": "br0", "network_vlan": 100}, status=None)
case("redist_duplicate_keys", "PUT", "/2/redistribute-config",
     Raw('{"priority": 5, "priority": 0}'), status=None)
case("instance_shutdown_uint64_timeout", "PUT", INST + "/shutdown",
     {"timeout": 12345678901234567890}, status=None)
# (Integers beyond 64 bits: a documented difference, see
# docs/compatibility.md and write_resources_test.cpp.)
case("instance_modify_floats", "PUT", IMOD,
     Raw('{"beparams": {"x": 1e3, "y": -0.0, "z": 1.5e300, "w": 1E-5}}'),
     status=OK)

# Private parameters are re-wrapped while the body is decoded.
for label, value in (("pairs", [["a", 1]]), ("string", "x"), ("int", 5),
                     ("empty_list", []), ("two_char_strings", ["ab"]),
                     ("nested", {"a": {"b": None}})):
  case("instance_create_osparams_private_" + label, "POST", "/2/instances",
       create(osparams_private=value), status=None)
case("cluster_modify_private_cluster_pairs", "PUT", "/2/modify",
     {"osparams_private_cluster": {"debian": [["a", 1]]}}, status=None)
case("cluster_modify_private_cluster_null", "PUT", "/2/modify",
     {"osparams_private_cluster": {"debian": None}}, status=None)
case("cluster_modify_private_cluster_not_object", "PUT", "/2/modify",
     {"osparams_private_cluster": 5}, status=None)
case("multi_alloc_nested_private", "POST", MULTI,
     {"instances": [{"name": "a", "mode": "create", "disks": [], "nics": [],
                     "osparams_secret": None,
                     "osparams_private": {"k": "v"}}]}, status=OK)
case("reinstall_osparams_private_ignored", "POST", REINSTALL,
     {"os": "x", "osparams_private": {"k": "v"}}, status=OK)

# ------------------------------------------- luxid refusing what we submit
case("submit_queue_full", "PUT", "/2/redistribute-config",
     failures={"SubmitJob": ["JobQueueFull", []]}, status=503)
case("submit_queue_drained", "PUT", INST + "/startup",
     failures={"SubmitJob": ["JobQueueDrainError",
                             ["Job queue is drained, refusing job"]]},
     status=503)
case("submit_prereq_error", "POST", "/2/instances", create(),
     failures={"SubmitJob": ["OpPrereqError", ["Bad opcode", "wrong_input"]]},
     status=None)
case("submit_reinstall_queue_full", "POST", REINSTALL,
     failures={"SubmitJob": ["JobQueueFull", []]}, status=503)
case("submit_multi_alloc_queue_full", "POST", MULTI, {"instances": []},
     failures={"SubmitJob": ["JobQueueFull", []]}, status=503)
case("job_cancel_unknown", "DELETE", "/2/jobs/99999",
     failures={"CancelJob": ["OpPrereqError", ["Job 99999 not found",
                                              "unknown_entity"]]},
     status=None)
case("filter_delete_unknown", "DELETE", "/2/filters/" + UUID,
     failures={"DeleteFilter": ["OpPrereqError",
                                ["No filter rule with UUID " + UUID,
                                 "unknown_entity"]]}, status=None)
case("filter_add_rejected", "POST", "/2/filters", {"priority": -1},
     failures={"ReplaceFilter": ["OpPrereqError",
                                 ["Priority must be non-negative",
                                  "wrong_input"]]}, status=None)

# ----------------------------------------------------- access, everywhere
WRITE_RESOURCES = [
    ("PUT", "/2/redistribute-config"), ("PUT", "/2/modify"),
    ("PUT", "/2/tags?tag=x"), ("DELETE", "/2/tags?tag=x"),
    ("DELETE", "/2/jobs/5"),
    ("POST", NODE + "/powercycle"), ("PUT", NODE + "/role"),
    ("POST", NODE + "/evacuate"), ("POST", NODE + "/migrate"),
    ("POST", NODE + "/modify"),
    ("GET", NODE + "/storage?output_fields=name"),
    ("PUT", NODE + "/storage/modify?name=x"),
    ("PUT", NODE + "/storage/repair?name=x"),
    ("PUT", NODE + "/tags?tag=x"), ("DELETE", NODE + "/tags?tag=x"),
    ("POST", "/2/instances"), ("POST", MULTI), ("DELETE", INST),
    ("POST", INST + "/reboot"), ("PUT", INST + "/shutdown"),
    ("PUT", INST + "/startup"), ("POST", INST + "/reinstall"),
    ("POST", INST + "/replace-disks"), ("PUT", INST + "/activate-disks"),
    ("PUT", INST + "/deactivate-disks"), ("POST", INST + "/recreate-disks"),
    ("PUT", INST + "/prepare-export?mode=local"), ("PUT", INST + "/export"),
    ("PUT", INST + "/migrate"), ("PUT", INST + "/failover"),
    ("PUT", INST + "/rename"), ("PUT", INST + "/modify"),
    ("POST", INST + "/disk/0/grow"),
    ("PUT", INST + "/tags?tag=x"), ("DELETE", INST + "/tags?tag=x"),
    ("POST", "/2/groups"), ("DELETE", GROUP), ("PUT", GROUP + "/modify"),
    ("PUT", GROUP + "/rename"), ("PUT", GROUP + "/assign-nodes"),
    ("PUT", GROUP + "/tags?tag=x"), ("DELETE", GROUP + "/tags?tag=x"),
    ("POST", "/2/networks"), ("DELETE", NET), ("PUT", NET + "/connect"),
    ("PUT", NET + "/disconnect"), ("PUT", NET + "/modify"),
    ("PUT", NET + "/tags?tag=x"), ("DELETE", NET + "/tags?tag=x"),
    ("POST", "/2/filters"), ("PUT", "/2/filters/" + UUID),
    ("DELETE", "/2/filters/" + UUID),
]
for method, target in WRITE_RESOURCES:
  label = "%s_%s" % (method.lower(), target.split("?")[0].replace("/", "_")
                     .replace("-", "_").replace(".", "_").strip("_"))
  case("access_reader_" + label, method, target, {}, user="reader",
       status=FORBIDDEN)
  case("access_plain_" + label, method, target, {}, user="plain",
       status=FORBIDDEN)
  case("access_anonymous_" + label, method, target, {}, user=None,
       status=UNAUTH)
  case("access_anonymous_require_auth_" + label, method, target, {},
       user=None, require_auth=True, status=UNAUTH)


def _request(raw):
  """(headers as pairs, body or None) of a recorded request's bytes."""
  head, _, body = raw.partition("\r\n\r\n")
  headers = [tuple(line.split(": ", 1)) for line in head.split("\r\n")[1:]]
  return headers, body or None


def captures(directory):
  """The write requests of the sandbox captures and their LUXI messages."""
  names = ["062", "063"] + ["%03d" % i for i in range(70, 92)] + \
          ["093", "094", "096"]
  result = []
  for fname in sorted(os.listdir(directory)):
    if fname[:3] not in names:
      continue
    with open(os.path.join(directory, fname)) as fd:
      data = json.load(fd)
    req = data["request"]
    headers, body = _request(req["raw"])
    luxi_msgs = [dict(m, msg=json.loads(m["raw"])) for m in data["luxi"]]
    msgs = [m for m in luxi_msgs if m["dir"] == "req"]
    replies = [m for m in luxi_msgs if m["dir"] == "resp"]
    if not msgs or msgs[0]["msg"]["method"] not in ("SubmitJob", "CancelJob"):
      continue
    assert len(msgs) == 1 and len(replies) == 1
    auth = dict(headers).get("Authorization", "")
    user = base64.b64decode(auth.split()[1]).decode().split(":")[0] \
        if auth else None
    assert user in (None, "admin")
    calls = _zero_reason_timestamps([{"method": msgs[0]["msg"]["method"],
                                      "args": msgs[0]["msg"]["args"]}])
    result.append({
        "name": fname[:-len(".json")], "method": req["method"],
        "target": req["path"], "body": body, "user": user,
        "require_auth": False,
        "luxi_replies": {msgs[0]["msg"]["method"]:
                         replies[0]["msg"]["result"]},
        "luxi_failures": {},
        "status": data["response"]["status"],
        "response": data["response"]["body"],
        "luxi": calls,
    })
  return result


def _write(path, header, cases):
  """One case per line, so that a regeneration diffs case by case."""
  with open(path, "w") as fd:
    fd.write('{"generated_by": %s,\n "cases": [\n' % json.dumps(header))
    fd.write(",\n".join("  " + json.dumps(c) for c in cases))
    fd.write("\n]}\n")


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--captures",
                      default=os.environ.get("RAPID_CAPTURES",
                                             DEFAULT_CAPTURES),
                      help="recordings of the real daemon"
                      " (default: %(default)s)")
  parser.add_argument("--output", default=HERE,
                      help="directory to write into (default: %(default)s)")
  args = parser.parse_args()
  if MISMATCHES:
    sys.exit("\n".join(MISMATCHES))
  header = ("tests/integration/data/gen_write_cases.py: the real Ganeti 3.0.2"
            " ganeti-rapi code, in-process; reason timestamps set to 0")
  _write(os.path.join(args.output, "write_cases.json"), header, CASES)
  print("%d cases" % len(CASES))
  if os.path.isdir(args.captures):
    caps = captures(args.captures)
    _write(os.path.join(args.output, "write_captures.json"),
           "tests/integration/data/gen_write_cases.py: the write requests of"
           " the ganeti-sandbox captures; reason timestamps set to 0", caps)
    print("%d captures" % len(caps))
  else:
    print("no captures at %s: write_captures.json left as it is"
          % args.captures)


if __name__ == "__main__":
  main()
