// rapi/audit.h: the audit record as one JSON line, the opcodes' targets,
// the secrets left out; app/audit_log.h's file.
#include "rapi/audit.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/audit_log.h"
#include "rapi/resource.h"

namespace rapid::rapi {
namespace {

using namespace std::chrono_literals;

Json parsed(const std::string& line) {
  EXPECT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line";
  auto json = parse_json(line);
  EXPECT_TRUE(json) << line;
  return json ? *json : Json();
}

std::chrono::system_clock::time_point at_ms(long long ms) {
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
}

TEST(Audit, IsoTimeUtcWithMilliseconds) {
  EXPECT_EQ(iso8601_utc_ms(at_ms(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(iso8601_utc_ms(at_ms(1'796'119'200'007)), "2026-12-01T10:00:00.007Z");
  EXPECT_EQ(iso8601_utc_ms(at_ms(1'796'119'259'999)), "2026-12-01T10:00:59.999Z");
}

TEST(Audit, SubmittedJobLine) {
  AuditTrail trail;
  note_call(trail, "SubmitJob",
            parse_json(R"([{"OP_ID": "OP_INSTANCE_REBOOT", "instance_name": "web1",
                            "reboot_type": "hard", "reason": [["gnt:user", "x", 1]]}])")
                .value());
  note_result(trail, "SubmitJob", Json(4711));
  const std::string user = "admin";
  AuditRecord record;
  record.time = at_ms(1'796'119'200'123);
  record.peer = "192.0.2.7:51234";
  record.user = &user;
  record.method = "POST";
  record.target = "/2/instances/web1/reboot?type=hard";
  record.trail = &trail;
  const std::string line = audit_line(record);
  EXPECT_EQ(line,
            R"({"time":"2026-12-01T10:00:00.123Z","peer":"192.0.2.7:51234","user":"admin",)"
            R"("method":"POST","path":"/2/instances/web1/reboot?type=hard","outcome":"submitted",)"
            R"("status":200,"opcodes":[{"OP_ID":"OP_INSTANCE_REBOOT","instance_name":"web1"}],)"
            R"("job_id":4711,"filter":null,"error":null})"
            "\n");
}

TEST(Audit, RefusedAnonymousLineHasStatusAndReasonPhrase) {
  AuditTrail trail;
  AuditRecord record;
  record.peer = "[2001:db8::1]:4000";
  record.method = "DELETE";
  record.target = "/2/instances/web1";
  record.status = 401;
  record.trail = &trail;
  const Json line = parsed(audit_line(record));
  EXPECT_EQ(line["user"], nullptr);
  EXPECT_EQ(line["outcome"], "refused");
  EXPECT_EQ(line["status"], 401);
  EXPECT_EQ(line["error"], "Unauthorized");
  EXPECT_EQ(line["opcodes"], Json::array());
  EXPECT_EQ(line["job_id"], nullptr);

  record.status = 400;
  record.error = "Invalid body parameters";
  EXPECT_EQ(parsed(audit_line(record))["error"], "Invalid body parameters");
}

TEST(Audit, FailedOnceSentAndCancelDeclined) {
  AuditTrail submit;
  note_call(submit, "SubmitJob", Json::array());
  AuditRecord record;
  record.status = 503;
  record.error = "Job queue is full";
  record.trail = &submit;
  EXPECT_EQ(audit_outcome(record), AuditOutcome::failed);

  AuditTrail cancel;
  note_call(cancel, "CancelJob", parse_json("[17, false]").value());
  note_result(cancel, "CancelJob", parse_json(R"([false, "Job 17 is no longer waiting"])").value());
  record.status = 200;
  record.error = {};
  record.trail = &cancel;
  const Json line = parsed(audit_line(record));
  EXPECT_EQ(line["outcome"], "failed");
  EXPECT_EQ(line["job_id"], 17);
  EXPECT_EQ(line["error"], "Job 17 is no longer waiting");

  AuditTrail cancelled;
  note_call(cancelled, "CancelJob", parse_json("[18, false]").value());
  note_result(cancelled, "CancelJob", parse_json(R"([true, "Job 18 canceled"])").value());
  record.trail = &cancelled;
  EXPECT_EQ(parsed(audit_line(record))["outcome"], "submitted");
}

TEST(Audit, FilterUuidFromTheUrlOrTheAnswer) {
  AuditTrail created;
  note_call(created, "ReplaceFilter", parse_json(R"([null, 0, [], "CONTINUE", []])").value());
  note_result(created, "ReplaceFilter", Json("c0ffee-uuid"));
  EXPECT_EQ(created.filter, "c0ffee-uuid");
  AuditTrail deleted;
  note_call(deleted, "DeleteFilter", parse_json(R"(["dead-uuid"])").value());
  note_result(deleted, "DeleteFilter", Json());
  EXPECT_EQ(deleted.filter, "dead-uuid");
  EXPECT_TRUE(deleted.sent);
}

TEST(Audit, OpcodeTargetsOnly) {
  const Json create = parse_json(R"({
      "OP_ID": "OP_INSTANCE_CREATE", "instance_name": "db1", "pnode": "node1", "snode": "node2",
      "disks": [{"size": 1024}], "beparams": {"memory": 512}, "os_type": "debian",
      "hvparams": {"root_path": "/dev/vda1"},
      "osparams_private": {"root_password": "hunter2-private"},
      "osparams_secret": {"api_token": "hunter2-secret", "other": "x"}})")
                          .value();
  const Json entry = audit_opcode(create);
  EXPECT_EQ(entry, parse_json(R"({"OP_ID": "OP_INSTANCE_CREATE", "instance_name": "db1",
                                   "pnode": "node1", "snode": "node2",
                                   "osparams_private": ["root_password"],
                                   "osparams_secret": ["api_token", "other"]})")
                       .value());
  EXPECT_EQ(entry.dump().find("hunter2"), std::string::npos);

