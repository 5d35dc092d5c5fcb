// Compiling patterns into the matcher's index (matcher_impl.h) and the parts of the Matcher
// API that do not walk an event. Matching is in matcher_walk.cc.
#include "pattern/matcher.h"

#include <algorithm>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "pattern/matcher_impl.h"

namespace inflow::pattern {

uint32_t Matcher::Impl::FieldFor(const std::vector<std::string>& path) {
  uint32_t node = 0;
  for (const std::string& key : path) {
    uint32_t next = kNone;
    for (auto& [k, child] : nodes[node].children) {
      if (k == key) next = child;
    }
    if (next == kNone) {
      next = static_cast<uint32_t>(nodes.size());
      nodes[node].children.emplace_back(key, next);
      nodes.emplace_back();
    }
    node = next;
  }
  if (nodes[node].field == kNone) {
    nodes[node].field = static_cast<uint32_t>(fields.size());
    fields.emplace_back();
  }
  return nodes[node].field;
}

void Matcher::Impl::AddCondition(FieldIndex& f, const Condition& c, uint32_t test) {
  bool linear = false;
  switch (c.kind) {
    case ConditionKind::kExact:
      switch (c.literal.type) {
        case Literal::Type::kString:
          f.exact_string[c.literal.text].push_back(test);
          break;
        case Literal::Type::kNumber:
          f.exact_number[c.literal.number].push_back(test);
          break;
        case Literal::Type::kTrue:
          f.exact_true.push_back(test);
          break;
        case Literal::Type::kFalse:
          f.exact_false.push_back(test);
          break;
        case Literal::Type::kNull:
          f.exact_null.push_back(test);
          break;
      }
      break;
    case ConditionKind::kPrefix:
      f.prefix.Add(c.text, test);
      break;
    case ConditionKind::kSuffix:
      f.suffix.Add(c.text, test);
      break;
    case ConditionKind::kContains:
      f.contains.emplace_back(c.text, test);
      linear = true;
      break;
    case ConditionKind::kEqualsIgnoreCase:
      f.equals_ignore_case[c.text].push_back(test);
      f.needs_lower = true;
      break;
    case ConditionKind::kPrefixIgnoreCase:
      f.prefix_ignore_case.Add(c.text, test);
      f.needs_lower = true;
      break;
    case ConditionKind::kSuffixIgnoreCase:
      f.suffix_ignore_case.Add(c.text, test);
      f.needs_lower = true;
      break;
    case ConditionKind::kWildcard:
      f.wildcards.emplace_back(&c.wildcard, test);
      stats.wildcard_conditions++;
      stats.max_wildcard_stars = std::max(stats.max_wildcard_stars, c.wildcard.pieces.size() - 1);
      linear = true;
      break;
    case ConditionKind::kAnythingBut:
      f.anything_but.push_back(test);
      for (const Literal& l : c.literals) {
        switch (l.type) {
          case Literal::Type::kString:
            f.anything_but_string[l.text].push_back(test);
            break;
          case Literal::Type::kNumber:
            f.anything_but_number[l.number].push_back(test);
            break;
          case Literal::Type::kTrue:
            f.anything_but_true.push_back(test);
            break;
          case Literal::Type::kFalse:
            f.anything_but_false.push_back(test);
            break;
          case Literal::Type::kNull:
            f.anything_but_null.push_back(test);
            break;
        }
      }
      break;
    case ConditionKind::kAnythingButPrefix:
    case ConditionKind::kAnythingButSuffix:
    case ConditionKind::kAnythingButIgnoreCase:
    case ConditionKind::kAnythingButWildcard:
      f.anything_but_string_ops.emplace_back(&c, test);
      if (c.kind == ConditionKind::kAnythingButWildcard) {
        stats.wildcard_conditions += c.wildcards.size();
        for (const Wildcard& w : c.wildcards) {
          stats.max_wildcard_stars = std::max(stats.max_wildcard_stars, w.pieces.size() - 1);
        }
      }
      if (c.kind == ConditionKind::kAnythingButIgnoreCase) f.needs_lower = true;
      linear = true;
      break;
    case ConditionKind::kNumeric:
      for (const Interval& iv : c.intervals) f.numeric.pending.push_back({iv, test});
      break;
    case ConditionKind::kCidr:
      f.cidr.Add(c.cidr, test);
      break;
    case ConditionKind::kExists:
      (c.exists ? f.exists_true : f.exists_false).push_back(test);
      break;
  }
  (linear ? stats.linear_conditions : stats.indexed_conditions)++;
}

Status Matcher::Impl::Add(std::string name, Pattern pattern) {
  uint32_t pattern_index = static_cast<uint32_t>(names.size());
  names.push_back(std::move(name));
  patterns.push_back(std::move(pattern));
  const Pattern& p = patterns.back();
  for (const auto& conj : p.alternatives()) {
    if (conj.empty()) {
      if (always.empty() || always.back() != pattern_index) always.push_back(pattern_index);
      continue;
    }
    uint32_t conj_id = static_cast<uint32_t>(conj_tests.size());
    conj_tests.emplace_back();
    conj_pattern.push_back(pattern_index);
    for (const FieldTest* ft : conj) {
      std::string key;
      for (const auto& k : ft->path) key += k + '\0';
      key += '\1';
      for (const Condition& c : ft->any_of) key += c.source + '\0';
      auto [it, inserted] = test_by_key.emplace(key, static_cast<uint32_t>(test_conjs.size()));
      uint32_t test = it->second;
      if (inserted) {
        test_conjs.emplace_back();
        bool negative = false;
        uint32_t field = FieldFor(ft->path);
        for (const Condition& c : ft->any_of) {
          AddCondition(fields[field], c, test);
          negative |= (c.kind == ConditionKind::kExists && !c.exists) ||
                      (c.kind >= ConditionKind::kAnythingBut &&
                       c.kind <= ConditionKind::kAnythingButWildcard);
        }
        test_negative.push_back(negative);
        stats.field_tests++;
      }
      auto& tests = conj_tests[conj_id];
      if (std::find(tests.begin(), tests.end(), test) == tests.end()) {
        tests.push_back(test);
        test_conjs[test].push_back(conj_id);
      }
    }
  }
  return Ok();
}

void Matcher::Impl::Finish() {
  for (uint32_t i = 0; i < fields.size(); ++i) {
    fields[i].numeric.Finish();
    if (!fields[i].exists_false.empty()) fields_with_exists_false.push_back(i);
  }
  anchor_conjs.assign(test_conjs.size(), {});
  for (uint32_t c = 0; c < conj_tests.size(); ++c) {
    uint32_t best = conj_tests[c][0];
    auto score = [&](uint32_t t) { return test_conjs[t].size() * 2 + test_negative[t]; };
    for (uint32_t t : conj_tests[c]) {
      if (score(t) < score(best)) best = t;
    }
    anchor_conjs[best].push_back(c);
  }
  test_conjs.clear();
  test_conjs.shrink_to_fit();
  test_by_key.clear();
  stats.patterns = names.size();
  stats.conjunctions = conj_tests.size();
  stats.fields = fields.size();
}

Result<Matcher> Matcher::Compile(
    const std::vector<std::pair<std::string, std::string>>& named_patterns) {
  auto impl = std::make_shared<Impl>();
  impl->nodes.emplace_back();
  impl->patterns.reserve(named_patterns.size());  // the index points into these
  for (const auto& [name, json] : named_patterns) {
    auto parsed = Pattern::Parse(json);
    if (!parsed) {
      return Fail(parsed.error().WithContext("pattern '" + name + "'"));
    }
    INFLOW_RETURN_IF_ERROR(impl->Add(name, std::move(parsed).value()));
  }
  impl->Finish();
  return Matcher(std::move(impl));
}

Result<Matcher> Matcher::Compile(std::string_view pattern_json) {
  auto impl = std::make_shared<Impl>();
  impl->nodes.emplace_back();
  INFLOW_TRY(auto parsed, Pattern::Parse(pattern_json));
  INFLOW_RETURN_IF_ERROR(impl->Add("pattern", std::move(parsed)));
  impl->Finish();
  return Matcher(std::move(impl));
}

Result<bool> Matcher::Matches(std::string_view event_json) const {
  INFLOW_TRY(auto hits, Match(event_json));
  return !hits.empty();
}

size_t Matcher::size() const { return impl_->names.size(); }
const std::string& Matcher::name(size_t index) const { return impl_->names[index]; }
const MatcherStats& Matcher::stats() const { return impl_->stats; }

}  // namespace inflow::pattern
