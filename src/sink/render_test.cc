#include "sink/render.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace inflow::sink {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

constexpr std::string_view kEvent = R"({
  "id": "00112233445566778899aabbccddeeff-42",
  "source": "shop",
  "specversion": "1.0",
  "type": "dts:ConsumeMessage",
  "subject": "inflow:dts:t1/shop/orders",
  "data": {
    "operationType": "INSERT",
    "schema": {"databaseName": "shop", "tableName": "orders", "version": 3},
    "beforeImage": null,
    "afterImage": {"id": 1001, "note": "a \"quoted\"\nline", "tags": ["vip", "new"],
                   "buyer": {"name": "ann", "tier": 2}, "empty": ""}
  }
})";

nlohmann::json J(std::string_view text) { return nlohmann::json::parse(text); }

SinkSpec MustParse(std::string_view sink) {
  auto spec = SinkSpec::Parse(J(sink));
  EXPECT_TRUE(spec.has_value()) << spec.error().ToString();
  return spec ? std::move(*spec) : SinkSpec();
}

Message MustRender(std::string_view sink, std::string_view event = kEvent) {
  auto spec = SinkSpec::Parse(J(sink));
  EXPECT_TRUE(spec.has_value()) << spec.error().ToString();
  if (!spec) return {};
  auto messages = Render(*spec, event);
  EXPECT_TRUE(messages.has_value()) << messages.error().ToString();
  if (!messages) return {};
  EXPECT_EQ(messages->size(), 1u);
  return messages->empty() ? Message() : messages->front();
}

Error MustFailRender(std::string_view sink, std::string_view event = kEvent) {
  auto spec = SinkSpec::Parse(J(sink));
  EXPECT_TRUE(spec.has_value()) << spec.error().ToString();
  if (!spec) return Internal("unparsable sink");
  auto messages = Render(*spec, event);
  EXPECT_FALSE(messages.has_value());
  return messages ? Internal("rendered") : messages.error();
}

std::string ParseError(std::string_view sink) {
  auto spec = SinkSpec::Parse(J(sink));
  EXPECT_FALSE(spec.has_value());
  if (spec) return "";
  EXPECT_EQ(spec.error().code(), ErrorCode::kInvalidArgument);
  return spec.error().message();
}

TEST(SinkRender, DefaultBodyIsTheOriginalEvent) {
  Message m = MustRender("{}");
  EXPECT_EQ(m.body, nlohmann::ordered_json::parse(kEvent).dump());  // compact, in order
  EXPECT_TRUE(m.topic.empty());
  EXPECT_FALSE(m.tag);
  EXPECT_TRUE(m.keys.empty());
  EXPECT_THAT(m.properties,
              ElementsAre(Pair("inflow_event_id", "00112233445566778899aabbccddeeff-42")));
  EXPECT_EQ(MustRender(R"({"body":{"form":"ORIGINAL"}})").body, m.body);
}

TEST(SinkRender, JsonPathBodyGivesRawStringsAndCompactJson) {
  EXPECT_EQ(MustRender(R"({"body":{"form":"JSONPATH","value":"$.data.afterImage.note"}})").body,
            "a \"quoted\"\nline");
  EXPECT_EQ(MustRender(R"({"body":{"form":"JSONPATH","value":"$.data.afterImage.id"}})").body,
            "1001");
  EXPECT_EQ(MustRender(R"({"body":{"form":"JSONPATH","value":"$.data.afterImage.buyer"}})").body,
            R"({"name":"ann","tier":2})");
  EXPECT_EQ(MustRender(R"({"body":{"form":"JSONPATH","value":"$.data.beforeImage"}})").body,
            "null");
}

TEST(SinkRender, JsonPathBodyMatchingNothingIsAnError) {
  Error e = MustFailRender(R"({"body":{"form":"JSONPATH","value":"$.data.afterImage.nope"}})");
  EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(e.message(),
            "sink.body: JSONPath '$.data.afterImage.nope' selected nothing in the event");
  EXPECT_FALSE(IsRetryable(e.code()));
}

