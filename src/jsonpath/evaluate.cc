// The RFC 9535 evaluator over simdjson's DOM, and the Path facade.
//
// Stack safety: descendant segments walk the document with an explicit stack; recursion is
// bounded by the expression's nesting (limited by the parser) and, for deep equality of two
// documents' subtrees, by simdjson's own depth limit.
#include <cstdint>
#include <string>
#include <vector>

#include "jsonpath/ast.h"
#include "jsonpath/path.h"

namespace inflow::jsonpath {

namespace internal {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// A value of the filter language: a JSON value, a literal, or Nothing (§2.4.1).
struct Val {
  enum class Kind { kNothing, kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNothing;
  bool b = false;
  bool is_int = false;  // number: exact int64 in i, otherwise d
  int64_t i = 0;
  double d = 0;
  std::string_view s;
  element e;  // array / object
};

Val FromElement(element e) {
  Val v;
  switch (e.type()) {
    case element_type::NULL_VALUE:
      v.kind = Val::Kind::kNull;
      break;
    case element_type::BOOL:
      v.kind = Val::Kind::kBool;
      v.b = e.get_bool().value_unsafe();
      break;
    case element_type::INT64:
      v.kind = Val::Kind::kNumber;
      v.is_int = true;
      v.i = e.get_int64().value_unsafe();
      break;
    case element_type::UINT64: {
      v.kind = Val::Kind::kNumber;
      uint64_t u = e.get_uint64().value_unsafe();
      if (u <= static_cast<uint64_t>(INT64_MAX)) {
        v.is_int = true;
        v.i = static_cast<int64_t>(u);
      } else {
        v.d = static_cast<double>(u);
      }
      break;
    }
    case element_type::DOUBLE:
      v.kind = Val::Kind::kNumber;
      v.d = e.get_double().value_unsafe();
      break;
    case element_type::STRING:
      v.kind = Val::Kind::kString;
      v.s = e.get_string().value_unsafe();
      break;
    case element_type::ARRAY:
      v.kind = Val::Kind::kArray;
      v.e = e;
      break;
    case element_type::OBJECT:
      v.kind = Val::Kind::kObject;
      v.e = e;
      break;
  }
  return v;
}

Val FromLiteral(const Literal& lit) {
  Val v;
  switch (lit.kind) {
    case Literal::Kind::kNull:
      v.kind = Val::Kind::kNull;
      break;
    case Literal::Kind::kTrue:
    case Literal::Kind::kFalse:
      v.kind = Val::Kind::kBool;
      v.b = lit.kind == Literal::Kind::kTrue;
      break;
    case Literal::Kind::kInt:
      v.kind = Val::Kind::kNumber;
      v.is_int = true;
      v.i = lit.i;
      break;
    case Literal::Kind::kDouble:
      v.kind = Val::Kind::kNumber;
      v.d = lit.d;
      break;
    case Literal::Kind::kString:
      v.kind = Val::Kind::kString;
      v.s = lit.s;
      break;
  }
  return v;
}

// -1, 0, 1 by mathematical value; long double holds every int64 exactly.
int CompareNumbers(const Val& a, const Val& b) {
  if (a.is_int && b.is_int) return a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
  long double x = a.is_int ? static_cast<long double>(a.i) : a.d;
  long double y = b.is_int ? static_cast<long double>(b.i) : b.d;
  return x < y ? -1 : x > y ? 1 : 0;
}

// Deep equality; every element pair compared costs one unit of *work (see Path::EvaluateChecked).
bool Equal(const Val& a, const Val& b, size_t* work);

bool ElementsEqual(element x, element y, size_t* work) {
  ++*work;
  return Equal(FromElement(x), FromElement(y), work);
}

bool Equal(const Val& a, const Val& b, size_t* work) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Val::Kind::kNothing:
    case Val::Kind::kNull:
      return true;
    case Val::Kind::kBool:
      return a.b == b.b;
    case Val::Kind::kNumber:
      return CompareNumbers(a, b) == 0;
    case Val::Kind::kString:
      return a.s == b.s;
    case Val::Kind::kArray: {
      simdjson::dom::array x = a.e.get_array().value_unsafe();
      simdjson::dom::array y = b.e.get_array().value_unsafe();
      auto xi = x.begin();
      auto yi = y.begin();
      for (; xi != x.end() && yi != y.end(); ++xi, ++yi) {
        if (!ElementsEqual(*xi, *yi, work)) return false;
      }
      return xi == x.end() && yi == y.end();
    }
    case Val::Kind::kObject: {
      simdjson::dom::object x = a.e.get_object().value_unsafe();
      simdjson::dom::object y = b.e.get_object().value_unsafe();
      if (x.size() != y.size()) return false;
      for (auto field : x) {
        element other;
        if (y.at_key(field.key).get(other) != simdjson::SUCCESS) return false;
        if (!ElementsEqual(field.value, other, work)) return false;
      }
      return true;
    }
  }
  return false;
}

// Only numbers and strings are ordered (§2.3.5.2.2); strings by code point, which is UTF-8
// byte order.
bool Less(const Val& a, const Val& b) {
  if (a.kind == Val::Kind::kNumber && b.kind == Val::Kind::kNumber) {
    return CompareNumbers(a, b) < 0;
  }
  if (a.kind == Val::Kind::kString && b.kind == Val::Kind::kString) return a.s < b.s;
  return false;
}

bool Compare(const Val& a, CompareOp op, const Val& b, size_t* work) {
  switch (op) {
    case CompareOp::kEq:
      return Equal(a, b, work);
    case CompareOp::kNe:
      return !Equal(a, b, work);
    case CompareOp::kLt:
      return Less(a, b);
    case CompareOp::kLe:
      return Less(a, b) || Equal(a, b, work);
    case CompareOp::kGt:
      return Less(b, a);
    case CompareOp::kGe:
      return Less(b, a) || Equal(a, b, work);
  }
  return false;
}

void Children(element node, std::vector<element>* out) {
  // The array/object is copied out of its simdjson_result first: a range-for over
  // value_unsafe() of a temporary would iterate a destroyed object.
  if (node.type() == element_type::ARRAY) {
    simdjson::dom::array array = node.get_array().value_unsafe();
    for (element child : array) out->push_back(child);
  } else if (node.type() == element_type::OBJECT) {
    simdjson::dom::object object = node.get_object().value_unsafe();
    for (auto field : object) out->push_back(field.value);
  }
}

// One evaluation of a query. Counts its work (nodes visited, selected and compared, regex
// steps) and stops early once the budget is spent; the caller then discards the result.
class Evaluator {
 public:
  Evaluator(element root, size_t budget) : root_(root), budget_(budget) {}

