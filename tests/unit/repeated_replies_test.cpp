// luxi::RepeatedReplies: a result whose reply is byte for byte the last one
// to the same call takes over its bodies; any other result renders its own,
// and the limits bound what is kept.
#include "luxi/repeated_replies.h"

#include <gtest/gtest.h>

#include <string>

namespace rapid {
namespace {

using luxi::RepeatedReplies;
using luxi::SharedResult;

std::shared_ptr<SharedResult> reply(const std::string& result_text) {
  return SharedResult::from_reply(R"({"success":true,"result":)" + result_text + "}");
}

// Renders the result's text, counting the renderings.
struct Renderer {
  int renders = 0;
  std::shared_ptr<const std::string> body(const SharedResult& result, std::string_view key = "k") {
    return result.body(key, [this](const SharedResult& r) {
      ++renders;
      return std::string(*r.text());
    });
  }
};

TEST(RepeatedReplies, TheSameBytesAgainTakeOverTheBodies) {
  RepeatedReplies repeated({});
  Renderer renderer;
  const auto first = reply(R"({"name": "cluster"})");
  repeated.reuse("info", *first);
  const auto body = renderer.body(*first);
  const auto second = reply(R"({"name": "cluster"})");
  repeated.reuse("info", *second);
  EXPECT_EQ(renderer.body(*second), body);  // the very same body, not rendered again
  EXPECT_EQ(renderer.renders, 1);
  // A key the first did not render is rendered once, for both.
  EXPECT_EQ(*renderer.body(*second, "other"), R"({"name": "cluster"})");
  EXPECT_EQ(renderer.body(*first, "other"), renderer.body(*second, "other"));
  EXPECT_EQ(renderer.renders, 2);
}

TEST(RepeatedReplies, OtherBytesOrAnotherCallRenderTheirOwn) {
  RepeatedReplies repeated({});
  Renderer renderer;
  const auto first = reply(R"({"name": "cluster"})");
  repeated.reuse("info", *first);
  renderer.body(*first);
  // One byte more (a space) is another reply.
  const auto changed = reply(R"({"name":  "cluster"})");
  repeated.reuse("info", *changed);
  EXPECT_EQ(*renderer.body(*changed), R"({"name":  "cluster"})");
  EXPECT_EQ(renderer.renders, 2);
  // The same bytes as the first to another call share nothing.
  const auto other_call = reply(R"({"name": "cluster"})");
  repeated.reuse("other call", *other_call);
  renderer.body(*other_call);
  EXPECT_EQ(renderer.renders, 3);
  // And the changed reply is now the one kept for "info".
  const auto again = reply(R"({"name":  "cluster"})");
  repeated.reuse("info", *again);
  renderer.body(*again);
  EXPECT_EQ(renderer.renders, 3);
}

TEST(RepeatedReplies, ResultsNotKeptAsTextAreNeverShared) {
  RepeatedReplies repeated({});
  int renders = 0;
  const auto render = [&](const SharedResult&) {
    ++renders;
    return std::string("x");
  };
  for (int i = 0; i < 2; ++i) {
    SharedResult decoded(Json::array({1}));
    repeated.reuse("call", decoded);
    decoded.body("k", render);
  }
  EXPECT_EQ(renders, 2);
  EXPECT_EQ(repeated.calls(), 0u);
  // Nor does a decoded result leave a kept reply in place: it is out of date.
  repeated.reuse("call", *reply("[1]"));
  EXPECT_EQ(repeated.calls(), 1u);
  SharedResult decoded(Json::array({1}));
  repeated.reuse("call", decoded);
  EXPECT_EQ(repeated.calls(), 0u);
}

TEST(RepeatedReplies, TheLimitsBoundWhatIsKept) {
  const std::string small = "[1]";  // message: 29 bytes
  const std::size_t message_bytes = reply(small)->message().size();
  RepeatedReplies repeated({.max_reply_bytes = message_bytes,
                            .max_total_bytes = 3 * message_bytes,
                            .max_calls = 2});
  repeated.reuse("too big", *reply("[10]"));
  EXPECT_EQ(repeated.calls(), 0u);
  repeated.reuse("a", *reply(small));
  repeated.reuse("b", *reply(small));
  EXPECT_EQ(repeated.calls(), 2u);
  // "a" is used again; a third call then pushes out "b", the least recently used.
  Renderer renderer;
  const auto a = reply(small);
  repeated.reuse("a", *a);
  renderer.body(*a);
  repeated.reuse("c", *reply(small));
  EXPECT_EQ(repeated.calls(), 2u);
  EXPECT_EQ(repeated.total_bytes(), 2 * message_bytes);
  const auto a_again = reply(small);
  repeated.reuse("a", *a_again);
  renderer.body(*a_again);
  EXPECT_EQ(renderer.renders, 1);  // "a" was kept
  const auto b_again = reply(small);
  repeated.reuse("b", *b_again);
  renderer.body(*b_again);
  EXPECT_EQ(renderer.renders, 2);  // "b" was not
  // The byte bound: one call of three replies' size would leave room for none.
  RepeatedReplies by_bytes({.max_reply_bytes = 1024, .max_total_bytes = message_bytes + 1,
                            .max_calls = 10});
  by_bytes.reuse("a", *reply(small));
  by_bytes.reuse("b", *reply(small));
  EXPECT_EQ(by_bytes.calls(), 1u);
  EXPECT_EQ(by_bytes.total_bytes(), message_bytes);
}

}  // namespace
}  // namespace rapid