TEST(SinkRender, ConstantBody) {
  EXPECT_EQ(MustRender(R"({"body":{"form":"CONSTANT","value":"hello"}})").body, "hello");
}

TEST(SinkRender, TemplateBodyEscapesInsideStrings) {
  Message m = MustRender(R"({"body":{"form":"TEMPLATE",
      "value":"{\"id\":\"$.data.afterImage.id\",\"note\":\"$.data.afterImage.note\",\"x\":\"$.nope\"}",
      "template":"{\"order\":${id},\"note\":\"${note}\",\"x\":\"${x}\"}"}})");
  EXPECT_EQ(m.body, R"({"order":1001,"note":"a \"quoted\"\nline","x":"${x}"})");
  EXPECT_EQ(nlohmann::json::parse(m.body)["note"], "a \"quoted\"\nline");
}

TEST(SinkRender, TemplateParametersMayBeAnObject) {
  // As YAML writes them: value: {id: $.data.afterImage.id}
  EXPECT_EQ(MustRender(R"({"body":{"form":"TEMPLATE","value":{"id":"$.data.afterImage.id"},
                                    "template":"order ${id}"}})")
                .body,
            "order 1001");
}

TEST(SinkRender, TemplateEmbedObject) {
  Message m = MustRender(R"({"body":{"form":"TEMPLATE","value":{"row":"$.data.afterImage",
      "table":"$.data.schema.tableName"},
      "template":"{\"table\":\"${table}\",\"EB_SYS_EMBED_OBJECT\":\"${row}\"}"}})");
  EXPECT_EQ(m.body,
            R"({"table":"orders","id":1001,"note":"a \"quoted\"\nline","tags":["vip","new"],)"
            R"("buyer":{"name":"ann","tier":2},"empty":""})");
}

TEST(SinkRender, Topic) {
  EXPECT_EQ(MustRender(R"({"topic":"orders"})").topic, "orders");
  EXPECT_EQ(MustRender(R"({"topic":{"form":"CONSTANT","value":"t-1"}})").topic, "t-1");
  EXPECT_EQ(MustRender(R"({"topic":{"form":"JSONPATH","value":"$.data.schema.tableName"}})").topic,
            "orders");
  EXPECT_EQ(MustRender(R"({"topic":{"form":"TEMPLATE","value":{"db":"$.data.schema.databaseName",
                                    "t":"$.data.schema.tableName"},"template":"${db}_${t}"}})")
                .topic,
            "shop_orders");
  EXPECT_THAT(MustFailRender(R"({"topic":{"form":"JSONPATH","value":"$.nope"}})").message(),
              HasSubstr("sink.topic: JSONPath '$.nope' selected nothing"));
  EXPECT_THAT(MustFailRender(R"({"topic":{"form":"JSONPATH","value":"$.subject"}})").message(),
              HasSubstr("'inflow:dts:t1/shop/orders' is not a valid RocketMQ topic name"));
}

TEST(SinkRender, Tag) {
  EXPECT_EQ(MustRender(R"({"tag":{"form":"CONSTANT","value":"order"}})").tag, "order");
  EXPECT_EQ(MustRender(R"({"tag":{"form":"JSONPATH","value":"$.data.operationType"}})").tag,
            "INSERT");
  EXPECT_EQ(MustRender(R"({"tag":{"form":"JSONPATH","value":"$.data.missing"}})").tag,
            std::nullopt);
  EXPECT_EQ(MustRender(R"({"tag":{"form":"JSONPATH","value":"$.data.afterImage.empty"}})").tag,
            std::nullopt);
  EXPECT_EQ(MustRender(R"({"tag":{"form":"TEMPLATE","value":{"op":"$.data.operationType"},
                                  "template":"op-${op}"}})")
                .tag,
            "op-INSERT");
  EXPECT_EQ(MustRender(R"({"tag":{"form":"CONSTANT","value":7}})").tag, "7");
}

