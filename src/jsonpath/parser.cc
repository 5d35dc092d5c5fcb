// The RFC 9535 parser: a recursive-descent reading of the RFC's ABNF (§2 and Appendix A), with
// the well-typedness rules of §2.4.3 checked as the tree is built.
#include <simdjson.h>

#include <charconv>
#include <cstdlib>
#include <string>

#include "jsonpath/ast.h"

namespace inflow::jsonpath::internal {

namespace {

// Filters, parentheses and function calls nest the parser's recursion; this bounds it.
constexpr int kMaxNesting = 64;
// I-JSON's exact integer range (RFC 9535 §2.1): indexes and slice bounds must fit in it.
constexpr int64_t kMaxSafeInt = (int64_t{1} << 53) - 1;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsNameFirst(char c) { return IsAlpha(c) || c == '_' || static_cast<unsigned char>(c) >= 0x80; }
bool IsNameChar(char c) { return IsNameFirst(c) || IsDigit(c); }
bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(char32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

const char* FunctionName(FunctionKind f) {
  switch (f) {
    case FunctionKind::kLength:
      return "length";
    case FunctionKind::kCount:
      return "count";
    case FunctionKind::kMatch:
      return "match";
    case FunctionKind::kSearch:
      return "search";
    case FunctionKind::kValue:
      return "value";
  }
  return "?";
}

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  Result<std::unique_ptr<Query>> ParseRoot() {
    if (!simdjson::validate_utf8(s_.data(), s_.size())) {
      return Fail(ErrorCode::kInvalidArgument, "the expression is not valid UTF-8");
    }
    if (AtEnd()) return Err(0, "empty expression; a query starts with '$'");
    if (Peek() != '$') return Err(pos_, "a query starts with '$'");
    ++pos_;
    auto query = std::make_unique<Query>();
    query->absolute = true;
    INFLOW_RETURN_IF_ERROR(ParseSegments(query.get()));
    if (!AtEnd()) return Err(pos_, "unexpected '" + CharAt(pos_) + "'");
    return query;
  }

 private:
  // Positions are reported in characters (code points), not bytes.
  tl::unexpected<Error> Err(size_t byte_pos, const std::string& what) const {
    size_t chars = 0;
    for (size_t i = 0; i < byte_pos && i < s_.size(); ++i) {
      if ((static_cast<unsigned char>(s_[i]) & 0xC0) != 0x80) ++chars;
    }
    return Fail(ErrorCode::kInvalidArgument, "position " + std::to_string(chars) + ": " + what);
  }
  std::string CharAt(size_t p) const {
    if (p >= s_.size()) return "end of input";
    size_t q = p;
    DecodeUtf8(s_, &q);
    return std::string(s_.substr(p, q - p));
  }
  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek(size_t k = 0) const { return pos_ + k < s_.size() ? s_[pos_ + k] : '\0'; }
  bool PeekIs(char c, size_t k = 0) const { return pos_ + k < s_.size() && s_[pos_ + k] == c; }
  void SkipBlanks() {
    while (!AtEnd() && IsBlank(Peek())) ++pos_;
  }
  std::string Found() const { return AtEnd() ? "end of input" : "'" + CharAt(pos_) + "'"; }

  // segments = *(S segment). Whitespace before a segment is only consumed if a segment follows.
  Status ParseSegments(Query* query) {
    while (true) {
      size_t save = pos_;
      SkipBlanks();
      if (PeekIs('[')) {
        Segment seg;
        INFLOW_RETURN_IF_ERROR(ParseBracketed(&seg));
        query->segments.push_back(std::move(seg));
      } else if (PeekIs('.') && PeekIs('.', 1)) {
        pos_ += 2;
        Segment seg;
        seg.descendant = true;
        if (PeekIs('[')) {
          INFLOW_RETURN_IF_ERROR(ParseBracketed(&seg));
        } else if (PeekIs('*')) {
          ++pos_;
          seg.selectors.emplace_back();
        } else if (!AtEnd() && IsNameFirst(Peek())) {
          seg.selectors.push_back(ParseShorthandName());
        } else {
          return Err(pos_, "expected a member name, '*' or '[' after '..', found " + Found());
        }
        query->segments.push_back(std::move(seg));
      } else if (PeekIs('.')) {
        ++pos_;
        Segment seg;
        if (PeekIs('*')) {
          ++pos_;
          seg.selectors.emplace_back();
        } else if (!AtEnd() && IsNameFirst(Peek())) {
          seg.selectors.push_back(ParseShorthandName());
        } else {
          return Err(pos_, "expected a member name or '*' after '.', found " + Found());
        }
        query->segments.push_back(std::move(seg));
      } else {
        pos_ = save;
        return Ok();
      }
    }
  }

  Selector ParseShorthandName() {
    size_t start = pos_;
    while (!AtEnd() && IsNameChar(Peek())) ++pos_;
    Selector sel;
    sel.kind = SelectorKind::kName;
    sel.name = std::string(s_.substr(start, pos_ - start));
    return sel;
  }

  // bracketed-selection = "[" S selector *(S "," S selector) S "]"
  Status ParseBracketed(Segment* seg) {
    ++pos_;
    while (true) {
      SkipBlanks();
      INFLOW_TRY(Selector sel, ParseSelector());
      seg->selectors.push_back(std::move(sel));
      SkipBlanks();
      if (PeekIs(',')) {
        ++pos_;
        continue;
      }
      if (PeekIs(']')) {
        ++pos_;
        return Ok();
      }
      return Err(pos_, "expected ',' or ']' in a bracketed selection, found " + Found());
    }
  }

  Result<Selector> ParseSelector() {
    Selector sel;
    char c = Peek();
    if (AtEnd()) return Err(pos_, "expected a selector, found end of input");
    if (c == '\'' || c == '"') {
      sel.kind = SelectorKind::kName;
      INFLOW_TRY(sel.name, ParseString());
      return sel;
    }
    if (c == '*') {
      ++pos_;
      sel.kind = SelectorKind::kWildcard;
      return sel;
    }
    if (c == '?') {
      ++pos_;
      SkipBlanks();
      sel.kind = SelectorKind::kFilter;
      INFLOW_TRY(auto expr, ParseOr());
      INFLOW_TRY(sel.filter, AsLogical(std::move(expr)));
      return sel;
    }
    if (c == '-' || IsDigit(c) || c == ':') {
      std::optional<int64_t> first;
      if (c != ':') {
        INFLOW_TRY(first, ParseInt());
      }
      size_t save = pos_;
      SkipBlanks();
      if (!PeekIs(':')) {
        pos_ = save;
        sel.kind = SelectorKind::kIndex;
        sel.index = *first;
        return sel;
      }
      ++pos_;
      sel.kind = SelectorKind::kSlice;
      sel.start = first;
      SkipBlanks();
      if (PeekIs('-') || IsDigit(Peek())) {
        INFLOW_TRY(sel.end, ParseInt());
        SkipBlanks();
      }
      if (PeekIs(':')) {
        ++pos_;
        SkipBlanks();
        if (PeekIs('-') || IsDigit(Peek())) {
          INFLOW_TRY(sel.step, ParseInt());
        }
      }
      return sel;
    }
    return Err(pos_, "expected a selector (name, '*', index, slice or '?'), found " + Found());
  }

  // int = "0" / (["-"] DIGIT1 *DIGIT), within ±(2^53−1).
  Result<int64_t> ParseInt() {
    size_t start = pos_;
    bool negative = false;
    if (PeekIs('-')) {
      negative = true;
      ++pos_;
    }
    if (!IsDigit(Peek()) || AtEnd()) return Err(pos_, "expected a digit, found " + Found());
    if (Peek() == '0') {
      if (negative) return Err(start, "'-0' is not a valid integer here");
      ++pos_;
      if (IsDigit(Peek())) return Err(start, "integers may not have leading zeros");
      return 0;
    }
    int64_t v = 0;
    while (!AtEnd() && IsDigit(Peek())) {
      v = v * 10 + (Peek() - '0');
      if (v > kMaxSafeInt) return Err(start, "integer outside ±(2^53−1)");
      ++pos_;
    }
    return negative ? -v : v;
  }

  // string-literal, single- or double-quoted, with the RFC's escapes (§2.3.1.1).
  Result<std::string> ParseString() {
    char quote = Peek();
    size_t start = pos_;
    ++pos_;
    std::string out;
    while (true) {
      if (AtEnd()) return Err(start, "unterminated string literal");
      char c = Peek();
      if (c == quote) {
        ++pos_;
        return out;
      }
      auto uc = static_cast<unsigned char>(c);
      if (uc < 0x20) return Err(pos_, "control character in a string literal must be escaped");
      if (c != '\\') {
        out.push_back(c);
        ++pos_;
        continue;
      }
      size_t esc = pos_;
      ++pos_;
      char e = Peek();
      if (AtEnd()) return Err(start, "unterminated string literal");
      ++pos_;
      switch (e) {
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case '/':
          out.push_back('/');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case 'u': {
          INFLOW_TRY(char32_t cp, ParseUnicodeEscape(esc));
          AppendUtf8(cp, &out);
          break;
        }
        default:
          if (e == quote) {
            out.push_back(e);
            break;
          }
          return Err(esc, "invalid escape '\\" + CharAt(esc + 1) + "' in a string literal");
      }
    }
  }

  Result<uint32_t> Hex4(size_t esc) {
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      int h = AtEnd() ? -1 : HexValue(Peek());
      if (h < 0) return Err(esc, "'\\u' needs four hex digits");
      v = v * 16 + static_cast<uint32_t>(h);
      ++pos_;
    }
    return v;
  }

