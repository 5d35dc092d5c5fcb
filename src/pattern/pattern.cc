#include "pattern/pattern.h"

#include <arpa/inet.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "common/json_parse.h"
#include "pattern/dom_number.h"

namespace inflow::pattern {
namespace {

namespace dom = simdjson::dom;

constexpr double kInf = std::numeric_limits<double>::infinity();

// RFC 9535 member-name-shorthand (ASCII part): anything else is written ['key'].
bool IsIdentifier(std::string_view key) {
  if (key.empty() || (key[0] >= '0' && key[0] <= '9')) return false;
  for (char c : key) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) {
      return false;
    }
  }
  return true;
}

std::string ChildPath(const std::string& parent, std::string_view key) {
  if (IsIdentifier(key)) return parent + "." + std::string(key);
  std::string out = parent + "['";
  for (char c : key) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "']";
}

std::string IndexPath(const std::string& parent, size_t i) {
  return parent + "[" + std::to_string(i) + "]";
}

Error Invalid(const std::string& path, std::string_view reason) {
  return InvalidArgument(path + ": " + std::string(reason));
}

std::string TypeName(dom::element e) {
  switch (e.type()) {
    case dom::element_type::ARRAY:
      return "an array";
    case dom::element_type::OBJECT:
      return "an object";
    case dom::element_type::STRING:
      return "a string";
    case dom::element_type::BOOL:
      return "a boolean";
    case dom::element_type::NULL_VALUE:
      return "null";
    default:
      return "a number";
  }
}

Result<Literal> ToLiteral(dom::element e, const std::string& path) {
  Literal lit;
  switch (e.type()) {
    case dom::element_type::STRING:
      lit.type = Literal::Type::kString;
      lit.text = std::string(std::string_view(e));
      return lit;
    case dom::element_type::BOOL:
      lit.type = bool(e) ? Literal::Type::kTrue : Literal::Type::kFalse;
      return lit;
    case dom::element_type::NULL_VALUE:
      lit.type = Literal::Type::kNull;
      return lit;
    case dom::element_type::ARRAY:
    case dom::element_type::OBJECT:
      return Fail(Invalid(path, "expected a string, number, boolean or null, got " + TypeName(e)));
    default:
      lit.type = Literal::Type::kNumber;
      lit.number = NumberOf(e);
      if (lit.number == 0) lit.number = 0;  // -0 and 0 are the same number
      return lit;
  }
}

Result<std::string> NonEmptyString(dom::element e, const std::string& path, std::string_view op) {
  if (e.type() != dom::element_type::STRING) {
    return Fail(Invalid(path, "\"" + std::string(op) + "\" needs a string, got " + TypeName(e)));
  }
  std::string_view s = e;
  if (s.empty()) {
    return Fail(Invalid(path, "\"" + std::string(op) + "\" needs a non-empty string"));
  }
  return std::string(s);
}

// A string or a non-empty array of strings (the nested anything-but forms accept both).
Result<std::vector<std::string>> OneOrMoreStrings(dom::element e, const std::string& path,
                                                  std::string_view op) {
  std::vector<std::string> out;
  if (e.type() == dom::element_type::ARRAY) {
    dom::array arr = e;
    if (arr.size() == 0) {
      return Fail(Invalid(path, "\"" + std::string(op) + "\" needs at least one string"));
    }
    size_t i = 0;
    for (dom::element item : arr) {
      INFLOW_TRY(auto s, NonEmptyString(item, IndexPath(path, i), op));
      out.push_back(std::move(s));
      ++i;
    }
    return out;
  }
  INFLOW_TRY(auto s, NonEmptyString(e, path, op));
  out.push_back(std::move(s));
  return out;
}

Result<Wildcard> ParseWildcard(std::string_view text, const std::string& path) {
  if (text.size() > kMaxWildcardBytes) {
    return Fail(
        Invalid(path, "wildcard longer than " + std::to_string(kMaxWildcardBytes) + " bytes"));
  }
  Wildcard w;
  w.pieces.emplace_back();
  bool previous_star = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\') {
      if (i + 1 >= text.size() || (text[i + 1] != '*' && text[i + 1] != '\\')) {
        return Fail(
            Invalid(path, "wildcard escape at byte " + std::to_string(i) + " must be \\* or \\\\"));
      }
      w.pieces.back() += text[++i];
      previous_star = false;
    } else if (c == '*') {
      if (previous_star) {
        return Fail(Invalid(path, "wildcard has consecutive '*' at byte " + std::to_string(i)));
      }
      w.pieces.emplace_back();
      previous_star = true;
    } else {
      w.pieces.back() += c;
      previous_star = false;
    }
  }
  if (w.pieces.size() - 1 > kMaxWildcardStars) {
    return Fail(Invalid(path, "wildcard has more than " + std::to_string(kMaxWildcardStars) +
                                  " '*' (matching cost is bounded)"));
  }
  return w;
}

