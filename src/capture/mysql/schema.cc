#include "capture/mysql/schema.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <optional>

#include "capture/mysql/state_codec.h"

namespace inflow::capture::mysql {
namespace {

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

// ---- a small SQL tokenizer, enough for DDL ----------------------------------------------------

enum class Tok { kWord, kQuoted, kString, kNumber, kPunct, kEnd };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;  // identifiers unquoted, strings unescaped
};

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

struct ParsedColumn {
  ColumnDef def;
  bool explicit_charset = false;
};

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

using Key = std::pair<std::string, std::string>;

}  // namespace

ColumnDef ColumnFromInformationSchema(std::string_view name, std::string_view column_type,
                                      std::string_view charset, std::string_view is_nullable,
                                      std::string_view column_key, std::string_view is_json) {
  ColumnDef c;
  c.name = std::string(name);
  c.column_type = is_json == "1" ? std::string("json") : CanonicalColumnType(column_type);
  c.charset = std::string(charset);
  c.nullable = IEquals(is_nullable, "YES");
  c.primary_key = column_key == "PRI";
  return c;
}

namespace {

// A user or role as GRANT / DEFINER spell it: 'u'@'h', `u`@`h`, u@h, CURRENT_USER[()], a role.
void SkipAccountName(Parser& p) {
  p.Next();
  if (p.IsPunct('(')) p.SkipGroup();
  if (p.AcceptPunct('@')) p.Next();
}

// The words between CREATE / ALTER / DROP and the kind of object: OR REPLACE, DEFINER = …,
// ALGORITHM = …, SQL SECURITY …, TEMPORARY, ONLINE, IGNORE, UNIQUE, AGGREGATE, ….
void SkipObjectModifiers(Parser& p) {
  static constexpr std::string_view kWords[] = {"temporary", "online",    "offline",
                                                "ignore",    "unique",    "fulltext",
                                                "spatial",   "aggregate", "nonblocking"};
  while (!p.AtEnd()) {
    if (p.Accept("or")) {
      p.Accept("replace");
    } else if (p.Accept("definer")) {
      p.AcceptPunct('=');
      SkipAccountName(p);
    } else if (p.Accept("algorithm")) {
      p.AcceptPunct('=');
      p.Next();
    } else if (p.IsWord("sql") && p.IsWord("security", 1)) {
      p.Next();
      p.Next();
      p.Next();
    } else if (std::any_of(std::begin(kWords), std::end(kWords),
                           [&](std::string_view w) { return p.IsWord(w); })) {
      p.Next();
    } else {
      return;
    }
  }
}

void SkipIfExists(Parser& p) {
  if (p.Accept("if")) {
    p.Accept("not");
    p.Accept("exists");
  }
}

bool IsAccountObject(const Parser& p) {
  return p.IsWord("user") || p.IsWord("role") || p.IsWord("server");
}

// IDENTIFIED BY | WITH | VIA | USING anywhere outside strings: a password or its hash.
bool HasIdentifiedClause(Parser p) {
  while (!p.AtEnd()) {
    if (p.IsWord("identified") &&
        (p.IsWord("by", 1) || p.IsWord("with", 1) || p.IsWord("via", 1) || p.IsWord("using", 1))) {
      return true;
    }
    p.Next();
  }
  return false;
}

// db.name, or `default_db` for a bare name, read into `out` when present.
void ReadTables(Parser& p, std::string_view default_db, bool list,
                std::vector<std::pair<std::string, std::string>>* out) {
  while (auto name = p.TableName(default_db)) {
    out->push_back(std::move(*name));
    if (!list || !p.AcceptPunct(',')) return;
  }
}

// Advances to the word `w` (consumed) at parenthesis depth 0; false at the end.
bool SkipPastWord(Parser& p, std::string_view w) {
  int depth = 0;
  while (!p.AtEnd()) {
    if (depth == 0 && p.Accept(w)) return true;
    if (p.IsPunct('(')) ++depth;
    if (p.IsPunct(')')) --depth;
    p.Next();
  }
  return false;
}

}  // namespace