TEST(SinkRender, Keys) {
  EXPECT_THAT(MustRender(R"({"keys":{"form":"JSONPATH","value":"$.data.afterImage.id"}})").keys,
              ElementsAre("1001"));
  EXPECT_THAT(MustRender(R"({"keys":{"form":"JSONPATH","value":"$.data.afterImage.tags"}})").keys,
              ElementsAre("vip", "new"));
  EXPECT_TRUE(MustRender(R"({"keys":{"form":"JSONPATH","value":"$.data.nope"}})").keys.empty());
  EXPECT_THAT(MustRender(R"({"keys":{"form":"CONSTANT","value":"a  b c"}})").keys,
              ElementsAre("a", "b", "c"));
  EXPECT_THAT(MustRender(R"({"keys":{"form":"TEMPLATE","value":{"id":"$.data.afterImage.id",
                                     "t":"$.data.schema.tableName"},"template":"${t}:${id}"}})")
                  .keys,
              ElementsAre("orders:1001"));
}

TEST(SinkRender, PropertiesFromAJsonPathObject) {
  Message m = MustRender(R"({"properties":{"form":"JSONPATH","value":"$.data.afterImage"}})");
  EXPECT_THAT(
      m.properties,
      ElementsAre(Pair("id", "1001"), Pair("note", "a \"quoted\"\nline"),
                  Pair("tags", R"(["vip","new"])"), Pair("buyer", R"({"name":"ann","tier":2})"),
                  Pair("inflow_event_id", "00112233445566778899aabbccddeeff-42")));
}

TEST(SinkRender, PropertiesMatchingNothingAreOmitted) {
  Message m = MustRender(R"({"properties":{"form":"JSONPATH","value":"$.data.nope"}})");
  EXPECT_THAT(m.properties,
              ElementsAre(Pair("inflow_event_id", "00112233445566778899aabbccddeeff-42")));
}

TEST(SinkRender, PropertiesFromATemplate) {
  Message m = MustRender(R"({"properties":{"form":"TEMPLATE",
      "value":{"db":"$.data.schema.databaseName","v":"$.data.schema.version","n":"$.data.afterImage.note"},
      "template":"{\"db\":\"${db}\",\"schema_version\":${v},\"note\":\"${n}\",\"null\":null}"}})");
  EXPECT_THAT(m.properties,
              ElementsAre(Pair("db", "shop"), Pair("schema_version", "3"),
                          Pair("note", "a \"quoted\"\nline"), Pair("null", "null"),
                          Pair("inflow_event_id", "00112233445566778899aabbccddeeff-42")));
}

TEST(SinkRender, PropertiesMustBeAnObject) {
  EXPECT_THAT(
      MustFailRender(R"({"properties":{"form":"JSONPATH","value":"$.data.afterImage.tags"}})")
          .message(),
      HasSubstr("sink.properties: '$.data.afterImage.tags' selected a value that is an array, "
                "not a JSON object"));
  // Valid JSON for some selections, not for this event's (a string inserted unquoted).
  EXPECT_THAT(MustFailRender(R"({"properties":{"form":"TEMPLATE",
                                               "value":{"n":"$.data.schema.tableName"},
                                               "template":"{\"a\":${n}}"}})")
                  .message(),
              HasSubstr("sink.properties: the template rendered invalid JSON"));
  EXPECT_THAT(MustFailRender(R"({"properties":{"form":"TEMPLATE","value":{},
                                               "template":"[1]"}})")
                  .message(),
              HasSubstr("is an array, not a JSON object"));
}