Result<CidrBlock> ParseCidr(std::string_view text, const std::string& path) {
  CidrBlock block;
  std::string_view ip = text;
  int len = -1;
  size_t slash = text.find('/');
  if (slash != std::string_view::npos) {
    ip = text.substr(0, slash);
    std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return Fail(
          Invalid(path, "cidr prefix length '" + std::string(digits) + "' is not a number"));
    }
    len = std::stoi(std::string(digits));
  }
  if (!ParseIp(ip, &block.v6, &block.address)) {
    return Fail(Invalid(path, "cidr '" + std::string(text) + "' is not an IPv4 or IPv6 address"));
  }
  int max_len = block.v6 ? 128 : 32;
  if (len < 0) len = max_len;
  if (len > max_len) {
    return Fail(Invalid(
        path, "cidr prefix length " + std::to_string(len) + " exceeds " + std::to_string(max_len)));
  }
  block.prefix_len = len;
  for (int bit = len; bit < 128; ++bit) block.address[bit / 8] &= ~(0x80u >> (bit % 8));
  return block;
}

// numeric: [op, number] or [op, number, op, number]; all pairs must hold.
Result<std::vector<Interval>> ParseNumeric(dom::element e, const std::string& path) {
  if (e.type() != dom::element_type::ARRAY) {
    return Fail(Invalid(path, "\"numeric\" needs an array like [\">\", 0, \"<=\", 5]"));
  }
  dom::array arr = e;
  size_t n = arr.size();
  if (n != 2 && n != 4) {
    return Fail(Invalid(path, "\"numeric\" needs 2 or 4 items ([op, number] or a range), got " +
                                  std::to_string(n)));
  }
  std::vector<Interval> set = {{-kInf, true, kInf, true}};
  for (size_t i = 0; i < n; i += 2) {
    dom::element op_el = arr.at(i).value_unsafe();
    dom::element num_el = arr.at(i + 1).value_unsafe();
    if (op_el.type() != dom::element_type::STRING) {
      return Fail(Invalid(IndexPath(path, i),
                          "expected a numeric operator (= != < <= > >=), got " + TypeName(op_el)));
    }
    std::string_view op = op_el;
    if (op != "=" && op != "!=" && op != "<" && op != "<=" && op != ">" && op != ">=") {
      return Fail(Invalid(IndexPath(path, i), "unknown numeric operator \"" + std::string(op) +
                                                  "\" (expected = != < <= > >=)"));
    }
    if (!IsNumber(num_el)) {
      return Fail(Invalid(
          path, "operator \"" + std::string(op) + "\" needs a number, got " + TypeName(num_el)));
    }
    double v = NumberOf(num_el);
    if (!std::isfinite(v)) {
      return Fail(Invalid(IndexPath(path, i + 1), "number is out of range"));
    }
    std::vector<Interval> cond;
    if (op == "=") cond = {{v, true, v, true}};
    if (op == "!=") cond = {{-kInf, true, v, false}, {v, false, kInf, true}};
    if (op == "<") cond = {{-kInf, true, v, false}};
    if (op == "<=") cond = {{-kInf, true, v, true}};
    if (op == ">") cond = {{v, false, kInf, true}};
    if (op == ">=") cond = {{v, true, kInf, true}};
    // Intersect the running set with this condition.
    std::vector<Interval> next;
    for (const Interval& a : set) {
      for (const Interval& b : cond) {
        Interval r;
        if (a.lo > b.lo || (a.lo == b.lo && !a.lo_inclusive)) {
          r.lo = a.lo, r.lo_inclusive = a.lo_inclusive;
        } else {
          r.lo = b.lo, r.lo_inclusive = b.lo_inclusive;
        }
        if (a.hi < b.hi || (a.hi == b.hi && !a.hi_inclusive)) {
          r.hi = a.hi, r.hi_inclusive = a.hi_inclusive;
        } else {
          r.hi = b.hi, r.hi_inclusive = b.hi_inclusive;
        }
        bool empty = r.lo > r.hi || (r.lo == r.hi && !(r.lo_inclusive && r.hi_inclusive));
        if (!empty) next.push_back(r);
      }
    }
    set = std::move(next);
  }
  if (set.empty()) return Fail(Invalid(path, "numeric range matches no number"));
  return set;
}