  // After "\u": a non-surrogate, or a high surrogate followed by "\u" and a low surrogate.
  Result<char32_t> ParseUnicodeEscape(size_t esc) {
    INFLOW_TRY(uint32_t hi, Hex4(esc));
    if (hi >= 0xDC00 && hi <= 0xDFFF) return Err(esc, "lone low surrogate in '\\u' escape");
    if (hi < 0xD800 || hi > 0xDBFF) return static_cast<char32_t>(hi);
    if (!PeekIs('\\') || !PeekIs('u', 1)) {
      return Err(esc, "high surrogate must be followed by a '\\u' low surrogate");
    }
    pos_ += 2;
    INFLOW_TRY(uint32_t lo, Hex4(esc));
    if (lo < 0xDC00 || lo > 0xDFFF) return Err(esc, "high surrogate not followed by a low one");
    return static_cast<char32_t>(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00));
  }

  // ---- filter expressions ----

  struct DepthGuard {
    explicit DepthGuard(int* d) : depth(d) { ++*depth; }
    ~DepthGuard() { --*depth; }
    int* depth;
  };

  // logical-or-expr. Returns a bare operand (literal / query / function) when there is no
  // operator, so a function argument can be typed by its caller.
  Result<std::unique_ptr<Expr>> ParseOr() {
    size_t start = pos_;
    INFLOW_TRY(auto first, ParseAnd());
    std::unique_ptr<Expr> node;
    while (true) {
      size_t save = pos_;
      SkipBlanks();
      if (!(PeekIs('|') && PeekIs('|', 1))) {
        pos_ = save;
        break;
      }
      pos_ += 2;
      SkipBlanks();
      if (!node) {
        node = std::make_unique<Expr>();
        node->kind = ExprKind::kOr;
        node->pos = start;
        INFLOW_TRY(auto lhs, AsLogical(std::move(first)));
        node->args.push_back(std::move(lhs));
      }
      INFLOW_TRY(auto rhs, ParseAnd());
      INFLOW_TRY(auto rhs_logical, AsLogical(std::move(rhs)));
      node->args.push_back(std::move(rhs_logical));
    }
    if (!node) return first;
    return node;
  }

