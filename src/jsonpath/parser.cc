// The RFC 9535 grammar (parser.h): a query's segments and selectors, and the logical and
// comparison expressions of filters. Tokens are read by parser_lexer.cc, function calls and
// their typing by function_types.cc.
#include "jsonpath/parser.h"

#include <simdjson.h>

#include <memory>
#include <optional>
#include <string>

#include "jsonpath/ast.h"

namespace inflow::jsonpath::internal {

Result<std::unique_ptr<Query>> Parser::ParseRoot() {
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

Status Parser::ParseSegments(Query* query) {
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

Status Parser::ParseBracketed(Segment* seg) {
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

Result<Selector> Parser::ParseSelector() {
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

Result<std::unique_ptr<Expr>> Parser::ParseOr() {
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

Result<std::unique_ptr<Expr>> Parser::ParseAnd() {
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
Result<std::unique_ptr<Expr>> Parser::ParseBasic() {
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

Result<std::unique_ptr<Expr>> Parser::ParseParen() {
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

Result<std::unique_ptr<Expr>> Parser::ParsePrimary() {
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

bool Query::IsSingular() const {
  for (const Segment& seg : segments) {
    if (seg.descendant || seg.selectors.size() != 1) return false;
    SelectorKind k = seg.selectors[0].kind;
    if (k != SelectorKind::kName && k != SelectorKind::kIndex) return false;
  }
  return true;
}

Result<std::unique_ptr<Query>> ParseQuery(std::string_view text) {
  Parser parser(text);
  return parser.ParseRoot();
}

}  // namespace inflow::jsonpath::internal
