// Route: the `route` step — ordered rules choose the RocketMQ topics of each event. A rule is an
// event pattern, or a JSONPath plus an I-Regexp searched in the selected string; the FIRST rule
// that matches wins and the event fans out to all of its topics (one copy per topic, same id).
// An event no rule matches goes to `default_topic`, or — without one — keeps no routing hint and
// goes to the sink's own topic.
//
//   transform:
//     - route:
//         rules:
//           - {pattern: {data: {schema: {tableName: [orders]}}}, topics: [orders, audit]}
//           - {jsonpath: "$.data.afterImage.brand", regex: "^Brand", topics: [brands]}
//         default_topic: other
//
// All pattern rules share one compiled matcher, so the cost per event does not grow with the
// number of pattern rules. The regex rules of one event share a budget of matching steps
// (kRegexBudgetPerEvent) and each JSONPath has the default work budget: an event that needs
// more fails with kResourceExhausted naming the rule — deterministic, so it is not retried.
//
// Thread safety: immutable after FromConfig; Apply may run from several threads at once.
#ifndef INFLOW_TRANSFORM_ROUTE_H_
#define INFLOW_TRANSFORM_ROUTE_H_

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jsonpath/iregexp.h"
#include "jsonpath/path.h"
#include "pattern/matcher.h"
#include "transform/step.h"

namespace inflow::transform {

class Route : public Step {
 public:
  // NFA steps (jsonpath::Regex) all regex rules together may spend on one event: well
  // under a second of matching, enough for a simple regex over megabytes of text.
  static constexpr size_t kRegexBudgetPerEvent = size_t{1} << 24;

  static Result<std::unique_ptr<Route>> FromConfig(const nlohmann::json& config,
                                                   std::string_view where);
  Result<std::vector<Event>> Apply(std::vector<Event> events) override;

 private:
  struct Rule {
    std::optional<size_t> pattern;  // index into matcher_
    std::optional<jsonpath::Path> path;
    std::optional<jsonpath::Regex> regex;
    std::vector<std::string> topics;
  };
  Route() = default;
  // The index of the first matching rule, or nullopt.
  Result<std::optional<size_t>> FirstMatch(const Event& event) const;

  std::vector<Rule> rules_;
  std::optional<pattern::Matcher> matcher_;
  std::optional<std::string> default_topic_;
};

}  // namespace inflow::transform

#endif  // INFLOW_TRANSFORM_ROUTE_H_
