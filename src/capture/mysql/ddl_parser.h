// The small SQL reader shared by SchemaHistory (schema.cc, schema_ddl.cc) and
// ClassifyStatement (statement_classifier.cc): a tokenizer that reads executable comments as
// SQL, a cursor over its tokens, and the column-definition pieces of CREATE / ALTER TABLE.
// Internal to capture/mysql.
//
// Thread safety: Parser is a value type; the functions are pure (or act on their arguments).
#ifndef INFLOW_CAPTURE_MYSQL_DDL_PARSER_H_
#define INFLOW_CAPTURE_MYSQL_DDL_PARSER_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "capture/mysql/schema.h"

namespace inflow::capture::mysql::ddl {

std::string Lower(std::string_view s);
bool IEquals(std::string_view a, std::string_view b);

// ---- a small SQL tokenizer, enough for DDL ----------------------------------------------------

enum class Tok { kWord, kQuoted, kString, kNumber, kPunct, kEnd };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;  // identifiers unquoted, strings unescaped
};

// Comments are dropped, except that the body of an executable comment (`/*!` or MariaDB's
// `/*M!`, optionally followed by a version number) is read as SQL: the server runs it, so a
// statement hidden in one must be seen like any other.
std::vector<Token> Tokenize(std::string_view s);

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  const Token& Peek(size_t k = 0) const {
    static const Token kEnd;
    return pos_ + k < t_.size() ? t_[pos_ + k] : kEnd;
  }
  bool AtEnd() const { return pos_ >= t_.size(); }
  bool IsWord(std::string_view w, size_t k = 0) const {
    return Peek(k).kind == Tok::kWord && IEquals(Peek(k).text, w);
  }
  bool IsPunct(char c, size_t k = 0) const {
    return Peek(k).kind == Tok::kPunct && Peek(k).text[0] == c;
  }
  bool Accept(std::string_view w) {
    if (!IsWord(w)) return false;
    ++pos_;
    return true;
  }
  bool AcceptPunct(char c) {
    if (!IsPunct(c)) return false;
    ++pos_;
    return true;
  }
  void Next() { ++pos_; }
  // An identifier: quoted or a bare word.
  std::optional<std::string> Ident() {
    if (Peek().kind == Tok::kQuoted || Peek().kind == Tok::kWord || Peek().kind == Tok::kNumber) {
      return t_[pos_++].text;
    }
    return std::nullopt;
  }
  // db.table or table.
  std::optional<std::pair<std::string, std::string>> TableName(std::string_view default_db) {
    auto first = Ident();
    if (!first) return std::nullopt;
    if (AcceptPunct('.')) {
      auto second = Ident();
      if (!second) return std::nullopt;
      return std::make_pair(*first, *second);
    }
    return std::make_pair(std::string(default_db), *first);
  }
  // Skips a balanced parenthesised group starting at '('.
  void SkipGroup() {
    int depth = 0;
    while (!AtEnd()) {
      if (IsPunct('(')) ++depth;
      if (IsPunct(')')) --depth;
      Next();
      if (depth == 0) return;
    }
  }
  // Skips to the next ',' or ')' at depth 0 (not consumed).
  void SkipToSeparator() {
    int depth = 0;
    while (!AtEnd()) {
      if (depth == 0 && (IsPunct(',') || IsPunct(')'))) return;
      if (IsPunct('(')) ++depth;
      if (IsPunct(')')) --depth;
      Next();
    }
  }
  // Identifier list in parentheses, e.g. a PRIMARY KEY's columns (prefix lengths skipped).
  std::vector<std::string> IdentList() {
    std::vector<std::string> out;
    if (!AcceptPunct('(')) return out;
    while (!AtEnd() && !IsPunct(')')) {
      if (auto id = Ident()) out.push_back(*id);
      SkipToSeparator();
      AcceptPunct(',');
    }
    AcceptPunct(')');
    return out;
  }

 private:
  std::vector<Token> t_;
  size_t pos_ = 0;
};

bool IsTextType(std::string_view base);
std::string CharsetOfCollationName(std::string_view collation);
// A column type as SHOW COLUMNS would print it, integer display widths dropped (ddl_parser.cc).
std::string CanonicalColumnType(std::string_view column_type);

struct ParsedColumn {
  ColumnDef def;
  bool explicit_charset = false;
};
// Parses one column definition at the parser's position (name first).
std::optional<ParsedColumn> ParseColumn(Parser& p);
bool IsConstraintStart(const Parser& p);
// PRIMARY KEY (…) possibly after CONSTRAINT [name]; returns the columns or nullopt.
std::optional<std::vector<std::string>> ParsePrimaryKey(Parser& p);
void SetPrimaryKey(TableSchema& t, const std::vector<std::string>& cols);
// Table options after the column list: DEFAULT CHARSET / CHARACTER SET / COLLATE.
std::string TableCharset(Parser& p);
std::vector<ColumnDef>::iterator FindColumn(TableSchema& t, std::string_view name);
// Places `col` per a trailing FIRST / AFTER x (or at the end); returns false on an unknown x.
bool Place(Parser& p, TableSchema& t, ColumnDef col);

}  // namespace inflow::capture::mysql::ddl

#endif  // INFLOW_CAPTURE_MYSQL_DDL_PARSER_H_
