#include "sink/rocketmq/producer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "sink/rocketmq/fake_rocketmq.h"

namespace inflow::sink::rocketmq {
namespace {

using fake::Behavior;
using fake::FakeBroker;
using fake::FakeRocketMq;
using fake::ReceivedSend;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr char kTopic[] = "inflow_test";
// Bound on every wait: loopback answers take milliseconds; a hung producer fails the test
// instead of hanging it.
constexpr milliseconds kWait{5000};
// An answer this slow isolates its broker for kSlowIsolation (producer.cc: >= 550 ms -> 2 s).
constexpr milliseconds kSlow{700};
constexpr milliseconds kSlowIsolation{2000};

Message Msg(std::string body, std::optional<std::string> sharding_key = std::nullopt) {
  Message m;
  m.topic = kTopic;
  m.body = std::move(body);
  m.sharding_key = std::move(sharding_key);
  return m;
}

std::vector<Message> Unkeyed(int n) {
  std::vector<Message> out;
  for (int i = 0; i < n; ++i) out.push_back(Msg("m" + std::to_string(i)));
  return out;
}

// The results of one Send; a missing answer fails the test and reads as n kTimeout results.
std::vector<SendResult> Await(std::future<std::vector<SendResult>> future, size_t n) {
  if (future.wait_for(kWait) != std::future_status::ready) {
    ADD_FAILURE() << "no result within " << kWait.count() << " ms";
    return std::vector<SendResult>(
        n, inflow::Fail(ErrorCode::kTimeout, "test: the producer never answered"));
  }
  auto results = future.get();
  EXPECT_EQ(results.size(), n);
  results.resize(n, inflow::Fail(ErrorCode::kInternal, "test: result missing"));
  return results;
}

SendResult SendOne(Producer& producer, Message m) {
  return Await(producer.Send({std::move(m)}), 1)[0];
}

// One Send per message, all issued before awaiting any: each message is its own request, the
// way independent callers would send them.
std::vector<SendResult> SendEach(Producer& producer, std::vector<Message> messages) {
  std::vector<std::future<std::vector<SendResult>>> futures;
  for (auto& m : messages) futures.push_back(producer.Send({std::move(m)}));
  std::vector<SendResult> out;
  for (auto& f : futures) out.push_back(Await(std::move(f), 1)[0]);
  return out;
}

std::string Describe(const SendResult& r) {
  if (!r) return r.error().ToString();
  return r->broker + " queue " + std::to_string(r->queue_id);
}

// Every successful result must report exactly what the broker that stored the message
// answered, and its msg_id must be the UNIQ_KEY the broker received.
void ExpectReceiptsMatchBrokers(FakeRocketMq& cluster, const std::vector<SendResult>& results) {
  struct Seen {
    std::string broker;
    ReceivedSend send;
    size_t index;
  };
  std::map<std::string, Seen> by_key;
  for (FakeBroker* broker : {&cluster.a(), &cluster.b()}) {
    for (const ReceivedSend& s : broker->sends()) {
      for (size_t k = 0; k < s.uniq_keys.size(); ++k) {
        by_key[s.uniq_keys[k]] = Seen{broker->name(), s, k};
      }
    }
  }
  std::set<std::string> ids;
  for (const SendResult& r : results) {
    if (!r) continue;
    EXPECT_TRUE(ids.insert(r->msg_id).second) << "duplicate msg_id " << r->msg_id;
    auto it = by_key.find(r->msg_id);
    ASSERT_NE(it, by_key.end()) << "no broker received UNIQ_KEY " << r->msg_id;
    const Seen& seen = it->second;
    EXPECT_EQ(r->broker, seen.broker);
    EXPECT_EQ(r->queue_id, seen.send.queue_id);
    EXPECT_EQ(r->status, seen.send.response_code);
    EXPECT_EQ(r->queue_offset, seen.send.queue_offset + static_cast<int64_t>(seen.index));
    ASSERT_LT(seen.index, seen.send.offset_msg_ids.size());
    EXPECT_EQ(r->offset_msg_id, seen.send.offset_msg_ids[seen.index]);
  }
}

class ProducerTest : public ::testing::Test {
 protected:
  std::unique_ptr<Producer> StartProducer(ProducerOptions options = {}) {
    options.namesrv = cluster_.namesrv_address();
    auto producer = Producer::Start(std::move(options));
    if (!producer) {
      ADD_FAILURE() << producer.error().ToString();
      return nullptr;
    }
    return std::move(*producer);
  }

