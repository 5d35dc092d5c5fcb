#include "cli/pattern_command.h"

#include <gtest/gtest.h>

#include <sstream>

#include "cli/command.h"

namespace inflow::cli {
namespace {

struct Outcome {
  int code;
  std::string out;
  std::string err;
};

Outcome RunTest(const std::string& pattern, const std::string& event, bool explain = false) {
  std::ostringstream out;
  std::ostringstream err;
  int code = RunPatternTest(pattern, event, explain, out, err);
  return {code, out.str(), err.str()};
}

TEST(PatternCommand, MatchExitsZero) {
  auto r = RunTest(R"({"data":{"op":["INSERT"]}})", R"({"data":{"op":"INSERT"}})");
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_EQ(r.out, "match\n");
  EXPECT_EQ(r.err, "");
}

TEST(PatternCommand, NoMatchExitsOneAndExplains) {
  auto r = RunTest(R"({"data":{"op":["INSERT"],"n":[{"numeric":[">",5]}]}})",
                   R"({"data":{"op":"INSERT","n":3}})", true);
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_EQ(r.out, "no match\n  $.data.n: value 3 match none of [{\"numeric\":[\">\",5]}]\n");
}

TEST(PatternCommand, InvalidPatternExitsTwoWithPath) {
  auto r = RunTest(R"({"data":{"price":[{"numeric":["<","x"]}]}})", "{}");
  EXPECT_EQ(r.code, kExitBadInput);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "invalid pattern: $.data.price[0].numeric: operator \"<\" needs a number, got a "
            "string\n");
}

TEST(PatternCommand, InvalidEventExitsTwo) {
  auto r = RunTest(R"({"a":[1]})", R"({"a":1,)");
  EXPECT_EQ(r.code, kExitBadInput);
  EXPECT_NE(r.err.find("invalid event"), std::string::npos);
}

TEST(PatternCommand, NumbersOutOfRangeAreNamed) {
  auto r = RunTest(R"({"a":[1]})", "{\"a\":\n 1e400}");
  EXPECT_EQ(r.code, kExitBadInput);
  EXPECT_EQ(r.err, "invalid event: number out of range at line 2, column 2: 1e400\n");
  r = RunTest(R"({"a":[123456789012345678901234567890]})", "{}");
  EXPECT_EQ(r.code, kExitBadInput);
  EXPECT_EQ(r.err,
            "invalid pattern: $: pattern: number out of range at line 1, column 7: "
            "123456789012345678901234567890\n");
}

}  // namespace
}  // namespace inflow::cli
