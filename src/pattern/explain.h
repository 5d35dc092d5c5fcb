// Explain: evaluates one Pattern directly on a parsed event and says which conditions failed.
//
// This is the slow, obvious reading of the semantics (product.md §2): it walks the pattern tree
// instead of the compiled index, so it doubles as the reference the Matcher is tested against.
// Use it for `inflow pattern test --explain` and the console's tester, never on the hot path.
//
// Thread safety: pure functions over immutable inputs.
#ifndef INFLOW_PATTERN_EXPLAIN_H_
#define INFLOW_PATTERN_EXPLAIN_H_

#include <string>
#include <vector>

#include "pattern/pattern.h"

namespace simdjson::dom {
class element;
}  // namespace simdjson::dom

namespace inflow::pattern {

struct Explanation {
  bool matched = false;
  // One line per failed field test or $or group, naming its JSON path, the event's values and
  // the conditions they failed; empty when matched.
  std::vector<std::string> failures;
};

Explanation Explain(const Pattern& pattern, const simdjson::dom::element& event);

}  // namespace inflow::pattern

#endif  // INFLOW_PATTERN_EXPLAIN_H_
