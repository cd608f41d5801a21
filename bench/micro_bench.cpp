// CPU cost of rapid's own work per request, without network or luxid:
// JSON in and out in Ganeti's format, routing, users-file parsing, opcode
// building. (Throughput against a real master, luxid and nginx: bench/run.)
#include <benchmark/benchmark.h>

#include "auth/users.h"
#include "luxi/repeated_replies.h"
#include "luxi/shared_result.h"
#include "rapi/opcode.h"
#include "rapi/resource.h"
#include "rapi/router.h"
#include "util/file.h"
#include "util/json.h"
#include "util/json_transcode.h"

namespace {

using rapid::Json;

// A cluster-info-sized object (about 6 KB of JSON, like /2/info).
Json sample_info() {
  Json info = Json::object();
  for (int i = 0; i < 60; ++i) {
    Json params = Json::object();
    for (int j = 0; j < 12; ++j)
      params["param_" + std::to_string(j)] = j % 3 ? Json(j * 1.5) : Json("value");
    info["key_" + std::to_string(i)] = i % 4 ? Json(params) : Json("caf\xc3\xa9 text");
  }
  return info;
}

void BM_DumpPython(benchmark::State& state) {
  const Json info = sample_info();
  for (auto _ : state) benchmark::DoNotOptimize(rapid::dump_python(info));
}
BENCHMARK(BM_DumpPython);

// The sandbox cluster's /2/info answer (data/info.json, 6 KB).
std::string real_info_text() {
  std::string text;
  int error = 0;
  if (!rapid::read_file(RAPID_BENCH_DATA "/info.json", text, error)) std::abort();
  return text;
}

void BM_ParseRealInfo(benchmark::State& state) {
  const std::string text = real_info_text();
  for (auto _ : state) benchmark::DoNotOptimize(rapid::parse_json(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseRealInfo);

void BM_ParseRealInfoNlohmann(benchmark::State& state) {
  const std::string text = real_info_text();
  for (auto _ : state) benchmark::DoNotOptimize(Json::parse(text, nullptr, false));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseRealInfoNlohmann);

// Python's format straight from the text, as the hot read paths write it.
void BM_TranscodeRealInfo(benchmark::State& state) {
  const std::string text = real_info_text();
  for (auto _ : state) {
    std::string out;
    benchmark::DoNotOptimize(rapid::transcode_python(text, out));
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_TranscodeRealInfo);

// What a request costs when luxid's reply is the last one's bytes again
// (luxi/repeated_replies.h): comparing the replies and taking over the body,
// instead of BM_TranscodeRealInfo's rendering.
void BM_RepeatedRealInfo(benchmark::State& state) {
  const std::string message = R"({"success":true,"result":)" + real_info_text() + "}";
  rapid::luxi::RepeatedReplies repeated({});
  const auto render = [](const rapid::luxi::SharedResult& result) {
    std::string out;
    rapid::transcode_python(*result.text(), out);
    return out;
  };
  const auto first = rapid::luxi::SharedResult::from_reply(message);
  repeated.reuse("request", *first);
  first->body("info", render);
  for (auto _ : state) {
    const auto again = rapid::luxi::SharedResult::from_reply(message);
    repeated.reuse("request", *again);
    benchmark::DoNotOptimize(again->body("info", render));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * message.size()));
}
BENCHMARK(BM_RepeatedRealInfo);

void BM_DumpRealInfo(benchmark::State& state) {
  const Json info = *rapid::parse_json(real_info_text());
  for (auto _ : state) benchmark::DoNotOptimize(rapid::dump_python(info));
}
BENCHMARK(BM_DumpRealInfo);

void BM_ParseJson(benchmark::State& state) {
  const std::string text = sample_info().dump();
  for (auto _ : state) benchmark::DoNotOptimize(rapid::parse_json(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseJson);

// nlohmann's own parser, which parse_json replaced: the ratio of the two.
void BM_ParseJsonNlohmann(benchmark::State& state) {
  const std::string text = sample_info().dump();
  for (auto _ : state) benchmark::DoNotOptimize(Json::parse(text, nullptr, false));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseJsonNlohmann);

void BM_Route(benchmark::State& state) {
  const rapid::rapi::Router router(rapid::rapi::resources());
  for (auto _ : state) {
    benchmark::DoNotOptimize(router.match("/2/instances/inst1.example.com/disk/0/grow"));
    benchmark::DoNotOptimize(router.match("/2/info"));
  }
}
BENCHMARK(BM_Route);

void BM_FillOpcodeCreate(benchmark::State& state) {
  const Json body = *rapid::parse_json(
      R"({"mode": "create", "instance_name": "i1.example.com", "disk_template": "plain",
          "disks": [{"size": 1024}], "nics": [{}], "os_type": "debian", "pnode": "n1",
          "beparams": {"memory": 128, "vcpus": 1}})");
  const Json fixed = {{"reason", Json::array()}, {"dry_run", false}};
  for (auto _ : state)
    benchmark::DoNotOptimize(rapid::rapi::fill_opcode("OP_INSTANCE_CREATE", &body, fixed));
}
BENCHMARK(BM_FillOpcodeCreate);

void BM_UsersFile(benchmark::State& state) {
  std::string contents;
  for (int i = 0; i < 100; ++i)
    contents += "user" + std::to_string(i) + " {HA1}0123456789abcdef0123456789abcdef write\n";
  for (auto _ : state) benchmark::DoNotOptimize(rapid::auth::parse_users_file(contents));
}
BENCHMARK(BM_UsersFile);

void BM_VerifyHa1(benchmark::State& state) {
  const std::string stored =
      "{HA1}" + rapid::auth::ha1_hex("reader", rapid::auth::kRealm, "readpass");
  for (auto _ : state)
    benchmark::DoNotOptimize(rapid::auth::verify_password(stored, "reader", "readpass"));
}
BENCHMARK(BM_VerifyHa1);

}  // namespace

BENCHMARK_MAIN();
