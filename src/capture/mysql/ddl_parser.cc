#include "capture/mysql/ddl_parser.h"

#include <algorithm>
#include <cctype>
#include <iterator>

namespace inflow::capture::mysql::ddl {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Comments are dropped, except that the body of an executable comment (`/*!` or MariaDB's
// `/*M!`, optionally followed by a version number) is read as SQL: the server runs it, so a
// statement hidden in one must be seen like any other.
std::vector<Token> Tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  bool in_executable_comment = false;
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (in_executable_comment && c == '*' && i + 1 < s.size() && s[i + 1] == '/') {
      in_executable_comment = false;
      i += 2;
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      size_t body = i + 2;
      if (s.substr(body, 1) == "!" || s.substr(body, 2) == "M!") {
        body += s[body] == '!' ? 1 : 2;
        while (body < s.size() && std::isdigit(static_cast<unsigned char>(s[body]))) ++body;
        in_executable_comment = true;
        i = body;
        continue;
      }
      size_t end = s.find("*/", i + 2);
      i = end == s.npos ? s.size() : end + 2;
    } else if ((c == '-' && i + 1 < s.size() && s[i + 1] == '-' &&
                (i + 2 == s.size() || std::isspace(static_cast<unsigned char>(s[i + 2])))) ||
               c == '#') {
      size_t end = s.find('\n', i);
      i = end == s.npos ? s.size() : end + 1;
    } else if (c == '`' || c == '"') {
      Token t{Tok::kQuoted, {}};
      ++i;
      while (i < s.size()) {
        if (s[i] == c && i + 1 < s.size() && s[i + 1] == c) {
          t.text.push_back(c);
          i += 2;
        } else if (s[i] == c) {
          ++i;
          break;
        } else {
          t.text.push_back(s[i++]);
        }
      }
      out.push_back(std::move(t));
    } else if (c == '\'') {
      Token t{Tok::kString, {}};
      ++i;
      while (i < s.size()) {
        if (s[i] == '\'' && i + 1 < s.size() && s[i + 1] == '\'') {
          t.text.push_back('\'');
          i += 2;
        } else if (s[i] == '\\' && i + 1 < s.size()) {
          t.text.push_back(s[i + 1]);
          i += 2;
        } else if (s[i] == '\'') {
          ++i;
          break;
        } else {
          t.text.push_back(s[i++]);
        }
      }
      out.push_back(std::move(t));
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
               static_cast<unsigned char>(c) >= 0x80) {
      size_t start = i;
      while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_' ||
                              s[i] == '$' || static_cast<unsigned char>(s[i]) >= 0x80)) {
        ++i;
      }
      bool number =
          std::isdigit(static_cast<unsigned char>(c)) &&
          std::all_of(s.begin() + static_cast<long>(start), s.begin() + static_cast<long>(i),
                      [](char d) { return std::isdigit(static_cast<unsigned char>(d)); });
      out.push_back({number ? Tok::kNumber : Tok::kWord, std::string(s.substr(start, i - start))});
    } else {
      out.push_back({Tok::kPunct, std::string(1, c)});
      ++i;
    }
  }
  return out;
}

bool IsTextType(std::string_view base) {
  static constexpr std::string_view kText[] = {"char",       "varchar",  "tinytext", "text",
                                               "mediumtext", "longtext", "enum",     "set",
                                               "json",       "nchar",    "nvarchar", "long"};
  return std::find(std::begin(kText), std::end(kText), base) != std::end(kText);
}

std::string CharsetOfCollationName(std::string_view collation) {
  std::string c = Lower(collation);
  if (c == "binary") return "binary";
  size_t us = c.find('_');
  return us == std::string::npos ? c : c.substr(0, us);
}

// Parses one column definition at the parser's position (name first).
// Integer display widths ("int(11)", "year(4)") are dropped: MariaDB's information_schema
// keeps them, MySQL 8 and the binlog's own type codes do not, and DDL has them only when its
// author wrote them. One spelling makes a column's type the same whichever source described it.
std::string CanonicalColumnType(std::string_view column_type) {
  std::string type = Lower(column_type);
  size_t open = type.find('(');
  if (open == std::string::npos) return type;
  std::string_view base = std::string_view(type).substr(0, open);
  static constexpr std::string_view kWidthOnly[] = {"tinyint", "smallint", "mediumint",
                                                    "int",     "bigint",   "year"};
  if (std::find(std::begin(kWidthOnly), std::end(kWidthOnly), base) == std::end(kWidthOnly)) {
    return type;
  }
  size_t close = type.find(')', open);
  if (close == std::string::npos) return type;
  return type.erase(open, close - open + 1);
}

