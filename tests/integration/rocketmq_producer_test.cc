// Our RocketMQ producer against a real broker, with the official Java client as the oracle:
// what we send must be read back byte for byte with identical tag, keys and properties.
// Fault and ACL behaviour: a stopped broker gives a clear retryable error within the timeout
// and sends succeed again once it is back; a missing topic names the topic; wrong ACL
// credentials give an authentication error.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "sink/render.h"
#include "sink/rocketmq/producer.h"
#include "support/java_tools.h"
#include "support/run_command.h"
#include "support/service_env.h"

namespace inflow::sink::rocketmq {
namespace {

using inflow::testing::EnvMap;
using inflow::testing::EnvValue;
using inflow::testing::ServiceEnv;
using inflow::testing::VerifiedMessage;
using Clock = std::chrono::steady_clock;

std::string UniqueTopic(const std::string& prefix) {
  static int n = 0;
  return prefix + "_" + std::to_string(getpid()) + "_" + std::to_string(time(nullptr)) + "_" +
         std::to_string(n++);
}

std::unique_ptr<Producer> StartProducer(const EnvMap& env, SerializeType type,
                                        std::chrono::milliseconds timeout = std::chrono::seconds(5),
                                        Credentials credentials = {}) {
  ProducerOptions options;
  options.namesrv = EnvValue(env, "NAMESRV");
  options.send_timeout = timeout;
  options.serialize_type = type;
  options.credentials = std::move(credentials);
  auto producer = Producer::Start(options);
  EXPECT_TRUE(producer) << producer.error().ToString();
  return producer ? std::move(*producer) : nullptr;
}

std::vector<SendResult> SendAll(Producer& producer, std::vector<Message> messages) {
  auto future = producer.Send(std::move(messages));
  // The producer owns timeouts; this guard only turns a hang into a failure.
  if (future.wait_for(std::chrono::seconds(60)) != std::future_status::ready) {
    ADD_FAILURE() << "Send did not complete within 60 s";
    return {};
  }
  return future.get();
}

Message Make(const std::string& topic, std::string body, std::optional<std::string> tag = {},
             std::vector<std::string> keys = {},
             std::vector<std::pair<std::string, std::string>> properties = {}) {
  Message m;
  m.topic = topic;
  m.body = std::move(body);
  m.tag = std::move(tag);
  m.keys = std::move(keys);
  m.properties = std::move(properties);
  return m;
}

std::string BinaryBody() {
  std::string s;
  for (int i = 0; i < 256; ++i) s.push_back(static_cast<char>(i));
  return s;
}

// A 20 KiB body that compresses well but is not one repeated byte.
std::string LargeBody() {
  std::string s;
  for (int i = 0; s.size() < 20 * 1024; ++i) s += "row " + std::to_string(i) + " {\"v\":\"x\"}\n";
  return s;
}

// Compares what the Java consumer read with what we sent, message by message via UNIQ_KEY.
void ExpectReadBack(const std::vector<Message>& sent, const std::vector<SendResult>& results,
                    const std::vector<VerifiedMessage>& read) {
  ASSERT_EQ(results.size(), sent.size());
  std::map<std::string, const VerifiedMessage*> by_id;
  for (const auto& v : read) by_id[v.msg_id] = &v;
  EXPECT_EQ(by_id.size(), sent.size());
  for (size_t i = 0; i < sent.size(); ++i) {
    ASSERT_TRUE(results[i]) << i << ": " << results[i].error().ToString();
    auto it = by_id.find(results[i]->msg_id);
    ASSERT_NE(it, by_id.end()) << "message " << i << " (" << results[i]->msg_id << ") not read";
    const VerifiedMessage& v = *it->second;
    const Message& m = sent[i];
    EXPECT_EQ(v.body, m.body) << "message " << i;
    EXPECT_EQ(v.tags, m.tag) << "message " << i;
    std::optional<std::string> keys;
    for (const auto& k : m.keys) keys = keys ? *keys + " " + k : k;
    EXPECT_EQ(v.keys, keys) << "message " << i;
    std::map<std::string, std::string> props(m.properties.begin(), m.properties.end());
    EXPECT_EQ(v.properties, props) << "message " << i;
    EXPECT_EQ(v.queue_id, results[i]->queue_id) << "message " << i;
    EXPECT_EQ(v.queue_offset, results[i]->queue_offset) << "message " << i;
  }
}

class ProducerRoundTrip : public ::testing::TestWithParam<SerializeType> {};

TEST_P(ProducerRoundTrip, JavaConsumerReadsIdenticalMessages) {
  EnvMap env = ServiceEnv("rocketmq");
  ASSERT_FALSE(env.empty());
  std::string topic = UniqueTopic("producer_rt");
  ASSERT_TRUE(inflow::testing::CreateTopic(env, topic, 4));
  auto producer = StartProducer(env, GetParam());
  ASSERT_NE(producer, nullptr);

  std::vector<Message> all;
  std::vector<SendResult> all_results;
  auto send = [&](std::vector<Message> batch) {
    auto results = SendAll(*producer, batch);
    all.insert(all.end(), batch.begin(), batch.end());
    all_results.insert(all_results.end(), results.begin(), results.end());
  };
  // Single message with tag, keys and user properties (SEND_MESSAGE_V2).
  send({Make(topic, "single", "TagA", {"k1", "k2"}, {{"color", "red"}, {"n", "1"}})});
  // Compressed on the wire: a single body over 4 KiB.
  send({Make(topic, LargeBody(), "big", {"large"})});
  // Non-ASCII text in body, tag, keys and properties; and every byte value as a body.
  send({Make(topic, "h\xC3\xA9llo \xE4\xB8\x96\xE7\x95\x8C \xF0\x9F\x9A\x80", "t\xC3\xA4g",
             {"cl\xC3\xA9"},
             {{"name",
               "Stra\xC3\x9F"
               "e"}})});
  send({Make(topic, BinaryBody())});
  // A batch (SEND_BATCH_MESSAGE): mixed tags, keys and properties, one body over 4 KiB
  // (never compressed inside a batch).
  std::vector<Message> batch;
  for (int i = 0; i < 6; ++i) {
    std::optional<std::string> tag;
    if (i % 2 == 0) tag = "b" + std::to_string(i);
    std::vector<std::string> keys;
    if (i % 3 == 0) keys = {"bk" + std::to_string(i)};
    std::vector<std::pair<std::string, std::string>> props;
    if (i != 1) props = {{"i", std::to_string(i)}};
    batch.push_back(
        Make(topic, i == 5 ? LargeBody() : "batch-" + std::to_string(i), tag, keys, props));
  }
  send(batch);

  for (const auto& r : all_results) {
    ASSERT_TRUE(r) << r.error().ToString();
    EXPECT_EQ(r->status, 0);
    EXPECT_EQ(r->msg_id.size(), 32u);
    EXPECT_EQ(r->offset_msg_id.size(), 32u);
  }
  // The batch went out as one request: consecutive offsets in one queue.
  size_t first = all_results.size() - batch.size();
  for (size_t i = first + 1; i < all_results.size(); ++i) {
    EXPECT_EQ(all_results[i]->queue_id, all_results[first]->queue_id);
    EXPECT_EQ(all_results[i]->queue_offset, all_results[i - 1]->queue_offset + 1);
  }

  auto read = inflow::testing::RunVerifier(env, topic, static_cast<int>(all.size()), 60);
  ASSERT_EQ(read.exit_code, 0) << read.err;
  ExpectReadBack(all, all_results, read.messages);
}

INSTANTIATE_TEST_SUITE_P(HeaderTypes, ProducerRoundTrip,
                         ::testing::Values(SerializeType::kJson, SerializeType::kRocketMq),
                         [](const auto& info) {
                           return info.param == SerializeType::kJson ? "Json" : "Binary";
                         });

// The managed service's documented custom-property template: its UNIQ_KEY member becomes the
// message's unique key, which the official Java consumer reads back as the message id.
TEST(RocketmqProducer, TemplatedUniqKeyIsTheMessageIdConsumersSee) {
  EnvMap env = ServiceEnv("rocketmq");
  ASSERT_FALSE(env.empty());
  std::string topic = UniqueTopic("producer_uniq");
  ASSERT_TRUE(inflow::testing::CreateTopic(env, topic, 1));
  auto spec = SinkSpec::Parse(nlohmann::json::parse(R"({
      "topic": ")" + topic + R"(",
      "body": {"form": "ORIGINAL"},
      "properties": {"form": "TEMPLATE",
                     "value": {"userProperties": "$.data.userProperties", "msgId": "$.data.msgId"},
                     "template": "{\"EB_SYS_EMBED_OBJECT\": \"${userProperties}\", \"UNIQ_KEY\": \"${msgId}\"}"}})"));
  ASSERT_TRUE(spec) << spec.error().ToString();
  auto messages = Render(
      *spec, std::string_view(
                 R"({"id":"e1","data":{"userProperties":{"region":"eu"},"msgId":"ORDER-42-A"}})"));
  ASSERT_TRUE(messages) << messages.error().ToString();
  ASSERT_EQ(messages->size(), 1u);
  EXPECT_EQ(messages->front().unique_key, "ORDER-42-A");

  auto producer = StartProducer(env, SerializeType::kJson);
  ASSERT_NE(producer, nullptr);
  auto results = SendAll(*producer, *messages);
  ASSERT_EQ(results.size(), 1u);
  ASSERT_TRUE(results[0]) << results[0].error().ToString();
  EXPECT_EQ(results[0]->msg_id, "ORDER-42-A");

  auto read = inflow::testing::RunVerifier(env, topic, 1, 60);
  ASSERT_EQ(read.exit_code, 0) << read.err;
  ASSERT_EQ(read.messages.size(), 1u);
  EXPECT_EQ(read.messages[0].msg_id, "ORDER-42-A");
  EXPECT_EQ(read.messages[0].properties,
            (std::map<std::string, std::string>{{"region", "eu"}, {"inflow_event_id", "e1"}}));
}

TEST(RocketmqProducer, ShardingKeyKeepsOrderInOneQueue) {
  EnvMap env = ServiceEnv("rocketmq");
  ASSERT_FALSE(env.empty());
  std::string topic = UniqueTopic("producer_order");
  ASSERT_TRUE(inflow::testing::CreateTopic(env, topic, 4));
  auto producer = StartProducer(env, SerializeType::kJson);
  ASSERT_NE(producer, nullptr);
  std::vector<Message> messages;
  for (int i = 0; i < 40; ++i) {
    Message m = Make(topic, "k" + std::to_string(i % 3) + "-" + std::to_string(i));
    m.sharding_key = "key-" + std::to_string(i % 3);
    messages.push_back(m);
  }
  auto results = SendAll(*producer, messages);
  ASSERT_EQ(results.size(), messages.size());
  std::map<std::string, std::pair<int32_t, int64_t>> last;  // key -> queue, offset
  for (size_t i = 0; i < results.size(); ++i) {
    ASSERT_TRUE(results[i]) << results[i].error().ToString();
    const std::string& key = *messages[i].sharding_key;
    auto it = last.find(key);
    if (it != last.end()) {
      EXPECT_EQ(results[i]->queue_id, it->second.first) << key;
      EXPECT_GT(results[i]->queue_offset, it->second.second) << key;
    }
    last[key] = {results[i]->queue_id, results[i]->queue_offset};
  }
  auto read = inflow::testing::RunVerifier(env, topic, 40, 60);
  ASSERT_EQ(read.exit_code, 0) << read.err;
  ExpectReadBack(messages, results, read.messages);
}

TEST(RocketmqProducer, MissingTopicIsNotFoundNamingIt) {
  EnvMap env = ServiceEnv("rocketmq");
  ASSERT_FALSE(env.empty());
  auto producer = StartProducer(env, SerializeType::kJson);
  ASSERT_NE(producer, nullptr);
  std::string topic = UniqueTopic("producer_missing");
  auto results = SendAll(*producer, {Make(topic, "a"), Make(topic, "b")});
  ASSERT_EQ(results.size(), 2u);
  for (const auto& r : results) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), ErrorCode::kNotFound) << r.error().ToString();
    EXPECT_NE(r.error().message().find(topic), std::string::npos) << r.error().ToString();
  }
}

