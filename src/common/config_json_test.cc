#include "common/config_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "common/hostile_input.h"
#include "common/json_parse.h"

namespace inflow {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string ErrorOf(std::string_view text) {
  auto doc = ParseConfigDocument(text, "sink");
  if (doc) return "(parsed: " + doc->dump() + ")";
  EXPECT_EQ(doc.error().code(), ErrorCode::kInvalidArgument);
  return doc.error().message();
}

TEST(ParseConfigDocument, ReadsJsonAndYamlToTheSameTree) {
  auto json = ParseConfigDocument(R"({"topic": "t", "n": 3, "q": "3", "ok": true})", "sink");
  auto yaml = ParseConfigDocument("topic: t\nn: 3\nq: \"3\"\nok: true\n", "sink");
  ASSERT_TRUE(json) << json.error().ToString();
  ASSERT_TRUE(yaml) << yaml.error().ToString();
  EXPECT_EQ(*json, *yaml);
}

TEST(ParseConfigDocument, AliasBombIsRefusedAtOnce) {
  auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(ErrorOf(YamlAliasBomb()),
              StartsWith("sink: aliases expand to more than 250000 values"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  // Long strings repeated by aliases count by their size.
  std::string wide = "a0: &a0 \"" + std::string(1 << 20, 'x') + "\"\n";
  wide += "a1: &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0]\n";
  wide += "a2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]\n";
  wide += "body: [*a2, *a2]\n";
  EXPECT_THAT(ErrorOf(wide), HasSubstr("16 MiB of text (limit)"));
  // Ordinary aliases still work.
  auto doc = ParseConfigDocument("base: &b {form: CONSTANT, value: x}\nbody: *b\ntag: *b\n", "s");
  ASSERT_TRUE(doc) << doc.error().ToString();
  EXPECT_EQ((*doc)["tag"]["value"], "x");
}

TEST(ParseConfigDocument, DeepJsonIsRefusedNamingTheLine) {
  std::string deep = "{\"topic\": \"t\",\n \"body\": {\"form\": \"CONSTANT\", \"value\": ";
  deep += std::string(3000, '[') + std::string(3000, ']') + "}}";
  EXPECT_EQ(ErrorOf(deep), "sink: nested too deeply (limit 128) at line 2, column 166");
}

TEST(ParseConfigDocument, DeepYamlIsRefusedWithTheSameLimit) {
  // The document's own mapping is the first level, as `{` is in JSON.
  int inner = kMaxJsonDepth - 1;
  std::string flow = "body: " + std::string(inner, '[') + std::string(inner, ']');
  EXPECT_TRUE(ParseConfigDocument(flow, "sink"));
  flow = "body: " + std::string(inner + 1, '[') + std::string(inner + 1, ']');
  EXPECT_THAT(ErrorOf(flow), StartsWith("sink: nested too deeply (limit 128) at line 1"));
  std::string block;
  for (int i = 0; i <= kMaxJsonDepth; ++i) block += std::string(i, ' ') + "k:\n";
  EXPECT_THAT(ErrorOf(block + std::string(kMaxJsonDepth + 1, ' ') + "v: 1\n"),
              StartsWith("sink: nested too deeply (limit 128)"));
  // Past yaml-cpp's own recursion guard: still an error value, never a crash.
  EXPECT_THAT(ErrorOf("body: " + std::string(5000, '[')), StartsWith("sink: "));
}

TEST(ParseConfigDocument, JsonTextIsReadAsJsonOnly) {
  // Each of these was accepted through a YAML fallback.
  EXPECT_THAT(ErrorOf("{\"topic\": \"t\",}"),
              StartsWith("sink: not valid JSON: parse error at line 1, column 15"));
  EXPECT_THAT(ErrorOf("{\"topic\": 0x1F}"),
              StartsWith("sink: not valid JSON: parse error at line 1, column 12"));
  EXPECT_THAT(ErrorOf("\n  [\"a\", \"\xFF\"]"), StartsWith("sink: not valid JSON: parse error"));
  EXPECT_THAT(ErrorOf("{\"a\": \"x\x1Fy\"}"), HasSubstr("control character U+001F"));
  EXPECT_THAT(ErrorOf("\xEF\xBB\xBF{\"a\": }"), StartsWith("sink: not valid JSON"));
  EXPECT_TRUE(ParseConfigDocument("\xEF\xBB\xBF {\"a\": 1}", "sink"));
}

TEST(ParseConfigDocument, YamlTextMustBeUtf8) {
  EXPECT_EQ(ErrorOf("topic: t\nbody: \"a\xFF"
                    "b\"\n"),
            "sink: not valid UTF-8 at line 2, column 7");
  EXPECT_THAT(ErrorOf("\xC3\x28: 1\n"), StartsWith("sink: not valid UTF-8 at line 1"));
  auto doc = ParseConfigDocument(
      "body: h\xC3\xA9"
      "llo\n",
      "sink");
  ASSERT_TRUE(doc) << doc.error().ToString();
  EXPECT_EQ((*doc)["body"],
            "h\xC3\xA9"
            "llo");
}

TEST(ParseConfigDocument, YamlErrorsSayYaml) {
  EXPECT_THAT(ErrorOf("body: [unclosed\n"), StartsWith("sink: not valid YAML: "));
}

TEST(ParseConfigDocument, NumbersOutOfRangeAreNamed) {
  EXPECT_EQ(ErrorOf("{\"n\": 1e400}"), "sink: number out of range at line 1, column 7: 1e400");
  EXPECT_EQ(ErrorOf("{\"n\":\n 123456789012345678901234567890}"),
            "sink: number out of range at line 2, column 2: 123456789012345678901234567890");
  EXPECT_EQ(ErrorOf("a: 1\nn: 1e400\n"), "sink: number out of range at line 2, column 4: 1e400");
  EXPECT_EQ(ErrorOf("n: -123456789012345678901234567890\n"),
            "sink: number out of range at line 1, column 4: -123456789012345678901234567890");
  auto doc = ParseConfigDocument("big: 18446744073709551615\nq: \"1e400\"\n", "sink");
  ASSERT_TRUE(doc) << doc.error().ToString();
  EXPECT_EQ((*doc)["big"].get<uint64_t>(), 18446744073709551615u);
  EXPECT_EQ((*doc)["q"], "1e400");
}

}  // namespace
}  // namespace inflow