  bool exhausted() const { return work_ > budget_; }

  void EvalQuery(const Query& q, element current, std::vector<element>* out) {
    std::vector<element> nodes{q.absolute ? root_ : current};
    std::vector<element> next;
    std::vector<element> stack;
    std::vector<element> kids;
    for (const Segment& seg : q.segments) {
      next.clear();
      for (element node : nodes) {
        if (exhausted()) return;
        ++work_;
        if (!seg.descendant) {
          ApplySelectors(seg, node, &next);
          continue;
        }
        // Pre-order: a node before its descendants, arrays in order.
        stack.assign(1, node);
        while (!stack.empty()) {
          if (exhausted()) return;
          ++work_;
          element d = stack.back();
          stack.pop_back();
          ApplySelectors(seg, d, &next);
          kids.clear();
          Children(d, &kids);
          stack.insert(stack.end(), kids.rbegin(), kids.rend());
        }
      }
      nodes.swap(next);
      if (nodes.empty()) return;
    }
    out->insert(out->end(), nodes.begin(), nodes.end());
  }

 private:
  void ApplySelectors(const Segment& seg, element node, std::vector<element>* out) {
    for (const Selector& sel : seg.selectors) {
      size_t before = out->size();
      Apply(sel, node, out);
      work_ += out->size() - before;
    }
  }

