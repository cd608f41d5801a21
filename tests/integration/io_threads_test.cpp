// Connections on io threads of their own (http/connection_executors.h), on a
// real http::Server over TLS: each connection is served on one thread from
// its first request to its last, open connections are spread evenly over
// the threads, a closed one frees its place (a sequential client stays on
// the first thread), and the shared layout (one
// executor, several threads, a strand per connection) still serves. And
// app::IoThreads leaves process signals to the thread that started them.
#include <gtest/gtest.h>

#include <pthread.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <csignal>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "app/io_threads.h"
#include "http/connection_executors.h"
#include "http/server.h"
#include "support/http_client.h"
#include "support/test_pki.h"

namespace rapid::http {
namespace {

// Answers with the id of the connection (its X-Connection header) and
// records the thread each request ran on.
class ThreadRecordingHandler final : public Handler {
 public:
  boost::asio::awaitable<Response> handle(Request request) override {
    std::string connection;
    for (const auto& header : request.headers) {
      if (header.name == "X-Connection") connection = header.value;
    }
    {
      std::lock_guard lock(mutex_);
      threads_[connection].insert(std::this_thread::get_id());
    }
    Response response;
    response.body = connection;
    co_return response;
  }
  Response protocol_error(int status, std::string_view) override {
    Response response;
    response.status = status;
    return response;
  }
  // The threads each connection's requests ran on.
  std::map<std::string, std::set<std::thread::id>> threads() const {
    std::lock_guard lock(mutex_);
    return threads_;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::set<std::thread::id>> threads_;
};

using WorkGuard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;

// A TLS server whose listener runs on one io_context and whose connections
// run on `count` io_contexts of one thread each.
class ThreadedServer {
 public:
  explicit ThreadedServer(std::size_t count) {
    std::vector<boost::asio::any_io_executor> executors;
    for (std::size_t i = 0; i < count; ++i) {
      contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
      work_.emplace_back(contexts_.back()->get_executor());
      executors.push_back(contexts_.back()->get_executor());
    }
    ServerConfig config;
    config.bind_address = "127.0.0.1";
    config.port = 0;
    const std::string pem = testing::make_test_certificate(testing::make_temp_dir());
    config.tls.key_file = pem;
    config.tls.cert_file = pem;
    server_ = std::make_unique<Server>(listener_.get_executor(), config, handler_, nullptr,
                                       std::move(executors));
    server_->start();
    threads_.emplace_back([this] { listener_.run(); });
    for (auto& context : contexts_) threads_.emplace_back([&context] { context->run(); });
  }
  ~ThreadedServer() {
    work_.clear();
    listener_.stop();
    for (auto& context : contexts_) context->stop();
    for (auto& thread : threads_) thread.join();
  }
  std::uint16_t port() const { return server_->port(); }
  const ThreadRecordingHandler& handler() const { return handler_; }

