#include "pattern/explain.h"

#include <simdjson.h>

#include "pattern/dom_number.h"

namespace inflow::pattern {
namespace {

namespace dom = simdjson::dom;

// The scalars an event holds at `path`: arrays are flattened at every level (an array of
// objects is searched element by element), object values are not leaves and contribute nothing.
void Collect(dom::element e, const std::vector<std::string>& path, size_t depth,
             std::vector<dom::element>* out) {
  switch (e.type()) {
    case dom::element_type::ARRAY:
      for (dom::element item : dom::array(e)) Collect(item, path, depth, out);
      return;
    case dom::element_type::OBJECT:
      if (depth == path.size()) return;
      for (auto [key, value] : dom::object(e)) {
        if (key == path[depth]) {
          // The first occurrence of a duplicate name wins, as in the matcher.
          Collect(value, path, depth + 1, out);
          break;
        }
      }
      return;
    default:
      if (depth == path.size()) out->push_back(e);
      return;
  }
}

bool EqualsLiteral(dom::element v, const Literal& l) {
  switch (l.type) {
    case Literal::Type::kString:
      return v.type() == dom::element_type::STRING && std::string_view(v) == l.text;
    case Literal::Type::kNumber:
      return IsNumber(v) && NumberOf(v) == l.number;
    case Literal::Type::kTrue:
      return v.type() == dom::element_type::BOOL && bool(v);
    case Literal::Type::kFalse:
      return v.type() == dom::element_type::BOOL && !bool(v);
    case Literal::Type::kNull:
      return v.type() == dom::element_type::NULL_VALUE;
  }
  return false;
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool EndsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// Does one (present, scalar) value satisfy a condition other than exists?
bool Satisfies(dom::element v, const Condition& c) {
  bool is_string = v.type() == dom::element_type::STRING;
  std::string_view s = is_string ? std::string_view(v) : std::string_view();
  switch (c.kind) {
    case ConditionKind::kExact:
      return EqualsLiteral(v, c.literal);
    case ConditionKind::kPrefix:
      return is_string && StartsWith(s, c.text);
    case ConditionKind::kSuffix:
      return is_string && EndsWith(s, c.text);
    case ConditionKind::kContains:
      return is_string && s.find(c.text) != std::string_view::npos;
    case ConditionKind::kEqualsIgnoreCase:
      return is_string && AsciiLower(s) == c.text;
    case ConditionKind::kPrefixIgnoreCase:
      return is_string && StartsWith(AsciiLower(s), c.text);
    case ConditionKind::kSuffixIgnoreCase:
      return is_string && EndsWith(AsciiLower(s), c.text);
    case ConditionKind::kWildcard:
      return is_string && c.wildcard.Matches(s);
    case ConditionKind::kAnythingBut:
      for (const Literal& l : c.literals) {
        if (EqualsLiteral(v, l)) return false;
      }
      return true;
    case ConditionKind::kAnythingButPrefix:
      if (!is_string) return false;
      for (const auto& t : c.texts) {
        if (StartsWith(s, t)) return false;
      }
      return true;
    case ConditionKind::kAnythingButSuffix:
      if (!is_string) return false;
      for (const auto& t : c.texts) {
        if (EndsWith(s, t)) return false;
      }
      return true;
    case ConditionKind::kAnythingButIgnoreCase:
      if (!is_string) return false;
      for (const auto& t : c.texts) {
        if (AsciiLower(s) == t) return false;
      }
      return true;
    case ConditionKind::kAnythingButWildcard:
      if (!is_string) return false;
      for (const auto& w : c.wildcards) {
        if (w.Matches(s)) return false;
      }
      return true;
    case ConditionKind::kNumeric: {
      if (!IsNumber(v)) return false;
      double x = NumberOf(v);
      for (const Interval& iv : c.intervals) {
        if (iv.Contains(x)) return true;
      }
      return false;
    }
    case ConditionKind::kCidr:
      return is_string && CidrContains(c.cidr, s);
    case ConditionKind::kExists:
      return c.exists;
  }
  return false;
}

std::string Render(dom::element v) {
  std::string text = simdjson::minify(v);
  if (text.size() > 80) text = text.substr(0, 77) + "...";
  return text;
}

std::string ConditionList(const FieldTest& test) {
  std::string out = "[";
  for (size_t i = 0; i < test.any_of.size(); ++i) {
    if (i) out += ",";
    out += test.any_of[i].source;
  }
  return out + "]";
}

bool TestHolds(const FieldTest& test, dom::element event, std::string* why) {
  std::vector<dom::element> values;
  if (event.type() == dom::element_type::OBJECT) Collect(event, test.path, 0, &values);
  for (const Condition& c : test.any_of) {
    if (c.kind == ConditionKind::kExists) {
      if (c.exists == !values.empty()) return true;
      continue;
    }
    for (dom::element v : values) {
      if (Satisfies(v, c)) return true;
    }
  }
  if (values.empty()) {
    *why = test.event_path + ": field is missing (or not a leaf value); it must match " +
           ConditionList(test);
  } else {
    std::string shown;
    for (size_t i = 0; i < values.size() && i < 5; ++i) {
      if (i) shown += ", ";
      shown += Render(values[i]);
    }
    if (values.size() > 5) shown += ", ... (" + std::to_string(values.size()) + " values)";
    *why = test.event_path + ": " + (values.size() == 1 ? "value " : "values ") + shown +
           " match none of " + ConditionList(test);
  }
  return false;
}

bool NodeHolds(const PatternNode& node, dom::element event, std::vector<std::string>* failures) {
  bool ok = true;
  for (const FieldTest& test : node.fields) {
    std::string why;
    if (!TestHolds(test, event, &why)) {
      ok = false;
      failures->push_back(std::move(why));
    }
  }
  for (const auto& group : node.or_groups) {
    std::vector<std::string> branch_failures;
    bool any = false;
    for (size_t i = 0; i < group.size() && !any; ++i) {
      std::vector<std::string> f;
      if (NodeHolds(group[i], event, &f)) {
        any = true;
      } else {
        for (auto& line : f)
          branch_failures.push_back("  $or alternative " + std::to_string(i) + ": " + line);
      }
    }
    if (!any) {
      ok = false;
      failures->push_back("no \"$or\" alternative matched:");
      for (auto& line : branch_failures) failures->push_back(std::move(line));
    }
  }
  return ok;
}

}  // namespace

Explanation Explain(const Pattern& pattern, const simdjson::dom::element& event) {
  Explanation out;
  out.matched = NodeHolds(pattern.root(), event, &out.failures);
  if (out.matched) out.failures.clear();
  return out;
}

}  // namespace inflow::pattern
