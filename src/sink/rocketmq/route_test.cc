#include "sink/rocketmq/route.h"

#include <gtest/gtest.h>

namespace inflow::sink::rocketmq {
namespace {

constexpr char kStandard[] =
    R"({"brokerDatas":[{"brokerAddrs":{"0":"127.0.0.1:10911","1":"127.0.0.1:10921"},)"
    R"("brokerName":"broker-b","cluster":"DefaultCluster","enableActingMaster":false},)"
    R"({"brokerAddrs":{"0":"127.0.0.2:10911"},"brokerName":"broker-a","cluster":"DefaultCluster"}],)"
    R"("filterServerTable":{},)"
    R"("queueDatas":[{"brokerName":"broker-b","perm":6,"readQueueNums":8,"topicSysFlag":0,"writeQueueNums":2},)"
    R"({"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":3}]})";

TEST(TopicRoute, ParsesStandardJsonSortedByBroker) {
  auto route = ParseTopicRoute("T", kStandard);
  ASSERT_TRUE(route) << route.error().ToString();
  std::vector<PublishQueue> expected = {
      {"broker-a", 0}, {"broker-a", 1}, {"broker-a", 2}, {"broker-b", 0}, {"broker-b", 1}};
  EXPECT_EQ(route->queues, expected);
  EXPECT_EQ(route->master_addrs.at("broker-a"), "127.0.0.2:10911");
  EXPECT_EQ(route->master_addrs.at("broker-b"), "127.0.0.1:10911");
}

TEST(TopicRoute, ParsesUnquotedIntegerKeys) {
  // What name servers before 4.9.4 write (fastjson without QuoteFieldNames for map keys).
  std::string legacy =
      R"({"brokerDatas":[{"brokerAddrs":{0:"127.0.0.1:10911", 1 :"127.0.0.1:10921"},"brokerName":"b"}],)"
      R"("queueDatas":[{"brokerName":"b","perm":6,"readQueueNums":2,"writeQueueNums":2,"topicSysFlag":0}]})";
  auto route = ParseTopicRoute("T", legacy);
  ASSERT_TRUE(route) << route.error().ToString();
  EXPECT_EQ(route->queues.size(), 2u);
  EXPECT_EQ(route->master_addrs.at("b"), "127.0.0.1:10911");
}

TEST(TopicRoute, QuotesIntegerKeysOnlyOutsideStrings) {
  EXPECT_EQ(QuoteIntegerKeys(R"({0:"a",-1:"b",12 : "c"})"), R"({"0":"a","-1":"b","12" : "c"})");
  EXPECT_EQ(QuoteIntegerKeys(R"({"k":"{0:1}","n":[1,2],"m":{3:4}})"),
            R"({"k":"{0:1}","n":[1,2],"m":{"3":4}})");
  EXPECT_EQ(QuoteIntegerKeys(R"({"e":"\"{1:2"})"), R"({"e":"\"{1:2"})");
}

TEST(TopicRoute, SkipsReadOnlyQueuesAndBrokersWithoutMaster) {
  std::string json = R"({"brokerDatas":[{"brokerAddrs":{"0":"h:1"},"brokerName":"a"},)"
                     R"({"brokerAddrs":{"1":"h:2"},"brokerName":"slaveonly"}],)"
                     R"("queueDatas":[{"brokerName":"a","perm":4,"writeQueueNums":8},)"
                     R"({"brokerName":"slaveonly","perm":6,"writeQueueNums":8}]})";
  auto route = ParseTopicRoute("orders", json);
  ASSERT_FALSE(route);
  EXPECT_EQ(route.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(route.error().message().find("'orders'"), std::string::npos);
}

TEST(TopicRoute, UsesOrderTopicConf) {
  std::string json =
      R"({"brokerDatas":[{"brokerAddrs":{"0":"h:1"},"brokerName":"a"},{"brokerAddrs":{"0":"h:2"},"brokerName":"b"}],)"
      R"("queueDatas":[],"orderTopicConf":"b:2;a:1"})";
  auto route = ParseTopicRoute("T", json);
  ASSERT_TRUE(route) << route.error().ToString();
  std::vector<PublishQueue> expected = {{"b", 0}, {"b", 1}, {"a", 0}};
  EXPECT_EQ(route->queues, expected);
}

TEST(TopicRoute, RejectsMalformedBodies) {
  for (const char* body : {"", "[]", "{", R"({"brokerDatas":{}})",
                           R"({"brokerDatas":[{"brokerAddrs":{}}],"queueDatas":[]})",
                           R"({"brokerDatas":[],"queueDatas":[{"brokerName":"a","perm":"6"}]})",
                           R"({"brokerDatas":[{"brokerName":"a","brokerAddrs":{"0":"h:1"}}],)"
                           R"("queueDatas":[{"brokerName":"a","perm":6,"writeQueueNums":-1}]})"}) {
    auto route = ParseTopicRoute("T", body);
    ASSERT_FALSE(route) << body;
    EXPECT_EQ(route.error().code(), ErrorCode::kDataLoss) << body;
  }
}

// Found by route_fuzz (route_fuzz_corpus/oom_order_topic_conf): a 3.6 KB body of
// "a:999999;…" items asked for 400 million queues and ran the producer out of memory.
TEST(TopicRoute, RejectsMoreQueuesThanAnyClusterHas) {
  std::string brokers = R"({"brokerDatas":[{"brokerAddrs":{"0":"h:1"},"brokerName":"a"},)"
                        R"({"brokerAddrs":{"0":"h:2"},"brokerName":"b"}],)";
  std::string at_limit = "a:" + std::to_string(kMaxPublishQueues);
  auto route = ParseTopicRoute("T", brokers + R"("orderTopicConf":")" + at_limit + R"("})");
  ASSERT_TRUE(route) << route.error().ToString();
  EXPECT_EQ(route->queues.size(), kMaxPublishQueues);

  std::string writable = R"({"brokerName":"a","perm":6,"writeQueueNums":65535},)"
                         R"({"brokerName":"b","perm":6,"writeQueueNums":65535})";
  for (const std::string& body : {brokers + R"("orderTopicConf":")" + at_limit + R"(;b:1"})",
                                  brokers + R"("orderTopicConf":"a:999999;a:999999;a:999999"})",
                                  brokers + R"("queueDatas":[)" + writable + "]}"}) {
    auto over = ParseTopicRoute("T", body);
    ASSERT_FALSE(over) << body.substr(0, 200);
    EXPECT_EQ(over.error().code(), ErrorCode::kDataLoss);
    EXPECT_NE(over.error().message().find("more than"), std::string::npos)
        << over.error().message();
  }
}

}  // namespace
}  // namespace inflow::sink::rocketmq