  const Json cluster = parse_json(R"({"OP_ID": "OP_CLUSTER_SET_PARAMS",
      "osparams_private_cluster": {"debian": {"key": "hunter2"}, "other": null}})")
                           .value();
  EXPECT_EQ(audit_opcode(cluster), parse_json(R"({"OP_ID": "OP_CLUSTER_SET_PARAMS",
                           "osparams_private_cluster": {"debian": ["key"], "other": []}})")
                                       .value());

  const Json tags = parse_json(
                        R"({"OP_ID": "OP_TAGS_SET", "kind": "instance", "name": "web1",
                            "tags": ["a", "b"]})")
                        .value();
  EXPECT_EQ(audit_opcode(tags),
            parse_json(R"({"OP_ID": "OP_TAGS_SET", "kind": "instance", "name": "web1"})").value());

  const Json assign = parse_json(R"({"OP_ID": "OP_GROUP_ASSIGN_NODES", "group_name": "g1",
                                     "nodes": ["n1", "n2"], "force": true})")
                          .value();
  EXPECT_EQ(audit_opcode(assign), parse_json(R"({"OP_ID": "OP_GROUP_ASSIGN_NODES",
                                                  "group_name": "g1", "nodes": ["n1", "n2"]})")
                                      .value());

  // A remote export's destination carries keys: not a string, left out.
  const Json remote_export =
      parse_json(R"({"OP_ID": "OP_BACKUP_EXPORT", "instance_name": "web1", "mode": "remote",
                     "target_node": [["host", 1234, "magic", "hmac-hunter2"]],
                     "x509_key_name": ["key", "hmac-hunter2"]})")
          .value();
  EXPECT_EQ(audit_opcode(remote_export),
            parse_json(R"({"OP_ID": "OP_BACKUP_EXPORT", "instance_name": "web1"})").value());

  const Json multi = parse_json(R"({"OP_ID": "OP_INSTANCE_MULTI_ALLOC", "instances": [
      {"OP_ID": "OP_INSTANCE_CREATE", "instance_name": "a", "osparams_secret": {"k": "hunter2"}},
      {"OP_ID": "OP_INSTANCE_CREATE", "instance_name": "b"}]})")
                         .value();
  EXPECT_EQ(audit_opcode(multi),
            parse_json(R"({"OP_ID": "OP_INSTANCE_MULTI_ALLOC", "instances": ["a", "b"]})").value());
}

TEST(Audit, InvalidUtf8AndControlsStayOnOneAsciiLine) {
  AuditTrail trail;
  AuditRecord record;
  record.method = "PUT";
  const std::string target = "/2/instances/x\xff\n\x01y/startup";
  record.target = target;
  record.status = 404;
  record.trail = &trail;
  const std::string line = audit_line(record);
  for (const char c : line.substr(0, line.size() - 1)) {
    EXPECT_TRUE(c >= 0x20 && c < 0x7f) << static_cast<int>(c);
  }
  EXPECT_EQ(parsed(line)["path"], "/2/instances/x\xEF\xBF\xBD\n\x01y/startup");
}

// Which rows are audited: opcode rows and write handlers, not the job wait.
TEST(Audit, AuditedRows) {
  int audited = 0;
  for (const auto& resource : resources()) {
    for (const Method m : kMethods) {
      const MethodDef* def = resource.method(m);
      if (!def) continue;
      const bool expected =
          !def->opcode.empty() || (def->access == Access::write && resource.id() != "jobs_id_wait");
      EXPECT_EQ(is_audited(m, *def), expected) << resource.pattern() << " " << method_name(m);
      audited += expected;
    }
  }
  EXPECT_EQ(audited, 53);  // as WriteCaseData.EveryWriteMethodHasASuccessfulCase counts them
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(AuditLogFile, AppendsReopensAndIsPrivate) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("rapid-audit-unit-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "audit.log").string();
  app::AuditLog log(app::AuditLogConfig{.path = path, .required = true});
  ASSERT_TRUE(log.enabled());
  log.open();
  log.write("{\"a\":1}\n");
  std::filesystem::rename(path, path + ".1");
  log.write("{\"a\":2}\n");  // still the renamed file until the reopen
  log.reopen();
  log.write("{\"a\":3}\n");
  EXPECT_EQ(slurp(path + ".1"), "{\"a\":1}\n{\"a\":2}\n");
  EXPECT_EQ(slurp(path), "{\"a\":3}\n");
  const auto perms = std::filesystem::status(path).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::others_all, std::filesystem::perms::none);
  std::filesystem::remove_all(dir);
}

TEST(AuditLogFile, RequiredPathThatCannotBeOpenedThrows) {
  app::AuditLog required(
      app::AuditLogConfig{.path = "/nonexistent-rapid-dir/audit.log", .required = true});
  EXPECT_THROW(required.open(), app::AuditLogError);
  // The default path: an error in the log, lines lost until it can be opened.
  app::AuditLog tolerant(app::AuditLogConfig{.path = "/nonexistent-rapid-dir/audit.log"});
  EXPECT_NO_THROW(tolerant.open());
  EXPECT_NO_THROW(tolerant.write("{}\n"));
  EXPECT_NO_THROW(tolerant.reopen());
  EXPECT_FALSE(app::AuditLog(app::AuditLogConfig{}).enabled());
}

}  // namespace
}  // namespace rapid::rapi