TEST(RocketmqProducer, InvalidMessagesFailAloneWithoutReachingTheBroker) {
  EnvMap env = ServiceEnv("rocketmq");
  ASSERT_FALSE(env.empty());
  std::string topic = UniqueTopic("producer_invalid");
  ASSERT_TRUE(inflow::testing::CreateTopic(env, topic, 2));
  auto producer = StartProducer(env, SerializeType::kJson);
  ASSERT_NE(producer, nullptr);
  std::vector<Message> messages = {Make(topic, "ok"), Make("bad topic", "x"), Make(topic, ""),
                                   Make(topic, std::string(4 * 1024 * 1024 + 1, 'z')),
                                   Make(topic, "reserved", {}, {}, {{"UNIQ_KEY", "x"}})};
  auto results = SendAll(*producer, messages);
  ASSERT_EQ(results.size(), messages.size());
  EXPECT_TRUE(results[0]) << results[0].error().ToString();
  EXPECT_EQ(results[1].error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(results[2].error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(results[3].error().code(), ErrorCode::kResourceExhausted);
  EXPECT_FALSE(IsRetryable(results[3].error().code()));
  EXPECT_EQ(results[4].error().code(), ErrorCode::kInvalidArgument);
  auto read = inflow::testing::RunVerifier(env, topic, 1, 30);
  EXPECT_EQ(read.exit_code, 0) << read.err;
}

TEST(RocketmqProducer, ShutdownCancelsEverythingInFlight) {
  EnvMap env = ServiceEnv("rocketmq");
  ASSERT_FALSE(env.empty());
  std::string topic = UniqueTopic("producer_shutdown");
  ASSERT_TRUE(inflow::testing::CreateTopic(env, topic, 2));
  auto producer = StartProducer(env, SerializeType::kJson);
  ASSERT_NE(producer, nullptr);
  std::vector<std::future<std::vector<SendResult>>> futures;
  for (int i = 0; i < 50; ++i) {
    std::vector<Message> batch;
    for (int j = 0; j < 20; ++j) batch.push_back(Make(topic, std::string(1000, 'a' + j)));
    futures.push_back(producer->Send(std::move(batch)));
  }
  producer->Shutdown();
  size_t ok = 0, cancelled = 0;
  for (auto& f : futures) {
    ASSERT_EQ(f.wait_for(std::chrono::seconds(0)), std::future_status::ready);
    for (const auto& r : f.get()) {
      if (r) {
        ++ok;
      } else {
        EXPECT_EQ(r.error().code(), ErrorCode::kCancelled) << r.error().ToString();
        ++cancelled;
      }
    }
  }
  EXPECT_EQ(ok + cancelled, 1000u);
  auto after = producer->Send({Make(topic, "late")}).get();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].error().code(), ErrorCode::kCancelled);
}

