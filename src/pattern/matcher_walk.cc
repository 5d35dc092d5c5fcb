// Matching an event against the compiled index (matcher_impl.h; compiling it is matcher.cc):
// the functions that fire the tests a value satisfies, the simdjson On-Demand walk of raw JSON
// with the reader that takes arrays of numbers straight from the bytes (number_text.h), and the
// walk of an already-parsed DOM. This is the matcher's hot path. It is one translation unit on
// purpose: the firing functions take the per-thread Scratch, which, like them, has internal
// linkage here, so the compiler inlines them into the walks as freely as a local function
// (declared in a header, with external linkage, they were measurably less inlined).
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "pattern/field_index.h"
#include "pattern/matcher.h"
#include "pattern/matcher_impl.h"
#include "pattern/number_text.h"
#include "pattern/pattern.h"
#include "pattern/test_ids.h"

namespace inflow::pattern {
namespace {

namespace od = simdjson::ondemand;
namespace dom = simdjson::dom;

// The nesting the walks accept: simdjson's own limit, which the DOM parser enforces too. It
// bounds the recursion of Visit and WalkObject, so no event can exhaust the stack.
constexpr int kMaxDepth = simdjson::DEFAULT_MAX_DEPTH;

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

// --- firing the tests a value satisfies ---

void Fire(const Matcher::Impl& m, Scratch& s, uint32_t test) {
  if (s.test_fired[test] == s.epoch) return;
  s.test_fired[test] = s.epoch;
  if (!m.anchor_conjs[test].empty()) s.fired_anchors.push_back(test);
}
void FireAll(const Matcher::Impl& m, Scratch& s, const Ids& ids) {
  for (uint32_t t : ids) Fire(m, s, t);
}
void Veto(Scratch& s, const Ids& ids) {
  for (uint32_t t : ids) s.test_veto[t] = s.epoch;
}
// Fires the anything-but tests not vetoed for this value. Vetoes are per value: undo them.
void FireAnythingBut(const Matcher::Impl& m, Scratch& s, const FieldIndex& f) {
  for (uint32_t t : f.anything_but) {
    if (s.test_veto[t] != s.epoch) Fire(m, s, t);
    s.test_veto[t] = 0;
  }
}

void Present(const Matcher::Impl& m, Scratch& s, uint32_t field) {
  if (s.field_seen[field] == s.epoch) return;
  s.field_seen[field] = s.epoch;
  FireAll(m, s, m.fields[field].exists_true);
}

bool StringOpExcludes(const Condition& c, std::string_view v, std::string_view lower) {
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

void OnString(const Matcher::Impl& m, Scratch& s, uint32_t field, std::string_view v) {
  Present(m, s, field);
  const FieldIndex& f = m.fields[field];
  if (const Ids* ids = f.exact_string.find(v)) FireAll(m, s, *ids);
  auto fire = [&](const Ids& ids) { FireAll(m, s, ids); };
  f.prefix.Prefixes(v, fire);
  f.suffix.Suffixes(v, fire);
  std::string_view lower;
  if (f.needs_lower) {
    s.lower.assign(v);
    for (char& c : s.lower) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    lower = s.lower;
    if (const Ids* ids = f.equals_ignore_case.find(lower)) FireAll(m, s, *ids);
    f.prefix_ignore_case.Prefixes(lower, fire);
    f.suffix_ignore_case.Suffixes(lower, fire);
  }
  for (const auto& [text, test] : f.contains) {
    if (v.find(text) != std::string_view::npos) Fire(m, s, test);
  }
  for (const auto& [w, test] : f.wildcards) {
    if (w->Matches(v)) Fire(m, s, test);
  }
  if (!f.cidr.tables.empty()) {
    bool v6 = false;
    std::array<uint8_t, 16> addr;
    if (ParseIp(v, &v6, &addr)) {
      for (const auto& t : f.cidr.tables) {
        if (t.v6 != v6) continue;
        auto it = t.by_network.find(CidrIndex::Key(addr, t.prefix_len));
        if (it != t.by_network.end()) FireAll(m, s, it->second);
      }
    }
  }
  if (!f.anything_but.empty()) {
    if (const Ids* ids = f.anything_but_string.find(v)) Veto(s, *ids);
    FireAnythingBut(m, s, f);
  }
  for (const auto& [c, test] : f.anything_but_string_ops) {
    if (!StringOpExcludes(*c, v, lower)) Fire(m, s, test);
  }
}

// `segment` is v's segment of the numeric index (kNone: no numeric condition). v may be
// approximate when no exact number is listed for the field (NeedsExactNumber).
void OnNumber(const Matcher::Impl& m, Scratch& s, uint32_t field, double v, uint32_t segment) {
  Present(m, s, field);
  const FieldIndex& f = m.fields[field];
  if (!f.exact_number.empty()) {
    auto it = f.exact_number.find(v);
    if (it != f.exact_number.end()) FireAll(m, s, it->second);
  }
  if (segment != kNone) FireAll(m, s, f.numeric.segments[segment]);
  if (!f.anything_but.empty()) {
    auto it = f.anything_but_number.find(v);
    if (it != f.anything_but_number.end()) Veto(s, it->second);
    FireAnythingBut(m, s, f);
  }
}

void OnNumber(const Matcher::Impl& m, Scratch& s, uint32_t field, double v) {
  OnNumber(m, s, field, v, m.fields[field].numeric.SegmentOf(v));
}

// kind: 't' true, 'f' false, 'n' null.
void OnAtom(const Matcher::Impl& m, Scratch& s, uint32_t field, char kind) {
  Present(m, s, field);
  const FieldIndex& f = m.fields[field];
  FireAll(m, s, kind == 't' ? f.exact_true : kind == 'f' ? f.exact_false : f.exact_null);
  if (!f.anything_but.empty()) {
    Veto(s, kind == 't'   ? f.anything_but_true
            : kind == 'f' ? f.anything_but_false
                          : f.anything_but_null);
    FireAnythingBut(m, s, f);
  }
}

// The index of `key` among the node's children, or kNone.
uint32_t ChildIndex(const Matcher::Impl& m, uint32_t node, std::string_view key) {
  const auto& children = m.nodes[node].children;
  for (uint32_t i = 0; i < children.size(); ++i) {
    if (children[i].first == key) return i;
  }
  return kNone;
}

// Per event, around either walk.
Scratch& Begin(const Matcher::Impl& m, std::vector<size_t>* out) {
  Scratch& s = ThreadScratch();
  s.Begin(m.fields.size(), m.anchor_conjs.size(), m.names.size());
  s.fired_anchors.clear();
  s.out = out;
  for (uint32_t p : m.always) {
    s.pattern_hit[p] = s.epoch;
    out->push_back(p);
  }
  return s;
}
void End(const Matcher::Impl& m, Scratch& s) {
  for (uint32_t field : m.fields_with_exists_false) {
    if (s.field_seen[field] != s.epoch) FireAll(m, s, m.fields[field].exists_false);
  }
  for (uint32_t anchor : s.fired_anchors) {
    for (uint32_t conj : m.anchor_conjs[anchor]) {
      uint32_t p = m.conj_pattern[conj];
      if (s.pattern_hit[p] == s.epoch) continue;
      bool all = true;
      for (uint32_t t : m.conj_tests[conj]) {
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

// --- raw JSON: numbers read from the bytes ---

simdjson::error_code Visit(const Matcher::Impl& m, Scratch& s, od::value value, uint32_t node,
                           int depth);

// Fires what a number read into a bracket satisfies. False when its exact value is needed
// and [p, end) is outside the double range: simdjson then has the say.
bool OnNumberBracket(const Matcher::Impl& m, Scratch& s, uint32_t field, const NumberBracket& n,
                     const char* p, const char* end) {
  const FieldIndex& f = m.fields[field];
  // An inexact bracket stands for the value only where no exact number is listed.
  uint32_t segment;
  if ((n.exact || !f.NeedsExactNumber()) && f.numeric.SegmentOf(n, &segment)) {
    OnNumber(m, s, field, n.lo, segment);
  } else {
    double v;
    if (!ExactNumber(std::string_view(p, end - p), &v)) return false;
    OnNumber(m, s, field, v);
  }
  return true;
}

// Compact JSON has no spaces: one comparison rules them out.
bool IsSpace(char c) {
  return static_cast<unsigned char>(c) <= ' ' && (c == ' ' || c == '\t' || c == '\n' || c == '\r');
}
bool IsNumberStart(char c) { return c == '-' || (c >= '0' && c <= '9'); }
const char* SkipSpaces(const char* p, const char* end) {
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
__attribute__((noinline)) bool ReadNumberArray(const Matcher::Impl& m, Scratch& s, uint32_t field,
                                               const char* p) {
  const char* end = s.end;
  const FieldIndex& f = m.fields[field];
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
            Present(m, s, field);
            present = true;
          }
          if (tests != nullptr) FireAll(m, s, *tests);
        } else if (!OnNumberBracket(m, s, field, n, p, number_end)) {
          return false;
        }
        p = number_end;
        if (end - p < 4) break;
        if (p[0] == ',' && IsNumberStart(p[1])) {
          p += 1;
        } else if (p[0] == ']' && p[1] == ',' && p[2] == '[' && depth >= 2 && IsNumberStart(p[3])) {
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

// --- On-Demand walk ---
simdjson::error_code WalkObject(const Matcher::Impl& m, Scratch& s, od::object obj, uint32_t node,
                                int depth) {
  const auto& children = m.nodes[node].children;
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
      index = ChildIndex(m, node, std::string_view(raw, end - raw));
    } else {
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) return e;
      index = ChildIndex(m, node, key);
    }
    if (index == kNone || !met.First(index)) continue;
    if (auto e = Visit(m, s, field.value(), children[index].second, depth + 1)) return e;
    if (met.All()) break;
  }
  return simdjson::SUCCESS;
}

simdjson::error_code Visit(const Matcher::Impl& m, Scratch& s, od::value value, uint32_t node,
                           int depth) {
  if (depth > kMaxDepth) return simdjson::DEPTH_ERROR;
  od::json_type type;
  if (auto e = value.type().get(type)) return e;
  const PathNode& n = m.nodes[node];
  switch (type) {
    case od::json_type::object: {
      if (n.children.empty()) return simdjson::SUCCESS;
      od::object obj;
      if (auto e = value.get_object().get(obj)) return e;
      return WalkObject(m, s, obj, node, depth);
    }
    case od::json_type::array: {
      if (n.children.empty() && n.field != kNone &&
          ReadNumberArray(m, s, n.field, value.raw_json_token().data())) {
        return simdjson::SUCCESS;
      }
      od::array arr;
      if (auto e = value.get_array().get(arr)) return e;
      for (auto item : arr) {
        od::value v;
        if (auto e = std::move(item).get(v)) return e;
        if (auto e = Visit(m, s, v, node, depth + 1)) return e;
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::string: {
      if (n.field == kNone) return simdjson::SUCCESS;
      std::string_view str;
      if (auto e = value.get_string().get(str)) return e;
      OnString(m, s, n.field, str);
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
          !OnNumberBracket(m, s, n.field, number, token.data(), end)) {
        double d;
        if (auto e = value.get_double().get(d)) return e;
        OnNumber(m, s, n.field, d == 0 ? 0.0 : d);
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::boolean: {
      if (n.field == kNone) return simdjson::SUCCESS;
      bool b;
      if (auto e = value.get_bool().get(b)) return e;
      OnAtom(m, s, n.field, b ? 't' : 'f');
      return simdjson::SUCCESS;
    }
    case od::json_type::null:
      if (n.field == kNone) return simdjson::SUCCESS;
      {
        bool is_null = false;
        if (auto e = value.is_null().get(is_null)) return e;
        if (!is_null) return simdjson::INCORRECT_TYPE;
      }
      OnAtom(m, s, n.field, 'n');
      return simdjson::SUCCESS;
  }
  return simdjson::SUCCESS;
}

Result<std::vector<size_t>> MatchPadded(const Matcher::Impl& m,
                                        const simdjson::padded_string_view& json) {
  std::vector<size_t> out;
  thread_local od::parser parser;
  od::document doc;
  if (auto e = parser.iterate(json).get(doc)) {
    return Fail(
        InvalidArgument(std::string("event is not valid JSON: ") + simdjson::error_message(e)));
  }
  Scratch& s = Begin(m, &out);
  s.end = json.data() + json.length();
  od::json_type type;
  auto err = doc.type().get(type);
  if (!err && type == od::json_type::object && !m.nodes[0].children.empty()) {
    od::object obj;
    err = doc.get_object().get(obj);
    if (!err) err = WalkObject(m, s, obj, 0, 1);
  }
  if (err) {
    s.out = nullptr;
    return Fail(
        InvalidArgument(std::string("event is not valid JSON: ") + simdjson::error_message(err)));
  }
  End(m, s);
  return out;
}

// --- DOM walk ---
void VisitDom(const Matcher::Impl& m, Scratch& s, dom::element e, uint32_t node) {
  const PathNode& n = m.nodes[node];
  switch (e.type()) {
    case dom::element_type::OBJECT:
      if (n.children.empty()) return;
      {
        ChildrenMet met(n.children.size());
        for (auto [key, value] : dom::object(e)) {
          uint32_t index = ChildIndex(m, node, key);
          if (index == kNone || !met.First(index)) continue;
          VisitDom(m, s, value, n.children[index].second);
          if (met.All()) break;
        }
      }
      return;
    case dom::element_type::ARRAY:
      for (dom::element item : dom::array(e)) VisitDom(m, s, item, node);
      return;
    case dom::element_type::STRING:
      if (n.field != kNone) OnString(m, s, n.field, std::string_view(e));
      return;
    case dom::element_type::INT64:
      if (n.field != kNone) OnNumber(m, s, n.field, static_cast<double>(int64_t(e)));
      return;
    case dom::element_type::UINT64:
      if (n.field != kNone) OnNumber(m, s, n.field, static_cast<double>(uint64_t(e)));
      return;
    case dom::element_type::DOUBLE:
      if (n.field != kNone) {
        double d = double(e);
        OnNumber(m, s, n.field, d == 0 ? 0.0 : d);
      }
      return;
    case dom::element_type::BOOL:
      if (n.field != kNone) OnAtom(m, s, n.field, bool(e) ? 't' : 'f');
      return;
    case dom::element_type::NULL_VALUE:
      if (n.field != kNone) OnAtom(m, s, n.field, 'n');
      return;
  }
}

}  // namespace

Result<std::vector<size_t>> Matcher::Match(std::string_view event_json) const {
  if (event_json.size() > std::numeric_limits<uint32_t>::max()) {
    return Fail(InvalidArgument("event larger than 4 GiB"));
  }
  thread_local std::string buffer;
  buffer.resize(event_json.size() + simdjson::SIMDJSON_PADDING);
  // An empty view may have a null data pointer, which memcpy must not see.
  if (!event_json.empty()) std::memcpy(buffer.data(), event_json.data(), event_json.size());
  std::memset(buffer.data() + event_json.size(), 0, simdjson::SIMDJSON_PADDING);
  return MatchPadded(*impl_,
                     simdjson::padded_string_view(buffer.data(), event_json.size(), buffer.size()));
}

Result<std::vector<size_t>> Matcher::Match(const simdjson::padded_string_view& event_json) const {
  return MatchPadded(*impl_, event_json);
}

std::vector<size_t> Matcher::Match(const simdjson::dom::element& event) const {
  std::vector<size_t> out;
  Scratch& s = Begin(*impl_, &out);
  if (event.type() == dom::element_type::OBJECT) VisitDom(*impl_, s, event, 0);
  End(*impl_, s);
  return out;
}

}  // namespace inflow::pattern
