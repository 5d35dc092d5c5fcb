#include "sink/rocketmq/rocketmq_sink.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "sink/open_sink.h"
#include "sink/rocketmq/fake_rocketmq.h"

namespace inflow::sink::rocketmq {
namespace {

using fake::Behavior;
using fake::FakeRocketMq;

constexpr std::chrono::milliseconds kWait{5000};

std::vector<Message> Messages(int n) {
  std::vector<Message> out;
  for (int i = 0; i < n; ++i) {
    Message m;
    m.topic = "inflow_test";
    m.body = "m" + std::to_string(i);
    out.push_back(std::move(m));
  }
  return out;
}

// The outcomes of one Send through the Sink interface; a missing answer fails the test.
std::vector<SendOutcome> SendAndWait(Sink& sink, std::vector<Message> messages) {
  auto promise = std::make_shared<std::promise<std::vector<SendOutcome>>>();
  auto future = promise->get_future();
  sink.Send(std::move(messages), [promise](std::vector<SendOutcome> outcomes) {
    promise->set_value(std::move(outcomes));
  });
  if (future.wait_for(kWait) != std::future_status::ready) {
    ADD_FAILURE() << "no outcome within " << kWait.count() << " ms";
    return {};
  }
  return future.get();
}

std::unique_ptr<RocketMQSink> StartSink(FakeRocketMq& cluster) {
  ProducerOptions options;
  options.namesrv = cluster.namesrv_address();
  auto sink = RocketMQSink::Start(std::move(options));
  if (!sink) {
    ADD_FAILURE() << sink.error().ToString();
    return nullptr;
  }
  return std::move(*sink);
}

TEST(RocketMQSinkTest, ClassifiesByWhetherTheCodeIsTransient) {
  EXPECT_TRUE(RocketMQSink::Classify(SendReceipt{"id-1", "", "b", 0, 0, 0}).ok());
  EXPECT_EQ(RocketMQSink::Classify(SendReceipt{"id-1", "", "b", 0, 0, 0}).id(), "id-1");
  for (ErrorCode code : {ErrorCode::kUnavailable, ErrorCode::kTimeout, ErrorCode::kIo}) {
    SendOutcome o = RocketMQSink::Classify(Fail(code, "transient"));
    EXPECT_EQ(o.kind(), SendOutcome::Kind::kRetryable) << ErrorCodeName(code);
    EXPECT_EQ(o.error().code(), code);
    EXPECT_EQ(o.error().message(), "transient");
  }
  for (ErrorCode code :
       {ErrorCode::kNotFound, ErrorCode::kInvalidArgument, ErrorCode::kResourceExhausted,
        ErrorCode::kUnauthenticated, ErrorCode::kPermissionDenied, ErrorCode::kCancelled}) {
    SendOutcome o = RocketMQSink::Classify(Fail(code, "for good"));
    EXPECT_EQ(o.kind(), SendOutcome::Kind::kDeterministic) << ErrorCodeName(code);
    EXPECT_EQ(o.error().code(), code);
  }
}

TEST(RocketMQSinkTest, OkOutcomesCarryTheUniqKeyInOrder) {
  FakeRocketMq cluster;
  auto sink = StartSink(cluster);
  ASSERT_TRUE(sink);
  auto outcomes = SendAndWait(*sink, Messages(3));
  ASSERT_EQ(outcomes.size(), 3u);
  ASSERT_EQ(cluster.total_sends(), 1u);  // one batch
  auto& broker = cluster.a().send_count() == 1 ? cluster.a() : cluster.b();
  auto keys = broker.sends()[0].uniq_keys;
  ASSERT_EQ(keys.size(), 3u);
  for (size_t i = 0; i < outcomes.size(); ++i) {
    ASSERT_TRUE(outcomes[i].ok()) << outcomes[i].error().ToString();
    EXPECT_EQ(outcomes[i].id(), keys[i]);
  }
}

TEST(RocketMQSinkTest, BrokerRefusalIsDeterministicAndBusyIsRetryable) {
  FakeRocketMq cluster;
  auto sink = StartSink(cluster);
  ASSERT_TRUE(sink);
  cluster.a().SetBehavior(Behavior::Answer(16, "no permission"));  // NO_PERMISSION
  cluster.b().SetBehavior(Behavior::Answer(16, "no permission"));
  auto refused = SendAndWait(*sink, Messages(1));
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].kind(), SendOutcome::Kind::kDeterministic);
  EXPECT_EQ(refused[0].error().code(), ErrorCode::kPermissionDenied)
      << refused[0].error().ToString();

  cluster.a().SetBehavior(Behavior::Answer(2, "system busy"));  // SYSTEM_BUSY
  cluster.b().SetBehavior(Behavior::Answer(2, "system busy"));
  auto busy = SendAndWait(*sink, Messages(1));
  ASSERT_EQ(busy.size(), 1u);
  EXPECT_EQ(busy[0].kind(), SendOutcome::Kind::kRetryable);
  EXPECT_EQ(busy[0].error().code(), ErrorCode::kUnavailable) << busy[0].error().ToString();
}

TEST(RocketMQSinkTest, SendAfterShutdownIsDeterministic) {
  FakeRocketMq cluster;
  auto sink = StartSink(cluster);
  ASSERT_TRUE(sink);
  sink->Shutdown();
  auto outcomes = SendAndWait(*sink, Messages(2));
  ASSERT_EQ(outcomes.size(), 2u);
  for (const auto& o : outcomes) {
    EXPECT_EQ(o.kind(), SendOutcome::Kind::kDeterministic);
    EXPECT_EQ(o.error().code(), ErrorCode::kCancelled);
  }
}

TEST(OpenSinkTest, OpensRocketMQ4xAsTheRemotingProducer) {
  FakeRocketMq cluster;
  auto sink = OpenSink({"rocketmq", "4.x", cluster.namesrv_address(), "", ""});
  ASSERT_TRUE(sink) << sink.error().ToString();
  auto outcomes = SendAndWait(**sink, Messages(1));
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_TRUE(outcomes[0].ok()) << outcomes[0].error().ToString();
  EXPECT_EQ(cluster.total_sends(), 1u);
}

TEST(OpenSinkTest, RefusesKindsThisBuildDoesNotHave) {
  auto v5 = OpenSink({"rocketmq", "5.x", "127.0.0.1:9876", "", ""});
  ASSERT_FALSE(v5);
  EXPECT_EQ(v5.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(v5.error().message(),
            "version: only 4.x (the remoting protocol through a NameServer) is supported so far; "
            "5.x brokers accept it too: give the NameServer address");
  auto kafka = OpenSink({"kafka", "4.x", "127.0.0.1:9092", "", ""});
  ASSERT_FALSE(kafka);
  EXPECT_EQ(kafka.error().message(), "type: must be rocketmq");
  // The producer's own validation still answers for bad settings.
  auto bad = OpenSink({"rocketmq", "4.x", "", "", ""});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace inflow::sink::rocketmq
