// /, /2, /version, /2/features, /2/info, /2/os, tag lists.
#include <spdlog/spdlog.h>

#include <iterator>
#include <optional>
#include <vector>

#include "luxi/client.h"
#include "luxi/error.h"
#include "luxi/shared_result.h"
#include "rapi/handlers.h"
#include "rapi/luxi_calls.h"
#include "rapi/private_params.h"
#include "rapi/python_semantics.h"
#include "util/json_transcode.h"
#include "util/pyrepr.h"

namespace rapid::rapi {

namespace {

constexpr int kRapiVersion = 2;
// /2/os polls the job with this wait (seconds), as cli.PollJob does.
constexpr int kOsPollWait = 20;

// Copies `param` to `alias` in an object answer (baserlib.GetHandler).
void add_alias(Json& result, std::string_view param, std::string_view alias) {
  if (!result.is_object() || !result.contains(param)) return;
  if (result.contains(alias)) {
    throw bad_request("Parameter '" + std::string(param) + "' has an alias of '" +
                      std::string(alias) + "', but both values are present in response");
  }
  result[std::string(alias)] = result[std::string(param)];
}

// /2/info: luxid's answer with baserlib's aliases.
Json info_answer(Json info) {
  add_alias(info, "volume_group_name", "vg_name");
  add_alias(info, "drbd_usermode_helper", "drbd_helper");
  return info;
}

// info_answer's body straight from luxid's text: the object transcoded,
// the aliases appended as add_alias appends them (both sources there, no
// alias yet). nullopt otherwise: the DOM path handles it.
std::optional<std::string> info_body_from_text(std::string_view text) {
  static constexpr std::string_view kSources[] = {"volume_group_name", "drbd_usermode_helper"};
  static constexpr std::string_view kAliases[] = {"vg_name", "drbd_helper"};
  std::vector<std::string_view> special(std::begin(kPrivateFields), std::end(kPrivateFields));
  special.insert(special.end(), std::begin(kAliases), std::end(kAliases));
  std::string body;
  body.reserve(text.size() + text.size() / 4 + 64);
  TopMembers members{kSources, {}};
  if (transcode_python(text, body, special, &members) != Transcoded::ok) return std::nullopt;
  if (body.size() < 3 || body.front() != '{') return std::nullopt;  // no object, or {}
  for (const auto& [offset, length] : members.values) {
    if (offset == std::string::npos) return std::nullopt;
  }
  std::string tail;
  for (std::size_t i = 0; i < std::size(kAliases); ++i) {
    tail += ", ";
    dump_python_string(kAliases[i], tail);
    tail += ": ";
    tail.append(body, members.values[i].first, members.values[i].second);
  }
  body.pop_back();  // the object's "}"
  body += tail;
  body += "}\n";
  return body;
}

std::string info_body(const luxi::SharedResult& result) {
  if (const auto text = result.text()) {
    if (auto body = info_body_from_text(*text)) return std::move(*body);
  }
  return render_body(info_answer(result.value()));
}

// The original iterates a frozenset; this is the order it printed. Built
// here, not in the coroutine: GCC 12 miscompiles initializer lists there.
Json features() {
  return Json::array({"node-migrate-reqv1", "node-evac-res1", "instance-create-reqv1",
                      "instance-reinstall-reqv1"});
}

}  // namespace

Awaitable get_null(Context&) { co_return nullptr; }

Awaitable get_version(Context&) { co_return kRapiVersion; }

Awaitable get_features(Context&) { co_return features(); }

Awaitable get_info(Context& ctx) {
  const std::shared_ptr<const luxi::SharedResult> shared =
      co_await shared_query(ctx, "QueryClusterInfo", Json::array());
  if (ctx.share_bodies) {
    ctx.shared_body = shared->body("info", info_body);
    co_return nullptr;
  }
  co_return info_answer(shared->value());
}

Awaitable get_tags(Context& ctx) {
  const std::string_view kind = tag_kind(ctx);
  const std::string name = kind == "cluster" ? std::string() : ctx.item(0);
  Json tags = co_await query(ctx, "QueryTags", json_list(kind, name));
  if (!tags.is_array()) throw not_iterable_error(tags);
  co_return tags;
}

// The job /2/os submits (no reason trail, as rlib2 builds it by hand).
// A plain function: see "Coroutine rules" in docs/architecture.md.
static Json os_diagnose_job() {
  Json params = Json::object();
  params["output_fields"] = json_list("name", "variants");
  params["names"] = Json::array();
  return json_list(build_opcode_unchecked("OP_OS_DIAGNOSE", params));
}

// Submits OP_OS_DIAGNOSE and waits for it like cli.PollJob, then flattens
// the result into "name" / "name+variant" entries.
Awaitable get_os(Context& ctx) {
  const Json job_id = co_await submit_job(ctx, os_diagnose_job());

  Json previous_info = nullptr;
  Json previous_serial = nullptr;
  const auto wait_timeout = std::chrono::seconds(kOsPollWait + 30);
  while (true) {
    Json result = co_await ctx.luxi.call(
        "WaitForJobChange",
        json_list(job_id, json_list("status"), previous_info, previous_serial, kOsPollWait),
        luxi::Resend::safe, wait_timeout);
    if (!truthy(result)) throw ApiError(500, "Job with id " + python_str(job_id) + " lost");
    if (result == "nochange") continue;
    const auto change = unpack(result, 2);  // (job_info, log_entries)
    const Json& job_info = change[0];
    const Json& log_entries = change[1];
    const Json status = unpack(job_info, 1)[0];  // (status, ) = job_info
    if (truthy(log_entries)) {
      for (const auto& entry : python_iter(log_entries)) {
        // (serial, timestamp, log_type, message) = log_entry
        const auto fields = unpack(entry, 4);
        SPDLOG_INFO("{}: {}", python_str(fields[2]), python_str(fields[3]));
        if (previous_serial.is_null() || (fields[0].is_number() && fields[0] > previous_serial)) {
          previous_serial = fields[0];
        }
      }
    } else if (status == "success" || status == "error" || status == "canceling" ||
               status == "canceled") {
      break;
    }
    previous_info = job_info;
  }

  const Json jobs = co_await query(
      ctx, "QueryJobs", json_list(json_list(job_id), json_list("status", "opstatus", "opresult")));
  if (!truthy(jobs)) throw ApiError(500, "Job with id " + python_str(job_id) + " lost");
  const auto job = unpack(index_or_500(jobs, 0), 3);  // status, opstatus, result = jobs[0]
  const Json& status = job[0];
  const Json& opstatus = job[1];
  const Json& opresult = job[2];
  if (status == "canceling" || status == "canceled") throw ApiError(500, "Job was canceled");
  if (status != "success") {
    bool has_ok = false;
    const auto statuses = python_iter(opstatus);
    const auto results = python_iter(opresult);
    for (std::size_t i = 0; i < std::min(statuses.size(), results.size()); ++i) {
      if (statuses[i] == "success") {
        has_ok = true;
      } else if (statuses[i] == "error") {
        const Json& msg = results[i];
        // errors.MaybeRaise: an encoded Ganeti error is raised as such.
        if (msg.is_array() && msg.size() == 2 && msg[0].is_string() && msg[1].is_array() &&
            luxi::is_ganeti_error_class(msg[0].get<std::string>())) {
          throw ApiError(500, luxi::Error::ganeti(msg[0].get<std::string>(), msg[1]).detail());
        }
        if (has_ok) {
          throw ApiError(500,
                         "partial failure (opcode " + std::to_string(i) + "): " + python_str(msg));
        }
        throw ApiError(500, python_str(msg));
      }
    }
    throw ApiError(500, python_str(opresult));
  }

  const Json& diagnose = index_or_500(opresult, 0);
  if (!diagnose.is_array()) throw ApiError(502, "Can't get OS list");
  Json names = Json::array();
  for (const auto& entry : diagnose) {
    const auto os = unpack(entry, 2);  // (name, variants)
    // cli.CalculateOSNames
    if (truthy(os[1])) {
      for (const auto& variant : python_iter(os[1])) {
        names.push_back(python_str(os[0]) + "+" + python_str(variant));
      }
    } else {
      names.push_back(os[0]);
    }
  }
  co_return names;
}

}  // namespace rapid::rapi