  void Apply(const Selector& sel, element node, std::vector<element>* out) {
    element_type type = node.type();
    switch (sel.kind) {
      case SelectorKind::kName: {
        if (type != element_type::OBJECT) return;
        element child;
        if (node.get_object().value_unsafe().at_key(sel.name).get(child) == simdjson::SUCCESS) {
          out->push_back(child);
        }
        return;
      }
      case SelectorKind::kWildcard:
        Children(node, out);
        return;
      case SelectorKind::kIndex: {
        if (type != element_type::ARRAY) return;
        simdjson::dom::array array = node.get_array().value_unsafe();
        auto len = static_cast<int64_t>(array.size());
        int64_t i = sel.index < 0 ? len + sel.index : sel.index;
        if (i < 0 || i >= len) return;
        element child;
        if (array.at(static_cast<size_t>(i)).get(child) == simdjson::SUCCESS) out->push_back(child);
        return;
      }
      case SelectorKind::kSlice: {
        if (type != element_type::ARRAY) return;
        std::vector<element> items;
        Children(node, &items);
        Slice(sel, items, out);
        return;
      }
      case SelectorKind::kFilter: {
        std::vector<element> items;
        Children(node, &items);
        for (element child : items) {
          if (exhausted()) return;
          ++work_;
          if (EvalLogical(*sel.filter, child)) out->push_back(child);
        }
        return;
      }
    }
  }

  // §2.3.4.2.2, with every bound first clamped into [-len-1, len] so nothing overflows.
  static void Slice(const Selector& sel, const std::vector<element>& items,
                    std::vector<element>* out) {
    const auto len = static_cast<int64_t>(items.size());
    const int64_t step = sel.step;
    if (step == 0) return;
    auto normalize = [len](int64_t i) { return i >= 0 ? i : len + i; };
    int64_t start = sel.start ? normalize(*sel.start) : (step > 0 ? 0 : len - 1);
    int64_t end = sel.end ? normalize(*sel.end) : (step > 0 ? len : -len - 1);
    if (step > 0) {
      int64_t lower = std::min(std::max(start, int64_t{0}), len);
      int64_t upper = std::min(std::max(end, int64_t{0}), len);
      for (int64_t i = lower; i < upper; i += step) {
        out->push_back(items[static_cast<size_t>(i)]);
        if (upper - i <= step) break;
      }
    } else {
      int64_t upper = std::min(std::max(start, int64_t{-1}), len - 1);
      int64_t lower = std::min(std::max(end, int64_t{-1}), len - 1);
      for (int64_t i = upper; lower < i; i += step) {
        out->push_back(items[static_cast<size_t>(i)]);
        if (i - lower <= -step) break;
      }
    }
  }

  bool EvalLogical(const Expr& e, element current) {
    switch (e.kind) {
      case ExprKind::kOr:
        for (const auto& a : e.args) {
          if (EvalLogical(*a, current)) return true;
        }
        return false;
      case ExprKind::kAnd:
        for (const auto& a : e.args) {
          if (!EvalLogical(*a, current)) return false;
        }
        return true;
      case ExprKind::kNot:
        return !EvalLogical(*e.args[0], current);
      case ExprKind::kCompare: {
        Val lhs = EvalValue(*e.args[0], current);
        Val rhs = EvalValue(*e.args[1], current);
        return Compare(lhs, e.op, rhs, &work_);
      }
      case ExprKind::kTest: {
        std::vector<element> nodes;
        EvalNodes(*e.args[0], current, &nodes);
        return !nodes.empty();
      }
      case ExprKind::kFunction:
        return EvalRegexFunction(e, current);
      case ExprKind::kLiteral:
      case ExprKind::kQuery:
        return false;  // the parser wraps these in kTest / rejects them
    }
    return false;
  }

