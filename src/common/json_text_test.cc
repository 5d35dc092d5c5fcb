#include "common/json_text.h"

#include <gtest/gtest.h>

namespace inflow {
namespace {

std::string Str(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

std::string Num(double v) {
  std::string out;
  AppendJsonNumber(&out, v);
  return out;
}

TEST(JsonText, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(Str("plain"), "\"plain\"");
  EXPECT_EQ(Str("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(Str("l1\nl2\t\x01"), "\"l1\\nl2\\t\\u0001\"");
  EXPECT_EQ(Str("héllo 😀"), "\"héllo 😀\"");
  EXPECT_EQ(Str(std::string_view("\0", 1)), "\"\\u0000\"");
}

TEST(JsonText, ValidatesUtf8) {
  EXPECT_TRUE(IsValidUtf8("héllo 😀"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("abc\xE2\x82"));       // truncated
}

TEST(JsonText, NumbersAreIntegralWhenExact) {
  EXPECT_EQ(Num(42), "42");
  EXPECT_EQ(Num(-7), "-7");
  EXPECT_EQ(Num(0.1), "0.1");
  EXPECT_EQ(Num(1e300), "1e+300");
  EXPECT_EQ(Num(9007199254740993.0), "9007199254740992");  // 2^53 itself is not "exact-int"
}

}  // namespace
}  // namespace inflow