Result<Condition> ParseOperator(dom::object obj, const std::string& path) {
  if (obj.size() != 1) {
    return Fail(Invalid(
        path, "an operator object needs exactly one key, got " + std::to_string(obj.size())));
  }
  auto [key, value] = *obj.begin();
  std::string vpath = ChildPath(path, key);
  Condition c;
  if (key == "prefix" || key == "suffix") {
    bool prefix = key == "prefix";
    if (value.type() == dom::element_type::OBJECT) {
      dom::object inner = value;
      if (inner.size() != 1 || inner.begin().key() != "equals-ignore-case") {
        return Fail(Invalid(vpath, "\"" + std::string(key) +
                                       "\" takes a string or {\"equals-ignore-case\": string}"));
      }
      INFLOW_TRY(auto s,
                 NonEmptyString(inner.begin().value(), ChildPath(vpath, "equals-ignore-case"),
                                "equals-ignore-case"));
      c.kind = prefix ? ConditionKind::kPrefixIgnoreCase : ConditionKind::kSuffixIgnoreCase;
      c.text = AsciiLower(s);
      return c;
    }
    INFLOW_TRY(c.text, NonEmptyString(value, vpath, key));
    c.kind = prefix ? ConditionKind::kPrefix : ConditionKind::kSuffix;
    return c;
  }
  if (key == "contains") {
    INFLOW_TRY(c.text, NonEmptyString(value, vpath, key));
    c.kind = ConditionKind::kContains;
    return c;
  }
  if (key == "equals-ignore-case") {
    if (value.type() != dom::element_type::STRING) {
      return Fail(Invalid(vpath, "\"equals-ignore-case\" needs a string, got " + TypeName(value)));
    }
    c.kind = ConditionKind::kEqualsIgnoreCase;
    c.text = AsciiLower(std::string_view(value));
    return c;
  }
  if (key == "wildcard") {
    if (value.type() != dom::element_type::STRING) {
      return Fail(Invalid(vpath, "\"wildcard\" needs a string, got " + TypeName(value)));
    }
    INFLOW_TRY(c.wildcard, ParseWildcard(std::string_view(value), vpath));
    c.kind = ConditionKind::kWildcard;
    return c;
  }
  if (key == "exists") {
    if (value.type() != dom::element_type::BOOL) {
      return Fail(Invalid(vpath, "\"exists\" needs true or false, got " + TypeName(value)));
    }
    c.kind = ConditionKind::kExists;
    c.exists = bool(value);
    return c;
  }
  if (key == "numeric") {
    INFLOW_TRY(c.intervals, ParseNumeric(value, vpath));
    c.kind = ConditionKind::kNumeric;
    return c;
  }
  if (key == "cidr") {
    INFLOW_TRY(auto s, NonEmptyString(value, vpath, key));
    INFLOW_TRY(c.cidr, ParseCidr(s, vpath));
    c.kind = ConditionKind::kCidr;
    return c;
  }
  if (key == "anything-but") {
    if (value.type() == dom::element_type::OBJECT) {
      dom::object inner = value;
      if (inner.size() != 1) {
        return Fail(Invalid(vpath, "nested \"anything-but\" object needs exactly one key"));
      }
      auto [ikey, ivalue] = *inner.begin();
      std::string ipath = ChildPath(vpath, ikey);
      if (ikey == "prefix") {
        c.kind = ConditionKind::kAnythingButPrefix;
        INFLOW_TRY(c.texts, OneOrMoreStrings(ivalue, ipath, ikey));
      } else if (ikey == "suffix") {
        c.kind = ConditionKind::kAnythingButSuffix;
        INFLOW_TRY(c.texts, OneOrMoreStrings(ivalue, ipath, ikey));
      } else if (ikey == "equals-ignore-case") {
        c.kind = ConditionKind::kAnythingButIgnoreCase;
        INFLOW_TRY(c.texts, OneOrMoreStrings(ivalue, ipath, ikey));
        for (auto& t : c.texts) t = AsciiLower(t);
      } else if (ikey == "wildcard") {
        c.kind = ConditionKind::kAnythingButWildcard;
        INFLOW_TRY(auto texts, OneOrMoreStrings(ivalue, ipath, ikey));
        for (size_t i = 0; i < texts.size(); ++i) {
          INFLOW_TRY(auto w, ParseWildcard(texts[i], texts.size() > 1 && ivalue.is_array()
                                                         ? IndexPath(ipath, i)
                                                         : ipath));
          c.wildcards.push_back(std::move(w));
        }
      } else {
        return Fail(Invalid(ipath, "unknown \"anything-but\" operator \"" + std::string(ikey) +
                                       "\" (expected prefix, suffix, equals-ignore-case or "
                                       "wildcard)"));
      }
      return c;
    }
    c.kind = ConditionKind::kAnythingBut;
    if (value.type() == dom::element_type::ARRAY) {
      dom::array arr = value;
      if (arr.size() == 0) {
        return Fail(Invalid(vpath, "\"anything-but\" list needs at least one value"));
      }
      size_t i = 0;
      for (dom::element item : arr) {
        INFLOW_TRY(auto lit, ToLiteral(item, IndexPath(vpath, i)));
        c.literals.push_back(std::move(lit));
        ++i;
      }
      return c;
    }
    INFLOW_TRY(auto lit, ToLiteral(value, vpath));
    c.literals.push_back(std::move(lit));
    return c;
  }
  return Fail(Invalid(vpath, "unknown operator \"" + std::string(key) +
                                 "\" (expected prefix, suffix, contains, equals-ignore-case, "
                                 "wildcard, anything-but, numeric, cidr or exists)"));
}