  // The broker a message went to and the other one.
  FakeBroker& Broker(const std::string& name) {
    return name == "broker-a" ? cluster_.a() : cluster_.b();
  }
  FakeBroker& OtherBroker(const std::string& name) {
    return name == "broker-a" ? cluster_.b() : cluster_.a();
  }

  FakeRocketMq cluster_;  // 2 brokers x 4 write queues
};

TEST_F(ProducerTest, RoundRobinCoversEveryQueueOfBothBrokers) {
  auto producer = StartProducer();
  ASSERT_TRUE(producer);
  const size_t queues = 2 * static_cast<size_t>(cluster_.write_queues());

  auto results = SendEach(*producer, Unkeyed(static_cast<int>(2 * queues)));

  std::map<std::pair<std::string, int32_t>, int> per_queue;
  for (const auto& r : results) {
    ASSERT_TRUE(r) << r.error().ToString();
    EXPECT_EQ(r->status, 0);
    ++per_queue[{r->broker, r->queue_id}];
  }
  // Each queue exactly twice: a rotation, not a random or sticky choice.
  EXPECT_EQ(per_queue.size(), queues);
  for (const auto& [queue, n] : per_queue) {
    EXPECT_EQ(n, 2) << queue.first << " queue " << queue.second;
  }
  EXPECT_EQ(cluster_.a().send_count(), queues);
  EXPECT_EQ(cluster_.b().send_count(), queues);
  for (FakeBroker* broker : {&cluster_.a(), &cluster_.b()}) {
    for (const ReceivedSend& s : broker->sends()) EXPECT_EQ(s.request_code, kSendMessageV2);
  }
  ExpectReceiptsMatchBrokers(cluster_, results);
  // The route is looked up once and cached.
  EXPECT_EQ(cluster_.route_requests(), 1u);
}

TEST_F(ProducerTest, MessagesOfOneSendGoAsOneBatchWithOneReceiptEach) {
  auto producer = StartProducer();
  ASSERT_TRUE(producer);

  auto results = Await(producer->Send(Unkeyed(5)), 5);

  ASSERT_EQ(cluster_.total_sends(), 1u);
  FakeBroker& broker = cluster_.a().send_count() == 1 ? cluster_.a() : cluster_.b();
  ReceivedSend batch = broker.sends()[0];
  EXPECT_EQ(batch.request_code, kSendBatchMessage);
  ASSERT_EQ(batch.uniq_keys.size(), 5u);
  for (size_t i = 0; i < results.size(); ++i) {
    ASSERT_TRUE(results[i]) << results[i].error().ToString();
    // In the order given: the i-th result is the i-th message of the batch.
    EXPECT_EQ(results[i]->msg_id, batch.uniq_keys[i]);
    EXPECT_EQ(results[i]->queue_offset, batch.queue_offset + static_cast<int64_t>(i));
  }
  ExpectReceiptsMatchBrokers(cluster_, results);
}

TEST_F(ProducerTest, SlowBrokerIsAvoidedWhileIsolated) {
  auto producer = StartProducer();
  ASSERT_TRUE(producer);
  cluster_.a().PushBehavior(Behavior::Succeed(kSlow));

  // Round-robin starts at the route's first queue: broker-a's queue 0 (brokers sorted by name).
  auto sent = Clock::now();
  SendResult slow = SendOne(*producer, Msg("slow"));
  auto answered = Clock::now();
  ASSERT_TRUE(slow) << slow.error().ToString();
  ASSERT_EQ(slow->broker, "broker-a");
  ASSERT_GE(answered - sent, kSlow);

  auto during = SendEach(*producer, Unkeyed(20));
  auto during_done = Clock::now();
  for (const auto& r : during) {
    ASSERT_TRUE(r) << r.error().ToString();
    EXPECT_EQ(r->broker, "broker-b");
  }
  EXPECT_EQ(cluster_.a().send_count(), 1u);
  EXPECT_EQ(cluster_.b().send_count(), 20u);
  ASSERT_LT(during_done - answered, kSlowIsolation) << "too slow to send inside the window";

  // Isolation ends by time alone; nothing to wait on but the clock.
  std::this_thread::sleep_until(answered + kSlowIsolation + milliseconds(100));
  auto after = SendEach(*producer, Unkeyed(8));
  for (const auto& r : after) ASSERT_TRUE(r) << r.error().ToString();
  // One full rotation over the 8 queues: broker-a's 4 are back.
  EXPECT_EQ(cluster_.a().send_count(), 1u + 4u);
  ExpectReceiptsMatchBrokers(cluster_, during);
}

TEST_F(ProducerTest, WithoutLatencyAvoidanceSlowBrokerKeepsItsShare) {
  ProducerOptions options;
  options.latency_avoidance = false;
  auto producer = StartProducer(options);
  ASSERT_TRUE(producer);
  cluster_.a().PushBehavior(Behavior::Succeed(kSlow));

  SendResult slow = SendOne(*producer, Msg("slow"));
  ASSERT_TRUE(slow) << slow.error().ToString();
  ASSERT_EQ(slow->broker, "broker-a");

  auto during = SendEach(*producer, Unkeyed(20));
  for (const auto& r : during) ASSERT_TRUE(r) << r.error().ToString();
  // 20 consecutive round-robin picks over 2 x 4 queues give each broker at least 8.
  EXPECT_GE(cluster_.a().send_count() - 1, 8u);
  EXPECT_GE(cluster_.b().send_count(), 8u);
}

TEST_F(ProducerTest, RetryableErrorIsRetriedOnTheOtherBroker) {
  auto producer = StartProducer();
  ASSERT_TRUE(producer);
  cluster_.a().SetBehavior(
      Behavior::Answer(2, "[REJECTREQUEST]system busy, start flow control for a while"));

  SendResult r = SendOne(*producer, Msg("m"));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->broker, "broker-b");
  EXPECT_EQ(r->status, 0);
  ASSERT_EQ(cluster_.a().send_count(), 1u);  // the first attempt
  EXPECT_EQ(cluster_.a().sends()[0].response_code, 2);
  EXPECT_EQ(cluster_.b().send_count(), 1u);

