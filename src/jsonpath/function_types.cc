// Function extensions (RFC 9535 §2.4): parsing a call to length / count / match / search /
// value, the declared types of their parameters and results, and the well-typedness checks of
// §2.4.3 that the grammar (parser.cc) applies to operands.
#include <memory>
#include <string>
#include <vector>

#include "jsonpath/ast.h"
#include "jsonpath/iregexp.h"
#include "jsonpath/parser.h"

namespace inflow::jsonpath::internal {

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

Result<std::unique_ptr<Expr>> Parser::ParseFunction(std::string_view name, size_t start) {
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

Status Parser::CheckArgument(const Expr& fn, size_t index, ExprType param, const Expr& arg) {
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
Status Parser::CheckComparable(const Expr& e) {
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
Result<std::unique_ptr<Expr>> Parser::AsLogical(std::unique_ptr<Expr> e) {
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

}  // namespace inflow::jsonpath::internal
