#pragma once
// The cluster's gauges as prometheus-ganeti-exporter publishes them (its
// names, labels and values), from the answers rapid itself gives to
// /2/info, /2/nodes?bulk=1, /2/instances?bulk=1 and /2/jobs?bulk=1.
// Fetched at scrape time: at most one set of LUXI queries in flight (every
// scrape that comes meanwhile waits for it and shares its result), the
// result kept for the cache time.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "rapi/resource.h"
#include "util/json.h"

namespace rapid::luxi {
class Client;
}

namespace rapid::rapi {

// The exporter's families (ganeti_node_*, ganeti_instance_*,
// ganeti_cluster_*, ganeti_job_*) in the text format, from the four answers.
std::string cluster_families(const Json& info, const Json& nodes, const Json& instances,
                             const Json& jobs);

class ClusterMetrics {
 public:
  ClusterMetrics(boost::asio::any_io_executor executor, luxi::Client& luxi,
                 std::chrono::milliseconds cache_time);

  // The families, and rapid_cluster_scrape_success/_duration_seconds
  // (without the cluster's families when luxid failed). Thread-safe.
  boost::asio::awaitable<std::shared_ptr<const std::string>> text();

 private:
  boost::asio::awaitable<std::shared_ptr<const std::string>> text_on_strand();
  boost::asio::awaitable<std::string> collect();
  // What `handler` answers to a GET of `pattern` (no placeholders) + `query`.
  boost::asio::awaitable<Json> answer_of(HandlerFn handler, std::string_view pattern,
                                         std::string_view query);

  luxi::Client& luxi_;
  std::chrono::milliseconds cache_time_;
  boost::asio::strand<boost::asio::any_io_executor> strand_;
  // Everything below on strand_.
  boost::asio::steady_timer refreshed_;  // cancelled when a refresh ends: wakes its waiters
  bool refreshing_ = false;
  std::shared_ptr<const std::string> cached_;
  std::chrono::steady_clock::time_point cached_at_;
};

}  // namespace rapid::rapi