  Result<std::unique_ptr<Expr>> ParseAnd() {
    size_t start = pos_;
    INFLOW_TRY(auto first, ParseBasic());
    std::unique_ptr<Expr> node;
    while (true) {
      size_t save = pos_;
      SkipBlanks();
      if (!(PeekIs('&') && PeekIs('&', 1))) {
        pos_ = save;
        break;
      }
      pos_ += 2;
      SkipBlanks();
      if (!node) {
        node = std::make_unique<Expr>();
        node->kind = ExprKind::kAnd;
        node->pos = start;
        INFLOW_TRY(auto lhs, AsLogical(std::move(first)));
        node->args.push_back(std::move(lhs));
      }
      INFLOW_TRY(auto rhs, ParseBasic());
      INFLOW_TRY(auto rhs_logical, AsLogical(std::move(rhs)));
      node->args.push_back(std::move(rhs_logical));
    }
    if (!node) return first;
    return node;
  }

  // basic-expr = paren-expr / comparison-expr / test-expr
  Result<std::unique_ptr<Expr>> ParseBasic() {
    DepthGuard guard(&depth_);
    if (depth_ > kMaxNesting) return Err(pos_, "expression nested too deeply");
    size_t start = pos_;
    if (PeekIs('!')) {
      ++pos_;
      SkipBlanks();
      std::unique_ptr<Expr> operand;
      if (PeekIs('(')) {
        INFLOW_TRY(operand, ParseParen());
      } else {
        size_t operand_pos = pos_;
        INFLOW_TRY(auto primary, ParsePrimary());
        if (primary->kind != ExprKind::kQuery && primary->kind != ExprKind::kFunction) {
          return Err(operand_pos, "'!' must be followed by a query, a function or '('");
        }
        INFLOW_TRY(operand, AsLogical(std::move(primary)));
      }
      auto node = std::make_unique<Expr>();
      node->kind = ExprKind::kNot;
      node->pos = start;
      node->args.push_back(std::move(operand));
      return node;
    }
    if (PeekIs('(')) return ParseParen();
    INFLOW_TRY(auto lhs, ParsePrimary());
    size_t save = pos_;
    SkipBlanks();
    std::optional<CompareOp> op = ParseCompareOp();
    if (!op) {
      pos_ = save;
      return lhs;
    }
    SkipBlanks();
    INFLOW_TRY(auto rhs, ParsePrimary());
    INFLOW_RETURN_IF_ERROR(CheckComparable(*lhs));
    INFLOW_RETURN_IF_ERROR(CheckComparable(*rhs));
    auto node = std::make_unique<Expr>();
    node->kind = ExprKind::kCompare;
    node->pos = start;
    node->op = *op;
    node->args.push_back(std::move(lhs));
    node->args.push_back(std::move(rhs));
    return node;
  }

