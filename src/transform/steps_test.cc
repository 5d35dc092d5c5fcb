#include "transform/steps.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <nlohmann/json.hpp>
#include <string>

#include "transform/map.h"
#include "transform/route.h"
#include "transform/split.h"
#include "transform/test_util.h"

namespace inflow::transform {
namespace {

using nlohmann::json;

template <typename T>
std::unique_ptr<T> Build(const std::string& config) {
  auto step = T::FromConfig(json::parse(config), "transform[0]");
  EXPECT_TRUE(step) << (step ? "" : step.error().ToString());
  return step ? std::move(*step) : nullptr;
}

TEST(Split, OneEventPerElementWithSuffixedIds) {
  auto split = Build<Split>(R"({"path": "$.data.items"})");
  auto r = split->Apply(Events({R"({"data":{"items":[1,{"a":"b"}]}})", R"({"data":{"items":[]}})",
                                R"({"data":{"items":["x"]}})"}));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(Jsons(*r), (std::vector<std::string>{"1", R"({"a":"b"})", R"("x")"}));
  EXPECT_EQ((*r)[0].id, "e0#0");
  EXPECT_EQ((*r)[1].id, "e0#1");
  EXPECT_EQ((*r)[2].id, "e2#0");
}

TEST(Split, MissingOrNonArrayIsAnErrorNamingTheEvent) {
  auto split = Build<Split>(R"({"path": "$.items"})");
  auto r = split->Apply(Events({R"({"items":[1]})", R"({"other":1})"}));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("event e1"), std::string::npos) << r.error().message();
  EXPECT_NE(r.error().message().find("selects nothing"), std::string::npos);
  r = split->Apply(Events({R"({"items":{"a":1}})"}));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("exactly one array"), std::string::npos);
}

TEST(Split, ConfigErrorsNameTheField) {
  auto bad = Split::FromConfig(json::parse(R"({"path": "$.[", "extra": 1})"), "transform[2].split");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("transform[2].split.path: position"), std::string::npos)
      << bad.error().message();
  EXPECT_NE(bad.error().message().find("transform[2].split.extra: unknown key"), std::string::npos);
  EXPECT_FALSE(Split::FromConfig(json::parse("{}"), "s"));
}

TEST(Map, RendersTheTemplateIntoANewEvent) {
  auto map = Build<Map>(
      R"({"parameters": {"id": "$.data.id", "name": "$.data.name"},
          "template": "{\"order\": ${id}, \"who\": \"${name}\"}"})");
  auto r = map->Apply(Events({R"({"data":{"id":42,"name":"a \"quoted\" name"}})"}));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(Jsons(*r), (std::vector<std::string>{R"({"order":42,"who":"a \"quoted\" name"})"}));
  EXPECT_EQ((*r)[0].id, "e0");
}

TEST(Map, NonJsonRenderingIsAnError) {
  auto map = Build<Map>(R"({"parameters": {"id": "$.id"}, "template": "order ${id}"})");
  auto r = map->Apply(Events({R"({"id":1})"}));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("not JSON"), std::string::npos);
}

TEST(Route, FirstMatchingRuleFansOutToAllItsTopics) {
  auto route = Build<Route>(R"({
    "rules": [
      {"pattern": {"table": ["orders"]}, "topics": ["orders", "audit"]},
      {"jsonpath": "$.brand", "regex": "^Brand", "topics": ["brands"]},
      {"pattern": {"table": [{"prefix": "ord"}]}, "topics": ["never-second"]}
    ],
    "default_topic": "other"})");
  auto r = route->Apply(
      Events({R"({"table":"orders","brand":"BrandA"})", R"({"table":"items","brand":"BrandB"})",
              R"({"table":"items","brand":"NoBrand"})"}));
  ASSERT_TRUE(r) << r.error().ToString();
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0].topic, "orders");
  EXPECT_EQ((*r)[1].topic, "audit");
  EXPECT_EQ((*r)[0].id, "e0");
  EXPECT_EQ((*r)[1].id, "e0");
  EXPECT_EQ((*r)[2].topic, "brands");
  EXPECT_EQ((*r)[3].topic, "other");
}

TEST(Route, WithoutDefaultTheEventKeepsNoHint) {
  auto route = Build<Route>(R"({"rules": [{"pattern": {"a": [1]}, "topics": ["t"]}]})");
  auto r = route->Apply(Events({R"({"a":2})"}));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 1u);
  EXPECT_FALSE((*r)[0].topic);
}

