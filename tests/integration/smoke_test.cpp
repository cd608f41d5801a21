// First end-to-end check of the in-process fixture: real sockets, a real
// LUXI peer, the whole request path.
#include <gtest/gtest.h>

#include "support/rapid_server.h"

namespace rapid::testing {
namespace {

TEST(Smoke, InfoThroughFakeLuxi) {
  RapidServer rapid;
  rapid.luxi().reply("QueryClusterInfo", Json{{"name", "c"}, {"volume_group_name", "xenvg"}});
  auto response = rapid.admin("GET", "/2/info");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body,
            "{\"name\": \"c\", \"volume_group_name\": \"xenvg\", \"vg_name\": \"xenvg\"}\n");
  ASSERT_EQ(rapid.luxi().requests().size(), 1u);
  EXPECT_EQ(rapid.luxi().requests()[0].method, "QueryClusterInfo");
}

TEST(Smoke, InfoOverTls) {
  RapidServer rapid({.tls = true});
  rapid.luxi().reply("QueryClusterInfo", Json::object());
  auto response = rapid.admin("GET", "/2/info");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "{}\n");
}

}  // namespace
}  // namespace rapid::testing
