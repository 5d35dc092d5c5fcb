// Runs the RFC 9535 JSONPath Compliance Test Suite (jsonpath-standard/jsonpath-compliance-test-
// suite, cts.json) read in place from $INFLOW_SHARED_DIR/data/jsonpath-cts. Prints the pass rate
// and every failing case with its reason; fails below kRequiredPassRate.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "jsonpath/path.h"

namespace inflow::jsonpath {
namespace {

constexpr double kRequiredPassRate = 0.95;

std::string CtsPath() {
  const char* dir = std::getenv("INFLOW_SHARED_DIR");
  return std::string(dir ? dir : "../shared") + "/data/jsonpath-cts/cts.json";
}

// Returns "" on success, else the reason the case failed.
std::string RunCase(const nlohmann::json& tc) {
  const std::string selector = tc.at("selector").get<std::string>();
  auto path = Path::Compile(selector);
  if (tc.value("invalid_selector", false)) {
    if (path) return "accepted an invalid selector";
    return "";
  }
  if (!path) return "rejected a valid selector: " + path.error().message();

  const std::string doc_text = tc.at("document").dump();
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.parse(doc_text).get(doc); err) {
    return std::string("harness could not parse the document: ") + simdjson::error_message(err);
  }
  std::vector<simdjson::dom::element> nodes;
  path->Evaluate(doc, &nodes);
  nlohmann::json got = nlohmann::json::array();
  for (auto node : nodes) got.push_back(nlohmann::json::parse(ToCompactJson(node)));

  if (tc.contains("result")) {
    if (got == tc.at("result")) return "";
    return "got " + got.dump() + ", want " + tc.at("result").dump();
  }
  for (const auto& alternative : tc.at("results")) {
    if (got == alternative) return "";
  }
  return "got " + got.dump() + ", want one of " + tc.at("results").dump();
}

TEST(JsonpathCts, PassRateAtLeast95Percent) {
  std::ifstream in(CtsPath());
  ASSERT_TRUE(in) << "cannot open " << CtsPath() << " (set INFLOW_SHARED_DIR)";
  nlohmann::json cts = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(cts.is_discarded()) << CtsPath() << " is not valid JSON";
  const auto& tests = cts.at("tests");
  ASSERT_GT(tests.size(), 600u) << "the suite looks truncated";

  size_t passed = 0;
  std::vector<std::string> failures;
  for (const auto& tc : tests) {
    std::string reason = RunCase(tc);
    if (reason.empty()) {
      ++passed;
    } else {
      failures.push_back(tc.value("name", "?") + " — " + tc.value("selector", "?") + " — " +
                         reason);
    }
  }
  double rate = static_cast<double>(passed) / static_cast<double>(tests.size());
  std::cout << "JSONPath CTS: " << passed << "/" << tests.size() << " passed (" << rate * 100.0
            << " %)\n";
  for (const auto& f : failures) std::cout << "  FAIL " << f << "\n";
  EXPECT_GE(rate, kRequiredPassRate);
}

}  // namespace
}  // namespace inflow::jsonpath