  // The failure isolates broker-a: later sends do not try it first.
  for (const auto& l : SendEach(*producer, Unkeyed(10))) {
    ASSERT_TRUE(l) << l.error().ToString();
    EXPECT_EQ(l->broker, "broker-b");
  }
  EXPECT_EQ(cluster_.a().send_count(), 1u);
  EXPECT_EQ(cluster_.b().send_count(), 11u);
}

// Without latency avoidance nothing isolates broker-a; the retry must still leave it.
TEST_F(ProducerTest, RetryLeavesTheFailedBrokerWithoutLatencyAvoidance) {
  ProducerOptions options;
  options.latency_avoidance = false;
  auto producer = StartProducer(options);
  ASSERT_TRUE(producer);
  cluster_.a().SetBehavior(Behavior::Answer(14, "service not available now"));

  SendResult r = SendOne(*producer, Msg("m"));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->broker, "broker-b");
  EXPECT_EQ(cluster_.a().send_count(), 1u);
  EXPECT_EQ(cluster_.b().send_count(), 1u);
}

TEST_F(ProducerTest, ClosedConnectionIsRetriedOnTheOtherBroker) {
  auto producer = StartProducer();
  ASSERT_TRUE(producer);
  cluster_.a().PushBehavior(Behavior::CloseConnection());

  SendResult r = SendOne(*producer, Msg("m"));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->broker, "broker-b");
  ASSERT_EQ(cluster_.a().send_count(), 1u);
  EXPECT_EQ(cluster_.b().send_count(), 1u);

  for (const auto& l : SendEach(*producer, Unkeyed(10))) {
    ASSERT_TRUE(l) << l.error().ToString();
    EXPECT_EQ(l->broker, "broker-b");
  }
  EXPECT_EQ(cluster_.a().send_count(), 1u);
}

