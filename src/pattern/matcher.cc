#include "pattern/matcher.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "pattern/number_text.h"

namespace inflow::pattern {
namespace {

namespace od = simdjson::ondemand;
namespace dom = simdjson::dom;

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
using Ids = std::vector<uint32_t>;

// String → test ids, probed once or more per event string: open addressing over one flat slot
// array (power-of-two size, at most half full), so a lookup is a hash, a mask and usually one
// string compare — no division by a prime bucket count and no node pointer chasing, which
// dominated matching with std::unordered_map once a field had more than a few values.
class StringMap {
 public:
  // The ids for `key`, created empty if absent. Build time only: invalidates earlier pointers.
  Ids& operator[](const std::string& key) {
    if ((entries_.size() + 1) * 2 > slots_.size()) Grow();
    uint64_t h = Hash(key);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      Slot& slot = slots_[i];
      if (slot.entry == kNone) {
        slot = {h, static_cast<uint32_t>(entries_.size())};
        entries_.emplace_back(key, Ids());
        return entries_.back().second;
      }
      if (slot.hash == h && entries_[slot.entry].first == key) return entries_[slot.entry].second;
    }
  }
  const Ids* find(std::string_view key) const {
    if (entries_.empty()) return nullptr;
    uint64_t h = Hash(key);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (slot.entry == kNone) return nullptr;
      if (slot.hash == h && entries_[slot.entry].first == key) return &entries_[slot.entry].second;
    }
  }
  bool empty() const { return entries_.empty(); }

 private:
  struct Slot {
    uint64_t hash = 0;
    uint32_t entry = kNone;
  };
  static uint64_t Hash(std::string_view s) { return std::hash<std::string_view>()(s); }
  void Grow() {
    size_t size = std::max<size_t>(16, slots_.size() * 2);
    slots_.assign(size, Slot{});
    mask_ = size - 1;
    for (uint32_t e = 0; e < entries_.size(); ++e) {
      uint64_t h = Hash(entries_[e].first);
      size_t i = h & mask_;
      while (slots_[i].entry != kNone) i = (i + 1) & mask_;
      slots_[i] = {h, e};
    }
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  std::vector<std::pair<std::string, Ids>> entries_;
};

// Strings keyed by exact text, probed once per distinct key length: prefix and suffix
// conditions cost one hash lookup per distinct length, whatever their number.
struct LengthIndex {
  StringMap by_text;
  std::vector<size_t> lengths;  // ascending, distinct

  void Add(const std::string& text, uint32_t test) {
    by_text[text].push_back(test);
    if (std::find(lengths.begin(), lengths.end(), text.size()) == lengths.end()) {
      lengths.insert(std::upper_bound(lengths.begin(), lengths.end(), text.size()), text.size());
    }
  }
  bool empty() const { return lengths.empty(); }
  template <typename F>
  void Prefixes(std::string_view s, F&& fire) const {
    for (size_t len : lengths) {
      if (len > s.size()) break;
      if (const Ids* ids = by_text.find(s.substr(0, len))) fire(*ids);
    }
  }
  template <typename F>
  void Suffixes(std::string_view s, F&& fire) const {
    for (size_t len : lengths) {
      if (len > s.size()) break;
      if (const Ids* ids = by_text.find(s.substr(s.size() - len))) fire(*ids);
    }
  }
};

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