TEST(SinkRender, ReservedPropertyNamesAreRefused) {
  for (std::string_view name :
       {"KEYS", "TAGS", "TIMER_DELIVER_MS", "__SHARDINGKEY", "inflow_event_id", "inflow_task"}) {
    std::string sink = R"({"properties":{"form":"TEMPLATE","value":{},"template":"{\")" +
                       std::string(name) + R"(\":\"x\"}"}})";
    Error e = MustFailRender(sink);
    EXPECT_EQ(e.message(),
              "sink.properties: '" + std::string(name) + "' is a reserved property name");
  }
  EXPECT_FALSE(IsReservedPropertyName("order_id"));
  EXPECT_FALSE(IsReservedPropertyName("keys"));
}

// The managed service's documented custom-property template: UNIQ_KEY sets the message's unique
// key (the broker's message-id index), the embedded object's members become properties.
TEST(SinkRender, UniqKeyInAPropertiesTemplateSetsTheUniqueKey) {
  constexpr std::string_view kDocumented = R"({"properties":{"form":"TEMPLATE",
      "value":{"userProperties":"$.data.afterImage.buyer","msgId":"$.id"},
      "template":"{\"EB_SYS_EMBED_OBJECT\": \"${userProperties}\", \"UNIQ_KEY\": \"${msgId}\"}"}})";
  Message m = MustRender(kDocumented);
  EXPECT_EQ(m.unique_key, "00112233445566778899aabbccddeeff-42");
  EXPECT_THAT(m.properties,
              ElementsAre(Pair("name", "ann"), Pair("tier", "2"),
                          Pair("inflow_event_id", "00112233445566778899aabbccddeeff-42")));
  // The JSONPATH form follows the same rule; an empty value leaves the key to the producer.
  Message selected =
      MustRender(R"({"properties":{"form":"TEMPLATE","value":{"k":"$.data.afterImage.id"},
      "template":"{\"UNIQ_KEY\":\"${k}\",\"a\":\"b\"}"}})");
  EXPECT_EQ(selected.unique_key, "1001");
  Message empty =
      MustRender(R"({"properties":{"form":"TEMPLATE","value":{"k":"$.data.afterImage.empty"},
      "template":"{\"UNIQ_KEY\":\"${k}\"}"}})");
  EXPECT_EQ(empty.unique_key, std::nullopt);
  EXPECT_THAT(MustFailRender(R"({"properties":{"form":"TEMPLATE","value":{},
      "template":"{\"UNIQ_KEY\":\"a\\u0001b\"}"}})")
                  .message(),
              HasSubstr("UNIQ_KEY contains the bytes 0x01 or 0x02"));
  EXPECT_EQ(MustRender("{}").unique_key, std::nullopt);
}

// A JSON-shaped template that no selection can turn into JSON is refused when the sink section
// is parsed, not on every event.
TEST(SinkRender, JsonShapedTemplatesMustBeAbleToRenderJson) {
  for (
      std::string_view bad : {
          R"({"body":{"form":"TEMPLATE","value":{},"template":"{\"a\":"}})",
          R"({"body":{"form":"TEMPLATE","value":{"id":"$.id"},"template":"{\"a\": ${id} \"b\": 1}"}})",
          R"({"body":{"form":"TEMPLATE","value":{},"template":"{\"a\": ${unknown}}"}})",
          R"({"properties":{"form":"TEMPLATE","value":{"x":"$.id"},"template":"{\"a\":\"${x}\",}"}})",
          R"({"body":{"form":"TEMPLATE","value":{"lit":"not json"},"template":"[${lit}]"}})",
      }) {
    EXPECT_THAT(ParseError(bad), HasSubstr("cannot render valid JSON")) << bad;
  }
  for (
      std::string_view good : {
          R"({"body":{"form":"TEMPLATE","value":{"n":"$.data.afterImage.id"},"template":"{\"a\": ${n}}"}})",
          R"({"body":{"form":"TEMPLATE","value":{"o":"$.data.afterImage.buyer"},"template":"[${o}, \"${o}\"]"}})",
          R"({"body":{"form":"TEMPLATE","value":{"lit":"7"},"template":"{\"a\": ${lit}, \"b\": \"${missing}\"}"}})",
          R"({"body":{"form":"TEMPLATE","value":{"r":"$.data.afterImage.buyer"},"template":"{\"EB_SYS_EMBED_OBJECT\":\"${r}\",\"x\":1}"}})",
          R"({"body":{"form":"TEMPLATE","value":{"s":"$.data.schema.tableName"},"template":"order ${s}"}})",
      }) {
    EXPECT_TRUE(SinkSpec::Parse(J(good))) << good;
  }
}