TEST_F(ProducerTest, GivesUpAfterMaxAttempts) {
  auto producer = StartProducer();
  ASSERT_TRUE(producer);
  cluster_.a().SetBehavior(Behavior::Answer(2, "system busy"));
  cluster_.b().SetBehavior(Behavior::Answer(2, "system busy"));

  SendResult r = SendOne(*producer, Msg("m"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kUnavailable) << r.error().ToString();
  EXPECT_NE(r.error().message().find("SYSTEM_BUSY"), std::string::npos);
  EXPECT_NE(r.error().message().find("3 attempt"), std::string::npos) << r.error().ToString();
  EXPECT_EQ(cluster_.total_sends(), 3u);
  // Alternating: never the broker that just failed.
  EXPECT_EQ(cluster_.a().send_count(), 2u);
  EXPECT_EQ(cluster_.b().send_count(), 1u);
}

TEST_F(ProducerTest, ShardingKeyPinsOneQueue) {
  auto producer = StartProducer();
  ASSERT_TRUE(producer);

  std::vector<Message> same_key;
  for (int i = 0; i < 8; ++i) same_key.push_back(Msg("m" + std::to_string(i), "order-42"));
  auto results = SendEach(*producer, std::move(same_key));
  ASSERT_TRUE(results[0]) << results[0].error().ToString();
  for (const auto& r : results) {
    ASSERT_TRUE(r) << r.error().ToString();
    EXPECT_EQ(r->broker, results[0]->broker);
    EXPECT_EQ(r->queue_id, results[0]->queue_id);
  }

  // Different keys spread: the key's hash picks the queue.
  std::vector<Message> many_keys;
  for (int i = 0; i < 32; ++i) many_keys.push_back(Msg("m", "order-" + std::to_string(i)));
  std::set<std::pair<std::string, int32_t>> queues;
  for (const auto& r : SendEach(*producer, std::move(many_keys))) {
    ASSERT_TRUE(r) << r.error().ToString();
    queues.insert({r->broker, r->queue_id});
  }
  EXPECT_GT(queues.size(), 2u);

  // Another producer (process, release) maps the key to the same queue.
  producer->Shutdown();
  auto second = StartProducer();
  ASSERT_TRUE(second);
  SendResult again = SendOne(*second, Msg("again", "order-42"));
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(again->broker, results[0]->broker);
  EXPECT_EQ(again->queue_id, results[0]->queue_id);
}

TEST_F(ProducerTest, ShardingKeyStaysOnAnIsolatedBroker) {
  auto producer = StartProducer();
  ASSERT_TRUE(producer);
  SendResult first = SendOne(*producer, Msg("first", "order-42"));
  ASSERT_TRUE(first) << first.error().ToString();
  FakeBroker& home = Broker(first->broker);
  FakeBroker& other = OtherBroker(first->broker);

  home.PushBehavior(Behavior::Succeed(kSlow));
  SendResult slow = SendOne(*producer, Msg("slow", "order-42"));
  ASSERT_TRUE(slow) << slow.error().ToString();
  EXPECT_EQ(slow->broker, first->broker);
  EXPECT_EQ(slow->queue_id, first->queue_id);

  // The slow answer isolated the key's broker: unkeyed messages avoid it...
  size_t other_before = other.send_count();
  for (const auto& r : SendEach(*producer, Unkeyed(8))) {
    ASSERT_TRUE(r) << r.error().ToString();
    EXPECT_EQ(r->broker, other.name());
  }
  EXPECT_EQ(other.send_count(), other_before + 8);

  // ...but a keyed message keeps its queue, or per-key order would break.
  SendResult after = SendOne(*producer, Msg("after", "order-42"));
  ASSERT_TRUE(after) << after.error().ToString();
  EXPECT_EQ(after->broker, first->broker);
  EXPECT_EQ(after->queue_id, first->queue_id);
  EXPECT_EQ(home.send_count(), 3u);
}

TEST_F(ProducerTest, ShardingKeyIsRetriedOnlyOnItsOwnQueue) {
  auto producer = StartProducer();
  ASSERT_TRUE(producer);
  SendResult first = SendOne(*producer, Msg("first", "order-42"));
  ASSERT_TRUE(first) << first.error().ToString();
  FakeBroker& home = Broker(first->broker);
  FakeBroker& other = OtherBroker(first->broker);
  home.SetBehavior(Behavior::Answer(2, "system busy"));

  SendResult r = SendOne(*producer, Msg("busy", "order-42"));
  ASSERT_FALSE(r) << Describe(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kUnavailable) << r.error().ToString();
  // Every attempt went to the key's queue; the other broker never saw the message.
  EXPECT_EQ(other.send_count(), 0u);
  auto sends = home.sends();
  ASSERT_EQ(sends.size(), 1u + 3u);
  for (const ReceivedSend& s : sends) EXPECT_EQ(s.queue_id, first->queue_id);
}

TEST_F(ProducerTest, NonRetryableErrorIsReportedWithoutRetry) {
  auto producer = StartProducer();
  ASSERT_TRUE(producer);
  struct Case {
    int32_t code;
    const char* remark;
    ErrorCode expected;
    const char* name;
  };
  const Case cases[] = {
      {13, "the message is illegal, maybe msg properties contain illegal chars",
       ErrorCode::kInvalidArgument, "MESSAGE_ILLEGAL"},
      {13, "the message body size over max value, MAX: 4194304", ErrorCode::kResourceExhausted,
       "MESSAGE_ILLEGAL"},
      {16, "the topic[inflow_test] sending is forbidden", ErrorCode::kPermissionDenied,
       "NO_PERMISSION"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.remark);
    // Both brokers refuse, so a retry would show up as a second request wherever it went.
    cluster_.a().SetBehavior(Behavior::Answer(c.code, c.remark));
    cluster_.b().SetBehavior(Behavior::Answer(c.code, c.remark));
    size_t before = cluster_.total_sends();

    SendResult r = SendOne(*producer, Msg("m"));
    ASSERT_FALSE(r) << Describe(r);
    EXPECT_EQ(r.error().code(), c.expected) << r.error().ToString();
    EXPECT_FALSE(IsRetryable(r.error().code()));
    const std::string& message = r.error().message();
    EXPECT_NE(message.find(c.name), std::string::npos) << message;
    EXPECT_NE(message.find(c.remark), std::string::npos) << message;
    EXPECT_NE(message.find(std::string("topic '") + kTopic + "'"), std::string::npos) << message;
    EXPECT_EQ(cluster_.total_sends(), before + 1);
  }
}

TEST_F(ProducerTest, StoredButNotDurableIsAReceiptWithItsStatus) {
  auto producer = StartProducer();
  ASSERT_TRUE(producer);
  cluster_.a().SetBehavior(Behavior::Answer(10, ""));  // FLUSH_DISK_TIMEOUT
  cluster_.b().SetBehavior(Behavior::Answer(10, ""));

  SendResult r = SendOne(*producer, Msg("m"));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->status, 10);
  EXPECT_EQ(cluster_.total_sends(), 1u);  // stored: sending again would duplicate it
  ExpectReceiptsMatchBrokers(cluster_, {r});
}

