#include "rapi/cluster_metrics.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>
#include <vector>

#include "metrics/text_format.h"
#include "rapi/handlers.h"
#include "rapi/python_semantics.h"

namespace rapid::rapi {

namespace asio = boost::asio;
using metrics::Label;

namespace {

// The exporter's per-object gauges: the bulk answers' field and its HELP.
struct Gauge {
  const char* field;
  const char* help;
};
constexpr Gauge kNodeGauges[] = {{"ctotal", "Total installed number of CPUs"},
                                 {"dfree", "Available disk capacity"},
                                 {"dtotal", "Total installed disk capacity"},
                                 {"mfree", "Available memory capacity"},
                                 {"mtotal", "Total installed memory capacity"},
                                 {"pinst_cnt", "Number of VMs utilizing the node as primary"},
                                 {"sinst_cnt", "Number of VMs utilizing the node as secondary"}};
constexpr Gauge kInstanceGauges[] = {{"oper_ram", "Allocated memory to instance"},
                                     {"oper_vcpus", "Allocated number of CPUs to instance"}};
// The exporter's job states, in its order.
constexpr const char* kJobStates[] = {"queued",   "waiting", "canceling", "running",
                                      "canceled", "success", "error"};

const Json& member(const Json& object, const char* key) {
  static const Json null;
  if (!object.is_object()) return null;
  const auto found = object.find(key);
  return found == object.end() ? null : *found;
}

std::string text_of(const Json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// A number as the exporter would write it; nullopt for anything else (the
// exporter's scrape fails on a None, e.g. an offline node's mfree: the
// sample is left out instead).
std::optional<double> number(const Json& value) {
  if (value.is_boolean()) return value.get<bool>() ? 1.0 : 0.0;
  if (value.is_number()) return value.get<double>();
  return std::nullopt;
}

// Each job's first opcode's OP_ID, "unknown" without one.
std::string job_operation(const Json& job) {
  const Json& ops = member(job, "ops");
  if (!ops.is_array() || ops.empty()) return "unknown";
  const Json& op_id = member(ops.front(), "OP_ID");
  return op_id.is_null() ? "unknown" : text_of(op_id);
}

// end[0] - start[0] of two [seconds, microseconds] stamps, as the exporter
// computes it; nullopt when either is missing.
std::optional<double> seconds_between(const Json& start, const Json& end) {
  if (!start.is_array() || !end.is_array() || start.empty() || end.empty()) return std::nullopt;
  const auto from = number(start.front());
  const auto to = number(end.front());
  if (!from || !to) return std::nullopt;
  return *to - *from;
}

const Json& list_or_empty(const Json& value) {
  static const Json empty = Json::array();
  return value.is_array() ? value : empty;
}

// Sum of oper_vcpus of the running instances on `node`, as primary or as
// secondary.
double vcpus_on(const std::string& node, const Json& instances, bool primary) {
  double sum = 0;
  for (const Json& instance : instances) {
    bool on_node = false;
    if (primary) {
      on_node = member(instance, "pnode") == Json(node);
    } else {
      for (const Json& secondary : list_or_empty(member(instance, "snodes"))) {
        if (secondary == Json(node)) on_node = true;
      }
    }
    if (!on_node || !truthy(member(instance, "oper_state"))) continue;
    sum += number(member(instance, "oper_vcpus")).value_or(0);
  }
  return sum;
}

// An http::Request and a Context as a GET of `pattern` with `query` would
// have them: the collector runs the very handlers of those resources.
const Resource& resource_at(std::string_view pattern) {
  for (const Resource& resource : resources()) {
    if (resource.pattern() == pattern) return resource;
  }
  throw std::logic_error("no resource " + std::string(pattern));
}

Context get_context(const http::Request& request, std::string_view pattern, luxi::Client& luxi) {
  const std::string_view target = request.target;
  const auto question = target.find('?');
  return Context{request,
                 resource_at(pattern),
                 {},
                 QueryArgs::parse(question == std::string_view::npos ? std::string_view()
                                                                     : target.substr(question + 1)),
                 std::nullopt,
                 luxi};
}

http::Request get_request(std::string target) {
  http::Request request;
  request.method = "GET";
  request.target = std::move(target);
  request.peer = "metrics";
  return request;
}

std::string status_families(bool success, double seconds) {
  metrics::TextWriter out;
  out.family("rapid_cluster_scrape_success",
             "Whether the last queries of the cluster's metrics to luxid succeeded.", "gauge");
  out.sample("rapid_cluster_scrape_success", {}, success ? 1.0 : 0.0);
  out.family("rapid_cluster_scrape_duration_seconds",
             "How long the last queries of the cluster's metrics took.", "gauge");
  out.sample("rapid_cluster_scrape_duration_seconds", {}, seconds);
  return std::move(out.text());
}

}  // namespace

std::string cluster_families(const Json& info, const Json& nodes_answer,
                             const Json& instances_answer, const Json& jobs_answer) {
  const std::string cluster = text_of(member(info, "name"));
  const Json& nodes = list_or_empty(nodes_answer);
  const Json& instances = list_or_empty(instances_answer);
  const Json& jobs = list_or_empty(jobs_answer);
  metrics::TextWriter out;

  for (const Gauge& gauge : kNodeGauges) {
    const std::string name = std::string("ganeti_node_") + gauge.field;
    out.family(name, gauge.help, "gauge");
    for (const Json& node : nodes) {
      const auto value = number(member(node, gauge.field));
      if (!value) continue;
      const std::string node_name = text_of(member(node, "name"));
      const Label labels[] = {{"cluster", cluster}, {"node", node_name}};
      out.sample(name, labels, *value);
    }
  }
  for (const Gauge& gauge : kInstanceGauges) {
    const std::string name = std::string("ganeti_instance_") + gauge.field;
    out.family(name, gauge.help, "gauge");
    for (const Json& instance : instances) {
      // A stopped instance counts 0, whatever luxid reports.
      std::optional<double> value = 0.0;
      if (truthy(member(instance, "oper_state"))) value = number(member(instance, gauge.field));
      if (!value) continue;
      const std::string instance_name = text_of(member(instance, "name"));
      const Label labels[] = {{"cluster", cluster}, {"instance", instance_name}};
      out.sample(name, labels, *value);
    }
  }
  for (const bool primary : {true, false}) {
    const char* name = primary ? "ganeti_node_p_oper_vcpus" : "ganeti_node_s_oper_vcpus";
    out.family(name, "Total number of allocated vCPUs to node", "gauge");
    for (const Json& node : nodes) {
      const std::string node_name = text_of(member(node, "name"));
      const Label labels[] = {{"cluster", cluster}, {"node", node_name}};
      out.sample(name, labels, vcpus_on(node_name, instances, primary));
    }
  }

  const Label cluster_label[] = {{"cluster", cluster}};
  out.family("ganeti_cluster_instance_count", "Total number of running instances", "gauge");
  out.sample("ganeti_cluster_instance_count", cluster_label,
             static_cast<std::uint64_t>(instances.size()));
  out.family("ganeti_cluster_node_count", "Total number of nodes", "gauge");
  out.sample("ganeti_cluster_node_count", cluster_label, static_cast<std::uint64_t>(nodes.size()));
  std::uint64_t offline = 0;
  for (const Json& node : nodes) offline += truthy(member(node, "offline")) ? 1 : 0;
  out.family("ganeti_cluster_offline_nodes", "Number of nodes offline", "gauge");
  out.sample("ganeti_cluster_offline_nodes", cluster_label, offline);
  out.family("ganeti_cluster_jobs", "Number of jobs in queue", "gauge");
  for (const char* state : kJobStates) {
    std::uint64_t count = 0;
    for (const Json& job : jobs) count += member(job, "status") == Json(state) ? 1 : 0;
    const Label labels[] = {{"cluster", cluster}, {"job_status", state}};
    out.sample("ganeti_cluster_jobs", labels, count);
  }

  for (const bool waiting : {true, false}) {
    const char* name = waiting ? "ganeti_job_wait_time" : "ganeti_job_run_time";
    out.family(name, waiting ? "Queue wait time for jobs (seconds)" : "Run time for jobs (seconds)",
               "gauge");
    for (const Json& job : jobs) {
      const auto seconds =
          waiting ? seconds_between(member(job, "received_ts"), member(job, "start_ts"))
                  : seconds_between(member(job, "start_ts"), member(job, "end_ts"));
      if (!seconds) continue;
      const std::string id = text_of(member(job, "id"));
      const std::string operation = job_operation(job);
      const Label labels[] = {{"cluster", cluster}, {"job_id", id}, {"job_operation", operation}};
      out.sample(name, labels, *seconds);
    }
  }
  return std::move(out.text());
}

ClusterMetrics::ClusterMetrics(asio::any_io_executor executor, luxi::Client& luxi,
                               std::chrono::milliseconds cache_time)
    : luxi_(luxi),
      cache_time_(cache_time),
      strand_(asio::make_strand(executor)),
      refreshed_(strand_) {}

asio::awaitable<std::shared_ptr<const std::string>> ClusterMetrics::text() {
  // The state lives on the strand: the whole look-up runs there.
  co_return co_await asio::co_spawn(strand_, text_on_strand(), asio::use_awaitable);
}

asio::awaitable<std::shared_ptr<const std::string>> ClusterMetrics::text_on_strand() {
  const auto now = std::chrono::steady_clock::now();
  if (cached_ && now - cached_at_ < cache_time_) co_return cached_;
  if (refreshing_) {
    // Until the refresh in flight ends (it cancels the wait).
    [[maybe_unused]] auto [ignored] =
        co_await refreshed_.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return cached_;
  }
  refreshing_ = true;
  refreshed_.expires_at(std::chrono::steady_clock::time_point::max());
  std::string families;
  std::string error;
  try {
    families = co_await collect();
  } catch (const std::exception& e) {
    error = e.what();
  }
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - now).count();
  if (!error.empty()) SPDLOG_WARN("Cluster metrics: querying luxid failed: {}", error);
  families += status_families(error.empty(), took);
  cached_ = std::make_shared<const std::string>(std::move(families));
  cached_at_ = std::chrono::steady_clock::now();
  refreshing_ = false;
  refreshed_.cancel();
  co_return cached_;
}

asio::awaitable<std::string> ClusterMetrics::collect() {
  // One after the other: the exporter's order, and one LUXI call at a time.
  const Json info = co_await answer_of(get_info, "/2/info", "");
  const Json nodes = co_await answer_of(get_nodes, "/2/nodes", "?bulk=1");
  const Json instances = co_await answer_of(get_instances, "/2/instances", "?bulk=1");
  const Json jobs = co_await answer_of(get_jobs, "/2/jobs", "?bulk=1");
  co_return cluster_families(info, nodes, instances, jobs);
}

asio::awaitable<Json> ClusterMetrics::answer_of(HandlerFn handler, std::string_view pattern,
                                                std::string_view query) {
  const http::Request request = get_request(std::string(pattern) + std::string(query));
  Context ctx = get_context(request, pattern, luxi_);
  co_return co_await handler(ctx);
}

}  // namespace rapid::rapi
