// SchemaHistory::Apply's DDL statements, one function per kind: each starts after the
// statement's first keyword (CREATE, DROP, RENAME, ALTER) and returns the (database, table)
// the statement is about, ("", "") when none.
#include <iterator>
#include <optional>

#include "capture/mysql/ddl_parser.h"
#include "capture/mysql/schema.h"

namespace inflow::capture::mysql {

using ddl::FindColumn;
using ddl::IsConstraintStart;
using ddl::IsTextType;
using ddl::Lower;
using ddl::ParseColumn;
using ddl::ParsePrimaryKey;
using ddl::Place;
using ddl::SetPrimaryKey;
using ddl::TableCharset;

namespace {
using Key = std::pair<std::string, std::string>;
}  // namespace

SchemaHistory::TableName SchemaHistory::ApplyCreate(ddl::Parser& p, std::string_view default_db,
                                                    std::string_view default_charset) {
  TableName none;
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

SchemaHistory::TableName SchemaHistory::ApplyDrop(ddl::Parser& p, std::string_view default_db) {
  TableName none;
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

SchemaHistory::TableName SchemaHistory::ApplyRename(ddl::Parser& p, std::string_view default_db) {
  TableName none;
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

SchemaHistory::TableName SchemaHistory::ApplyAlterDatabase(ddl::Parser& p,
                                                           std::string_view default_db) {
  TableName none;
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

SchemaHistory::TableName SchemaHistory::ApplyAlterTable(ddl::Parser& p, std::string_view default_db,
                                                        std::string_view default_charset) {
  TableName none;
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
               p.IsWord("order") || p.IsWord("enable") || p.IsWord("disable") || p.IsWord("wait") ||
               p.IsWord("nowait") || p.IsWord("partition") || p.IsWord("remove") ||
               p.IsWord("stats_persistent") || p.IsWord("key_block_size")) {
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

}  // namespace inflow::capture::mysql