StatementTarget ClassifyStatement(std::string_view default_db, std::string_view sql) {
  StatementTarget t;
  t.database = std::string(default_db);
  Parser p(Tokenize(sql));
  if (HasIdentifiedClause(p)) {
    t.account_management = true;
    return t;
  }
  // MariaDB: SET STATEMENT var = value [, …] FOR statement.
  if (p.IsWord("set") && p.IsWord("statement", 1)) SkipPastWord(p, "for");

  if (p.IsWord("grant") || p.IsWord("revoke") || (p.IsWord("rename") && p.IsWord("user", 1)) ||
      (p.IsWord("set") &&
       (p.IsWord("password", 1) || (p.IsWord("default", 1) && p.IsWord("role", 2))))) {
    t.account_management = true;
    return t;
  }
  auto database_of = [&](const std::vector<std::pair<std::string, std::string>>& names) {
    if (!names.empty() && !names.front().first.empty()) t.database = names.front().first;
  };
  bool create = p.IsWord("create");
  bool alter = p.IsWord("alter");
  bool drop = p.IsWord("drop");
  if (create || alter || drop) {
    p.Next();
    SkipObjectModifiers(p);
    if (IsAccountObject(p)) {
      t.account_management = true;
      return t;
    }
    if (p.Accept("database") || p.Accept("schema")) {
      SkipIfExists(p);
      bool named = !(p.IsWord("default") || p.IsWord("character") || p.IsWord("charset") ||
                     p.IsWord("collate") || p.IsWord("comment") || p.IsWord("upgrade") ||
                     p.IsWord("read") || p.IsWord("encryption"));
      if (named) {
        if (auto db = p.Ident()) t.database = *db;
      }
    } else if (p.Accept("table") || p.Accept("view") || p.Accept("sequence")) {
      SkipIfExists(p);
      ReadTables(p, default_db, drop, &t.tables);
      if (alter && !t.tables.empty()) {
        // ALTER TABLE a RENAME [TO | AS] b: b is changed too.
        std::string db = t.tables.front().first;
        while (SkipPastWord(p, "rename")) {
          if (p.IsWord("column") || p.IsWord("index") || p.IsWord("key") ||
              p.IsWord("constraint")) {
            continue;
          }
          if (!p.Accept("to")) p.Accept("as");
          ReadTables(p, db, false, &t.tables);
        }
      }
    } else if (p.Accept("index")) {
      SkipIfExists(p);
      p.Ident();
      if (SkipPastWord(p, "on")) ReadTables(p, default_db, false, &t.tables);
    } else if (p.Accept("trigger")) {
      SkipIfExists(p);
      std::vector<std::pair<std::string, std::string>> trigger;
      ReadTables(p, default_db, false, &trigger);
      database_of(trigger);
      // CREATE TRIGGER [db.]name {BEFORE | AFTER} event ON [db.]table: the table's database.
      if (create && SkipPastWord(p, "on")) {
        ReadTables(p, trigger.empty() ? default_db : trigger.front().first, false, &t.tables);
      }
    } else if (p.Accept("procedure") || p.Accept("function") || p.Accept("event") ||
               p.Accept("package")) {
      p.Accept("body");
      SkipIfExists(p);
      std::vector<std::pair<std::string, std::string>> routine;
      ReadTables(p, default_db, false, &routine);
      database_of(routine);
    }
  } else if (p.Accept("rename")) {
    if (p.Accept("table") || p.Accept("tables")) {
      while (auto from = p.TableName(default_db)) {
        t.tables.push_back(std::move(*from));
        if (!p.Accept("to")) break;
        ReadTables(p, default_db, false, &t.tables);
        if (!p.AcceptPunct(',')) break;
      }
    }
  } else if (p.Accept("truncate")) {
    p.Accept("table");
    ReadTables(p, default_db, false, &t.tables);
  } else if (p.Accept("analyze") || p.Accept("optimize") || p.Accept("repair") ||
             p.Accept("check") || p.Accept("checksum")) {
    p.Accept("no_write_to_binlog");
    p.Accept("local");
    if (p.Accept("table") || p.Accept("tables")) ReadTables(p, default_db, true, &t.tables);
  }
  database_of(t.tables);
  return t;
}

const TableSchema* SchemaHistory::Find(std::string_view db, std::string_view table) const {
  auto it = tables_.find(Key(std::string(db), std::string(table)));
  return it == tables_.end() ? nullptr : &it->second;
}

void SchemaHistory::Put(TableSchema schema) {
  Key key(schema.database, schema.table);
  tables_[key] = std::move(schema);
}