  void Finish() {
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
      return static_cast<size_t>(std::lower_bound(bounds.begin(), bounds.end(), x) -
                                 bounds.begin());
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

// Cidr blocks hashed by their masked address, one table per prefix length in use.
struct CidrIndex {
  struct Table {
    bool v6;
    int prefix_len;
    std::unordered_map<std::string, Ids> by_network;
  };
  std::vector<Table> tables;

  static std::string Key(const std::array<uint8_t, 16>& addr, int prefix_len) {
    std::array<uint8_t, 16> masked = addr;
    for (int bit = prefix_len; bit < 128; ++bit) masked[bit / 8] &= ~(0x80u >> (bit % 8));
    return std::string(reinterpret_cast<const char*>(masked.data()), masked.size());
  }
  void Add(const CidrBlock& block, uint32_t test) {
    for (Table& t : tables) {
      if (t.v6 == block.v6 && t.prefix_len == block.prefix_len) {
        t.by_network[Key(block.address, block.prefix_len)].push_back(test);
        return;
      }
    }
    tables.push_back({block.v6, block.prefix_len, {}});
    tables.back().by_network[Key(block.address, block.prefix_len)].push_back(test);
  }
};

struct NumberHash {
  size_t operator()(double d) const { return std::hash<double>()(d == 0 ? 0.0 : d); }
};

// Everything the patterns ask of one event field.
struct FieldIndex {
  StringMap exact_string;
  std::unordered_map<double, Ids, NumberHash> exact_number;
  Ids exact_true, exact_false, exact_null;
  StringMap equals_ignore_case;
  LengthIndex prefix, suffix, prefix_ignore_case, suffix_ignore_case;
  std::vector<std::pair<std::string, uint32_t>> contains;
  std::vector<std::pair<const Wildcard*, uint32_t>> wildcards;
  NumericIndex numeric;
  CidrIndex cidr;
  // anything-but with values: every such test fires unless the value is in its list.
  Ids anything_but;
  StringMap anything_but_string;
  std::unordered_map<double, Ids, NumberHash> anything_but_number;
  Ids anything_but_true, anything_but_false, anything_but_null;
  // anything-but prefix / suffix / equals-ignore-case / wildcard: checked one by one.
  std::vector<std::pair<const Condition*, uint32_t>> anything_but_string_ops;
  Ids exists_true, exists_false;
  bool needs_lower = false;

  // Exact number lists compare the exact value; ranges only need its segment.
  bool NeedsExactNumber() const { return !exact_number.empty() || !anything_but_number.empty(); }
};

// Which event keys lead to which fields.
struct PathNode {
  std::vector<std::pair<std::string, uint32_t>> children;
  uint32_t field = kNone;
};

// The children of one PathNode already met while walking one event object. An object member
// whose name was met before is not read (the first occurrence of a duplicate name wins, as in
// Explain), and the walk leaves the object as soon as every child was met: the rest of the
// object — in CloudEvents and CityLots, the large row images or coordinates after the fields
// a pattern names — is never parsed.
class ChildrenMet {
 public:
  explicit ChildrenMet(size_t count) : remaining_(count) {
    if (count > 64) many_.assign(count, false);
  }
  // True the first time child `index` is met.
  bool First(size_t index) {
    if (many_.empty()) {
      uint64_t bit = uint64_t{1} << index;
      if (few_ & bit) return false;
      few_ |= bit;
    } else {
      if (many_[index]) return false;
      many_[index] = true;
    }
    --remaining_;
    return true;
  }
  bool All() const { return remaining_ == 0; }

 private:
  size_t remaining_;
  uint64_t few_ = 0;
  std::vector<bool> many_;
};

// Per-thread scratch: epoch-stamped arrays, so nothing is cleared between events.
struct Scratch {
  uint32_t epoch = 0;
  std::vector<uint32_t> field_seen, test_fired, test_veto, pattern_hit;
  std::vector<uint32_t> fired_anchors;  // anchor tests fired by this event
  std::string lower;
  std::vector<size_t>* out = nullptr;
  const char* end = nullptr;  // of the raw event being matched

  void Begin(size_t fields, size_t tests, size_t patterns) {
    auto grow = [](std::vector<uint32_t>& v, size_t n) {
      if (v.size() < n) v.resize(n, 0);
    };
    grow(field_seen, fields);
    grow(test_fired, tests);
    grow(test_veto, tests);
    grow(pattern_hit, patterns);
    if (++epoch == 0) {
      for (auto* v : {&field_seen, &test_fired, &test_veto, &pattern_hit}) {
        std::fill(v->begin(), v->end(), 0);
      }
      epoch = 1;
    }
  }
};

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

}  // namespace

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