TEST(RocketmqProducer, InflowSendCommandDeliversEnvelopesAndRawLines) {
  EnvMap env = ServiceEnv("rocketmq");
  ASSERT_FALSE(env.empty());
  std::string topic = UniqueTopic("producer_cli");
  ASSERT_TRUE(inflow::testing::CreateTopic(env, topic, 2));
  std::string inflow = inflow::testing::HarnessDir("INFLOW_BUILD_DIR") + "/src/server/inflow";

  inflow::testing::CommandOptions raw_options;
  raw_options.stdin_text = "one\ntw\xC3\xB6\n\nthree\n";
  auto raw = inflow::testing::RunCommand(
      {inflow, "send", "--endpoint", EnvValue(env, "NAMESRV"), "--topic", topic, "--tag", "cli",
       "--keys", "a b", "--property", "src=cli", "--property", "x=1=2", "-"},
      raw_options);
  EXPECT_EQ(raw.exit_code, 0) << raw.err;
  EXPECT_NE(raw.err.find("sent=3 failed=0"), std::string::npos) << raw.err;

  inflow::testing::CommandOptions env_options;
  env_options.stdin_text = R"({"body":"e1","tag":"t1","keys":["k1","k2"],"properties":{"p":"v"}})"
                           "\n"
                           R"({"body":{"id":2},"keys":"k3"})"
                           "\n";
  auto envelope =
      inflow::testing::RunCommand({inflow, "send", "--endpoint", EnvValue(env, "NAMESRV"),
                                   "--topic", topic, "--format", "envelope", "--binary-header"},
                                  env_options);
  EXPECT_EQ(envelope.exit_code, 0) << envelope.err;
  EXPECT_NE(envelope.err.find("sent=2 failed=0"), std::string::npos) << envelope.err;

  auto read = inflow::testing::RunVerifier(env, topic, 5, 60);
  ASSERT_EQ(read.exit_code, 0) << read.err;
  std::map<std::string, const VerifiedMessage*> by_body;
  for (const auto& v : read.messages) by_body[v.body] = &v;
  ASSERT_EQ(by_body.size(), 5u);
  const VerifiedMessage* two = by_body.at("tw\xC3\xB6");
  EXPECT_EQ(two->tags, "cli");
  EXPECT_EQ(two->keys, "a b");
  EXPECT_EQ(two->properties, (std::map<std::string, std::string>{{"src", "cli"}, {"x", "1=2"}}));
  const VerifiedMessage* e1 = by_body.at("e1");
  EXPECT_EQ(e1->tags, "t1");
  EXPECT_EQ(e1->keys, "k1 k2");
  EXPECT_EQ(e1->properties, (std::map<std::string, std::string>{{"p", "v"}}));
  const VerifiedMessage* e2 = by_body.at(R"({"id":2})");
  EXPECT_EQ(e2->tags, std::nullopt);
  EXPECT_EQ(e2->keys, "k3");

  // A missing topic: every line fails, the exit code says so, the error names the topic.
  inflow::testing::CommandOptions one;
  one.stdin_text = "x\n";
  std::string missing = UniqueTopic("producer_cli_missing");
  auto failed = inflow::testing::RunCommand(
      {inflow, "send", "--endpoint", EnvValue(env, "NAMESRV"), "--topic", missing}, one);
  EXPECT_EQ(failed.exit_code, 1) << failed.err;
  EXPECT_NE(failed.err.find("sent=0 failed=1"), std::string::npos) << failed.err;
  EXPECT_NE(failed.err.find(missing), std::string::npos) << failed.err;
}