void SchemaHistory::Forget(std::string_view db, std::string_view table) {
  tables_.erase(Key(std::string(db), std::string(table)));
}

std::pair<std::string, std::string> SchemaHistory::Apply(std::string_view default_db,
                                                         std::string_view sql,
                                                         std::string_view default_charset) {
  Parser p(Tokenize(sql));
  auto none = std::make_pair(std::string(), std::string());

  if (p.Accept("create")) {
    if (p.Accept("or")) p.Accept("replace");
    bool temporary = p.Accept("temporary");
    if (p.Accept("database") || p.Accept("schema")) {
      if (p.Accept("if")) {
        p.Accept("not");
        p.Accept("exists");
      }
      if (auto db = p.Ident()) {
        std::string charset = TableCharset(p);
        if (!charset.empty()) database_charsets_[*db] = charset;
      }
      return none;
    }
    if (!p.Accept("table")) return none;
    if (p.Accept("if")) {
      p.Accept("not");
      p.Accept("exists");
    }
    auto name = p.TableName(default_db);
    if (!name) return none;
    if (temporary) return *name;
    if (p.IsPunct('(') && p.IsWord("like", 1)) p.Next();
    if (p.Accept("like")) {
      auto src = p.TableName(default_db);
      const TableSchema* from = src ? Find(src->first, src->second) : nullptr;
      if (from) {
        TableSchema copy = *from;
        copy.database = name->first;
        copy.table = name->second;
        Put(std::move(copy));
      } else {
        Forget(name->first, name->second);
      }
      return *name;
    }
    if (!p.AcceptPunct('(')) {
      Forget(name->first, name->second);  // CREATE … SELECT: columns unknown here
      return *name;
    }
    TableSchema t{name->first, name->second, {}};
    std::vector<bool> explicit_charset;
    std::optional<std::vector<std::string>> pk;
    while (!p.AtEnd() && !p.IsPunct(')')) {
      if (IsConstraintStart(p)) {
        if (auto cols = ParsePrimaryKey(p)) pk = std::move(cols);
        p.SkipToSeparator();
      } else if (auto col = ParseColumn(p)) {
        t.columns.push_back(std::move(col->def));
        explicit_charset.push_back(col->explicit_charset);
      } else {
        Forget(name->first, name->second);
        return *name;
      }
      p.AcceptPunct(',');
    }
    p.AcceptPunct(')');
    bool select = false;
    std::string table_charset = TableCharset(p);
    for (size_t i = 0; i < t.columns.size(); ++i) {
      if (!explicit_charset[i]) {
        auto db_charset = database_charsets_.find(t.database);
        t.columns[i].charset = !table_charset.empty() ? table_charset
                               : db_charset != database_charsets_.end()
                                   ? db_charset->second
                                   : std::string(default_charset);
      }
    }
    if (pk) SetPrimaryKey(t, *pk);
    if (select) {
      Forget(name->first, name->second);
    } else {
      Put(std::move(t));
    }
    return *name;
  }

  if (p.Accept("drop")) {
    if (p.Accept("database") || p.Accept("schema")) {
      p.Accept("if");
      p.Accept("exists");
      if (auto db = p.Ident()) {
        database_charsets_.erase(*db);
        for (auto it = tables_.begin(); it != tables_.end();) {
          it = it->first.first == *db ? tables_.erase(it) : std::next(it);
        }
      }
      return none;
    }
    p.Accept("temporary");
    if (!p.Accept("table")) return none;
    if (p.Accept("if")) p.Accept("exists");
    std::pair<std::string, std::string> first = none;
    while (auto name = p.TableName(default_db)) {
      if (first.second.empty()) first = *name;
      Forget(name->first, name->second);
      if (!p.AcceptPunct(',')) break;
    }
    return first;
  }

  if (p.Accept("rename")) {
    if (!p.Accept("table")) return none;
    std::pair<std::string, std::string> first = none;
    while (auto from = p.TableName(default_db)) {
      if (!p.Accept("to")) break;
      auto to = p.TableName(default_db);
      if (!to) break;
      if (first.second.empty()) first = *from;
      auto it = tables_.find(Key(from->first, from->second));
      if (it != tables_.end()) {
        TableSchema moved = std::move(it->second);
        tables_.erase(it);
        moved.database = to->first;
        moved.table = to->second;
        Put(std::move(moved));
      } else {
        Forget(to->first, to->second);
      }
      if (!p.AcceptPunct(',')) break;
    }
    return first;
  }

  if (p.IsWord("alter") && (p.IsWord("database", 1) || p.IsWord("schema", 1))) {
    p.Next();
    p.Next();
    auto db =
        p.IsWord("default") || p.IsWord("character") || p.IsWord("charset") || p.IsWord("collate")
            ? std::optional<std::string>(std::string(default_db))
            : p.Ident();
    if (db) {
      std::string charset = TableCharset(p);
      if (!charset.empty()) database_charsets_[*db] = charset;
    }
    return none;
  }
  if (p.Accept("alter")) {
    p.Accept("online");
    p.Accept("ignore");
    if (!p.Accept("table")) return none;
    if (p.Accept("if")) p.Accept("exists");
    auto name = p.TableName(default_db);
    if (!name) return none;
    auto it = tables_.find(Key(name->first, name->second));
    if (it == tables_.end()) return *name;  // unknown: the provider will be asked later
    TableSchema t = it->second;
    bool understood = true;
    std::optional<std::pair<std::string, std::string>> rename_to;
    auto if_exists = [&] {
      if (p.Accept("if")) {
        p.Accept("not");
        p.Accept("exists");
      }
    };
    while (!p.AtEnd() && understood) {
      if (p.Accept("add")) {
        if (p.IsWord("primary") || p.IsWord("constraint")) {
          if (auto cols = ParsePrimaryKey(p)) SetPrimaryKey(t, *cols);
        } else if (IsConstraintStart(p) || p.IsWord("partition")) {
          // indexes and constraints do not change columns
        } else {
          p.Accept("column");
          if_exists();
          if (p.AcceptPunct('(')) {
            while (!p.AtEnd() && !p.IsPunct(')')) {
              auto col = ParseColumn(p);
              if (!col) {
                understood = false;
                break;
              }
              if (!col->explicit_charset) col->def.charset = std::string(default_charset);
              if (col->def.primary_key) SetPrimaryKey(t, {col->def.name});
              t.columns.push_back(col->def);
              p.AcceptPunct(',');
            }
            p.AcceptPunct(')');
          } else if (auto col = ParseColumn(p)) {
            if (!col->explicit_charset) col->def.charset = std::string(default_charset);
            bool pk = col->def.primary_key;
            std::string col_name = col->def.name;
            understood = Place(p, t, std::move(col->def));
            if (pk) SetPrimaryKey(t, {col_name});
          } else {
            understood = false;
          }
        }
      } else if (p.Accept("drop")) {
        if (p.IsWord("primary") && p.IsWord("key", 1)) {
          for (auto& c : t.columns) c.primary_key = false;
        } else if (IsConstraintStart(p) || p.IsWord("partition")) {
        } else {
          p.Accept("column");
          if (p.Accept("if")) p.Accept("exists");
          auto col = p.Ident();
          auto cit = col ? FindColumn(t, *col) : t.columns.end();
          if (cit != t.columns.end()) t.columns.erase(cit);
        }
      } else if (p.IsWord("modify") || p.IsWord("change")) {
        bool change = p.IsWord("change");
        p.Next();
        p.Accept("column");
        if (p.Accept("if")) p.Accept("exists");
        std::string old_name;
        if (change) {
          auto id = p.Ident();
          if (!id) {
            understood = false;
            break;
          }
          old_name = *id;
        }
        auto col = ParseColumn(p);
        if (!col) {
          understood = false;
          break;
        }
        if (!change) old_name = col->def.name;
        auto cit = FindColumn(t, old_name);
        if (cit == t.columns.end()) {
          understood = false;
          break;
        }
        if (!col->explicit_charset)
          col->def.charset = cit->charset.empty() ? std::string(default_charset) : cit->charset;
        bool was_pk = cit->primary_key;
        col->def.primary_key = col->def.primary_key || was_pk;
        if (p.IsWord("first") || p.IsWord("after")) {
          t.columns.erase(cit);
          understood = Place(p, t, std::move(col->def));
        } else {
          *cit = std::move(col->def);
        }
      } else if (p.Accept("rename")) {
        if (p.Accept("column")) {
          auto from = p.Ident();
          p.Accept("to");
          auto to = p.Ident();
          auto cit = from ? FindColumn(t, *from) : t.columns.end();
          if (!to || cit == t.columns.end()) {
            understood = false;
          } else {
            cit->name = *to;
          }
        } else if (p.IsWord("index") || p.IsWord("key")) {
        } else {
          if (!p.Accept("to")) p.Accept("as");
          rename_to = p.TableName(name->first);
          if (!rename_to) understood = false;
        }
      } else if (p.Accept("convert")) {
        p.Accept("to");
        if (p.Accept("character"))
          p.Accept("set");
        else
          p.Accept("charset");
        auto cs = p.Ident();
        if (!cs) {
          understood = false;
        } else {
          for (auto& c : t.columns) {
            std::string base = c.column_type.substr(0, c.column_type.find('('));
            if (IsTextType(base)) c.charset = Lower(*cs);
          }
        }
      } else if (p.Accept("alter") || p.IsWord("engine") || p.IsWord("default") ||
                 p.IsWord("character") || p.IsWord("charset") || p.IsWord("collate") ||
                 p.IsWord("comment") || p.IsWord("auto_increment") || p.IsWord("row_format") ||
                 p.IsWord("algorithm") || p.IsWord("lock") || p.IsWord("force") ||
                 p.IsWord("order") || p.IsWord("enable") || p.IsWord("disable") ||
                 p.IsWord("wait") || p.IsWord("nowait") || p.IsWord("partition") ||
                 p.IsWord("remove") || p.IsWord("stats_persistent") || p.IsWord("key_block_size")) {
        // no effect on columns
      } else {
        understood = false;
        break;
      }
      p.SkipToSeparator();
      if (p.IsPunct(')')) p.Next();
      p.AcceptPunct(',');
    }
    if (!understood) {
      Forget(name->first, name->second);
      return *name;
    }
    tables_.erase(Key(name->first, name->second));
    if (rename_to) {
      t.database = rename_to->first;
      t.table = rename_to->second;
    }
    Put(std::move(t));
    return *name;
  }

  if (p.Accept("truncate")) {
    p.Accept("table");
    if (auto name = p.TableName(default_db)) return *name;
  }
  return none;
}

