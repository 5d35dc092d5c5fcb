// The RFC 9535 query parser: a recursive-descent reading of the RFC's ABNF (§2 and Appendix A),
// with the well-typedness rules of §2.4.3 checked as the tree (ast.h) is built. Internal to the
// jsonpath module; callers use path.h (ParseQuery in ast.h is the entry point).
//
// The parser's members are defined in three files along the grammar's layers:
//   parser_lexer.cc     characters and tokens: strings and escapes, integers, numbers, names,
//                       comparison operators, error positions;
//   parser.cc           the grammar: segments, selectors, logical and comparison expressions;
//   function_types.cc   function extensions: their parameters and the type system (§2.4).
//
// Thread safety: a Parser is used by one thread for one expression and then discarded.
#ifndef INFLOW_JSONPATH_PARSER_H_
#define INFLOW_JSONPATH_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "jsonpath/ast.h"

namespace inflow::jsonpath::internal {

// Filters, parentheses and function calls nest the parser's recursion; this bounds it.
constexpr int kMaxNesting = 64;
// I-JSON's exact integer range (RFC 9535 §2.1): indexes and slice bounds must fit in it.
constexpr int64_t kMaxSafeInt = (int64_t{1} << 53) - 1;

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool IsNameFirst(char c) {
  return IsAlpha(c) || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}
inline bool IsNameChar(char c) { return IsNameFirst(c) || IsDigit(c); }
inline bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The name a function is called by in the expression text ("length", …).
const char* FunctionName(FunctionKind f);

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  // query = root-identifier segments, the whole text.
  Result<std::unique_ptr<Query>> ParseRoot();

 private:
  struct DepthGuard {
    explicit DepthGuard(int* d) : depth(d) { ++*depth; }
    ~DepthGuard() { --*depth; }
    int* depth;
  };

  // ---- characters and tokens (parser_lexer.cc) ----
  // Positions are reported in characters (code points), not bytes.
  tl::unexpected<Error> Err(size_t byte_pos, const std::string& what) const;
  std::string CharAt(size_t p) const;
  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek(size_t k = 0) const { return pos_ + k < s_.size() ? s_[pos_ + k] : '\0'; }
  bool PeekIs(char c, size_t k = 0) const { return pos_ + k < s_.size() && s_[pos_ + k] == c; }
  void SkipBlanks() {
    while (!AtEnd() && IsBlank(Peek())) ++pos_;
  }
  std::string Found() const;
  Selector ParseShorthandName();
  // int = "0" / (["-"] DIGIT1 *DIGIT), within ±(2^53−1).
  Result<int64_t> ParseInt();
  // string-literal, single- or double-quoted, with the RFC's escapes (§2.3.1.1).
  Result<std::string> ParseString();
  Result<uint32_t> Hex4(size_t esc);
  // After "\u": a non-surrogate, or a high surrogate followed by "\u" and a low surrogate.
  Result<char32_t> ParseUnicodeEscape(size_t esc);
  // number = (int / "-0") [ frac ] [ exp ]
  Status ParseNumber(Literal* lit);
  std::optional<CompareOp> ParseCompareOp();

  // ---- the grammar (parser.cc) ----
  // segments = *(S segment). Whitespace before a segment is only consumed if a segment follows.
  Status ParseSegments(Query* query);
  // bracketed-selection = "[" S selector *(S "," S selector) S "]"
  Status ParseBracketed(Segment* seg);
  Result<Selector> ParseSelector();
  // logical-or-expr. Returns a bare operand (literal / query / function) when there is no
  // operator, so a function argument can be typed by its caller.
  Result<std::unique_ptr<Expr>> ParseOr();
  Result<std::unique_ptr<Expr>> ParseAnd();
  // basic-expr = paren-expr / comparison-expr / test-expr
  Result<std::unique_ptr<Expr>> ParseBasic();
  Result<std::unique_ptr<Expr>> ParseParen();
  // A literal, a filter query (`@…` / `$…`) or a function expression.
  Result<std::unique_ptr<Expr>> ParsePrimary();

  // ---- function extensions and types (function_types.cc) ----
  // REQUIRES: the name was read and the next character is '('.
  Result<std::unique_ptr<Expr>> ParseFunction(std::string_view name, size_t start);
  // §2.4.3: how an argument may be written for a parameter of the given declared type.
  Status CheckArgument(const Expr& fn, size_t index, ExprType param, const Expr& arg);
  // comparable = literal / singular-query / function-expr (of ValueType)
  Status CheckComparable(const Expr& e);
  // Turns a bare operand into a test (§2.3.5: existence or a logical function); operators pass.
  Result<std::unique_ptr<Expr>> AsLogical(std::unique_ptr<Expr> e);

  std::string_view s_;
  size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace inflow::jsonpath::internal

#endif  // INFLOW_JSONPATH_PARSER_H_