// ---- ACL broker (fixture rocketmq_acl) ---------------------------------------------------

TEST(RocketmqProducerAcl, RightCredentialsSendWrongOnesAreRefusedClearly) {
  EnvMap env = ServiceEnv("rocketmq_acl");
  ASSERT_FALSE(env.empty());
  std::string topic = UniqueTopic("producer_acl");
  ASSERT_TRUE(inflow::testing::CreateTopic(env, topic, 2));
  Credentials good{EnvValue(env, "ACL_ACCESS_KEY"), EnvValue(env, "ACL_SECRET_KEY")};

  auto ok_producer = StartProducer(env, SerializeType::kJson, std::chrono::seconds(5), good);
  ASSERT_NE(ok_producer, nullptr);
  std::vector<Message> messages = {Make(topic, "acl-1", "t"), Make(topic, "acl-2"),
                                   Make(topic, "acl-3")};
  auto results = SendAll(*ok_producer, {messages[0]});
  auto batch = SendAll(*ok_producer, {messages[1], messages[2]});
  results.insert(results.end(), batch.begin(), batch.end());
  for (const auto& r : results) ASSERT_TRUE(r) << r.error().ToString();

  for (Credentials bad : {Credentials{good.access_key, good.secret_key + "x"},
                          Credentials{"nobody", "wrong-secret"}}) {
    auto producer = StartProducer(env, SerializeType::kJson, std::chrono::seconds(5), bad);
    ASSERT_NE(producer, nullptr);
    auto start = Clock::now();
    auto refused = SendAll(*producer, {Make(topic, "must-not-arrive")});
    ASSERT_EQ(refused.size(), 1u);
    ASSERT_FALSE(refused[0]) << "wrong credentials were accepted: " << bad.access_key;
    EXPECT_EQ(refused[0].error().code(), ErrorCode::kUnauthenticated)
        << refused[0].error().ToString();
    EXPECT_FALSE(IsRetryable(refused[0].error().code()));
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(5)) << "an auth error is not retried";
  }
  auto read = inflow::testing::RunVerifier(env, topic, 3, 60);
  ASSERT_EQ(read.exit_code, 0) << read.err;
  ExpectReadBack(messages, results, read.messages);
}

}  // namespace
}  // namespace inflow::sink::rocketmq