std::optional<ParsedColumn> ParseColumn(Parser& p) {
  ParsedColumn col;
  auto name = p.Ident();
  if (!name || p.Peek().kind != Tok::kWord) return std::nullopt;
  col.def.name = *name;
  std::string base = Lower(p.Peek().text);
  p.Next();
  if (base == "double" && p.IsWord("precision")) p.Next();
  if (base == "national") {  // NATIONAL CHAR / VARCHAR
    base = "n" + Lower(p.Peek().text);
    p.Next();
  }
  if (base == "character" && p.IsWord("varying")) {
    base = "varchar";
    p.Next();
  }
  static const std::pair<std::string_view, std::string_view> kAliases[] = {
      {"integer", "int"},   {"dec", "decimal"},        {"numeric", "decimal"},
      {"fixed", "decimal"}, {"real", "double"},        {"character", "char"},
      {"bool", "tinyint"},  {"boolean", "tinyint"},    {"int1", "tinyint"},
      {"int2", "smallint"}, {"int3", "mediumint"},     {"int4", "int"},
      {"int8", "bigint"},   {"middleint", "mediumint"}};
  for (auto [from, to] : kAliases) {
    if (base == from) base = std::string(to);
  }
  std::string type = base;
  if (p.IsPunct('(')) {
    p.Next();
    type += '(';
    bool first = true;
    while (!p.AtEnd() && !p.IsPunct(')')) {
      if (p.AcceptPunct(',')) continue;
      if (!first) type += ',';
      first = false;
      if (p.Peek().kind == Tok::kString) {
        std::string escaped;
        for (char ch : p.Peek().text) {
          if (ch == '\'') escaped += '\'';
          escaped += ch;
        }
        type += "'" + escaped + "'";
      } else {
        type += p.Peek().text;
      }
      p.Next();
    }
    p.AcceptPunct(')');
    type += ')';
  }
  bool text = IsTextType(base);
  if (base == "nchar" || base == "nvarchar") {
    col.def.charset = "utf8mb3";
    col.explicit_charset = true;
    type = type.substr(1);
  }
  // Attributes until the next ',' or ')' at depth 0.
  while (!p.AtEnd() && !p.IsPunct(',') && !p.IsPunct(')') && !p.IsWord("first") &&
         !p.IsWord("after")) {
    if (p.Accept("unsigned")) {
      type += " unsigned";
    } else if (p.Accept("zerofill")) {
      type += " zerofill";
    } else if (p.Accept("signed")) {
    } else if ((p.IsWord("character") && p.IsWord("set", 1)) || p.IsWord("charset")) {
      if (p.Accept("character"))
        p.Next();
      else
        p.Next();
      if (auto cs = p.Ident()) {
        col.def.charset = Lower(*cs);
        col.explicit_charset = true;
      }
    } else if (p.Accept("collate")) {
      if (auto coll = p.Ident()) {
        if (!col.explicit_charset) {
          col.def.charset = CharsetOfCollationName(*coll);
          col.explicit_charset = true;
        }
      }
    } else if (p.IsWord("not") && p.IsWord("null", 1)) {
      p.Next();
      p.Next();
      col.def.nullable = false;
    } else if (p.Accept("null")) {
      col.def.nullable = true;
    } else if (p.IsWord("primary") && p.IsWord("key", 1)) {
      p.Next();
      p.Next();
      col.def.primary_key = true;
      col.def.nullable = false;
    } else if (p.IsPunct('(')) {
      p.SkipGroup();
    } else {
      p.Next();
    }
  }
  if (!text) {
    col.def.charset.clear();
    col.explicit_charset = true;
  }
  col.def.column_type = CanonicalColumnType(type);
  return col;
}

bool IsConstraintStart(const Parser& p) {
  static constexpr std::string_view kWords[] = {"primary",  "key",     "index",      "unique",
                                                "fulltext", "spatial", "constraint", "foreign",
                                                "check",    "period",  "system"};
  if (p.Peek().kind != Tok::kWord) return false;
  for (auto w : kWords) {
    if (IEquals(p.Peek().text, w)) return true;
  }
  return false;
}

// PRIMARY KEY (…) possibly after CONSTRAINT [name]; returns the columns or nullopt.
std::optional<std::vector<std::string>> ParsePrimaryKey(Parser& p) {
  if (p.Accept("constraint")) {
    if (!p.IsWord("primary") && !p.IsWord("unique") && !p.IsWord("foreign") && !p.IsWord("check")) {
      p.Ident();
    }
  }
  if (p.IsWord("primary") && p.IsWord("key", 1)) {
    p.Next();
    p.Next();
    while (!p.AtEnd() && !p.IsPunct('(')) p.Next();  // USING BTREE etc.
    return p.IdentList();
  }
  return std::nullopt;
}

void SetPrimaryKey(TableSchema& t, const std::vector<std::string>& cols) {
  for (auto& c : t.columns) c.primary_key = false;
  for (const auto& name : cols) {
    for (auto& c : t.columns) {
      if (IEquals(c.name, name)) {
        c.primary_key = true;
        c.nullable = false;
      }
    }
  }
}

// Table options after the column list: DEFAULT CHARSET / CHARACTER SET / COLLATE.
std::string TableCharset(Parser& p) {
  std::string charset;
  while (!p.AtEnd()) {
    if (p.IsWord("charset") || (p.IsWord("character") && p.IsWord("set", 1))) {
      if (p.Accept("character"))
        p.Next();
      else
        p.Next();
      p.AcceptPunct('=');
      if (auto cs = p.Ident()) charset = Lower(*cs);
    } else if (p.Accept("collate")) {
      p.AcceptPunct('=');
      if (auto coll = p.Ident(); coll && charset.empty()) charset = CharsetOfCollationName(*coll);
    } else {
      p.Next();
    }
  }
  return charset;
}

std::vector<ColumnDef>::iterator FindColumn(TableSchema& t, std::string_view name) {
  return std::find_if(t.columns.begin(), t.columns.end(),
                      [&](const ColumnDef& c) { return IEquals(c.name, name); });
}

// Places `col` per a trailing FIRST / AFTER x (or at the end); returns false on an unknown x.
bool Place(Parser& p, TableSchema& t, ColumnDef col) {
  if (p.Accept("first")) {
    t.columns.insert(t.columns.begin(), std::move(col));
    return true;
  }
  if (p.Accept("after")) {
    auto name = p.Ident();
    if (!name) return false;
    auto it = FindColumn(t, *name);
    if (it == t.columns.end()) return false;
    t.columns.insert(it + 1, std::move(col));
    return true;
  }
  t.columns.push_back(std::move(col));
  return true;
}

}  // namespace inflow::capture::mysql::ddl