namespace {
using state_codec::GetString;
using state_codec::GetU32;
using state_codec::PutString;
using state_codec::PutU32;
}  // namespace

std::string SchemaHistory::Serialize() const {
  std::string out;
  PutU32(out, static_cast<uint32_t>(tables_.size()));
  for (const auto& [key, t] : tables_) {
    PutString(out, t.database);
    PutString(out, t.table);
    PutU32(out, static_cast<uint32_t>(t.columns.size()));
    for (const auto& c : t.columns) {
      PutString(out, c.name);
      PutString(out, c.column_type);
      PutString(out, c.charset);
      out.push_back(static_cast<char>((c.nullable ? 1 : 0) | (c.primary_key ? 2 : 0)));
    }
  }
  PutU32(out, static_cast<uint32_t>(database_charsets_.size()));
  for (const auto& [db, charset] : database_charsets_) {
    PutString(out, db);
    PutString(out, charset);
  }
  return out;
}

Result<SchemaHistory> SchemaHistory::Parse(std::string_view in) {
  SchemaHistory h;
  auto bad = [] { return Fail(ErrorCode::kDataLoss, "schema history bytes are corrupt"); };
  uint32_t n;
  if (!GetU32(in, n)) return bad();
  for (uint32_t i = 0; i < n; ++i) {
    TableSchema t;
    uint32_t cols;
    if (!GetString(in, t.database) || !GetString(in, t.table) || !GetU32(in, cols)) return bad();
    if (cols > in.size()) return bad();
    for (uint32_t k = 0; k < cols; ++k) {
      ColumnDef c;
      if (!GetString(in, c.name) || !GetString(in, c.column_type) || !GetString(in, c.charset) ||
          in.empty()) {
        return bad();
      }
      c.nullable = in[0] & 1;
      c.primary_key = in[0] & 2;
      in.remove_prefix(1);
      t.columns.push_back(std::move(c));
    }
    h.Put(std::move(t));
  }
  uint32_t dbs;
  if (!GetU32(in, dbs)) return bad();
  for (uint32_t i = 0; i < dbs; ++i) {
    std::string db, charset;
    if (!GetString(in, db) || !GetString(in, charset)) return bad();
    h.database_charsets_[db] = charset;
  }
  if (!in.empty()) return bad();
  return h;
}

}  // namespace inflow::capture::mysql
