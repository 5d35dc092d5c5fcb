// CityLots-shaped benchmark data: events generated from the three real San Francisco lot features
// in ../shared/data/citylots-samples/ (read in place), and the pattern sets both engines run.
//
// Generation is deterministic for a seed (a fixed xorshift generator and our own formatting),
// so every run and every engine sees the same bytes.
//
// Thread safety: pure functions.
#ifndef INFLOW_BENCH_PATTERN_CITYLOTS_H_
#define INFLOW_BENCH_PATTERN_CITYLOTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"

namespace inflow::bench {

// `count` compact JSON events (~900 B each) derived from the samples in `samples_dir`.
Result<std::vector<std::string>> GenerateCityLots(const std::string& samples_dir, size_t count,
                                                  uint64_t seed);

struct PatternSet {
  std::string name;                  // "exact", "prefix", …, "scale-10000"
  std::vector<std::string> ours;     // inflow patterns
  std::vector<std::string> quamina;  // the same conditions in quamina v1 syntax; empty: n/a
};

// Five patterns per operator type, then 1, 100 and 10 000 exact patterns over the same fields.
std::vector<PatternSet> BenchmarkPatternSets();

}  // namespace inflow::bench

#endif  // INFLOW_BENCH_PATTERN_CITYLOTS_H_