 private:
  // Before the listener's: its pending accept holds a socket of one of them.
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  boost::asio::io_context listener_;
  std::vector<WorkGuard> work_;
  ThreadRecordingHandler handler_;
  std::unique_ptr<Server> server_;
  std::vector<std::thread> threads_;
};

std::string request_for(const std::string& connection) {
  return "GET /version HTTP/1.1\r\nHost: rapid\r\nX-Connection: " + connection + "\r\n\r\n";
}

// One request on `client`, answered with its connection's id.
void ask(testing::HttpClient& client, const std::string& connection) {
  ASSERT_TRUE(client.send(request_for(connection)));
  const auto response = client.read_response();
  ASSERT_TRUE(response.has_value()) << connection;
  EXPECT_EQ(response->body, connection);
}

TEST(IoThreads, EachConnectionStaysOnOneThreadAndOpenOnesAreSpreadEvenly) {
  ThreadedServer server(2);
  std::vector<std::unique_ptr<testing::HttpClient>> clients;
  // Opened one after the other and all kept open: the listener places each
  // on the thread with fewer open, so two go to each.
  for (int i = 0; i < 4; ++i) {
    clients.push_back(std::make_unique<testing::HttpClient>("127.0.0.1", server.port(), true));
    ASSERT_TRUE(clients.back()->connect());
    ask(*clients.back(), "c" + std::to_string(i));
  }
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 4; ++i) ask(*clients[i], "c" + std::to_string(i));
  }
  const auto threads = server.handler().threads();
  ASSERT_EQ(threads.size(), 4u);
  std::map<std::thread::id, int> per_thread;
  for (const auto& [connection, ids] : threads) {
    EXPECT_EQ(ids.size(), 1u) << connection << " was served on more than one thread";
    ++per_thread[*ids.begin()];
  }
  ASSERT_EQ(per_thread.size(), 2u);
  for (const auto& [id, count] : per_thread) EXPECT_EQ(count, 2);
  EXPECT_NE(*threads.at("c0").begin(), *threads.at("c1").begin());
  EXPECT_EQ(*threads.at("c0").begin(), *threads.at("c2").begin());
}

TEST(IoThreads, AClosedConnectionFreesItsPlace) {
  ThreadedServer server(2);
  testing::HttpClient first("127.0.0.1", server.port(), true);
  ASSERT_TRUE(first.connect());
  ask(first, "first");
  {
    testing::HttpClient second("127.0.0.1", server.port(), true);
    ASSERT_TRUE(second.connect());
    ask(second, "second");
    second.close();
  }
  // The second's thread has none open once it is gone: the next goes there,
  // not to the first's.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  bool placed_apart = false;
  for (int attempt = 0; !placed_apart && std::chrono::steady_clock::now() < deadline; ++attempt) {
    testing::HttpClient next("127.0.0.1", server.port(), true);
    ASSERT_TRUE(next.connect());
    const std::string name = "next" + std::to_string(attempt);
    ask(next, name);
    const auto threads = server.handler().threads();
    placed_apart = *threads.at(name).begin() != *threads.at("first").begin();
    next.close();
    // The server may not have seen the close of the second yet: retry.
    if (!placed_apart) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(placed_apart);
  const auto threads = server.handler().threads();
  EXPECT_NE(*threads.at("second").begin(), *threads.at("first").begin());
}

TEST(IoThreads, SequentialConnectionsStayOnTheFirstThread) {
  // A client that opens its next connection once the last one is closing
  // (the Python client, scripts) finds the first io_context empty each time:
  // it is placed when it arrives, and a closing connection counts no more.
  ThreadedServer server(2);
  for (int i = 0; i < 5; ++i) {
    testing::HttpClient client("127.0.0.1", server.port(), true);
    ASSERT_TRUE(client.connect());
    const std::string name = "seq" + std::to_string(i);
    ASSERT_TRUE(client.send("GET /version HTTP/1.1\r\nHost: rapid\r\nConnection: close\r\n"
                            "X-Connection: " + name + "\r\n\r\n"));
    ASSERT_TRUE(client.read_response().has_value());
    EXPECT_TRUE(client.closed_by_peer());
  }
  const auto threads = server.handler().threads();
  std::set<std::thread::id> used;
  for (const auto& [connection, ids] : threads) used.insert(ids.begin(), ids.end());
  EXPECT_EQ(used.size(), 1u);
}

TEST(IoThreads, ProcessSignalsAreLeftToTheStartingThread) {
  boost::asio::io_context io;
  auto& threads = boost::asio::make_service<app::IoThreads>(io, 2);
  threads.start();
  for (const auto& executor : threads.executors()) {
    std::promise<sigset_t> mask;
    boost::asio::post(executor, [&mask] {
      sigset_t current;
      pthread_sigmask(SIG_SETMASK, nullptr, &current);
      mask.set_value(current);
    });
    const sigset_t blocked = mask.get_future().get();
    for (const int signal : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) {
      EXPECT_EQ(sigismember(&blocked, signal), 1) << "signal " << signal;
    }
    // A fault's signal must reach its handler (a sanitizer's report).
    for (const int fault : {SIGSEGV, SIGBUS, SIGFPE}) {
      EXPECT_EQ(sigismember(&blocked, fault), 0) << "signal " << fault;
    }
  }
  threads.stop();
  sigset_t own;
  pthread_sigmask(SIG_SETMASK, nullptr, &own);
  EXPECT_EQ(sigismember(&own, SIGTERM), 0) << "the starting thread's mask is restored";
}

TEST(ConnectionExecutors, PlacesOnTheLeastLoadedAndCountsUntilTheOccupancyEnds) {
  boost::asio::io_context a(1), b(1);
  ConnectionExecutors executors({a.get_executor(), b.get_executor()});
  Placement first = executors.place();
  EXPECT_EQ(executors.open_counts(), (std::vector<std::size_t>{1, 0}));
  EXPECT_TRUE(first.executor == boost::asio::any_io_executor(a.get_executor()));
  Placement second = executors.place();
  EXPECT_TRUE(second.executor == boost::asio::any_io_executor(b.get_executor()));
  Placement third = executors.place();
  EXPECT_EQ(executors.open_counts(), (std::vector<std::size_t>{2, 1}));
  {
    Occupancy moved = std::move(first.occupancy);  // a move counts once
    EXPECT_EQ(executors.open_counts(), (std::vector<std::size_t>{2, 1}));
  }
  EXPECT_EQ(executors.open_counts(), (std::vector<std::size_t>{1, 1}));
  second.occupancy = Occupancy();
  EXPECT_EQ(executors.open_counts(), (std::vector<std::size_t>{1, 0}));
  Placement fourth = executors.place();
  EXPECT_TRUE(fourth.executor == boost::asio::any_io_executor(b.get_executor()));
}

TEST(ConnectionExecutors, TheSharedLayoutGivesEachConnectionAStrand) {
  boost::asio::io_context io;
  ConnectionExecutors executors(io.get_executor());
  Placement one = executors.place();
  Placement two = executors.place();
  using Strand = boost::asio::strand<boost::asio::any_io_executor>;
  ASSERT_NE(one.executor.target<Strand>(), nullptr);
  ASSERT_NE(two.executor.target<Strand>(), nullptr);
  EXPECT_FALSE(*one.executor.target<Strand>() == *two.executor.target<Strand>());
  EXPECT_EQ(executors.open_counts(), (std::vector<std::size_t>{2}));
}

}  // namespace
}  // namespace rapid::http
