#pragma once
// The audit log of writes (docs/audit-log.md): one JSON line per request to
// a row of the resource table that writes (it submits a job, cancels one or
// changes a filter), whether the request was submitted, refused before
// anything reached luxid, or failed there. The line is built here, where
// the user, the row and the submitted opcodes are known; the app layer
// wires the sink that writes it (app/audit_log.h).
//
// Never a secret: of a request body only the opcodes' target names and the
// key names of their private parameters are kept; no password, no
// Authorization header.

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "rapi/resource.h"
#include "util/json.h"

namespace rapid::rapi {

// Receives one audit line (JSON and '\n'); called on the io threads.
using AuditSink = std::function<void(std::string_view line)>;

// Whether requests to `method` (of HTTP method `verb`) are audited: an
// opcode row, or a write-class handler other than a GET (the job wait,
// GET /2/jobs/[job_id]/wait, only reads).
bool is_audited(Method verb, const MethodDef& method);

// What the LUXI calls of one audited request did; luxi_calls.cpp records
// into it through Context::audit.
struct AuditTrail {
  bool sent = false;     // a call that may change the cluster was sent
  Json opcodes;          // audit_opcode() of each submitted opcode (null: none)
  Json job_id;           // the job submitted or cancelled
  Json filter;           // the filter created, replaced or deleted
  std::string declined;  // luxid's "no" in a successful answer (CancelJob)
};

// Before a call that may change the cluster (SubmitJob's argument is the
// list of opcodes) and after its answer.
void note_call(AuditTrail& trail, std::string_view luxi_method, const Json& args);
void note_result(AuditTrail& trail, std::string_view luxi_method, const Json& result);

// One opcode's entry: its OP_ID, its target names (instance_name,
// node_name, group_name, network_name, tag kind and name, ...: strings or
// lists of strings) and, for osparams_private, osparams_secret and
// osparams_private_cluster, the key names alone.
Json audit_opcode(const Json& opcode);

enum class AuditOutcome { submitted, refused, failed };
std::string_view outcome_name(AuditOutcome outcome);

struct AuditRecord {
  std::chrono::system_clock::time_point time;
  std::string_view peer;
  const std::string* user = nullptr;  // nullptr: anonymous
  std::string_view method;
  std::string_view target;  // path and query string, as requested
  int status = 200;
  std::string_view error;  // the answer's message (non-200), or luxid's "no"
  const AuditTrail* trail = nullptr;
};

// The outcome a record reports: submitted (200 and luxid agreed), failed
// (the call reached luxid, which failed or said no), refused (nothing was
// sent).
AuditOutcome audit_outcome(const AuditRecord& record);

// The record as one line: a JSON object (ASCII only, invalid UTF-8
// replaced) and '\n'.
std::string audit_line(const AuditRecord& record);

// 2026-12-01T10:00:00.123Z
std::string iso8601_utc_ms(std::chrono::system_clock::time_point time);

}  // namespace rapid::rapi