Result<PatternNode> ParseNode(dom::object obj, const std::string& path,
                              const std::vector<std::string>& keys, bool top_level);

Result<std::vector<Condition>> ParseConditions(dom::array arr, const std::string& path) {
  if (arr.size() == 0) return Fail(Invalid(path, "a condition array must not be empty"));
  std::vector<Condition> out;
  size_t i = 0;
  for (dom::element item : arr) {
    std::string ipath = IndexPath(path, i++);
    Condition c;
    if (item.type() == dom::element_type::OBJECT) {
      INFLOW_TRY(c, ParseOperator(dom::object(item), ipath));
    } else if (item.type() == dom::element_type::ARRAY) {
      return Fail(Invalid(ipath, "nested arrays are not allowed in a pattern"));
    } else {
      INFLOW_TRY(c.literal, ToLiteral(item, ipath));
      c.kind = ConditionKind::kExact;
    }
    c.source = simdjson::minify(item);
    out.push_back(std::move(c));
  }
  return out;
}

Result<PatternNode> ParseNode(dom::object obj, const std::string& path,
                              const std::vector<std::string>& keys, bool top_level) {
  PatternNode node;
  if (obj.size() == 0 && !top_level) {
    return Fail(Invalid(path, "an object in a pattern must have at least one key"));
  }
  std::vector<std::string_view> seen;
  for (auto [key, value] : obj) {
    std::string kpath = ChildPath(path, key);
    // A repeated name would be ANDed with itself: two conditions on one field that, written
    // apart, almost always mean "either" and together can rarely match. Say so instead.
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      return Fail(Invalid(kpath,
                          "duplicate member name (merge the conditions into one array; "
                          "use \"$or\" for alternatives)"));
    }
    seen.push_back(key);
    if (key == "$or") {
      if (value.type() != dom::element_type::ARRAY) {
        return Fail(Invalid(kpath, "\"$or\" needs an array of at least two patterns"));
      }
      dom::array alts = value;
      if (alts.size() < 2) {
        return Fail(Invalid(kpath, "\"$or\" needs an array of at least two patterns"));
      }
      std::vector<PatternNode> group;
      size_t i = 0;
      for (dom::element alt : alts) {
        std::string apath = IndexPath(kpath, i++);
        if (alt.type() != dom::element_type::OBJECT) {
          return Fail(
              Invalid(apath, "a \"$or\" alternative must be an object, got " + TypeName(alt)));
        }
        INFLOW_TRY(auto sub, ParseNode(dom::object(alt), apath, keys, false));
        group.push_back(std::move(sub));
      }
      node.or_groups.push_back(std::move(group));
      continue;
    }
    std::vector<std::string> child_keys = keys;
    child_keys.emplace_back(key);
    if (value.type() == dom::element_type::OBJECT) {
      INFLOW_TRY(auto sub, ParseNode(dom::object(value), kpath, child_keys, false));
      for (auto& f : sub.fields) node.fields.push_back(std::move(f));
      for (auto& g : sub.or_groups) node.or_groups.push_back(std::move(g));
    } else if (value.type() == dom::element_type::ARRAY) {
      FieldTest test;
      test.path = std::move(child_keys);
      test.json_path = kpath;
      test.event_path = "$";
      for (const auto& k : test.path) test.event_path = ChildPath(test.event_path, k);
      INFLOW_TRY(test.any_of, ParseConditions(dom::array(value), kpath));
      node.fields.push_back(std::move(test));
    } else {
      return Fail(
          Invalid(kpath, "expected an array of conditions or an object, got " + TypeName(value)));
    }
  }
  return node;
}

