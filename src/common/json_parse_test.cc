#include "common/json_parse.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace inflow {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string Nested(int levels, const std::string& inner = "1") {
  std::string s;
  for (int i = 0; i < levels; ++i) s += i % 2 ? "[" : "{\"k\":";
  s += inner;
  for (int i = levels - 1; i >= 0; --i) s += i % 2 ? "]" : "}";
  return s;
}

std::string ErrorOf(std::string_view text) {
  auto j = ParseJson(text);
  if (j) return "(parsed)";
  EXPECT_EQ(j.error().code(), ErrorCode::kInvalidArgument);
  return j.error().message();
}

TEST(ParseJson, ParsesUpToTheDepthLimit) {
  auto j = ParseJson(Nested(kMaxJsonDepth));
  ASSERT_TRUE(j) << j.error().ToString();
  EXPECT_TRUE(j->is_object());
}

TEST(ParseJson, DeepNestingIsRefusedWithItsPosition) {
  EXPECT_EQ(ErrorOf(Nested(kMaxJsonDepth + 1)), "nested too deeply (limit 128) at line 1, column " +
                                                    std::to_string(5 * 64 + 1 * 64 + 1));
  // A bomb that would overflow the stack in dump() or a copy, brackets in strings ignored.
  std::string bomb = "{\"s\":\"[[[[{{{{\\\"[[[\",\n \"a\":" + std::string(100'000, '[');
  EXPECT_EQ(ErrorOf(bomb), "nested too deeply (limit 128) at line 2, column 133");
}

TEST(ParseJson, NumbersOutOfRangeAreNamed) {
  EXPECT_EQ(ErrorOf(R"({"a": 1e400})"), "number out of range at line 1, column 7: 1e400");
  EXPECT_EQ(ErrorOf("[1,\n -123456789012345678901234567890]"),
            "number out of range at line 2, column 2: -123456789012345678901234567890");
  EXPECT_EQ(ErrorOf("[123456789012345678901234567890]"),
            "number out of range at line 1, column 2: 123456789012345678901234567890");
  EXPECT_EQ(ErrorOf("[-1.5e999]"), "number out of range at line 1, column 2: -1.5e999");
  // What 64-bit integers and doubles hold stays a number; underflow reads as 0.
  auto j = ParseJson(R"([18446744073709551615, -9223372036854775808, 1e308, 1e-400, "1e400"])");
  ASSERT_TRUE(j) << j.error().ToString();
  EXPECT_EQ((*j)[0].get<uint64_t>(), 18446744073709551615u);
  EXPECT_EQ((*j)[1].get<int64_t>(), INT64_MIN);
  EXPECT_EQ((*j)[3].get<double>(), 0.0);
  EXPECT_EQ((*j)[4], "1e400");
}

TEST(ParseJson, SyntaxErrorsComeFromTheJsonParser) {
  EXPECT_THAT(ErrorOf("{\"a\": 1,\n}"),
              StartsWith("not valid JSON: parse error at line 2, column 1: syntax error"));
  EXPECT_THAT(ErrorOf("{\"a\": \"x\x1Fy\"}"), HasSubstr("control character U+001F"));
  EXPECT_THAT(ErrorOf("{\"a\": \"\xC3\x28\"}"), HasSubstr("ill-formed UTF-8 byte"));
  EXPECT_THAT(ErrorOf("[0x1F]"), StartsWith("not valid JSON: parse error at line 1, column 3"));
  EXPECT_THAT(ErrorOf(""), StartsWith("not valid JSON: "));
}

TEST(ParseJson, NumberOutOfRangeFindsTheNumberForOtherParsers) {
  EXPECT_EQ(NumberOutOfRange(R"({"s": "1e400", "n": [1e400]})"),
            "number out of range at line 1, column 22: 1e400");
  EXPECT_EQ(NumberOutOfRange(R"({"a": 1,})"), "");
  EXPECT_EQ(NumberOutOfRange(std::string(1000, '[') + "1"), "");  // depth is not its business
}

TEST(ParseJson, TextPositionCountsLinesAndColumnsFromOne) {
  EXPECT_EQ(TextPosition("ab\ncd", 0), "line 1, column 1");
  EXPECT_EQ(TextPosition("ab\ncd", 4), "line 2, column 2");
}

}  // namespace
}  // namespace inflow