  Result<std::unique_ptr<Expr>> ParseParen() {
    size_t open = pos_;
    ++pos_;
    SkipBlanks();
    INFLOW_TRY(auto inner, ParseOr());
    INFLOW_TRY(auto logical, AsLogical(std::move(inner)));
    SkipBlanks();
    if (!PeekIs(')')) return Err(pos_, "expected ')' to close '(' at " + std::to_string(open));
    ++pos_;
    return logical;
  }

  std::optional<CompareOp> ParseCompareOp() {
    char a = Peek();
    bool eq_next = PeekIs('=', 1);
    if (a == '=' && eq_next) {
      pos_ += 2;
      return CompareOp::kEq;
    }
    if (a == '!' && eq_next) {
      pos_ += 2;
      return CompareOp::kNe;
    }
    if (a == '<') {
      pos_ += eq_next ? 2 : 1;
      return eq_next ? CompareOp::kLe : CompareOp::kLt;
    }
    if (a == '>') {
      pos_ += eq_next ? 2 : 1;
      return eq_next ? CompareOp::kGe : CompareOp::kGt;
    }
    return std::nullopt;
  }

  // A literal, a filter query (`@…` / `$…`) or a function expression.
  Result<std::unique_ptr<Expr>> ParsePrimary() {
    auto node = std::make_unique<Expr>();
    node->pos = pos_;
    if (AtEnd()) return Err(pos_, "expected an operand, found end of input");
    char c = Peek();
    if (c == '@' || c == '$') {
      DepthGuard guard(&depth_);
      if (depth_ > kMaxNesting) return Err(pos_, "expression nested too deeply");
      ++pos_;
      node->kind = ExprKind::kQuery;
      node->query = std::make_unique<Query>();
      node->query->absolute = c == '$';
      INFLOW_RETURN_IF_ERROR(ParseSegments(node->query.get()));
      return node;
    }
    if (c == '\'' || c == '"') {
      node->kind = ExprKind::kLiteral;
      node->literal.kind = Literal::Kind::kString;
      INFLOW_TRY(node->literal.s, ParseString());
      return node;
    }
    if (c == '-' || IsDigit(c)) {
      node->kind = ExprKind::kLiteral;
      INFLOW_RETURN_IF_ERROR(ParseNumber(&node->literal));
      return node;
    }
    if (c >= 'a' && c <= 'z') {
      size_t start = pos_;
      while (!AtEnd() && ((Peek() >= 'a' && Peek() <= 'z') || Peek() == '_' || IsDigit(Peek()))) {
        ++pos_;
      }
      std::string_view word = s_.substr(start, pos_ - start);
      if (PeekIs('(')) return ParseFunction(word, start);
      node->kind = ExprKind::kLiteral;
      if (word == "true") {
        node->literal.kind = Literal::Kind::kTrue;
      } else if (word == "false") {
        node->literal.kind = Literal::Kind::kFalse;
      } else if (word == "null") {
        node->literal.kind = Literal::Kind::kNull;
      } else {
        return Err(start, "unknown name '" + std::string(word) +
                              "' (expected true, false, null or a function call)");
      }
      if (!AtEnd() && IsNameChar(Peek())) return Err(start, "unexpected '" + CharAt(pos_) + "'");
      return node;
    }
    return Err(pos_, "expected a query, a literal or a function, found " + Found());
  }