TEST_F(ProducerTest, SendTimesOutWhenNoBrokerAnswers) {
  ProducerOptions options;
  options.send_timeout = milliseconds(300);
  auto producer = StartProducer(options);
  ASSERT_TRUE(producer);
  cluster_.a().SetBehavior(Behavior::NeverAnswer());
  cluster_.b().SetBehavior(Behavior::NeverAnswer());

  auto start = Clock::now();
  SendResult r = SendOne(*producer, Msg("m"));
  auto elapsed = Clock::now() - start;
  ASSERT_FALSE(r) << Describe(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kTimeout) << r.error().ToString();
  EXPECT_GE(elapsed, options.send_timeout);
  EXPECT_LT(elapsed, milliseconds(2000));
  // The whole budget went to the first attempt: nothing left for a retry.
  EXPECT_EQ(cluster_.total_sends(), 1u);
}

TEST_F(ProducerTest, ShutdownCancelsASendInFlight) {
  ProducerOptions options;
  // Far beyond the assertions below: only Shutdown can end the send in time.
  options.send_timeout = milliseconds(10000);
  auto producer = StartProducer(options);
  ASSERT_TRUE(producer);
  cluster_.a().SetBehavior(Behavior::NeverAnswer());
  cluster_.b().SetBehavior(Behavior::NeverAnswer());

  auto future = producer->Send({Msg("stuck")});
  ASSERT_TRUE(cluster_.WaitForSends(1, kWait));  // on the wire, unanswered

  auto start = Clock::now();
  std::promise<void> stopped;
  std::thread stopper([&] {
    producer->Shutdown();
    stopped.set_value();
  });
  if (stopped.get_future().wait_for(kWait) != std::future_status::ready) {
    // A hung Shutdown cannot be interrupted; end the binary with a clear message rather than
    // hang it.
    std::fprintf(stderr, "FATAL: Producer::Shutdown did not return within %lld ms\n",
                 static_cast<long long>(kWait.count()));
    std::abort();
  }
  stopper.join();
  EXPECT_LT(Clock::now() - start, milliseconds(1000));
  // Shutdown returns after every result has been delivered.
  ASSERT_EQ(future.wait_for(milliseconds(0)), std::future_status::ready);
  auto results = future.get();
  ASSERT_EQ(results.size(), 1u);
  ASSERT_FALSE(results[0]) << Describe(results[0]);
  EXPECT_EQ(results[0].error().code(), ErrorCode::kCancelled) << results[0].error().ToString();

  // Later sends are refused the same way without reaching a broker.
  auto late = producer->Send({Msg("late")});
  ASSERT_EQ(late.wait_for(milliseconds(0)), std::future_status::ready);
  auto late_results = late.get();
  ASSERT_EQ(late_results.size(), 1u);
  ASSERT_FALSE(late_results[0]);
  EXPECT_EQ(late_results[0].error().code(), ErrorCode::kCancelled);
  EXPECT_EQ(cluster_.total_sends(), 1u);
}

}  // namespace
}  // namespace inflow::sink::rocketmq
