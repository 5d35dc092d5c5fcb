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

// One task file with mistakes in every component: one answer lists all of them, each with its
// path — including those only found later before (source URL, capture_from, table patterns,
// consumer-group name) and those not found at all (endpoints, DLQ topic, route topics).
TEST(TaskConfig, OneAnswerListsEveryMistakeOfEveryComponent) {
  nlohmann::json doc = Doc(kTask);
  doc["source"]["tracking"]["name"] = "..";
  doc["source"]["tracking"]["source"] = "mysql://inflow:secret@127.0.0.1:notaport";
  doc["source"]["tracking"]["tables"] = {"shop.*", "no_dot_here"};
  doc["source"]["tracking"]["exclude_tables"] = {"a.b.c"};
  doc["source"]["tracking"]["capture_from"] = "binlog.000001:abc";
  doc["source"]["consumer_group"]["name"] = "g 1";
  doc["sink"]["endpoint"] = "not an endpoint";
  doc["transform"] = nlohmann::json::parse(
      R"([{"route": {"rules": [{"pattern": {"a": [1]}, "topics": ["bad topic"]}],
                     "default_topic": "also bad"}}])");
  doc["properties"]["dead_letter"] = {
      {"rocketmq", {{"endpoint", "127.0.0.1:99999"}, {"topic", "dlq/x"}}}};
  auto config = ParseTaskConfig(doc, TrackingForm::kInline);
  ASSERT_FALSE(config);
  const std::string& m = config.error().message();
  for (const char* expected : {
           "source.tracking.name: '..' has a character other than",
           "source.tracking.source: ",
           "source.tracking.tables[1]: ",
           "source.tracking.exclude_tables[0]: ",
           "source.tracking.capture_from: ",
           "source.consumer_group.name: 'g 1' has a character other than",
           "sink.endpoint: address 'not an endpoint'",
           "transform[0].route.rules[0].topics[0]: 'bad topic' is not a valid RocketMQ topic",
           "transform[0].route.default_topic: 'also bad' is not a valid RocketMQ topic",
           "properties.dead_letter.rocketmq.endpoint: address '127.0.0.1:99999'",
           "properties.dead_letter.rocketmq.topic: 'dlq/x' is not a valid RocketMQ topic",
       }) {
    EXPECT_NE(m.find(expected), std::string::npos) << expected << " missing in: " << m;
  }
  EXPECT_EQ(m.find("secret"), std::string::npos) << m;
  EXPECT_EQ(m.find("source.tracking.tables[0]"), std::string::npos) << m;
}

TEST(TaskConfig, TrackingAndGroupNamesAreDirectorySafe) {
  for (const std::string& bad : {std::string(".."), std::string("."), std::string("../../x"),
                                 std::string("a.b"), std::string(65, 'g'), std::string("g 1")}) {
    nlohmann::json doc = Doc(kTask);
    doc["source"]["tracking"]["name"] = bad;
    doc["source"]["consumer_group"]["name"] = bad;
    auto config = ParseTaskConfig(doc, TrackingForm::kInline);
    ASSERT_FALSE(config) << bad;
    EXPECT_NE(config.error().message().find("source.tracking.name: "), std::string::npos) << bad;
    EXPECT_NE(config.error().message().find("source.consumer_group.name: "), std::string::npos)
        << bad;
  }
  nlohmann::json doc = Doc(kTask);
  doc["source"]["tracking"]["name"] = std::string(64, 't');
  doc["source"]["consumer_group"]["name"] = "G_1-x";
  EXPECT_TRUE(ParseTaskConfig(doc, TrackingForm::kInline));
}

TEST(TaskConfig, EndpointListsAndTheirPorts) {
  nlohmann::json doc = Doc(kTask);
  doc["sink"]["endpoint"] = "10.0.0.1:9876;ns2.example:9876";
  EXPECT_TRUE(ParseTaskConfig(doc, TrackingForm::kInline));
  for (const char* bad : {"127.0.0.1", "127.0.0.1:0", "h:65536", "a:1;;b:2", "http://h:9876"}) {
    doc["sink"]["endpoint"] = bad;
    auto config = ParseTaskConfig(doc, TrackingForm::kInline);
    ASSERT_FALSE(config) << bad;
    EXPECT_NE(config.error().message().find("sink.endpoint: "), std::string::npos)
        << config.error().message();
  }
}

TEST(TaskConfig, DeadLetterFileNeedsAnExistingDirectory) {
  nlohmann::json doc = Doc(kTask);
  doc["properties"]["dead_letter"] = {{"file", "/nonexistent-inflow-dir/dlq.jsonl"}};
  auto config = ParseTaskConfig(doc, TrackingForm::kInline);
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message().find("properties.dead_letter.file: "
                                          "'/nonexistent-inflow-dir/dlq.jsonl' cannot be created"),
            std::string::npos)
      << config.error().message();
  doc["properties"]["dead_letter"] = {{"file", "/"}};
  config = ParseTaskConfig(doc, TrackingForm::kInline);
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message().find("is a directory"), std::string::npos);
}

TEST(TaskConfig, CheckOutputFileNamesTheField) {
  EXPECT_TRUE(CheckOutputFile("metrics.prom", "--metrics-file"));
  auto st = CheckOutputFile("/nonexistent-inflow-dir/m.prom", "--metrics-file");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message(),
            "--metrics-file: '/nonexistent-inflow-dir/m.prom' cannot be created: directory "
            "'/nonexistent-inflow-dir' does not exist");
}

// nlohmann and yaml-cpp keep one of two equal keys silently; a task or sink file that names a
// key twice is refused with the key's path.
TEST(TaskConfig, DuplicateKeysInADocumentAreRefused) {
  auto json = ParseConfigDocument(
      R"({"name": "t", "sink": {"topic": "a", "body": {"form": "ORIGINAL"}, "topic": "b"}})",
      "task");
  ASSERT_FALSE(json);
  EXPECT_EQ(json.error().message(),
            "task: sink.topic: duplicate key (a key may appear once in an object)");
  auto nested =
      ParseConfigDocument(R"({"transform": [{"a": 1}, {"b": {"c": 1, "c": 2}}]})", "sink");
  ASSERT_FALSE(nested);
  EXPECT_NE(nested.error().message().find("sink: transform[1].b.c: duplicate key"),
            std::string::npos)
      << nested.error().message();
  auto yaml = ParseConfigDocument("name: t\nsink:\n  topic: a\n  topic: b\n", "task");
  ASSERT_FALSE(yaml);
  EXPECT_NE(yaml.error().message().find("duplicate key 'topic'"), std::string::npos)
      << yaml.error().message();
  // Equal keys in different objects are fine.
  EXPECT_TRUE(
      ParseConfigDocument(R"({"a": {"x": 1}, "b": {"x": 1}, "c": [{"x": 1}, {"x": 2}]})", "task"));
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
