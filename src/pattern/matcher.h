// Matcher: N named event patterns compiled into one immutable index that says, for an event,
// which patterns match.
//
// Compilation turns every pattern into disjunctive normal form and indexes every leaf condition
// by the event field it reads. Per field the index is flat in the number of rules: hash maps for
// exact and equals-ignore-case values, hash maps per distinct length for prefix / suffix, one
// sorted array of interval boundaries for every numeric condition, hash maps per prefix length
// for cidr blocks. Matching walks only the event fields some pattern names (simdjson On-Demand
// skips everything else; arrays of numbers are read straight from the bytes, number_text.h),
// fires the conditions each value satisfies and counts satisfied field tests per conjunction.
// Conditions that are evaluated one by one (and whose cost therefore grows with their number on
// one field) are reported in stats(): contains, wildcard, and the nested anything-but forms; a
// wildcard's own cost is bounded by kMaxWildcardStars and kMaxWildcardBytes (pattern.h).
//
// Thread safety: a compiled Matcher is immutable; Match() may run concurrently from any number of
// threads (each thread keeps its own scratch space). Copies share the compiled index.
#ifndef INFLOW_PATTERN_MATCHER_H_
#define INFLOW_PATTERN_MATCHER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "pattern/pattern.h"

namespace simdjson {
class padded_string_view;
namespace dom {
class element;
}  // namespace dom
}  // namespace simdjson

namespace inflow::pattern {

struct MatcherStats {
  size_t patterns = 0;
  size_t conjunctions = 0;  // after expanding $or
  size_t fields = 0;        // distinct event paths read
  size_t field_tests = 0;
  size_t indexed_conditions = 0;  // looked up in flat per-field structures
  size_t linear_conditions = 0;   // contains / wildcard / nested anything-but: checked one by one
  size_t wildcard_conditions = 0;
  size_t max_wildcard_stars = 0;  // the worst wildcard's '*' count (cost ≈ stars × value length)
};

class Matcher {
 public:
  // Compiles patterns in order; Match() reports their indices. Names are for the caller.
  // An invalid pattern fails the whole compilation with its name prepended to the reason.
  static Result<Matcher> Compile(
      const std::vector<std::pair<std::string, std::string>>& named_patterns);
  // The common single-pattern case: index 0.
  static Result<Matcher> Compile(std::string_view pattern_json);

  // Indices of the matching patterns, ascending. The event is raw JSON; only the fields the
  // patterns name are decoded, so malformed JSON elsewhere in the event may go unnoticed.
  Result<std::vector<size_t>> Match(std::string_view event_json) const;
  // The same without copying: the view must carry simdjson's padding.
  Result<std::vector<size_t>> Match(const simdjson::padded_string_view& event_json) const;
  // The same on an event that is already a parsed DOM.
  std::vector<size_t> Match(const simdjson::dom::element& event) const;

  // True when at least one pattern matches.
  Result<bool> Matches(std::string_view event_json) const;

  size_t size() const;
  const std::string& name(size_t index) const;
  const MatcherStats& stats() const;

  struct Impl;

 private:
  explicit Matcher(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

}  // namespace inflow::pattern

#endif  // INFLOW_PATTERN_MATCHER_H_
