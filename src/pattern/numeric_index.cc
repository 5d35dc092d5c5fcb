// Building the numeric index (numeric_index.h): sorting the boundaries of a field's numeric
// conditions and listing, per segment, the tests it satisfies.
#include "pattern/numeric_index.h"

#include <cmath>
#include <set>

namespace inflow::pattern {

void NumericIndex::Finish() {
  if (pending.empty()) return;
  std::set<double> b;
  for (const Range& r : pending) {
    if (std::isfinite(r.interval.lo)) b.insert(r.interval.lo);
    if (std::isfinite(r.interval.hi)) b.insert(r.interval.hi);
  }
  bounds.assign(b.begin(), b.end());
  padded_bounds = bounds;
  if (padded_bounds.size() % 2 != 0) {
    padded_bounds.push_back(std::numeric_limits<double>::infinity());
  }
  segments.assign(2 * bounds.size() + 1, {});
  auto index_of = [&](double x) {
    return static_cast<size_t>(std::lower_bound(bounds.begin(), bounds.end(), x) - bounds.begin());
  };
  for (const Range& r : pending) {
    const Interval& iv = r.interval;
    size_t first = std::isfinite(iv.lo) ? 2 * index_of(iv.lo) + (iv.lo_inclusive ? 1 : 2) : 0;
    size_t last = std::isfinite(iv.hi) ? 2 * index_of(iv.hi) + (iv.hi_inclusive ? 1 : 0)
                                       : segments.size() - 1;
    for (size_t seg = first; seg <= last; ++seg) segments[seg].push_back(r.test);
  }
  pending.clear();
}

}  // namespace inflow::pattern