  // number = (int / "-0") [ frac ] [ exp ]
  Status ParseNumber(Literal* lit) {
    size_t start = pos_;
    if (PeekIs('-')) ++pos_;
    if (!IsDigit(Peek()) || AtEnd()) return Err(pos_, "expected a digit, found " + Found());
    if (PeekIs('0')) {
      ++pos_;
      if (IsDigit(Peek()) && !AtEnd()) return Err(start, "numbers may not have leading zeros");
    } else {
      while (!AtEnd() && IsDigit(Peek())) ++pos_;
    }
    bool is_int = true;
    if (PeekIs('.')) {
      is_int = false;
      ++pos_;
      if (!IsDigit(Peek()) || AtEnd()) return Err(pos_, "expected a digit after '.'");
      while (!AtEnd() && IsDigit(Peek())) ++pos_;
    }
    if (PeekIs('e') || PeekIs('E')) {
      is_int = false;
      ++pos_;
      if (PeekIs('+') || PeekIs('-')) ++pos_;
      if (!IsDigit(Peek()) || AtEnd()) return Err(pos_, "expected a digit in the exponent");
      while (!AtEnd() && IsDigit(Peek())) ++pos_;
    }
    std::string_view text = s_.substr(start, pos_ - start);
    if (is_int) {
      int64_t v = 0;
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec == std::errc() && ptr == text.data() + text.size()) {
        lit->kind = Literal::Kind::kInt;
        lit->i = v;
        return Ok();
      }
    }
    lit->kind = Literal::Kind::kDouble;
    // strtod over a NUL-terminated copy: saturates to ±inf on overflow instead of failing.
    lit->d = std::strtod(std::string(text).c_str(), nullptr);
    return Ok();
  }

  Result<std::unique_ptr<Expr>> ParseFunction(std::string_view name, size_t start) {
    DepthGuard guard(&depth_);
    if (depth_ > kMaxNesting) return Err(pos_, "expression nested too deeply");
    auto node = std::make_unique<Expr>();
    node->kind = ExprKind::kFunction;
    node->pos = start;
    std::vector<ExprType> params;
    if (name == "length") {
      node->function = FunctionKind::kLength;
      params = {ExprType::kValue};
    } else if (name == "count") {
      node->function = FunctionKind::kCount;
      params = {ExprType::kNodes};
    } else if (name == "match") {
      node->function = FunctionKind::kMatch;
      params = {ExprType::kValue, ExprType::kValue};
    } else if (name == "search") {
      node->function = FunctionKind::kSearch;
      params = {ExprType::kValue, ExprType::kValue};
    } else if (name == "value") {
      node->function = FunctionKind::kValue;
      params = {ExprType::kNodes};
    } else {
      return Err(start, "unknown function '" + std::string(name) + "'");
    }
    ++pos_;  // '('
    SkipBlanks();
    if (!PeekIs(')')) {
      while (true) {
        size_t arg_pos = pos_;
        INFLOW_TRY(auto arg, ParseOr());
        size_t index = node->args.size();
        if (index >= params.size()) {
          return Err(arg_pos, std::string(FunctionName(node->function)) + "() takes " +
                                  std::to_string(params.size()) + " argument(s)");
        }
        INFLOW_RETURN_IF_ERROR(CheckArgument(*node, index, params[index], *arg));
        node->args.push_back(std::move(arg));
        SkipBlanks();
        if (PeekIs(',')) {
          ++pos_;
          SkipBlanks();
          continue;
        }
        break;
      }
    }
    if (!PeekIs(')')) return Err(pos_, "expected ',' or ')' in a function call, found " + Found());
    ++pos_;
    if (node->args.size() != params.size()) {
      return Err(start, std::string(FunctionName(node->function)) + "() takes " +
                            std::to_string(params.size()) + " argument(s), got " +
                            std::to_string(node->args.size()));
    }
    if ((node->function == FunctionKind::kMatch || node->function == FunctionKind::kSearch) &&
        node->args[1]->kind == ExprKind::kLiteral &&
        node->args[1]->literal.kind == Literal::Kind::kString) {
      node->literal_regex = Regex::Compile(node->args[1]->literal.s);
    }
    return node;
  }

  // §2.4.3: how an argument may be written for a parameter of the given declared type.
  Status CheckArgument(const Expr& fn, size_t index, ExprType param, const Expr& arg) {
    std::string where =
        "argument " + std::to_string(index + 1) + " of " + FunctionName(fn.function) + "()";
    switch (param) {
      case ExprType::kValue:
        if (arg.kind == ExprKind::kLiteral) return Ok();
        if (arg.kind == ExprKind::kQuery) {
          if (arg.query->IsSingular()) return Ok();
          return Err(arg.pos, where + " must be a singular query (a value), not a node list");
        }
        if (arg.kind == ExprKind::kFunction && arg.ResultType() == ExprType::kValue) return Ok();
        return Err(arg.pos, where +
                                " must be a value (a literal, a singular query or a "
                                "value function)");
      case ExprType::kNodes:
        if (arg.kind == ExprKind::kQuery) return Ok();
        if (arg.kind == ExprKind::kFunction && arg.ResultType() == ExprType::kNodes) return Ok();
        return Err(arg.pos, where + " must be a query (a node list)");
      case ExprType::kLogical:
        if (arg.kind == ExprKind::kLiteral) return Err(arg.pos, where + " must be a logical");
        if (arg.kind == ExprKind::kFunction && arg.ResultType() == ExprType::kValue) {
          return Err(arg.pos, where + " must be a logical");
        }
        return Ok();
    }
    return Ok();
  }

  // comparable = literal / singular-query / function-expr (of ValueType)
  Status CheckComparable(const Expr& e) {
    if (e.kind == ExprKind::kLiteral) return Ok();
    if (e.kind == ExprKind::kQuery) {
      if (e.query->IsSingular()) return Ok();
      return Err(e.pos, "a compared query must be singular (names and indexes only)");
    }
    if (e.kind == ExprKind::kFunction) {
      if (e.ResultType() == ExprType::kValue) return Ok();
      return Err(e.pos, std::string(FunctionName(e.function)) +
                            "() returns a logical value and cannot be compared");
    }
    return Err(e.pos, "expected a comparable");
  }

  // Turns a bare operand into a test (§2.3.5: existence or a logical function); operators pass.
  Result<std::unique_ptr<Expr>> AsLogical(std::unique_ptr<Expr> e) {
    switch (e->kind) {
      case ExprKind::kLiteral:
        return Err(e->pos, "a literal is not a test; compare it with something");
      case ExprKind::kQuery: {
        auto test = std::make_unique<Expr>();
        test->kind = ExprKind::kTest;
        test->pos = e->pos;
        test->args.push_back(std::move(e));
        return test;
      }
      case ExprKind::kFunction: {
        ExprType t = e->ResultType();
        if (t == ExprType::kLogical) return e;
        if (t == ExprType::kNodes) {
          auto test = std::make_unique<Expr>();
          test->kind = ExprKind::kTest;
          test->pos = e->pos;
          test->args.push_back(std::move(e));
          return test;
        }
        return Err(e->pos, std::string(FunctionName(e->function)) +
                               "() returns a value; compare it instead of testing it");
      }
      default:
        return e;
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

bool Query::IsSingular() const {
  for (const Segment& seg : segments) {
    if (seg.descendant || seg.selectors.size() != 1) return false;
    SelectorKind k = seg.selectors[0].kind;
    if (k != SelectorKind::kName && k != SelectorKind::kIndex) return false;
  }
  return true;
}

ExprType Expr::ResultType() const {
  if (kind != ExprKind::kFunction) {
    return kind == ExprKind::kLiteral ? ExprType::kValue
           : kind == ExprKind::kQuery ? ExprType::kNodes
                                      : ExprType::kLogical;
  }
  switch (function) {
    case FunctionKind::kLength:
    case FunctionKind::kCount:
    case FunctionKind::kValue:
      return ExprType::kValue;
    case FunctionKind::kMatch:
    case FunctionKind::kSearch:
      return ExprType::kLogical;
  }
  return ExprType::kValue;
}

Result<std::unique_ptr<Query>> ParseQuery(std::string_view text) {
  Parser parser(text);
  return parser.ParseRoot();
}

}  // namespace inflow::jsonpath::internal