// Expands a node into conjunctions (disjunctive normal form).
Status Expand(const PatternNode& node, std::vector<std::vector<const FieldTest*>>* out) {
  std::vector<std::vector<const FieldTest*>> acc(1);
  for (const FieldTest& f : node.fields) acc[0].push_back(&f);
  for (const auto& group : node.or_groups) {
    std::vector<std::vector<const FieldTest*>> next;
    for (const PatternNode& alt : group) {
      std::vector<std::vector<const FieldTest*>> alt_conj;
      INFLOW_RETURN_IF_ERROR(Expand(alt, &alt_conj));
      for (const auto& a : acc) {
        for (const auto& b : alt_conj) {
          if (next.size() >= kMaxAlternatives) {
            return Fail(InvalidArgument("$: the \"$or\" groups expand to more than " +
                                        std::to_string(kMaxAlternatives) + " alternatives"));
          }
          auto merged = a;
          merged.insert(merged.end(), b.begin(), b.end());
          next.push_back(std::move(merged));
        }
      }
    }
    acc = std::move(next);
  }
  *out = std::move(acc);
  return Ok();
}

}  // namespace

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool ParseIp(std::string_view text, bool* v6, std::array<uint8_t, 16>* out) {
  if (text.empty() || text.size() > 45) return false;
  char buf[64];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  out->fill(0);
  if (text.find(':') != std::string_view::npos) {
    *v6 = true;
    return inet_pton(AF_INET6, buf, out->data()) == 1;
  }
  *v6 = false;
  return inet_pton(AF_INET, buf, out->data()) == 1;
}

bool CidrContains(const CidrBlock& block, std::string_view address_text) {
  bool v6 = false;
  std::array<uint8_t, 16> addr;
  if (!ParseIp(address_text, &v6, &addr) || v6 != block.v6) return false;
  int full = block.prefix_len / 8;
  if (std::memcmp(addr.data(), block.address.data(), full) != 0) return false;
  int rest = block.prefix_len % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xFF00u >> rest);
  return (addr[full] & mask) == block.address[full];
}

bool Wildcard::Matches(std::string_view s) const {
  if (pieces.size() == 1) return s == pieces[0];
  const std::string& first = pieces.front();
  const std::string& last = pieces.back();
  if (s.size() < first.size() + last.size()) return false;
  if (s.substr(0, first.size()) != first) return false;
  if (s.substr(s.size() - last.size()) != last) return false;
  // Middle pieces: leftmost placement is optimal for '*'-only globs, so one pass suffices.
  size_t pos = first.size();
  size_t end = s.size() - last.size();
  for (size_t i = 1; i + 1 < pieces.size(); ++i) {
    std::string_view window = s.substr(pos, end - pos);
    size_t at = window.find(pieces[i]);
    if (at == std::string_view::npos) return false;
    pos += at + pieces[i].size();
  }
  return true;
}

Result<Pattern> Pattern::Parse(std::string_view json) {
  Pattern p;
  size_t first = json.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    p.alternatives_.emplace_back();
    return p;
  }
  if (json.size() > kMaxPatternBytes) {
    return Fail(
        InvalidArgument("$: pattern larger than " + std::to_string(kMaxPatternBytes) + " bytes"));
  }
  thread_local dom::parser parser;
  dom::element root;
  simdjson::padded_string padded(json);
  auto err = parser.parse(padded).get(root);
  if (err) {
    std::string number = NumberOutOfRange(json);
    if (!number.empty()) return Fail(InvalidArgument("$: pattern: " + number));
    return Fail(InvalidArgument(std::string("$: pattern is not valid JSON: ") +
                                simdjson::error_message(err)));
  }
  if (root.type() != dom::element_type::OBJECT) {
    return Fail(InvalidArgument("$: a pattern must be a JSON object, got " + TypeName(root)));
  }
  INFLOW_TRY(p.root_, ParseNode(dom::object(root), "$", {}, true));
  INFLOW_RETURN_IF_ERROR(Expand(p.root_, &p.alternatives_));
  return p;
}

}  // namespace inflow::pattern