TEST(SinkRender, EndpointSyntaxIsChecked) {
  EXPECT_TRUE(SinkSpec::Parse(J(R"({"endpoint":"127.0.0.1:9876;[::1]:9877"})")));
  EXPECT_TRUE(SinkSpec::Parse(J(R"({"endpoint":""})")));  // required by the task validator only
  EXPECT_THAT(ParseError(R"({"endpoint":"garbage"})"),
              HasSubstr("sink.endpoint: address 'garbage': expected HOST:PORT"));
  EXPECT_THAT(ParseError(R"({"endpoint":"h:70000"})"), HasSubstr("sink.endpoint: "));
}

TEST(SinkRender, EventIdOnlyWhenTheEventHasOne) {
  EXPECT_TRUE(MustRender("{}", R"({"data":1})").properties.empty());
  EXPECT_TRUE(MustRender("{}", R"([1,2])").properties.empty());
}

TEST(SinkRender, ShardingKeyWithOrderlyDelivery) {
  Message m = MustRender(R"({"delivery_order":"orderly",
      "sharding_key":{"form":"JSONPATH","value":"$.data.afterImage.id"}})");
  EXPECT_EQ(m.sharding_key, "1001");
  EXPECT_EQ(MustRender(R"({"delivery_order":"orderly"})").sharding_key, std::nullopt);
}

TEST(SinkRender, InvalidEventText) {
  SinkSpec spec = MustParse("{}");
  auto r = Render(spec, std::string_view("{\"a\":"));
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message(), HasSubstr("event: not valid JSON"));
  r = Render(spec, std::string_view("{\"a\": 1e400}"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "event: number out of range at line 1, column 7: 1e400");
}

TEST(SinkSpecParse, AcceptsTheFullSinkSection) {
  SinkSpec spec = MustParse(R"({"type":"rocketmq","version":"5.x","endpoint":"127.0.0.1:8081",
      "access_key":"ak","secret_key":"sk","topic":"orders",
      "body":{"form":"TEMPLATE","value":"{\"id\":\"$.data.afterImage.id\"}","template":"{\"order\":${id}}"},
      "properties":{"form":"JSONPATH","value":"$.data.schema"},
      "keys":{"form":"JSONPATH","value":"$.data.afterImage.id"},
      "tag":{"form":"CONSTANT","value":"order"},
      "delivery_order":"orderly","sharding_key":{"form":"JSONPATH","value":"$.data.afterImage.id"}})");
  EXPECT_EQ(spec.version, "5.x");
  EXPECT_EQ(spec.endpoint, "127.0.0.1:8081");
  EXPECT_EQ(spec.body.form, FieldForm::kTemplate);
  EXPECT_EQ(spec.delivery_order, DeliveryOrder::kOrderly);
  auto messages = Render(spec, kEvent);
  ASSERT_TRUE(messages) << messages.error().ToString();
  const Message& m = messages->front();
  EXPECT_EQ(m.topic, "orders");
  EXPECT_EQ(m.body, R"({"order":1001})");
  EXPECT_THAT(m.keys, ElementsAre("1001"));
  EXPECT_EQ(m.tag, "order");
  EXPECT_THAT(
      m.properties,
      ElementsAre(Pair("databaseName", "shop"), Pair("tableName", "orders"), Pair("version", "3"),
                  Pair("inflow_event_id", "00112233445566778899aabbccddeeff-42")));
  EXPECT_EQ(m.sharding_key, "1001");
}