  bool EvalRegexFunction(const Expr& e, element current) {
    if (e.function != FunctionKind::kMatch && e.function != FunctionKind::kSearch) return false;
    Val subject = EvalValue(*e.args[0], current);
    if (subject.kind != Val::Kind::kString) return false;
    const Regex* regex = nullptr;
    Result<Regex> dynamic = Fail(ErrorCode::kInvalidArgument, "no pattern");
    if (e.literal_regex) {
      if (!*e.literal_regex) return false;
      regex = &e.literal_regex->value();
    } else {
      Val pattern = EvalValue(*e.args[1], current);
      if (pattern.kind != Val::Kind::kString) return false;
      dynamic = Regex::Compile(pattern.s);
      if (!dynamic) return false;
      regex = &dynamic.value();
    }
    // The regex spends from the query's budget, one unit per NFA step it really takes.
    if (exhausted()) return false;
    size_t left = budget_ - work_;
    const size_t before = left;
    Result<bool> matched = e.function == FunctionKind::kMatch ? regex->FullMatch(subject.s, &left)
                                                              : regex->Search(subject.s, &left);
    if (!matched) {
      work_ = budget_ + 1;
      return false;
    }
    work_ += before - left;
    return *matched;
  }

  void EvalNodes(const Expr& e, element current, std::vector<element>* out) {
    if (e.kind == ExprKind::kQuery) EvalQuery(*e.query, current, out);
  }

  Val EvalValue(const Expr& e, element current) {
    switch (e.kind) {
      case ExprKind::kLiteral:
        return FromLiteral(e.literal);
      case ExprKind::kQuery: {
        std::vector<element> nodes;
        EvalQuery(*e.query, current, &nodes);
        return nodes.size() == 1 ? FromElement(nodes[0]) : Val{};
      }
      case ExprKind::kFunction:
        return EvalValueFunction(e, current);
      default:
        return Val{};
    }
  }

  Val EvalValueFunction(const Expr& e, element current) {
    Val result;
    switch (e.function) {
      case FunctionKind::kLength: {
        Val v = EvalValue(*e.args[0], current);
        result.kind = Val::Kind::kNumber;
        result.is_int = true;
        if (v.kind == Val::Kind::kString) {
          for (char c : v.s) {
            if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++result.i;
          }
        } else if (v.kind == Val::Kind::kArray) {
          result.i = static_cast<int64_t>(v.e.get_array().value_unsafe().size());
        } else if (v.kind == Val::Kind::kObject) {
          result.i = static_cast<int64_t>(v.e.get_object().value_unsafe().size());
        } else {
          return Val{};
        }
        return result;
      }
      case FunctionKind::kCount: {
        std::vector<element> nodes;
        EvalNodes(*e.args[0], current, &nodes);
        result.kind = Val::Kind::kNumber;
        result.is_int = true;
        result.i = static_cast<int64_t>(nodes.size());
        return result;
      }
      case FunctionKind::kValue: {
        std::vector<element> nodes;
        EvalNodes(*e.args[0], current, &nodes);
        return nodes.size() == 1 ? FromElement(nodes[0]) : Val{};
      }
      case FunctionKind::kMatch:
      case FunctionKind::kSearch:
        return Val{};  // logical functions are never used as values (parser-checked)
    }
    return Val{};
  }

  element root_;
  size_t budget_;
  size_t work_ = 0;
};

}  // namespace
}  // namespace internal

Result<Path> Path::Compile(std::string_view expr) {
  INFLOW_TRY(auto query, internal::ParseQuery(expr));
  return Path(std::string(expr), std::shared_ptr<const internal::Query>(std::move(query)));
}

bool Path::IsSingular() const { return query_->IsSingular(); }

void Path::Evaluate(simdjson::dom::element root, std::vector<simdjson::dom::element>* out) const {
  (void)EvaluateChecked(root, out, kDefaultWorkBudget);
}

Status Path::EvaluateChecked(simdjson::dom::element root, std::vector<simdjson::dom::element>* out,
                             size_t work_budget) const {
  internal::Evaluator evaluator(root, work_budget);
  std::vector<simdjson::dom::element> nodes;
  evaluator.EvalQuery(*query_, root, &nodes);
  if (evaluator.exhausted()) {
    return Fail(ErrorCode::kResourceExhausted, "JSONPath '" + text_ + "' needs more than " +
                                                   std::to_string(work_budget) +
                                                   " evaluation steps on this document");
  }
  out->insert(out->end(), nodes.begin(), nodes.end());
  return Ok();
}

std::string ToCompactJson(simdjson::dom::element node) { return simdjson::to_string(node); }

}  // namespace inflow::jsonpath
