// --metrics-port (app/metrics.h): the listener, rapid's own counters moving
// as requests are made, the route label from the resource table, the
// cluster's gauges from the fake luxid with at most one set of queries in
// flight, and the output through Prometheus' own parsers (promtool, and
// prometheus_client.parser of /usr/bin/python3).
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "app/version.h"
#include "support/process.h"
#include "support/rapid_server.h"

namespace rapid::testing {
namespace {

using namespace std::chrono_literals;

// The fake luxid's answers to the cluster's queries (and to a read).
void script_cluster(FakeLuxi& luxi, std::chrono::milliseconds delay = 0ms) {
  luxi.on_request([delay](const LuxiRequest& request) {
    LuxiReply reply;
    if (request.method == "QueryClusterInfo") {
      reply = LuxiReply::success(Json{{"name", "cluster.example"}});
    } else if (request.method == "QueryNodes") {
      // Classic queries: one list of values per object, in rlib2's field
      // order (name, offline, ..., mfree at 10, pinst_cnt at 11).
      Json row = Json::array();
      for (int i = 0; i < 31; ++i) row.push_back(nullptr);
      row[0] = "node1";
      row[1] = false;
      row[10] = 1234;
      reply = LuxiReply::success(Json::array({row}));
    } else if (request.method == "QueryInstances") {
      Json row = Json::array();
      for (int i = 0; i < 35; ++i) row.push_back(nullptr);
      row[0] = "inst1";
      row[3] = "node1";
      row[4] = Json::array();
      row[21] = Json{{"maxmem", 128}};
      row[23] = true;
      row[24] = 128;
      row[25] = 2;
      reply = LuxiReply::success(Json::array({row}));
    } else if (request.method == "QueryJobs") {
      reply = LuxiReply::success(Json::array());
    } else {
      reply = LuxiReply::success(nullptr);
    }
    reply.delay = delay;
    return reply;
  });
}

std::string scrape(std::uint16_t port) {
  const auto response = HttpClient::request(port, false, "GET", "/metrics");
  EXPECT_TRUE(response);
  if (!response) return {};
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->header("Content-Type").value_or(""),
            "text/plain; version=0.0.4; charset=utf-8");
  return response->body;
}

// The value of the sample line `series` ("name{labels}"), -1 when absent.
double value_of(const std::string& text, const std::string& series) {
  const auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

RapidServerOptions with_metrics(std::chrono::milliseconds cache = 0ms) {
  RapidServerOptions options;
  options.metrics = true;
  options.metrics_cache = cache;
  return options;
}

TEST(Metrics, OffByDefaultInProcess) {
  RapidServer rapid;
  EXPECT_EQ(rapid.metrics_port(), 0);
}

TEST(Metrics, OnlyGetMetricsIsServed) {
  RapidServer rapid(with_metrics());
  script_cluster(rapid.luxi());
  ASSERT_NE(rapid.metrics_port(), 0);
  EXPECT_EQ(status_of(HttpClient::request(rapid.metrics_port(), false, "GET", "/metrics")), 200);
  EXPECT_EQ(status_of(HttpClient::request(rapid.metrics_port(), false, "GET", "/metrics?x=1")),
            200);
  EXPECT_EQ(status_of(HttpClient::request(rapid.metrics_port(), false, "GET", "/")), 404);
  EXPECT_EQ(status_of(HttpClient::request(rapid.metrics_port(), false, "GET", "/version")), 404);
  EXPECT_EQ(
      status_of(HttpClient::request(rapid.metrics_port(), false, "POST", "/metrics", {}, "{}")),
      404);
  // The RAPI port knows nothing of /metrics.
  EXPECT_EQ(status_of(rapid.request("GET", "/metrics")), 404);
}

TEST(Metrics, RequestCountersMoveByRoutePattern) {
  RapidServer rapid(with_metrics());
  script_cluster(rapid.luxi());
  const std::string get_instance =
      "rapid_http_requests_total{route=\"/2/instances/[name]\",method=\"GET\",code=\"200\"}";
  const std::string before = scrape(rapid.metrics_port());
  EXPECT_EQ(value_of(before, get_instance), -1);  // never moved: not written
  EXPECT_EQ(status_of(rapid.request("GET", "/2/instances/inst1", "reader:readpass")), 200);
  EXPECT_EQ(status_of(rapid.request("GET", "/2/instances/inst1", "reader:readpass")), 200);
  EXPECT_EQ(status_of(rapid.request("GET", "/no/such/path")), 404);
  EXPECT_EQ(status_of(rapid.request("PUT", "/2/redistribute-config", "reader:readpass")), 403);
  EXPECT_EQ(status_of(rapid.request("GET", "/version")), 200);

  const std::string after = scrape(rapid.metrics_port());
  EXPECT_EQ(value_of(after, get_instance), 2) << after;
  EXPECT_EQ(value_of(after,
                     "rapid_http_requests_total{route=\"unmatched\",method=\"GET\","
                     "code=\"404\"}"),
            1);
  EXPECT_EQ(value_of(after,
                     "rapid_http_requests_total{route=\"/2/redistribute-config\","
                     "method=\"PUT\",code=\"403\"}"),
            1);
  EXPECT_EQ(value_of(after,
                     "rapid_http_request_duration_seconds_count{route=\"/2/instances/"
                     "[name]\",method=\"GET\"}"),
            2);
  EXPECT_EQ(value_of(after,
                     "rapid_http_request_duration_seconds_bucket{route=\"/version\","
                     "method=\"GET\",le=\"+Inf\"}"),
            1);
  // Never a concrete path in a route label.
  EXPECT_EQ(after.find("route=\"/2/instances/inst1"), std::string::npos);
  EXPECT_EQ(after.find("route=\"/no/such"), std::string::npos);
  // LUXI calls: the handler's QueryInstances twice, plus the scrapes' own.
  EXPECT_GE(value_of(after, "rapid_luxi_calls_total{method=\"QueryInstances\",outcome=\"ok\"}"), 2);
  EXPECT_GE(value_of(after, "rapid_luxi_call_duration_seconds_count{method=\"QueryInstances\"}"),
            2);
  // Connections: the scrape's own is on the metrics listener, not counted.
  EXPECT_EQ(value_of(after, "rapid_open_connections{transport=\"plain\"}"), 0);
  EXPECT_EQ(value_of(after, "rapid_open_connections{transport=\"tls\"}"), 0);
  EXPECT_EQ(value_of(after, "rapid_build_info{version=\"" + std::string(kRapidVersion) +
                                "\",ganeti_version=\"3.0.2\"}"),
            1);
  EXPECT_EQ(value_of(after, "rapid_users_file_reloads_total{result=\"success\"}"), 1);
  EXPECT_GT(value_of(after, "process_resident_memory_bytes"), 0);
  EXPECT_GT(value_of(after, "process_open_fds"), 3);
}

TEST(Metrics, RouteLabelBeforeAuthenticationToo) {
  RapidServerOptions options = with_metrics();
  options.require_authentication = true;
  RapidServer rapid(options);
  script_cluster(rapid.luxi());
  EXPECT_EQ(status_of(rapid.request("GET", "/2/nodes/node1")), 401);
  const std::string text = scrape(rapid.metrics_port());
  EXPECT_EQ(value_of(text,
                     "rapid_http_requests_total{route=\"/2/nodes/[name]\",method=\"GET\","
                     "code=\"401\"}"),
            1)
      << text;
}

// rapid's own resource (the OpenAPI path) is a route of its own, not an
// index past Ganeti's table.
TEST(Metrics, RapidsOwnRoutesAreCounted) {
  RapidServer rapid(with_metrics());
  EXPECT_EQ(status_of(rapid.request("GET", "/rapid/openapi.json")), 200);
  const std::string text = scrape(rapid.metrics_port());
  EXPECT_EQ(value_of(text,
                     "rapid_http_requests_total{route=\"/rapid/openapi.json\",method=\"GET\","
                     "code=\"200\"}"),
            1)
      << text;
}

TEST(Metrics, LuxiFailuresByOutcome) {
  RapidServer rapid(with_metrics());
  rapid.luxi().stop();
  EXPECT_EQ(status_of(rapid.request("GET", "/2/info", "reader:readpass")), 502);
  const std::string text = scrape(rapid.metrics_port());
  EXPECT_GE(value_of(text,
                     "rapid_luxi_calls_total{method=\"QueryClusterInfo\","
                     "outcome=\"no_master\"}"),
            1)
      << text;
  EXPECT_EQ(value_of(text, "rapid_cluster_scrape_success"), 0);
  EXPECT_EQ(text.find("ganeti_node_mfree"), std::string::npos);
}

TEST(Metrics, TlsConnectionsAndHandshakeFailures) {
  RapidServerOptions options = with_metrics();
  options.tls = true;
  RapidServer rapid(options);
  script_cluster(rapid.luxi());
  HttpClient kept("127.0.0.1", rapid.port(), true);
  ASSERT_TRUE(kept.connect());
  // Plain text to the TLS port: a failed handshake.
  HttpClient plain("127.0.0.1", rapid.port(), false);
  ASSERT_TRUE(plain.connect());
  plain.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(plain.closed_by_peer());
  EXPECT_TRUE(eventually([&] {
    return value_of(scrape(rapid.metrics_port()), "rapid_tls_handshake_failures_total") == 1;
  }));
  const std::string text = scrape(rapid.metrics_port());
  EXPECT_EQ(value_of(text, "rapid_open_connections{transport=\"tls\"}"), 1) << text;
  EXPECT_EQ(value_of(text, "rapid_open_connections{transport=\"plain\"}"), 0);
  rapid.reload();  // the same files: unchanged
  EXPECT_EQ(value_of(scrape(rapid.metrics_port()), "rapid_tls_reloads_total{result=\"unchanged\"}"),
            1);
}

TEST(Metrics, MaxClientsReached) {
  RapidServerOptions options = with_metrics();
  options.limits.max_clients = 1;
  RapidServer rapid(options);
  script_cluster(rapid.luxi());
  HttpClient first("127.0.0.1", rapid.port(), false);
  ASSERT_TRUE(first.connect());
  ASSERT_TRUE(first.send(HttpClient::build_request("GET", "/version")));
  ASSERT_TRUE(first.read_response());
  HttpClient second("127.0.0.1", rapid.port(), false);  // waits in the backlog
  ASSERT_TRUE(second.connect());
  EXPECT_TRUE(eventually([&] {
    return value_of(scrape(rapid.metrics_port()), "rapid_max_clients_reached_total") >= 1;
  }));
}

TEST(Metrics, ClusterGaugesFromLuxid) {
  RapidServer rapid(with_metrics());
  script_cluster(rapid.luxi());
  const std::string text = scrape(rapid.metrics_port());
  EXPECT_EQ(value_of(text, "ganeti_node_mfree{cluster=\"cluster.example\",node=\"node1\"}"), 1234)
      << text;
  EXPECT_EQ(value_of(text,
                     "ganeti_instance_oper_ram{cluster=\"cluster.example\","
                     "instance=\"inst1\"}"),
            128);
  EXPECT_EQ(value_of(text,
                     "ganeti_node_p_oper_vcpus{cluster=\"cluster.example\","
                     "node=\"node1\"}"),
            2);
  EXPECT_EQ(value_of(text, "ganeti_cluster_node_count{cluster=\"cluster.example\"}"), 1);
  EXPECT_EQ(value_of(text, "rapid_cluster_scrape_success"), 1);
  // The same queries as GET /2/nodes?bulk=1 etc.
  const auto nodes = rapid.luxi().requests("QueryNodes");
  ASSERT_EQ(nodes.size(), 1u);
  rapid.luxi().clear_requests();
  EXPECT_EQ(status_of(rapid.request("GET", "/2/nodes?bulk=1", "reader:readpass")), 200);
  const auto by_handler = rapid.luxi().requests("QueryNodes");
  ASSERT_EQ(by_handler.size(), 1u);
  EXPECT_EQ(by_handler[0].args, nodes[0].args);
}

// The methods of one set of cluster queries, in order.
const std::vector<std::string> kSet = {"QueryClusterInfo", "QueryNodes", "QueryInstances",
                                       "QueryJobs"};

// At most one set in flight: the calls come as whole sets, one after the other.
void expect_sets_one_at_a_time(const std::vector<LuxiRequest>& requests) {
  ASSERT_EQ(requests.size() % kSet.size(), 0u);
  for (std::size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(requests[i].method, kSet[i % kSet.size()]) << "call " << i;
  }
}

void storm(std::uint16_t port, int scrapes, std::atomic<int>& complete) {
  std::vector<std::thread> threads;
  for (int i = 0; i < scrapes; ++i) {
    threads.emplace_back([&] {
      const auto response = HttpClient::request(port, false, "GET", "/metrics");
      if (response && response->status == 200 &&
          response->body.find("ganeti_cluster_node_count{") != std::string::npos) {
        ++complete;
      }
    });
  }
  for (auto& thread : threads) thread.join();
}

TEST(Metrics, ScrapeStormSharesOneSetOfQueries) {
  RapidServer rapid(with_metrics(0ms));  // no cache: only the sharing limits the queries
  script_cluster(rapid.luxi(), 50ms);
  std::atomic<int> complete = 0;
  storm(rapid.metrics_port(), 100, complete);
  EXPECT_EQ(complete, 100);
  const auto requests = rapid.luxi().requests();
  expect_sets_one_at_a_time(requests);
  // 100 scrapes within a few sets' time (each set takes >= 200 ms).
  EXPECT_LE(requests.size() / kSet.size(), 10u);
  EXPECT_GE(requests.size() / kSet.size(), 1u);
}

TEST(Metrics, CacheServesRepeatedScrapes) {
  RapidServer rapid(with_metrics(60s));
  script_cluster(rapid.luxi(), 20ms);
  std::atomic<int> complete = 0;
  storm(rapid.metrics_port(), 100, complete);
  EXPECT_EQ(complete, 100);
  scrape(rapid.metrics_port());
  EXPECT_EQ(rapid.luxi().requests().size(), kSet.size());  // one set for all 101
}

// Runs `command` with the scrape on its standard input; its exit status and output.
std::pair<int, std::string> run_with_input(const std::string& command, const std::string& input) {
  const std::string dir = make_temp_dir();
  write_file(dir + "/scrape.txt", input);
  const std::string full = command + " < " + dir + "/scrape.txt > " + dir + "/out.txt 2>&1";
  const int status = std::system(full.c_str());
  std::string output = read_file(dir + "/out.txt");
  std::filesystem::remove_all(dir);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

// A scrape with every kind of series in it.
std::string full_scrape() {
  RapidServer rapid(with_metrics());
  script_cluster(rapid.luxi());
  rapid.request("GET", "/2/instances/inst1", "reader:readpass");
  rapid.request("GET", "/x\"y");
  return scrape(rapid.metrics_port());
}

TEST(Metrics, PromtoolChecksTheOutput) {
  const auto [status, output] = run_with_input("promtool check metrics", full_scrape());
  // 1: unparsable. 3: naming advice ("lint"), which only the exporter's
  // names may get: rapid keeps them so that its dashboards work.
  ASSERT_EQ(status, 3) << output;
  const std::set<std::string> exporters_names = {
      "ganeti_cluster_instance_count", "ganeti_cluster_node_count", "ganeti_node_p_oper_vcpus",
      "ganeti_node_s_oper_vcpus"};
  std::istringstream lines(output);
  int advice = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    EXPECT_TRUE(exporters_names.count(line.substr(0, line.find(' ')))) << line;
    ++advice;
  }
  EXPECT_GE(advice, 1);
}

TEST(Metrics, PrometheusClientParsesTheOutput) {
  const std::string script =
      "import sys\n"
      "from prometheus_client.parser import text_string_to_metric_families\n"
      "names = set()\n"
      "for family in text_string_to_metric_families(sys.stdin.read()):\n"
      "    names.add(family.name + ':' + family.type)\n"
      "    for sample in family.samples:\n"
      "        assert sample.name.startswith(family.name), sample\n"
      "print('\\n'.join(sorted(names)))\n";
  const std::string dir = make_temp_dir();
  write_file(dir + "/parse.py", script);
  const auto [status, output] =
      run_with_input("/usr/bin/python3 " + dir + "/parse.py", full_scrape());
  std::filesystem::remove_all(dir);
  ASSERT_EQ(status, 0) << output;
  for (const char* expected :
       {"rapid_http_requests:counter", "rapid_http_request_duration_seconds:histogram",
        "rapid_luxi_calls:counter", "rapid_build_info:gauge", "process_cpu_seconds:counter",
        "ganeti_node_mfree:gauge", "ganeti_cluster_jobs:gauge"}) {
    EXPECT_NE(output.find(expected), std::string::npos) << expected << "\n" << output;
  }
}

// The listening TCP sockets of process `pid` (from /proc/net/tcp{,6}).
int listening_sockets(int pid) {
  std::set<std::string> inodes;
  for (const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    std::error_code ec;
    const std::string target = std::filesystem::read_symlink(entry.path(), ec).string();
    if (target.starts_with("socket:[")) inodes.insert(target.substr(8, target.size() - 9));
  }
  int count = 0;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream file(table);
    std::string line;
    std::getline(file, line);  // header
    while (std::getline(file, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
      fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
          timeout >> inode;
      if (state == "0A" && inodes.count(inode)) ++count;
    }
  }
  return count;
}

TEST(MetricsProcess, NoPortUnlessAsked) {
  Sandbox box;
  RapidProcess rapid(box.dir, box.args());
  ASSERT_TRUE(rapid.wait_ready()) << rapid.log();
  EXPECT_EQ(listening_sockets(rapid.pid()), 1);
}

TEST(MetricsProcess, MetricsPortServes) {
  Sandbox box;
  script_cluster(box.luxi);
  const std::uint16_t metrics_port = free_port();
  RapidProcess rapid(
      box.dir, box.args({"--metrics-port", std::to_string(metrics_port), "--metrics-cache", "0"}));
  ASSERT_TRUE(rapid.wait_ready()) << rapid.log();
  EXPECT_EQ(listening_sockets(rapid.pid()), 2);
  EXPECT_EQ(status_of(call(rapid, "GET", "/version")), 200);
  const std::string text = scrape(metrics_port);
  EXPECT_EQ(value_of(text,
                     "rapid_http_requests_total{route=\"/version\",method=\"GET\","
                     "code=\"200\"}"),
            1)
      << text;
  EXPECT_NE(rapid.log().find("Metrics on http://127.0.0.1:" + std::to_string(metrics_port)),
            std::string::npos);
}

}  // namespace
}  // namespace rapid::testing
