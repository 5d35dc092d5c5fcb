// Matcher::Impl: the compiled index behind matcher.h — the trie of event paths, the per-field
// indexes (field_index.h), the conjunctions and their anchors. Internal to the matcher:
// matcher.cc compiles patterns into it, matcher_walk.cc matches events against it.
//
// Thread safety: an Impl is built by one thread, then only read; Match may run concurrently from
// any number of threads (each keeps its own scratch space, matcher_walk.cc).
#ifndef INFLOW_PATTERN_MATCHER_IMPL_H_
#define INFLOW_PATTERN_MATCHER_IMPL_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "pattern/field_index.h"
#include "pattern/matcher.h"
#include "pattern/pattern.h"
#include "pattern/test_ids.h"

namespace inflow::pattern {

struct Matcher::Impl {
  std::vector<std::string> names;
  std::vector<Pattern> patterns;  // owns the conditions the index points into
  std::vector<PathNode> nodes;    // nodes[0] is the event root
  std::vector<FieldIndex> fields;
  // Identical field tests of different patterns (same path, same conditions) share one id, so
  // "STREET is MARKET" is evaluated once however many patterns ask it.
  std::unordered_map<std::string, uint32_t> test_by_key;
  std::vector<Ids> test_conjs;         // test → conjunctions containing it (while compiling)
  std::vector<uint8_t> test_negative;  // fires on absence or exclusion: a poor anchor
  std::vector<Ids> conj_tests;         // conjunction → its distinct tests
  std::vector<uint32_t> conj_pattern;
  // Each conjunction is checked only when its anchor fires: the test with the fewest
  // conjunctions, so a shared common test (a popular street) does not wake every pattern.
  std::vector<Ids> anchor_conjs;
  std::vector<uint32_t> always;  // patterns with an empty conjunction (`{}`)
  std::vector<uint32_t> fields_with_exists_false;
  MatcherStats stats;

  // Compiling (matcher.cc). Build time only.
  uint32_t FieldFor(const std::vector<std::string>& path);
  void AddCondition(FieldIndex& f, const Condition& c, uint32_t test);
  Status Add(std::string name, Pattern pattern);
  void Finish();
};

}  // namespace inflow::pattern

#endif  // INFLOW_PATTERN_MATCHER_IMPL_H_
