// The metrics library (metrics/): text format, label escaping, counters and
// histograms; and the exporter's families made of bulk answers
// (rapi/cluster_metrics.h).
#include <gtest/gtest.h>

#include "metrics/family.h"
#include "metrics/registry.h"
#include "metrics/text_format.h"
#include "rapi/cluster_metrics.h"
#include "rapi/openapi.h"
#include "rapi/request_metrics.h"
#include "rapi/resource.h"

namespace rapid::metrics {
namespace {

TEST(MetricsText, EscapesLabelValuesAndHelp) {
  EXPECT_EQ(escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(escape_label_value("/2/instances/[name]"), "/2/instances/[name]");
  EXPECT_EQ(escape_help("x \\ \"y\"\nz"), "x \\\\ \"y\"\\nz");  // quotes stay in HELP
}

TEST(MetricsText, FormatsValuesAsGoDoes) {
  EXPECT_EQ(format_value(0), "0");
  EXPECT_EQ(format_value(1024), "1024");
  EXPECT_EQ(format_value(0.25), "0.25");
  EXPECT_EQ(format_value(1.0 / 0.0), "+Inf");
  EXPECT_EQ(format_value(-1.0 / 0.0), "-Inf");
  EXPECT_EQ(format_value(0.0 / 0.0), "NaN");
}

TEST(MetricsText, WritesFamiliesAndSamples) {
  TextWriter out;
  out.family("x_total", "Things.\nMore", "counter");
  const Label labels[] = {{"a", "1"}, {"b", "q\"uote"}};
  out.sample("x_total", labels, std::uint64_t{3});
  out.sample("x_total", {}, 0.5);
  EXPECT_EQ(out.text(),
            "# HELP x_total Things.\\nMore\n# TYPE x_total counter\n"
            "x_total{a=\"1\",b=\"q\\\"uote\"} 3\nx_total 0.5\n");
}

TEST(MetricsFamily, LabelSpaceIndexesInOrder) {
  const LabelSpace space({"x", "y"}, {{"a", "b"}, {"1", "2", "3"}});
  EXPECT_EQ(space.size(), 6u);
  EXPECT_EQ(space.index({0, 0}), 0u);
  EXPECT_EQ(space.index({1, 2}), 5u);
  const auto labels = space.labels(space.index({1, 1}));
  ASSERT_EQ(labels.size(), 2u);
  EXPECT_EQ(labels[0].value, "b");
  EXPECT_EQ(labels[1].value, "2");
}

TEST(MetricsFamily, CountersHideOrShowZeros) {
  CounterFamily hidden("h_total", "H.", LabelSpace({"r"}, {{"a", "b"}}), Zeros::hide);
  CounterFamily shown("s_total", "S.", LabelSpace({"r"}, {{"a", "b"}}), Zeros::show);
  hidden.at(1).inc(2);
  shown.at(1).inc();
  TextWriter out;
  hidden.write(out);
  shown.write(out);
  EXPECT_EQ(out.text(),
            "# HELP h_total H.\n# TYPE h_total counter\nh_total{r=\"b\"} 2\n"
            "# HELP s_total S.\n# TYPE s_total counter\ns_total{r=\"a\"} 0\ns_total{r=\"b\"} 1\n");
}

constexpr double kBounds[] = {0.1, 1, 10};

TEST(MetricsFamily, HistogramBucketsAreCumulativeWithInf) {
  HistogramFamily family("d_seconds", "D.", LabelSpace({"m"}, {{"GET", "PUT"}}), kBounds);
  Histogram& get = family.at(0);
  get.observe(0.05);
  get.observe(0.1);  // le is inclusive
  get.observe(5);
  get.observe(100);
  TextWriter out;
  family.write(out);  // PUT never observed: left out
  EXPECT_EQ(out.text(),
            "# HELP d_seconds D.\n# TYPE d_seconds histogram\n"
            "d_seconds_bucket{m=\"GET\",le=\"0.1\"} 2\n"
            "d_seconds_bucket{m=\"GET\",le=\"1\"} 2\n"
            "d_seconds_bucket{m=\"GET\",le=\"10\"} 3\n"
            "d_seconds_bucket{m=\"GET\",le=\"+Inf\"} 4\n"
            "d_seconds_sum{m=\"GET\"} 105.15\n"
            "d_seconds_count{m=\"GET\"} 4\n");
}

TEST(MetricsRegistry, ProcessMetricsAreRead) {
  TextWriter out;
  write_process_metrics(out);
  const std::string& text = out.text();
  for (const char* name : {"process_cpu_seconds_total", "process_resident_memory_bytes",
                           "process_virtual_memory_bytes", "process_open_fds", "process_max_fds",
                           "process_start_time_seconds"}) {
    EXPECT_NE(text.find(std::string("\n") + name + " "), std::string::npos) << name;
  }
  EXPECT_EQ(text.find("process_resident_memory_bytes 0\n"), std::string::npos);
  // Started after 2020 and not in the future.
  const auto at = text.find("\nprocess_start_time_seconds ");
  ASSERT_NE(at, std::string::npos);
  const double start = std::stod(text.substr(at + 28));
  EXPECT_GT(start, 1.5e9);
  EXPECT_LT(start, static_cast<double>(time(nullptr)) + 1);
}

TEST(RequestMetrics, RoutesAreTheTablesPatterns) {
  rapi::RequestMetrics requests({&rapi::resources(), &rapi::rapid_resources()});
  const rapi::Resource* instance = nullptr;
  for (const auto& resource : rapi::resources()) {
    if (resource.pattern() == "/2/instances/[name]") instance = &resource;
  }
  ASSERT_TRUE(instance);
  requests.record(instance, "GET", 200, std::chrono::milliseconds(3));
  requests.record(instance, "get", 404, std::chrono::milliseconds(3));
  requests.record(nullptr, "BREW", 418, std::chrono::milliseconds(1));
  // rapid's own table after Ganeti's; a resource of neither is unmatched.
  requests.record(&rapi::rapid_resources().front(), "GET", 200, std::chrono::milliseconds(1));
  const rapi::Resource stranger = rapi::resources().front();
  requests.record(&stranger, "GET", 200, std::chrono::milliseconds(1));
  TextWriter out;
  requests.requests().write(out);
  requests.durations().write(out);
  const std::string& text = out.text();
  EXPECT_NE(text.find("rapid_http_requests_total{route=\"/2/instances/[name]\",method=\"GET\","
                      "code=\"200\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("rapid_http_requests_total{route=\"/2/instances/[name]\",method=\"GET\","
                      "code=\"404\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("rapid_http_requests_total{route=\"unmatched\",method=\"other\","
                      "code=\"other\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("rapid_http_requests_total{route=\"/rapid/openapi.json\",method=\"GET\","
                      "code=\"200\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("rapid_http_requests_total{route=\"unmatched\",method=\"GET\","
                      "code=\"200\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("rapid_http_request_duration_seconds_count{route=\"/2/instances/[name]\","
                      "method=\"GET\"} 2\n"),
            std::string::npos);
}

}  // namespace
}  // namespace rapid::metrics

namespace rapid::rapi {
namespace {

TEST(ClusterFamilies, AsTheExporterComputesThem) {
  const Json info = {{"name", "c1"}};
  const Json nodes = Json::parse(R"([
    {"name": "n1", "offline": false, "mfree": 100, "mtotal": 200, "dfree": 1, "dtotal": 2,
     "ctotal": 4, "pinst_cnt": 2, "sinst_cnt": 1},
    {"name": "n2", "offline": true, "mfree": null, "mtotal": null, "dfree": null,
     "dtotal": null, "ctotal": null, "pinst_cnt": 0, "sinst_cnt": 1}])");
  const Json instances = Json::parse(R"([
    {"name": "i1", "pnode": "n1", "snodes": ["n2"], "oper_state": true, "oper_ram": 512,
     "oper_vcpus": 2},
    {"name": "i2", "pnode": "n1", "snodes": [], "oper_state": false, "oper_ram": null,
     "oper_vcpus": null}])");
  const Json jobs = Json::parse(R"([
    {"id": 7, "status": "success", "ops": [{"OP_ID": "OP_TAGS_SET"}],
     "received_ts": [100, 5], "start_ts": [102, 0], "end_ts": [105, 9]},
    {"id": 8, "status": "queued", "ops": [], "received_ts": [110, 0], "start_ts": null,
     "end_ts": null}])");
  const std::string text = cluster_families(info, nodes, instances, jobs);
  const auto has = [&](const std::string& line) {
    return text.find("\n" + line + "\n") != std::string::npos;
  };
  EXPECT_TRUE(has("ganeti_node_mfree{cluster=\"c1\",node=\"n1\"} 100")) << text;
  EXPECT_EQ(text.find("ganeti_node_mfree{cluster=\"c1\",node=\"n2\"}"), std::string::npos);
  EXPECT_TRUE(has("ganeti_node_sinst_cnt{cluster=\"c1\",node=\"n2\"} 1"));
  EXPECT_TRUE(has("ganeti_instance_oper_ram{cluster=\"c1\",instance=\"i1\"} 512"));
  EXPECT_TRUE(has("ganeti_instance_oper_ram{cluster=\"c1\",instance=\"i2\"} 0"));
  EXPECT_TRUE(has("ganeti_instance_oper_vcpus{cluster=\"c1\",instance=\"i2\"} 0"));
  EXPECT_TRUE(has("ganeti_node_p_oper_vcpus{cluster=\"c1\",node=\"n1\"} 2"));
  EXPECT_TRUE(has("ganeti_node_s_oper_vcpus{cluster=\"c1\",node=\"n2\"} 2"));
  EXPECT_TRUE(has("ganeti_node_s_oper_vcpus{cluster=\"c1\",node=\"n1\"} 0"));
  EXPECT_TRUE(has("ganeti_cluster_instance_count{cluster=\"c1\"} 2"));
  EXPECT_TRUE(has("ganeti_cluster_node_count{cluster=\"c1\"} 2"));
  EXPECT_TRUE(has("ganeti_cluster_offline_nodes{cluster=\"c1\"} 1"));
  EXPECT_TRUE(has("ganeti_cluster_jobs{cluster=\"c1\",job_status=\"success\"} 1"));
  EXPECT_TRUE(has("ganeti_cluster_jobs{cluster=\"c1\",job_status=\"queued\"} 1"));
  EXPECT_TRUE(has("ganeti_cluster_jobs{cluster=\"c1\",job_status=\"error\"} 0"));
  EXPECT_TRUE(
      has("ganeti_job_wait_time{cluster=\"c1\",job_id=\"7\",job_operation=\"OP_TAGS_SET\"} 2"));
  EXPECT_TRUE(
      has("ganeti_job_run_time{cluster=\"c1\",job_id=\"7\",job_operation=\"OP_TAGS_SET\"} 3"));
  EXPECT_EQ(text.find("job_id=\"8\""), std::string::npos);
}

}  // namespace
}  // namespace rapid::rapi