TEST(Route, RegexWorkIsBoundedPerEventWithADeterministicError) {
  auto route = Build<Route>(R"({"rules": [
      {"jsonpath": "$.a", "regex": "Brand", "topics": ["brands"]},
      {"jsonpath": "$.a", "regex": "(.*){1000}y", "topics": ["slow"]}]})");
  ASSERT_NE(route, nullptr);
  // A simple regex over a megabyte fits the budget.
  auto cheap = route->Apply(Events({R"({"a":")" + std::string(1 << 20, 'x') + R"(Brand"})"}));
  ASSERT_TRUE(cheap) << cheap.error().ToString();
  EXPECT_EQ((*cheap)[0].topic, "brands");
  // ~4 000 NFA steps per character over 200 000 characters would be close to a minute.
  std::string big = R"({"a":")" + std::string(200000, 'x') + R"("})";
  auto run = std::async(std::launch::async, [&] { return route->Apply(Events({big})); });
  ASSERT_EQ(run.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  auto r = run.get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kResourceExhausted);
  EXPECT_FALSE(IsRetryable(r.error().code()));
  EXPECT_NE(r.error().message().find("event e0: rules[1].regex"), std::string::npos)
      << r.error().message();
}

TEST(Route, ReportsEveryConfigErrorWithItsPath) {
  auto bad = Route::FromConfig(json::parse(R"({
    "rules": [
      {"pattern": {"a": [{"numeric": ["<"]}]}, "topics": ["t"]},
      {"jsonpath": "$.x", "topics": []},
      {"pattern": {"a": [1]}, "jsonpath": "$.x", "regex": "a", "topics": ["t"]},
      {"pattern": {"a": [1]}, "topics": ["ok", "not a topic", 7]}
    ],
    "default_topic": ""})"),
                               "transform[0].route");
  ASSERT_FALSE(bad);
  const std::string& m = bad.error().message();
  EXPECT_NE(m.find("transform[0].route.rules[0].pattern"), std::string::npos) << m;
  EXPECT_NE(m.find("transform[0].route.rules[1].regex: is required"), std::string::npos) << m;
  EXPECT_NE(m.find("transform[0].route.rules[1].topics"), std::string::npos) << m;
  EXPECT_NE(m.find("transform[0].route.rules[2]: needs either"), std::string::npos) << m;
  EXPECT_NE(m.find("transform[0].route.rules[3].topics[1]: 'not a topic' is not a valid RocketMQ "
                   "topic name"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("transform[0].route.rules[3].topics[2]: must be a topic name"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("transform[0].route.default_topic: '' is not a valid RocketMQ topic name"),
            std::string::npos)
      << m;
}

}  // namespace
}  // namespace inflow::transform

namespace inflow::transform {
namespace {

TEST(BuildSteps, BuildsEveryVerbInOrder) {
  auto steps = BuildSteps(json::parse(R"([
    {"split": {"path": "$.items"}},
    {"map": {"parameters": {"v": "$.v"}, "template": "{\"value\": ${v}}"}},
    {"lua": {"code": "function transform(e) return e end", "timeout_ms": 20}},
    {"route": {"rules": [{"pattern": {"value": [2]}, "topics": ["two"]}]}}
  ])"),
                          "transform");
  ASSERT_TRUE(steps) << steps.error().ToString();
  ASSERT_EQ(steps->size(), 4u);
  std::vector<Event> events = Events({R"({"items":[{"v":1},{"v":2}]})"});
  for (auto& step : *steps) {
    auto r = step->Apply(std::move(events));
    ASSERT_TRUE(r) << r.error().ToString();
    events = std::move(*r);
  }
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].json, R"({"value":1})");
  EXPECT_FALSE(events[0].topic);
  EXPECT_EQ(events[1].topic, "two");
  EXPECT_EQ(events[1].id, "e0#1");
}

TEST(BuildSteps, ReportsAllErrorsWithPaths) {
  auto steps = BuildSteps(json::parse(R"([
    {"split": {}},
    {"lua": {"code": "nope(", "timeout_ms": 0}},
    {"explode": {}},
    {"map": {"template": "x"}, "split": {"path": "$"}}
  ])"),
                          "transform");
  ASSERT_FALSE(steps);
  const std::string& m = steps.error().message();
  EXPECT_NE(m.find("transform[0].split.path: is required"), std::string::npos) << m;
  EXPECT_NE(m.find("transform[1].lua.timeout_ms: must be between"), std::string::npos) << m;
  EXPECT_NE(m.find("transform[2]: unknown step 'explode'"), std::string::npos) << m;
  EXPECT_NE(m.find("transform[3]: must be an object with exactly one"), std::string::npos) << m;
  EXPECT_TRUE(BuildSteps(json(), "transform"));
  EXPECT_FALSE(BuildSteps(json::parse("{}"), "transform"));
}

}  // namespace
}  // namespace inflow::transform
