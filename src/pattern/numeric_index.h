// The matcher's numeric index: every numeric condition of one event field as a partition of the
// real line into segments, each listing the tests it satisfies, and the small cache of recently
// hit segments that the numbers of one array mostly fall in. Internal to the matcher
// (matcher.h); the lookups run for every event number, so they are inline.
//
// Thread safety: a NumericIndex is built by one thread (Finish), then only read by any number of
// threads; a RecentSegments belongs to the one walk that fills it.
#ifndef INFLOW_PATTERN_NUMERIC_INDEX_H_
#define INFLOW_PATTERN_NUMERIC_INDEX_H_

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "pattern/number_text.h"
#include "pattern/pattern.h"
#include "pattern/test_ids.h"

namespace inflow::pattern {

// The open segments of a numeric index that the last numbers of one array fell in, with the
// tests each satisfies (nullptr: none). The numbers of an array cluster (a polygon's
// coordinates, a series), so most find their segment here — all entries compared at once, no
// branch on which one holds it — instead of comparing with every boundary.
class RecentSegments {
 public:
  RecentSegments() {
    lo_.fill(std::numeric_limits<double>::infinity());  // empty: nothing lies inside
    hi_.fill(-std::numeric_limits<double>::infinity());
  }
  bool Find(double lo, double hi, const Ids** tests) const {
    if (lo == hi && lo == last_exact_) {  // the same exact number again: 0 in z coordinates
      *tests = last_exact_tests_;
      return true;
    }
    unsigned inside = 0;
#if defined(__SSE2__)
    __m128d l = _mm_set1_pd(lo);
    __m128d h = _mm_set1_pd(hi);
    for (size_t i = 0; i < kEntries; i += 2) {
      __m128d in = _mm_and_pd(_mm_cmplt_pd(_mm_loadu_pd(&lo_[i]), l),
                              _mm_cmpgt_pd(_mm_loadu_pd(&hi_[i]), h));
      inside |= static_cast<unsigned>(_mm_movemask_pd(in)) << i;
    }
#else
    for (size_t i = 0; i < kEntries; ++i) inside |= unsigned{lo > lo_[i] && hi < hi_[i]} << i;
#endif
    if (inside == 0) return false;
    *tests = tests_[__builtin_ctz(inside)];
    return true;
  }
  // An exact number and its tests, found again without comparisons.
  void AddExact(double value, const Ids* tests) {
    last_exact_ = value;
    last_exact_tests_ = tests;
  }
  void Add(std::pair<double, double> interval, const Ids* tests) {
    size_t i = next_++ % kEntries;
    lo_[i] = interval.first;
    hi_[i] = interval.second;
    tests_[i] = tests;
  }

 private:
  static constexpr size_t kEntries = 4;
  std::array<double, kEntries> lo_;
  std::array<double, kEntries> hi_;
  std::array<const Ids*, kEntries> tests_{};
  unsigned next_ = 0;
  double last_exact_ = std::numeric_limits<double>::quiet_NaN();  // equal to nothing
  const Ids* last_exact_tests_ = nullptr;
};

// Every numeric condition of a field as a partition of the real line: sorted distinct
// boundaries b0 < b1 < … cut it into segments (-inf,b0) [b0] (b0,b1) [b1] … (bk,+inf); each
// segment lists the tests it satisfies, so a value costs one look for its segment.
struct NumericIndex {
  struct Range {
    Interval interval;
    uint32_t test;
  };
  std::vector<Range> pending;  // filled while compiling
  std::vector<double> bounds;
  std::vector<double> padded_bounds;  // bounds and +inf up to an even count, for SSE2 pairs
  std::vector<Ids> segments;          // 2 * bounds.size() + 1

  // Turns `pending` into the boundaries and segments. Build time only.
  void Finish();
  // The segment holding x; kNone when the field has no numeric condition.
  uint32_t SegmentOf(double x) const {
    if (segments.empty()) return kNone;
    size_t i = LowerBound(x);
    return static_cast<uint32_t>((i < bounds.size() && bounds[i] == x) ? 2 * i + 1 : 2 * i);
  }
  // The open interval of segment 2i: between the boundaries around it.
  std::pair<double, double> OpenInterval(uint32_t segment) const {
    size_t i = segment / 2;
    return {i == 0 ? -std::numeric_limits<double>::infinity() : bounds[i - 1],
            i == bounds.size() ? std::numeric_limits<double>::infinity() : bounds[i]};
  }
  // The tests a bracketed number satisfies (nullptr: none), its segment looked up in `recent`
  // first and added there. False when a boundary lies in the bracket.
  bool TestsOf(const NumberBracket& n, RecentSegments* recent, const Ids** tests) const {
    *tests = nullptr;
    if (segments.empty() || recent->Find(n.lo, n.hi, tests)) return true;
    uint32_t segment;
    if (!SegmentOf(n, &segment)) return false;
    if (!segments[segment].empty()) *tests = &segments[segment];
    if (segment % 2 == 0) recent->Add(OpenInterval(segment), *tests);
    if (n.exact) recent->AddExact(n.lo, *tests);
    return true;
  }
  // The segment holding a bracketed number (kNone when the field has no numeric condition);
  // false when a boundary lies in the bracket, so the exact value decides.
  bool SegmentOf(const NumberBracket& n, uint32_t* segment) const {
    if (n.exact) {
      *segment = SegmentOf(n.lo);
      return true;
    }
    return SegmentOf(n.lo, n.hi, segment);
  }
  // The segment holding every number in [lo, hi]; false when a boundary lies inside, so the
  // exact value decides.
  bool SegmentOf(double lo, double hi, uint32_t* segment) const {
    if (segments.empty()) {
      *segment = kNone;
      return true;
    }
    size_t i = LowerBound(lo);
    if (i < bounds.size() && bounds[i] <= hi) return false;
    *segment = static_cast<uint32_t>(2 * i);
    return true;
  }

 private:
  // The number of bounds below x. Event numbers land anywhere, so a binary search mispredicts
  // about every other step, and a branch-free one waits on each load in turn: up to a few
  // dozen bounds, comparing with all of them (independent loads, no branch) is fastest.
  size_t LowerBound(double x) const {
    if (bounds.size() > kLinearBounds) {
      return static_cast<size_t>(std::lower_bound(bounds.begin(), bounds.end(), x) -
                                 bounds.begin());
    }
#if defined(__SSE2__)
    __m128i below = _mm_setzero_si128();
    __m128d v = _mm_set1_pd(x);
    for (size_t i = 0; i < padded_bounds.size(); i += 2) {
      // Each lane of the comparison is 0 or -1.
      below =
          _mm_sub_epi64(below, _mm_castpd_si128(_mm_cmplt_pd(_mm_loadu_pd(&padded_bounds[i]), v)));
    }
    return static_cast<size_t>(_mm_cvtsi128_si64(below) +
                               _mm_cvtsi128_si64(_mm_unpackhi_epi64(below, below)));
#else
    size_t below = 0;
    for (double b : bounds) below += b < x;
    return below;
#endif
  }
  static constexpr size_t kLinearBounds = 32;
};

}  // namespace inflow::pattern

#endif  // INFLOW_PATTERN_NUMERIC_INDEX_H_