TEST(SinkSpecParse, ReportsEveryErrorWithItsPath) {
  std::string m = ParseError(R"({"body":{"form":"XML"},"color":"red",
      "keys":{"form":"JSONPATH","value":"$.data.["},
      "tag":{"form":"JSONPATH","value":"$.data.tags[*]"},
      "properties":{"form":"CONSTANT","value":"x"},
      "topic":"bad topic","version":"6.x","type":"kafka","delivery_order":"random",
      "sharding_key":{"form":"JSONPATH","value":"$.id"},
      "endpoint":5})");
  EXPECT_THAT(m,
              HasSubstr("sink.body.form: must be one of ORIGINAL, JSONPATH, CONSTANT, TEMPLATE"));
  EXPECT_THAT(m, HasSubstr("sink.color: unknown key"));
  EXPECT_THAT(m, HasSubstr("sink.keys.value: position "));
  EXPECT_THAT(m, HasSubstr("sink.tag.value: '$.data.tags[*]' must be a singular JSONPath"));
  EXPECT_THAT(m, HasSubstr("sink.properties.form: must be one of JSONPATH, TEMPLATE"));
  EXPECT_THAT(m, HasSubstr("sink.topic: 'bad topic' is not a valid RocketMQ topic name"));
  EXPECT_THAT(m, HasSubstr("sink.version: must be 4.x or 5.x"));
  EXPECT_THAT(m, HasSubstr("sink.type: must be rocketmq"));
  EXPECT_THAT(m, HasSubstr("sink.delivery_order: must be concurrently or orderly"));
  EXPECT_THAT(m, HasSubstr("sink.sharding_key: only used with delivery_order: orderly"));
  EXPECT_THAT(m, HasSubstr("sink.endpoint: must be a string, not number"));
}

TEST(SinkSpecParse, FieldErrors) {
  EXPECT_THAT(ParseError(R"({"body":"ORIGINAL"})"),
              HasSubstr("sink.body: must be an object {form, value, template}, not string"));
  EXPECT_THAT(ParseError(R"({"body":{"value":"$.a"}})"), HasSubstr("sink.body.form: required"));
  EXPECT_THAT(ParseError(R"({"body":{"form":"JSONPATH","value":"$.a","extra":1}})"),
              HasSubstr("sink.body.extra: unknown key"));
  EXPECT_THAT(ParseError(R"({"body":{"form":"JSONPATH"}})"),
              HasSubstr("sink.body.value: required: a JSONPath"));
  EXPECT_THAT(ParseError(R"({"body":{"form":"CONSTANT","value":""}})"),
              HasSubstr("sink.body.value: required: the constant text"));
  EXPECT_THAT(ParseError(R"({"body":{"form":"CONSTANT","value":"x","template":"y"}})"),
              HasSubstr("sink.body.template: only used by the TEMPLATE form"));
  EXPECT_THAT(ParseError(R"({"body":{"form":"TEMPLATE","value":{"a":"$.x"}}})"),
              HasSubstr("sink.body.template: required"));
  EXPECT_THAT(ParseError(R"({"body":{"form":"TEMPLATE","value":{"a":{"b":1}},"template":"${a}"}})"),
              HasSubstr("sink.body.value: parameter 'a': must be a string"));
  EXPECT_THAT(ParseError(R"({"keys":{"form":"ORIGINAL"}})"),
              HasSubstr("sink.keys.form: must be one of JSONPATH, CONSTANT, TEMPLATE"));
  EXPECT_THAT(ParseError(R"([1])"), HasSubstr("sink: must be an object, not array"));
}

TEST(SinkSpecParse, ErrorsUseTheGivenPath) {
  auto spec = SinkSpec::Parse(J(R"({"body":{"form":"NOPE"}})"), "tasks[0].sink");
  ASSERT_FALSE(spec);
  EXPECT_THAT(spec.error().message(), HasSubstr("tasks[0].sink.body.form: must be one of"));
}

}  // namespace
}  // namespace inflow::sink
