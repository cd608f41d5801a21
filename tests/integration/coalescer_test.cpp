// luxi::Coalescer without sockets (a scripted Send on a two-thread
// io_context), SharedResult's memo of bodies, the allowlist, and the bulk
// body written object by object against the one RapiHandler writes.
#include "luxi/coalescer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <thread>
#include <vector>

#include "luxi/error.h"
#include "rapi/answers.h"
#include "rapi/api_error.h"
#include "rapi/luxi_calls.h"

namespace rapid {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using luxi::Coalescer;

TEST(Coalescer, OnlyQueryCallsCoalesce) {
  for (const char* method : {"Query", "QueryFields", "QueryNodes", "QueryGroups", "QueryNetworks",
                             "QueryInstances", "QueryFilters", "QueryJobs", "QueryExports",
                             "QueryConfigValues", "QueryClusterInfo", "QueryTags"}) {
    EXPECT_TRUE(luxi::is_coalescable(method)) << method;
  }
  for (const char* method :
       {"SubmitJob", "SubmitJobToDrainedQueue", "SubmitManyJobs", "WaitForJobChange", "PickupJob",
        "ArchiveJob", "AutoArchiveJobs", "CancelJob", "ChangeJobPriority", "SetDrainFlag",
        "SetWatcherPause", "ReplaceFilter", "DeleteFilter", "query", ""}) {
    EXPECT_FALSE(luxi::is_coalescable(method)) << method;
  }
}

// A luxid whose calls wait `unsent` before their first byte is written
// and `answering` after; each answers with its number.
struct ScriptedSend {
  asio::io_context& io;
  std::chrono::milliseconds unsent;
  std::chrono::milliseconds answering;
  std::atomic<int> calls{0};

  asio::awaitable<std::shared_ptr<luxi::SharedResult>> send(std::function<void()> on_send) {
    asio::steady_timer timer(io);
    timer.expires_after(unsent);
    co_await timer.async_wait(asio::use_awaitable);
    on_send();
    const int n = ++calls;
    timer.expires_after(answering);
    co_await timer.async_wait(asio::use_awaitable);
    co_return std::make_shared<luxi::SharedResult>(Json(n));
  }
};

// The call's number, or -1 for a timeout.
asio::awaitable<int> answer_of(Coalescer& coalescer, std::chrono::milliseconds timeout) {
  int n = -1;
  try {
    const Coalescer::Answer answer =
        co_await coalescer.call("QueryClusterInfo", "request", Coalescer::Clock::now() + timeout);
    n = answer.result->value().get<int>();
  } catch (const luxi::Error& error) {
    EXPECT_EQ(error.kind(), luxi::ErrorKind::timeout);
  }
  co_return n;
}

TEST(Coalescer, AWaiterThatGivesUpEndsNobodyElsesCall) {
  asio::io_context io;
  ScriptedSend script{io, 200ms, 400ms};
  Coalescer coalescer(io.get_executor(), [&script](std::string_view, const std::string&,
                                                   std::function<void()> on_send) {
    return script.send(std::move(on_send));
  });
  auto work = asio::make_work_guard(io);
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) threads.emplace_back([&] { io.run(); });
  // The first requester started the call and gives up after 50 ms; the
  // second, which joined that call before it was sent, still gets its answer.
  auto quitter = asio::co_spawn(io, answer_of(coalescer, 50ms), asio::use_future);
  std::this_thread::sleep_for(10ms);
  auto patient = asio::co_spawn(io, answer_of(coalescer, 5s), asio::use_future);
  EXPECT_EQ(quitter.get(), -1);
  EXPECT_EQ(patient.get(), 1);
  // Once a call is sent, newcomers wait for the next one, and get it.
  auto first = asio::co_spawn(io, answer_of(coalescer, 5s), asio::use_future);
  std::this_thread::sleep_for(400ms);  // sent at 200 ms, answered at 600 ms
  std::vector<std::future<int>> later;
  for (int i = 0; i < 5; ++i) {
    later.push_back(asio::co_spawn(io, answer_of(coalescer, 5s), asio::use_future));
  }
  EXPECT_EQ(first.get(), 2);
  for (auto& f : later) EXPECT_EQ(f.get(), 3);
  EXPECT_EQ(script.calls.load(), 3);
  work.reset();
  for (auto& thread : threads) thread.join();
}

// Each call is made, but a reply with the bytes of the last one to the same
// request takes over the bodies rendered from it (luxi/repeated_replies.h).
TEST(Coalescer, AnUnchangedReplyKeepsItsBodies) {
  asio::io_context io;
  std::vector<std::string> replies = {"[1]", "[1]", "[2]"};
  int calls = 0;
  Coalescer coalescer(io.get_executor(),
                      [&](std::string_view, const std::string&, std::function<void()> on_send)
                          -> asio::awaitable<std::shared_ptr<luxi::SharedResult>> {
                        on_send();
                        const std::string text = replies.at(calls++);
                        co_return luxi::SharedResult::from_reply(R"({"success":true,"result":)" +
                                                                 text + "}");
                      });
  int renders = 0;
  const auto body_of_next_call = [&] {
    auto future = asio::co_spawn(
        io,
        [&]() -> asio::awaitable<std::shared_ptr<const std::string>> {
          const Coalescer::Answer answer = co_await coalescer.call(
              "QueryClusterInfo", "request", Coalescer::Clock::now() + 5s);
          co_return answer.result->body("k", [&](const luxi::SharedResult& result) {
            ++renders;
            return dump_python(result.value());
          });
        },
        asio::use_future);
    io.restart();
    io.run();
    return future.get();
  };
  const auto first = body_of_next_call();
  const auto second = body_of_next_call();
  const auto third = body_of_next_call();
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(second, first);
  EXPECT_EQ(renders, 2);
  EXPECT_EQ(*first, "[1]");
  EXPECT_EQ(*third, "[2]");
}

