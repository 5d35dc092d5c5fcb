#include "cli/jsonpath_command.h"

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

Outcome RunCommand(const std::string& expr, const std::string& doc) {
  std::ostringstream out;
  std::ostringstream err;
  int code = RunJsonpath(expr, doc, out, err);
  return {code, out.str(), err.str()};
}

TEST(JsonpathCommand, PrintsOneCompactNodePerLine) {
  auto r = RunCommand("$.a[*]", R"({"a": [1, {"b" : "x"}, [ ]]})");
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_EQ(r.out, "1\n{\"b\":\"x\"}\n[]\n");
  EXPECT_EQ(r.err, "");
}

TEST(JsonpathCommand, EmptyResultPrintsNothing) {
  auto r = RunCommand("$.missing", R"({"a": 1})");
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_EQ(r.out, "");
}

TEST(JsonpathCommand, InvalidExpressionExitsTwoWithPosition) {
  auto r = RunCommand("$.a[?@.b ==]", R"({})");
  EXPECT_EQ(r.code, kExitBadInput);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("position 11"), std::string::npos) << r.err;
}

TEST(JsonpathCommand, InvalidJsonExitsTwoNamingTheProblem) {
  auto r = RunCommand("$", R"({"a": )");
  EXPECT_EQ(r.code, kExitBadInput);
  EXPECT_NE(r.err.find("invalid JSON input"), std::string::npos) << r.err;
}

TEST(JsonpathCommand, ExplosiveQueryExitsOneInsteadOfStalling) {
  std::string deep = std::string(1000, '[') + std::string(1000, ']');
  auto r = RunCommand("$..*..*..*", deep);
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("evaluation steps"), std::string::npos) << r.err;
}

TEST(JsonpathCommand, NumberOutOfRangeIsNamed) {
  auto r = RunCommand("$", R"({"a": [1, -1e400]})");
  EXPECT_EQ(r.code, kExitBadInput);
  EXPECT_EQ(r.err, "invalid JSON input: number out of range at line 1, column 11: -1e400\n");
}

}  // namespace
}  // namespace inflow::cli
