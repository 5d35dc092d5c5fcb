// The compiled form of an RFC 9535 query: the tree the parser builds and the evaluator walks.
// Internal to the jsonpath module; callers use path.h.
//
// Thread safety: built once by the parser, then only read; safe to share across threads.
#ifndef INFLOW_JSONPATH_AST_H_
#define INFLOW_JSONPATH_AST_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "jsonpath/iregexp.h"

namespace inflow::jsonpath::internal {

struct Expr;

enum class SelectorKind { kName, kWildcard, kIndex, kSlice, kFilter };

struct Selector {
  SelectorKind kind = SelectorKind::kWildcard;
  std::string name;              // kName (unescaped)
  int64_t index = 0;             // kIndex
  std::optional<int64_t> start;  // kSlice
  std::optional<int64_t> end;    // kSlice
  int64_t step = 1;              // kSlice
  std::unique_ptr<Expr> filter;  // kFilter: a logical expression
};

struct Segment {
  bool descendant = false;
  std::vector<Selector> selectors;
};

struct Query {
  bool absolute = true;  // `$` (the document root) or `@` (the current node)
  std::vector<Segment> segments;

  // RFC 9535 §2.3.5.1: child segments with exactly one name or index selector each.
  bool IsSingular() const;
};

// The three types of the RFC's function type system (§2.4.1).
enum class ExprType { kValue, kLogical, kNodes };

enum class FunctionKind { kLength, kCount, kMatch, kSearch, kValue };

enum class CompareOp { kEq, kNe, kLt, kLe, kGt, kGe };

struct Literal {
  enum class Kind { kNull, kTrue, kFalse, kInt, kDouble, kString };
  Kind kind = Kind::kNull;
  int64_t i = 0;
  double d = 0;
  std::string s;
};

enum class ExprKind {
  kLiteral,   // a comparable or a function argument
  kQuery,     // a filter query: compared when singular, or passed as NodesType
  kFunction,  // a function extension
  kOr,        // args: 2+ logical operands
  kAnd,       // args: 2+ logical operands
  kNot,       // args[0]: logical
  kCompare,   // args[0] op args[1], both comparables
  kTest,      // args[0]: a query (existence) or a NodesType function
};

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  size_t pos = 0;  // byte offset in the query text, for error messages
  Literal literal;
  std::unique_ptr<Query> query;
  FunctionKind function = FunctionKind::kLength;
  CompareOp op = CompareOp::kEq;
  std::vector<std::unique_ptr<Expr>> args;
  // match()/search() with a literal pattern compile it once, at parse time. A literal that is
  // not a valid I-Regexp makes the function false everywhere (RFC 9535 §2.4.6/§2.4.7).
  std::optional<Result<Regex>> literal_regex;

  // The declared result type: only meaningful for kFunction; logical nodes are kLogical.
  ExprType ResultType() const;
};

// Parses the whole query; errors carry the 0-based character position.
Result<std::unique_ptr<Query>> ParseQuery(std::string_view text);

}  // namespace inflow::jsonpath::internal

#endif  // INFLOW_JSONPATH_AST_H_
