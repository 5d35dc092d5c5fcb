#include "transform/route.h"

#include <simdjson.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/config_json.h"
#include "common/names.h"
#include "transform/parse_event.h"

namespace inflow::transform {

Result<std::unique_ptr<Route>> Route::FromConfig(const nlohmann::json& config,
                                                 std::string_view where) {
  ConfigErrors errors;
  if (!CheckObject(config, where, {"rules", "default_topic"}, &errors)) {
    return Fail(errors.ToError());
  }
  std::unique_ptr<Route> route(new Route());
  if (config.contains("default_topic")) {
    std::string t = StringMember(config, "default_topic", where, false, &errors);
    if (config["default_topic"].is_string()) {
      if (auto st = ValidateTopicName(t, JoinPath(where, "default_topic")); !st) {
        errors.AddError(st.error());
      } else {
        route->default_topic_ = t;
      }
    }
  }
  auto rules = config.find("rules");
  std::vector<std::pair<std::string, std::string>> patterns;
  if (rules == config.end() || !rules->is_array() || rules->empty()) {
    errors.Add(JoinPath(where, "rules"), "must be a non-empty array of rules");
  } else {
    for (size_t i = 0; i < rules->size(); ++i) {
      const nlohmann::json& r = (*rules)[i];
      std::string at = JoinPath(where, "rules[" + std::to_string(i) + "]");
      if (!CheckObject(r, at, {"pattern", "jsonpath", "regex", "topics"}, &errors)) continue;
      Rule rule;
      bool has_pattern = r.contains("pattern");
      bool has_path = r.contains("jsonpath") || r.contains("regex");
      if (has_pattern == has_path) {
        errors.Add(at, "needs either `pattern`, or `jsonpath` with `regex`");
      } else if (has_pattern) {
        const nlohmann::json& p = r["pattern"];
        if (!p.is_object()) {
          errors.Add(JoinPath(at, "pattern"), "must be an event pattern object");
        } else {
          rule.pattern = patterns.size();
          patterns.emplace_back(JoinPath(at, "pattern"), p.dump());
        }
      } else {
        std::string path = StringMember(r, "jsonpath", at, true, &errors);
        std::string regex = StringMember(r, "regex", at, true, &errors);
        if (!path.empty()) {
          auto p = jsonpath::Path::Compile(path);
          if (p) {
            rule.path = std::move(*p);
          } else {
            errors.Add(JoinPath(at, "jsonpath"), p.error().message());
          }
        }
        if (r.contains("regex") && r["regex"].is_string()) {
          auto re = jsonpath::Regex::Compile(regex);
          if (re) {
            rule.regex = std::move(*re);
          } else {
            errors.Add(JoinPath(at, "regex"), re.error().message());
          }
        }
      }
      auto topics = r.find("topics");
      if (topics == r.end() || !topics->is_array() || topics->empty()) {
        errors.Add(JoinPath(at, "topics"), "must be a non-empty array of topic names");
      } else {
        for (size_t k = 0; k < topics->size(); ++k) {
          const auto& t = (*topics)[k];
          const std::string topic_at = JoinPath(at, "topics[" + std::to_string(k) + "]");
          if (!t.is_string()) {
            errors.Add(topic_at, "must be a topic name (a string)");
          } else if (auto st = ValidateTopicName(t.get_ref<const std::string&>(), topic_at); !st) {
            errors.AddError(st.error());
          } else {
            rule.topics.push_back(t.get<std::string>());
          }
        }
      }
      route->rules_.push_back(std::move(rule));
    }
  }
  if (!patterns.empty()) {
    auto matcher = pattern::Matcher::Compile(patterns);
    if (matcher) {
      route->matcher_ = std::move(*matcher);
    } else {
      errors.AddError(matcher.error());
    }
  }
  if (!errors.empty()) return Fail(errors.ToError());
  return route;
}

Result<std::optional<size_t>> Route::FirstMatch(const Event& event) const {
  std::vector<size_t> matched;
  if (matcher_) {
    auto m = matcher_->Match(event.json);
    if (!m) return Fail(m.error().WithContext("route: event " + event.id));
    matched = std::move(*m);
  }
  simdjson::dom::parser parser;
  size_t regex_budget = kRegexBudgetPerEvent;
  std::optional<simdjson::dom::element> root;
  std::vector<simdjson::dom::element> nodes;
  for (size_t i = 0; i < rules_.size(); ++i) {
    const Rule& rule = rules_[i];
    if (rule.pattern) {
      if (std::binary_search(matched.begin(), matched.end(), *rule.pattern)) return i;
      continue;
    }
    if (!root) {
      INFLOW_TRY(root, ParseEvent(parser, event, "route"));
    }
    nodes.clear();
    auto at = [&](const char* member) {
      return "route: event " + event.id + ": rules[" + std::to_string(i) + "]." + member;
    };
    Status selected = rule.path->EvaluateChecked(*root, &nodes);
    if (!selected) return Fail(selected.error().WithContext(at("jsonpath")));
    for (const auto& node : nodes) {
      std::string_view s;
      if (node.get_string().get(s) != simdjson::SUCCESS) continue;
      Result<bool> found = rule.regex->Search(s, &regex_budget);
      if (!found) {
        return Fail(ErrorCode::kResourceExhausted,
                    at("regex") + ": matching needs more than " +
                        std::to_string(kRegexBudgetPerEvent) +
                        " steps on this event (the budget of all regex rules for one event)");
      }
      if (*found) return i;
    }
  }
  return std::optional<size_t>();
}

Result<std::vector<Event>> Route::Apply(std::vector<Event> events) {
  std::vector<Event> out;
  out.reserve(events.size());
  for (Event& event : events) {
    INFLOW_TRY(std::optional<size_t> rule, FirstMatch(event));
    if (!rule) {
      if (default_topic_) event.topic = default_topic_;
      out.push_back(std::move(event));
      continue;
    }
    const auto& topics = rules_[*rule].topics;
    for (const std::string& topic : topics) {
      out.push_back(event);
      out.back().topic = topic;
    }
  }
  return out;
}

}  // namespace inflow::transform
