#include "pipeline/task_config.h"

#include <gtest/gtest.h>

#include "common/config_json.h"

namespace inflow::pipeline {
namespace {

constexpr char kTask[] = R"(
name: orders-to-mq
description: paid orders to the orders topic
source:
  tracking:
    name: shop
    source: mysql://inflow:secret@127.0.0.1:3306
    tables: ["shop.*"]
    retention_hours: 24
  consumer_group: {name: g1, account: acct1, password: "Passw0rd!"}
  start_time: earliest
  batch: {max_events: 100, interval_s: 3}
filter: {data: {operationType: [INSERT, UPDATE], schema: {tableName: [orders]}}}
transform:
  - lua: {code: "function transform(events) return events end", timeout_ms: 50}
sink:
  type: rocketmq
  version: "4.x"
  endpoint: 127.0.0.1:9876
  access_key: ""
  secret_key: ""
  topic: orders
  body: {form: TEMPLATE, value: '{"id":"$.data.afterImage.id"}', template: '{"order":${id}}'}
  properties: {form: JSONPATH, value: "$.data.schema"}
  keys: {form: JSONPATH, value: "$.data.afterImage.id"}
  tag: {form: CONSTANT, value: order}
  delivery_order: orderly
  sharding_key: {form: JSONPATH, value: "$.data.afterImage.id"}
properties:
  retry: {policy: BACKOFF_RETRY}
  max_event_age_s: 86400
  fault_tolerance: ALL
  dead_letter: {file: ./dlq.jsonl}
)";

nlohmann::json Doc(const std::string& text) {
  auto doc = ParseConfigDocument(text, "task");
  EXPECT_TRUE(doc) << doc.error().ToString();
  return doc ? *doc : nlohmann::json();
}

TEST(TaskConfig, TheProductExampleIsValid) {
  auto config = ParseTaskConfig(Doc(kTask), TrackingForm::kInline);
  ASSERT_TRUE(config) << config.error().ToString();
  EXPECT_EQ(config->name, "orders-to-mq");
  EXPECT_EQ(config->source.tracking.source_url, "mysql://inflow:secret@127.0.0.1:3306");
  EXPECT_EQ(config->source.tracking.tables, std::vector<std::string>{"shop.*"});
  EXPECT_EQ(config->source.group, "g1");
  EXPECT_EQ(config->source.max_events, 100);
  EXPECT_EQ(config->source.interval_s, 3);
  EXPECT_EQ(config->sink.endpoint, "127.0.0.1:9876");
  EXPECT_EQ(config->sink.delivery_order, sink::DeliveryOrder::kOrderly);
  EXPECT_EQ(config->retry.kind(), RetryPolicy::Kind::kBackoff);
  EXPECT_EQ(config->fault_tolerance, FaultTolerance::kAll);
  EXPECT_EQ(config->dead_letter.kind, DeadLetterSpec::Kind::kFile);
  EXPECT_EQ(config->dead_letter.file, "./dlq.jsonl");
}

TEST(TaskConfig, ReportsEveryErrorWithItsPath) {
  nlohmann::json doc = Doc(kTask);
  doc["source"]["batch"]["max_events"] = 0;
  doc["source"]["batch"]["interval_s"] = 16;
  doc["source"]["consumer_group"]["password"] = "short";
  doc["source"]["start_time"] = "yesterday";
  doc["filter"] = {{"data", {{"n", {{{"numeric", {"<"}}}}}}}};
  doc["sink"]["body"]["form"] = "SOMETHING";
  doc["properties"]["fault_tolerance"] = "SOME";
  doc["properties"]["retry"]["policy"] = "NEVER";
  doc["colour"] = "blue";
  auto config = ParseTaskConfig(doc, TrackingForm::kInline);
  ASSERT_FALSE(config);
  const std::string& m = config.error().message();
  for (const char* expected :
       {"source.batch.max_events: must be between 1 and 10000",
        "source.batch.interval_s: must be between 0 and 15", "source.consumer_group.password",
        "source.start_time", "filter:", "sink.body.form", "properties.fault_tolerance",
        "properties.retry.policy", "colour: unknown key"}) {
    EXPECT_NE(m.find(expected), std::string::npos) << expected << " missing in: " << m;
  }
}

TEST(TaskConfig, BatchBoundariesAreInclusive) {
  nlohmann::json doc = Doc(kTask);
  doc["source"]["batch"] = {{"max_events", 10000}, {"interval_s", 0}};
  ASSERT_TRUE(ParseTaskConfig(doc, TrackingForm::kInline));
  doc["source"]["batch"] = {{"max_events", 1}, {"interval_s", 15}};
  ASSERT_TRUE(ParseTaskConfig(doc, TrackingForm::kInline));
  doc["source"].erase("batch");
  auto config = ParseTaskConfig(doc, TrackingForm::kInline);
  ASSERT_TRUE(config);
  EXPECT_EQ(config->source.max_events, 100);  // defaults
  EXPECT_EQ(config->source.interval_s, 3);
}

TEST(TaskConfig, TrackingFormDependsOnTheCaller) {
  nlohmann::json doc = Doc(kTask);
  EXPECT_FALSE(ParseTaskConfig(doc, TrackingForm::kReference));
  doc["source"]["tracking"] = "a1b2";
  auto config = ParseTaskConfig(doc, TrackingForm::kReference);
  ASSERT_TRUE(config) << config.error().ToString();
  EXPECT_EQ(config->source.tracking.id, "a1b2");
  EXPECT_FALSE(ParseTaskConfig(doc, TrackingForm::kInline));
}

TEST(TaskConfig, CustomRetryAndRocketMQDeadLetter) {
  nlohmann::json doc = Doc(kTask);
  doc["properties"]["retry"] = {
      {"policy", "CUSTOM"}, {"attempts", 2}, {"initial_ms", 10}, {"max_ms", 100}};
  doc["properties"]["dead_letter"] = {
      {"rocketmq", {{"endpoint", "127.0.0.1:9876"}, {"topic", "dlq"}}}};
  doc["properties"]["fault_tolerance"] = "NONE";
  auto config = ParseTaskConfig(doc, TrackingForm::kInline);
  ASSERT_TRUE(config) << config.error().ToString();
  EXPECT_EQ(config->retry.kind(), RetryPolicy::Kind::kCustom);
  EXPECT_EQ(config->retry.max_retries(), 2);
  EXPECT_EQ(config->fault_tolerance, FaultTolerance::kNone);
  EXPECT_EQ(config->dead_letter.kind, DeadLetterSpec::Kind::kRocketMQ);
  EXPECT_EQ(config->dead_letter.topic, "dlq");

  doc["properties"]["retry"] = {{"policy", "BACKOFF_RETRY"}, {"attempts", 2}};
  auto mixed = ParseTaskConfig(doc, TrackingForm::kInline);
  ASSERT_FALSE(mixed);
  EXPECT_NE(mixed.error().message().find("apply only to CUSTOM"), std::string::npos);
}

TEST(TaskConfig, SinkNeedsATopicUnlessRouted) {
  nlohmann::json doc = Doc(kTask);
  doc["sink"].erase("topic");
  auto config = ParseTaskConfig(doc, TrackingForm::kInline);
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message().find("sink.topic: is required"), std::string::npos);
  doc["transform"] = nlohmann::json::parse(
      R"([{"route": {"rules": [{"pattern": {"a": [1]}, "topics": ["t"]}], "default_topic": "d"}}])");
  EXPECT_TRUE(ParseTaskConfig(doc, TrackingForm::kInline));
}

TEST(TaskConfig, MaskSecretsHidesPasswordsAndKeys) {
  nlohmann::json doc = Doc(kTask);
  doc["sink"]["secret_key"] = "s3cr3t";
  nlohmann::json masked = MaskSecrets(doc);
  EXPECT_EQ(masked["source"]["consumer_group"]["password"], "******");
  EXPECT_EQ(masked["source"]["tracking"]["source"], "mysql://inflow:******@127.0.0.1:3306");
  EXPECT_EQ(masked["sink"]["secret_key"], "******");
  EXPECT_EQ(masked["sink"]["access_key"], "");                          // empty: nothing to hide
  EXPECT_EQ(doc["source"]["consumer_group"]["password"], "Passw0rd!");  // the input is untouched
}

}  // namespace
}  // namespace inflow::pipeline