TEST(SharedResult, RendersOncePerKeyAcrossThreads) {
  const luxi::SharedResult shared(Json::array({1, 2, 3}));
  std::atomic<int> renders{0};
  const auto render = [&](const luxi::SharedResult& result) {
    ++renders;
    std::this_thread::sleep_for(20ms);
    return dump_python(result.value());
  };
  std::vector<std::shared_ptr<const std::string>> bodies(8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] { bodies[i] = shared.body("list", render); });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(renders.load(), 1);
  for (const auto& body : bodies) EXPECT_EQ(body, bodies[0]);
  EXPECT_EQ(*bodies[0], "[1, 2, 3]");
  EXPECT_EQ(*shared.body("other", [](const luxi::SharedResult&) { return std::string("x"); }), "x");
}

TEST(SharedResult, AFailedRenderingIsTriedAgain) {
  const luxi::SharedResult shared(Json(1));
  EXPECT_THROW(
      shared.body("k",
                  [](const luxi::SharedResult&) -> std::string { throw std::runtime_error("no"); }),
      std::runtime_error);
  EXPECT_EQ(*shared.body("k", [](const luxi::SharedResult&) { return std::string("yes"); }), "yes");
}

const std::vector<std::string_view> kFields = {"name", "beparams", "custom"};

void add_memory(Json& object) { object["beparams"]["memory"] = object["beparams"]["maxmem"]; }

// What RapiHandler writes for the list built as one Json.
std::string whole_list_body(const rapi::ListQuery& list, const Json& rows) {
  Json objects = rapi::map_bulk_fields(list.bulk_fields, rows);
  if (list.adjust_object) {
    for (auto& object : objects) list.adjust_object(object);
  }
  return rapi::render_body(objects);
}

rapi::ListQuery bulk_list(void (*adjust)(Json&)) {
  rapi::ListQuery list;
  list.bulk_fields = kFields;
  list.adjust_object = adjust;
  return list;
}

// luxid's reply holding `rows_text`, kept as text by SharedResult.
std::shared_ptr<luxi::SharedResult> reply_of(std::string_view rows_text) {
  auto result =
      luxi::SharedResult::from_reply(R"({"success":true,"result":)" + std::string(rows_text) + "}");
  EXPECT_TRUE(result->text());
  return result;
}

TEST(BulkBody, IsTheWholeListsBody) {
  const char* texts[] = {
      R"([["b", {"maxmem": 1, "osparams_secret": {"k": "v"}}, [1.5e-7, null, "\u00fc"]],
          ["a", {"maxmem": 2}, {"osparams_private_cluster": {"os": [["x", "y"]]}}]])",
      R"([["b",{"maxmem":1,"x":"caf\u00e9"},[1.0e-2,null,"\u00fc"]],["a",{"maxmem":2},{}]])",
      R"([])",
  };
  for (const char* text : texts) {
    const Json rows = *parse_json(text);
    for (auto adjust : {static_cast<void (*)(Json&)>(nullptr), &add_memory}) {
      const rapi::ListQuery list = bulk_list(adjust);
      EXPECT_EQ(rapi::render_bulk_body(list, rows), whole_list_body(list, rows));
      // From luxid's text (transcoded, or row by row), the same bytes.
      EXPECT_EQ(rapi::render_bulk_body(list, *reply_of(text)), whole_list_body(list, rows));
    }
  }
}

// The same failure, or both succeed.
std::string outcome(const std::function<std::string()>& render) {
  try {
    return "ok " + render();
  } catch (const rapi::ApiError& error) {
    return std::to_string(error.status()) + " " + error.message();
  }
}

TEST(BulkBody, FailsAsTheWholeListDoes) {
  for (auto adjust : {static_cast<void (*)(Json&)>(nullptr), &add_memory}) {
    const rapi::ListQuery list = bulk_list(adjust);
    for (const char* text :
         {R"([["a", {"maxmem": 1}, 3], ["b", {}]])", R"("not a list")",
          R"([["a", {"maxmem": 1}, 3], 7])", R"([["a", {}, 3], ["b", {"maxmem": 1}]])",
          R"([["a", {"maxmem": 1}, 3], ["b", {"maxmem": 1}, 3, 4]])", R"({"a": 1})"}) {
      SCOPED_TRACE(text);
      const Json rows = *parse_json(text);
      EXPECT_EQ(outcome([&] { return rapi::render_bulk_body(list, rows); }),
                outcome([&] { return whole_list_body(list, rows); }));
      EXPECT_EQ(outcome([&] { return rapi::render_bulk_body(list, *reply_of(text)); }),
                outcome([&] { return whole_list_body(list, rows); }));
    }
  }
}

// A reply that only looks plain fails as decode_response fails, when its
// value is asked for.
TEST(SharedResult, TextThatIsNoJsonFailsOnDecoding) {
  const auto result = luxi::SharedResult::from_reply(R"({"success":true,"result":[1,})");
  ASSERT_TRUE(result->text());
  EXPECT_THROW(result->value(), luxi::Error);
  const rapi::ListQuery list = bulk_list(nullptr);
  EXPECT_THROW(rapi::render_bulk_body(list, *result), luxi::Error);
  // Not plain: decoded at once, errors included.
  EXPECT_FALSE(luxi::SharedResult::from_reply(R"({"result": [], "success": true})")->text());
  EXPECT_THROW(luxi::SharedResult::from_reply(R"({"success": false, "result": "no"})"),
               luxi::Error);
}

}  // namespace
}  // namespace rapid
