// ClassifyStatement (schema.h): what a DDL QUERY event is about, and whether it manages
// accounts (and so may carry a password and is never emitted).
#include <optional>
#include <string>

#include "capture/mysql/ddl_parser.h"
#include "capture/mysql/schema.h"

namespace inflow::capture::mysql {
namespace {

using ddl::IEquals;
using ddl::Parser;
using ddl::Tok;
using ddl::Tokenize;

}  // namespace

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

}  // namespace inflow::capture::mysql
