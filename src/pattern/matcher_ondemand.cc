// Matching raw JSON bytes: the simdjson On-Demand walk of the event fields the patterns name,
// and the reader that takes an array of numbers (GeoJSON coordinates, vectors) straight from
// the bytes (number_text.h) instead of element by element. This is the matcher's hot path:
// the firing functions it calls are inline in matcher_impl.h.
#include <simdjson.h>

#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "pattern/matcher.h"
#include "pattern/matcher_impl.h"
#include "pattern/number_text.h"

namespace inflow::pattern {
namespace {

namespace od = simdjson::ondemand;

// The nesting the walks accept: simdjson's own limit, which the DOM parser enforces too. It
// bounds the recursion of Visit and WalkObject, so no event can exhaust the stack.
constexpr int kMaxDepth = simdjson::DEFAULT_MAX_DEPTH;

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
    m.OnNumber(s, field, n.lo, segment);
  } else {
    double v;
    if (!ExactNumber(std::string_view(p, end - p), &v)) return false;
    m.OnNumber(s, field, v);
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
            m.Present(s, field);
            present = true;
          }
          if (tests != nullptr) m.FireAll(s, *tests);
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
      index = m.ChildIndex(node, std::string_view(raw, end - raw));
    } else {
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) return e;
      index = m.ChildIndex(node, key);
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
      m.OnString(s, n.field, str);
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
        m.OnNumber(s, n.field, d == 0 ? 0.0 : d);
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::boolean: {
      if (n.field == kNone) return simdjson::SUCCESS;
      bool b;
      if (auto e = value.get_bool().get(b)) return e;
      m.OnAtom(s, n.field, b ? 't' : 'f');
      return simdjson::SUCCESS;
    }
    case od::json_type::null:
      if (n.field == kNone) return simdjson::SUCCESS;
      {
        bool is_null = false;
        if (auto e = value.is_null().get(is_null)) return e;
        if (!is_null) return simdjson::INCORRECT_TYPE;
      }
      m.OnAtom(s, n.field, 'n');
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
  Scratch& s = m.Begin(&out);
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
  m.End(s);
  return out;
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

}  // namespace inflow::pattern
