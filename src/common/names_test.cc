#include "common/names.h"

#include <gtest/gtest.h>

namespace inflow {
namespace {

TEST(ResourceName, AllowsLettersDigitsUnderscoreAndDash) {
  EXPECT_TRUE(ValidateResourceName("shop_1-a", "name"));
  EXPECT_TRUE(ValidateResourceName(std::string(64, 'a'), "name"));
}

TEST(ResourceName, RefusesPathsDotsSpacesAndLength) {
  for (std::string_view bad : {"", ".", "..", "../../x", "g 1", "a/b", "a.b", "é"}) {
    auto st = ValidateResourceName(bad, "source.consumer_group.name");
    ASSERT_FALSE(st) << bad;
    EXPECT_EQ(st.error().message().rfind("source.consumer_group.name: ", 0), 0u)
        << st.error().message();
  }
  auto st = ValidateResourceName(std::string(65, 'a'), "n");
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message().find("got 65"), std::string::npos);
}

TEST(TopicName, FollowsRocketMqTopicValidator) {
  EXPECT_TRUE(IsValidTopicName("orders_%|-1"));
  EXPECT_TRUE(IsValidTopicName(std::string(127, 't')));
  EXPECT_FALSE(IsValidTopicName(std::string(128, 't')));
  EXPECT_FALSE(IsValidTopicName(""));
  EXPECT_FALSE(IsValidTopicName("a b"));
  EXPECT_FALSE(IsValidTopicName("a.b"));
  auto st = ValidateTopicName("bad topic", "sink.topic");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message().rfind("sink.topic: 'bad topic' is not a valid RocketMQ topic", 0),
            0u);
}

TEST(HostPort, ParsesNamesIpv4AndBracketedIpv6) {
  auto a = ParseHostPort("127.0.0.1:9876");
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(*a, (HostPort{"127.0.0.1", 9876}));
  auto b = ParseHostPort("[::1]:1");
  ASSERT_TRUE(b) << b.error().message();
  EXPECT_EQ(*b, (HostPort{"::1", 1}));
  auto c = ParseHostPort("name-srv.example_1:65535");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->port, 65535);
}

TEST(HostPort, RefusesGarbage) {
  for (std::string_view bad : {"", "host", ":9876", "host:", "host:0", "host:65536", "host:12ab",
                               "ho st:1", "http://h:1", "[::1:1", "[]:1", "h:-1"}) {
    EXPECT_FALSE(ParseHostPort(bad)) << bad;
  }
}

TEST(HostPort, ListsAreSemicolonSeparated) {
  auto list = ParseHostPortList(" a:1; b:2;");
  ASSERT_TRUE(list) << list.error().message();
  EXPECT_EQ(*list, (std::vector<HostPort>{{"a", 1}, {"b", 2}}));
  EXPECT_FALSE(ParseHostPortList(""));
  EXPECT_FALSE(ParseHostPortList("a:1;;b:2"));
  EXPECT_FALSE(ParseHostPortList("a:1,b:2"));
  auto st = ValidateHostPortList("not an endpoint", "sink.endpoint");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message().rfind("sink.endpoint: address 'not an endpoint'", 0), 0u)
      << st.error().message();
}

}  // namespace
}  // namespace inflow
