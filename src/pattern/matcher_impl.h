// Matcher::Impl, the compiled index behind matcher.h, and what a walk over one event needs:
// the per-thread scratch space and the functions that fire the tests an event value satisfies.
// Internal to the matcher. Compiling the index is in matcher.cc, walking raw JSON (On-Demand and
// the raw number-array reader) in matcher_ondemand.cc, walking a DOM in matcher_dom.cc. The
// firing functions run for every value of every event and are inline here so that both walks
// can inline them.
//
// Thread safety: an Impl is built by one thread, then only read; Match may run concurrently from
// any number of threads, each on its own Scratch (ThreadScratch).
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

inline Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

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

  // Per event, around either walk (matcher_ondemand.cc, matcher_dom.cc).
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
};

}  // namespace inflow::pattern

#endif  // INFLOW_PATTERN_MATCHER_IMPL_H_