  uint32_t FieldFor(const std::vector<std::string>& path) {
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

  void AddCondition(FieldIndex& f, const Condition& c, uint32_t test) {
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

  Status Add(std::string name, Pattern pattern) {
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

  void Finish() {
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

  // --- matching ---------------------------------------------------------------------------

  void Fire(Scratch& s, uint32_t test) const {
    if (s.test_fired[test] == s.epoch) return;
    s.test_fired[test] = s.epoch;
    if (!anchor_conjs[test].empty()) s.fired_anchors.push_back(test);
  }
  void FireAll(Scratch& s, const Ids& ids) const {
    for (uint32_t t : ids) Fire(s, t);
  }
  void Veto(Scratch& s, const Ids& ids) const {
    for (uint32_t t : ids) s.test_veto[t] = s.epoch;
  }
  // Fires the anything-but tests not vetoed for this value. Vetoes are per value: undo them.
  void FireAnythingBut(Scratch& s, const FieldIndex& f) const {
    for (uint32_t t : f.anything_but) {
      if (s.test_veto[t] != s.epoch) Fire(s, t);
      s.test_veto[t] = 0;
    }
  }

  void Present(Scratch& s, uint32_t field) const {
    if (s.field_seen[field] == s.epoch) return;
    s.field_seen[field] = s.epoch;
    FireAll(s, fields[field].exists_true);
  }

  static bool StringOpExcludes(const Condition& c, std::string_view v, std::string_view lower) {
    switch (c.kind) {
      case ConditionKind::kAnythingButPrefix:
        for (const auto& t : c.texts) {
          if (v.substr(0, t.size()) == t) return true;
        }
        return false;
      case ConditionKind::kAnythingButSuffix:
        for (const auto& t : c.texts) {
          if (v.size() >= t.size() && v.substr(v.size() - t.size()) == t) return true;
        }
        return false;
      case ConditionKind::kAnythingButIgnoreCase:
        for (const auto& t : c.texts) {
          if (lower == t) return true;
        }
        return false;
      default:
        for (const auto& w : c.wildcards) {
          if (w.Matches(v)) return true;
        }
        return false;
    }
  }

  void OnString(Scratch& s, uint32_t field, std::string_view v) const {
    Present(s, field);
    const FieldIndex& f = fields[field];
    if (const Ids* ids = f.exact_string.find(v)) FireAll(s, *ids);
    auto fire = [&](const Ids& ids) { FireAll(s, ids); };
    f.prefix.Prefixes(v, fire);
    f.suffix.Suffixes(v, fire);
    std::string_view lower;
    if (f.needs_lower) {
      s.lower.assign(v);
      for (char& c : s.lower) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      }
      lower = s.lower;
      if (const Ids* ids = f.equals_ignore_case.find(lower)) FireAll(s, *ids);
      f.prefix_ignore_case.Prefixes(lower, fire);
      f.suffix_ignore_case.Suffixes(lower, fire);
    }
    for (const auto& [text, test] : f.contains) {
      if (v.find(text) != std::string_view::npos) Fire(s, test);
    }
    for (const auto& [w, test] : f.wildcards) {
      if (w->Matches(v)) Fire(s, test);
    }
    if (!f.cidr.tables.empty()) {
      bool v6 = false;
      std::array<uint8_t, 16> addr;
      if (ParseIp(v, &v6, &addr)) {
        for (const auto& t : f.cidr.tables) {
          if (t.v6 != v6) continue;
          auto it = t.by_network.find(CidrIndex::Key(addr, t.prefix_len));
          if (it != t.by_network.end()) FireAll(s, it->second);
        }
      }
    }
    if (!f.anything_but.empty()) {
      if (const Ids* ids = f.anything_but_string.find(v)) Veto(s, *ids);
      FireAnythingBut(s, f);
    }
    for (const auto& [c, test] : f.anything_but_string_ops) {
      if (!StringOpExcludes(*c, v, lower)) Fire(s, test);
    }
  }

  void OnNumber(Scratch& s, uint32_t field, double v) const {
    OnNumber(s, field, v, fields[field].numeric.SegmentOf(v));
  }
  // `segment` is v's segment of the numeric index (kNone: no numeric condition). v may be
  // approximate when no exact number is listed for the field (NeedsExactNumber).
  void OnNumber(Scratch& s, uint32_t field, double v, uint32_t segment) const {
    Present(s, field);
    const FieldIndex& f = fields[field];
    if (!f.exact_number.empty()) {
      auto it = f.exact_number.find(v);
      if (it != f.exact_number.end()) FireAll(s, it->second);
    }
    if (segment != kNone) FireAll(s, f.numeric.segments[segment]);
    if (!f.anything_but.empty()) {
      auto it = f.anything_but_number.find(v);
      if (it != f.anything_but_number.end()) Veto(s, it->second);
      FireAnythingBut(s, f);
    }
  }

  // Fires what a number read into a bracket satisfies. False when its exact value is needed
  // and [p, end) is outside the double range: simdjson then has the say.
  bool OnNumberBracket(Scratch& s, uint32_t field, const NumberBracket& n, const char* p,
                       const char* end) const {
    const FieldIndex& f = fields[field];
    // An inexact bracket stands for the value only where no exact number is listed.
    uint32_t segment;
    if ((n.exact || !f.NeedsExactNumber()) && f.numeric.SegmentOf(n, &segment)) {
      OnNumber(s, field, n.lo, segment);
    } else {
      double v;
      if (!ExactNumber(std::string_view(p, end - p), &v)) return false;
      OnNumber(s, field, v);
    }
    return true;
  }

  // Compact JSON has no spaces: one comparison rules them out.
  static bool IsSpace(char c) {
    return static_cast<unsigned char>(c) <= ' ' &&
           (c == ' ' || c == '\t' || c == '\n' || c == '\r');
  }
  static bool IsNumberStart(char c) { return c == '-' || (c >= '0' && c <= '9'); }
  static const char* SkipSpaces(const char* p, const char* end) {
    while (p < end && IsSpace(*p)) ++p;
    return p;
  }

  // The array starting at p (its '[') when it holds only numbers and arrays of them — a
  // GeoJSON coordinate list, a vector — read straight from the bytes: simdjson On-Demand costs
  // ~9 ns per element to step through, this a fraction of it. Returns false at anything else
  // (a string, an object, a literal, malformed text): the caller then walks the array with
  // On-Demand from its start, which also reports errors. Only numbers followed by what may
  // follow a value are fired, so the walk reads those again with the same values: no change.
  // Not inlined into the recursive Visit: its locals would weigh on every level of recursion.
  __attribute__((noinline)) bool ReadNumberArray(Scratch& s, uint32_t field, const char* p) const {
    const char* end = s.end;
    const FieldIndex& f = fields[field];
    // Only ranges ask about the numbers of most numeric fields: then a number's segment is all
    // that matters, and the field is present once any number is read.
    bool ranges_only = !f.NeedsExactNumber() && f.anything_but.empty();
    bool present = false;
    RecentSegments recent;
    NumberScanner numbers(p, end);
    int depth = 0;
    for (;;) {
      // At a value: an array opens or a number is read.
      if (p == end) return false;
      if (*p == '[') {
        if (++depth > kMaxDepth) return false;
        p = SkipSpaces(p + 1, end);
        if (p == end) return false;
        if (*p != ']') continue;  // its first element
      } else if (IsSpace(*p)) {
        p = SkipSpaces(p, end);
        continue;
      } else {
        // Numbers, and the separators compact JSON puts between them without leaving the loop:
        // "," within an array, "],[" between sibling arrays (GeoJSON points).
        for (;;) {
          NumberBracket n;
          const char* number_end = numbers.Read(p, &n);
          // What ends the number must end a JSON value here: in "3.747e+01" the scanner's run
          // stops at 'e', and 3.747 must not be taken for the number.
          if (number_end == nullptr || number_end == p || number_end == end ||
              !(*number_end == ',' || *number_end == ']' || IsSpace(*number_end))) {
            return false;
          }
          const Ids* tests;
          if (ranges_only && f.numeric.TestsOf(n, &recent, &tests)) {
            if (!present) {
              Present(s, field);
              present = true;
            }
            if (tests != nullptr) FireAll(s, *tests);
          } else if (!OnNumberBracket(s, field, n, p, number_end)) {
            return false;
          }
          p = number_end;
          if (end - p < 4) break;
          if (p[0] == ',' && IsNumberStart(p[1])) {
            p += 1;
          } else if (p[0] == ']' && p[1] == ',' && p[2] == '[' && depth >= 2 &&
                     IsNumberStart(p[3])) {
            p += 3;
          } else {
            break;
          }
        }
      }
      // After a value (or at the ']' of an empty array): a comma, or arrays closing.
      for (;;) {
        if (p == end) return false;
        char c = *p++;
        if (c == ',') break;
        if (c == ']') {
          if (--depth == 0) return true;
        } else if (!IsSpace(c)) {
          return false;
        }
      }
    }
  }

  // kind: 't' true, 'f' false, 'n' null.
  void OnAtom(Scratch& s, uint32_t field, char kind) const {
    Present(s, field);
    const FieldIndex& f = fields[field];
    FireAll(s, kind == 't' ? f.exact_true : kind == 'f' ? f.exact_false : f.exact_null);
    if (!f.anything_but.empty()) {
      Veto(s, kind == 't'   ? f.anything_but_true
              : kind == 'f' ? f.anything_but_false
                            : f.anything_but_null);
      FireAnythingBut(s, f);
    }
  }

  // The index of `key` among the node's children, or kNone.
  uint32_t ChildIndex(uint32_t node, std::string_view key) const {
    const auto& children = nodes[node].children;
    for (uint32_t i = 0; i < children.size(); ++i) {
      if (children[i].first == key) return i;
    }
    return kNone;
  }

  // --- On-Demand walk ---
  // The nesting the walks accept: simdjson's own limit, which the DOM parser enforces too. It
  // bounds the recursion of Visit and WalkObject, so no event can exhaust the stack.
  static constexpr int kMaxDepth = simdjson::DEFAULT_MAX_DEPTH;

  simdjson::error_code WalkObject(Scratch& s, od::object obj, uint32_t node, int depth) const {
    const auto& children = nodes[node].children;
    ChildrenMet met(children.size());
    for (auto field_result : obj) {
      od::field field;
      if (auto e = std::move(field_result).get(field)) return e;
      // Keys without escapes compare in place; others are unescaped first.
      const char* raw = field.key().raw();
      const char* end = raw;
      while (*end != '"' && *end != '\\') ++end;
      uint32_t index;
      if (*end == '"') {
        index = ChildIndex(node, std::string_view(raw, end - raw));
      } else {
        std::string_view key;
        if (auto e = field.unescaped_key().get(key)) return e;
        index = ChildIndex(node, key);
      }
      if (index == kNone || !met.First(index)) continue;
      if (auto e = Visit(s, field.value(), children[index].second, depth + 1)) return e;
      if (met.All()) break;
    }
    return simdjson::SUCCESS;
  }

  simdjson::error_code Visit(Scratch& s, od::value value, uint32_t node, int depth) const {
    if (depth > kMaxDepth) return simdjson::DEPTH_ERROR;
    od::json_type type;
    if (auto e = value.type().get(type)) return e;
    const PathNode& n = nodes[node];
    switch (type) {
      case od::json_type::object: {
        if (n.children.empty()) return simdjson::SUCCESS;
        od::object obj;
        if (auto e = value.get_object().get(obj)) return e;
        return WalkObject(s, obj, node, depth);
      }
      case od::json_type::array: {
        if (n.children.empty() && n.field != kNone &&
            ReadNumberArray(s, n.field, value.raw_json_token().data())) {
          return simdjson::SUCCESS;
        }
        od::array arr;
        if (auto e = value.get_array().get(arr)) return e;
        for (auto item : arr) {
          od::value v;
          if (auto e = std::move(item).get(v)) return e;
          if (auto e = Visit(s, v, node, depth + 1)) return e;
        }
        return simdjson::SUCCESS;
      }
      case od::json_type::string: {
        if (n.field == kNone) return simdjson::SUCCESS;
        std::string_view str;
        if (auto e = value.get_string().get(str)) return e;
        OnString(s, n.field, str);
        return simdjson::SUCCESS;
      }
      case od::json_type::number: {
        if (n.field == kNone) return simdjson::SUCCESS;
        // The token runs to the next structural character: the number and any spaces.
        std::string_view token = value.raw_json_token();
        while (!token.empty() && IsSpace(token.back())) token.remove_suffix(1);
        NumberBracket number;
        const char* end = token.data() + token.size();
        if (token.empty() || !ReadNumber(token.data(), end, &number) ||
            !OnNumberBracket(s, n.field, number, token.data(), end)) {
          double d;
          if (auto e = value.get_double().get(d)) return e;
          OnNumber(s, n.field, d == 0 ? 0.0 : d);
        }
        return simdjson::SUCCESS;
      }
      case od::json_type::boolean: {
        if (n.field == kNone) return simdjson::SUCCESS;
        bool b;
        if (auto e = value.get_bool().get(b)) return e;
        OnAtom(s, n.field, b ? 't' : 'f');
        return simdjson::SUCCESS;
      }
      case od::json_type::null:
        if (n.field == kNone) return simdjson::SUCCESS;
        {
          bool is_null = false;
          if (auto e = value.is_null().get(is_null)) return e;
          if (!is_null) return simdjson::INCORRECT_TYPE;
        }
        OnAtom(s, n.field, 'n');
        return simdjson::SUCCESS;
    }
    return simdjson::SUCCESS;
  }

  // --- DOM walk ---
  void VisitDom(Scratch& s, dom::element e, uint32_t node) const {
    const PathNode& n = nodes[node];
    switch (e.type()) {
      case dom::element_type::OBJECT:
        if (n.children.empty()) return;
        {
          ChildrenMet met(n.children.size());
          for (auto [key, value] : dom::object(e)) {
            uint32_t index = ChildIndex(node, key);
            if (index == kNone || !met.First(index)) continue;
            VisitDom(s, value, n.children[index].second);
            if (met.All()) break;
          }
        }
        return;
      case dom::element_type::ARRAY:
        for (dom::element item : dom::array(e)) VisitDom(s, item, node);
        return;
      case dom::element_type::STRING:
        if (n.field != kNone) OnString(s, n.field, std::string_view(e));
        return;
      case dom::element_type::INT64:
        if (n.field != kNone) OnNumber(s, n.field, static_cast<double>(int64_t(e)));
        return;
      case dom::element_type::UINT64:
        if (n.field != kNone) OnNumber(s, n.field, static_cast<double>(uint64_t(e)));
        return;
      case dom::element_type::DOUBLE:
        if (n.field != kNone) {
          double d = double(e);
          OnNumber(s, n.field, d == 0 ? 0.0 : d);
        }
        return;
      case dom::element_type::BOOL:
        if (n.field != kNone) OnAtom(s, n.field, bool(e) ? 't' : 'f');
        return;
      case dom::element_type::NULL_VALUE:
        if (n.field != kNone) OnAtom(s, n.field, 'n');
        return;
    }
  }

  Scratch& Begin(std::vector<size_t>* out) const {
    Scratch& s = ThreadScratch();
    s.Begin(fields.size(), anchor_conjs.size(), names.size());
    s.fired_anchors.clear();
    s.out = out;
    for (uint32_t p : always) {
      s.pattern_hit[p] = s.epoch;
      out->push_back(p);
    }
    return s;
  }
  void End(Scratch& s) const {
    for (uint32_t field : fields_with_exists_false) {
      if (s.field_seen[field] != s.epoch) FireAll(s, fields[field].exists_false);
    }
    for (uint32_t anchor : s.fired_anchors) {
      for (uint32_t conj : anchor_conjs[anchor]) {
        uint32_t p = conj_pattern[conj];
        if (s.pattern_hit[p] == s.epoch) continue;
        bool all = true;
        for (uint32_t t : conj_tests[conj]) {
          if (s.test_fired[t] != s.epoch) {
            all = false;
            break;
          }
        }
        if (all) {
          s.pattern_hit[p] = s.epoch;
          s.out->push_back(p);
        }
      }
    }
    std::sort(s.out->begin(), s.out->end());
    s.out = nullptr;
  }

  Result<std::vector<size_t>> MatchPadded(const simdjson::padded_string_view& json) const {
    std::vector<size_t> out;
    thread_local od::parser parser;
    od::document doc;
    if (auto e = parser.iterate(json).get(doc)) {
      return Fail(
          InvalidArgument(std::string("event is not valid JSON: ") + simdjson::error_message(e)));
    }
    Scratch& s = Begin(&out);
    s.end = json.data() + json.length();
    od::json_type type;
    auto err = doc.type().get(type);
    if (!err && type == od::json_type::object && !nodes[0].children.empty()) {
      od::object obj;
      err = doc.get_object().get(obj);
      if (!err) err = WalkObject(s, obj, 0, 1);
    }
    if (err) {
      s.out = nullptr;
      return Fail(
          InvalidArgument(std::string("event is not valid JSON: ") + simdjson::error_message(err)));
    }
    End(s);
    return out;
  }
};

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

Result<std::vector<size_t>> Matcher::Match(std::string_view event_json) const {
  if (event_json.size() > std::numeric_limits<uint32_t>::max()) {
    return Fail(InvalidArgument("event larger than 4 GiB"));
  }
  thread_local std::string buffer;
  buffer.resize(event_json.size() + simdjson::SIMDJSON_PADDING);
  // An empty view may have a null data pointer, which memcpy must not see.
  if (!event_json.empty()) std::memcpy(buffer.data(), event_json.data(), event_json.size());
  std::memset(buffer.data() + event_json.size(), 0, simdjson::SIMDJSON_PADDING);
  return impl_->MatchPadded(
      simdjson::padded_string_view(buffer.data(), event_json.size(), buffer.size()));
}

Result<std::vector<size_t>> Matcher::Match(const simdjson::padded_string_view& event_json) const {
  return impl_->MatchPadded(event_json);
}

std::vector<size_t> Matcher::Match(const simdjson::dom::element& event) const {
  std::vector<size_t> out;
  Scratch& s = impl_->Begin(&out);
  if (event.type() == dom::element_type::OBJECT) impl_->VisitDom(s, event, 0);
  impl_->End(s);
  return out;
}

Result<bool> Matcher::Matches(std::string_view event_json) const {
  INFLOW_TRY(auto hits, Match(event_json));
  return !hits.empty();
}

size_t Matcher::size() const { return impl_->names.size(); }
const std::string& Matcher::name(size_t index) const { return impl_->names[index]; }
const MatcherStats& Matcher::stats() const { return impl_->stats; }

}  // namespace inflow::pattern
