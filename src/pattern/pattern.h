// Pattern: a parsed and validated event pattern (product.md §2) — the tree a user wrote, with
// every leaf condition decoded into a form the matcher compiles and the explainer evaluates.
//
// A pattern is a JSON object with the nesting of the event. A key maps either to a nested
// object (more keys below) or to an array of conditions (OR). Keys are ANDed. `$or` maps to an
// array of at least two sub-patterns of which one must match. Parse() rejects anything else with
// the JSON path of the offending element and the reason, e.g.
//   `$.data.price[0].numeric: operator "<" needs a number`.
//
// Thread safety: an immutable value after Parse(); share freely across threads.
#ifndef INFLOW_PATTERN_PATTERN_H_
#define INFLOW_PATTERN_PATTERN_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace inflow::pattern {

// A JSON scalar as it appears in a pattern (exact values, anything-but lists).
struct Literal {
  enum class Type { kString, kNumber, kTrue, kFalse, kNull };
  Type type = Type::kNull;
  std::string text;   // kString
  double number = 0;  // kNumber

  bool operator==(const Literal&) const = default;
};

// One interval of the real line; unbounded ends use ±infinity.
struct Interval {
  double lo;
  bool lo_inclusive;
  double hi;
  bool hi_inclusive;
  bool Contains(double x) const {
    return (lo_inclusive ? x >= lo : x > lo) && (hi_inclusive ? x <= hi : x < hi);
  }
};

// An IPv4 or IPv6 block. IPv4 addresses are kept in the first 4 bytes.
struct CidrBlock {
  bool v6 = false;
  std::array<uint8_t, 16> address{};  // already masked to prefix_len
  int prefix_len = 0;
};

// A `*` glob split at its unescaped stars: "a*b*c" → {"a","b","c"}. A leading / trailing star
// shows up as an empty first / last piece.
struct Wildcard {
  std::vector<std::string> pieces;
  bool Matches(std::string_view s) const;
};

enum class ConditionKind {
  kExact,                  // literal (string / number / true / false / null)
  kPrefix,                 // text
  kSuffix,                 // text
  kContains,               // text
  kEqualsIgnoreCase,       // text (ASCII-lowercased)
  kPrefixIgnoreCase,       // text (ASCII-lowercased)
  kSuffixIgnoreCase,       // text (ASCII-lowercased)
  kWildcard,               // wildcard
  kAnythingBut,            // literals: present leaf equal to none of them
  kAnythingButPrefix,      // texts: a string starting with none of them
  kAnythingButSuffix,      // texts
  kAnythingButIgnoreCase,  // texts (ASCII-lowercased)
  kAnythingButWildcard,    // wildcards
  kNumeric,                // intervals (disjoint, sorted): a number inside one of them
  kCidr,                   // cidr: a string holding an IP address inside the block
  kExists,                 // exists
};

// One element of a key's condition array.
struct Condition {
  ConditionKind kind = ConditionKind::kExact;
  Literal literal;                  // kExact
  std::string text;                 // kPrefix.. kSuffixIgnoreCase
  Wildcard wildcard;                // kWildcard
  std::vector<Literal> literals;    // kAnythingBut
  std::vector<std::string> texts;   // kAnythingButPrefix / Suffix / IgnoreCase
  std::vector<Wildcard> wildcards;  // kAnythingButWildcard
  std::vector<Interval> intervals;  // kNumeric
  CidrBlock cidr;                   // kCidr
  bool exists = true;               // kExists
  std::string source;               // the condition as written (compact JSON), for explanations
};

// A leaf of the pattern: the event field at `path` must satisfy one of `any_of`.
struct FieldTest {
  std::vector<std::string> path;  // keys from the event root
  std::string json_path;          // where it sits in the pattern: "$.data['$or'][1].price"
  std::string event_path;         // the event field it reads: "$.data.price"
  std::vector<Condition> any_of;
};

// An object level of the pattern: all `fields` AND, for every `$or` group, one alternative.
struct PatternNode {
  std::vector<FieldTest> fields;
  std::vector<std::vector<PatternNode>> or_groups;
};

// Limits that keep compile time and match time bounded; exceeding one is a validation error.
inline constexpr size_t kMaxPatternBytes = 256 * 1024;
inline constexpr size_t kMaxWildcardStars = 16;
inline constexpr size_t kMaxWildcardBytes = 1024;
inline constexpr size_t kMaxAlternatives = 1024;  // conjunctions after expanding every $or

class Pattern {
 public:
  // Parses and validates pattern JSON. Empty text, whitespace or `{}` match every event.
  static Result<Pattern> Parse(std::string_view json);

  const PatternNode& root() const { return root_; }
  // The pattern as disjunctive normal form: each element is a conjunction of field tests;
  // the pattern matches when one conjunction holds. `{}` yields one empty conjunction.
  const std::vector<std::vector<const FieldTest*>>& alternatives() const { return alternatives_; }

  Pattern(Pattern&&) = default;
  Pattern& operator=(Pattern&&) = default;

 private:
  Pattern() = default;
  PatternNode root_;
  std::vector<std::vector<const FieldTest*>> alternatives_;  // points into root_
};

// ASCII lower-casing used by every equals-ignore-case form.
std::string AsciiLower(std::string_view s);

// Parses an IPv4 or IPv6 address text into `out` (v4 in the first 4 bytes).
bool ParseIp(std::string_view text, bool* v6, std::array<uint8_t, 16>* out);
bool CidrContains(const CidrBlock& block, std::string_view address_text);

}  // namespace inflow::pattern

#endif  // INFLOW_PATTERN_PATTERN_H_
