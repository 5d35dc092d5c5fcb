#include "capture/mysql/schema.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <optional>

#include "capture/mysql/ddl_parser.h"
#include "capture/mysql/state_codec.h"

namespace inflow::capture::mysql {
namespace {
using Key = std::pair<std::string, std::string>;
}  // namespace

ColumnDef ColumnFromInformationSchema(std::string_view name, std::string_view column_type,
                                      std::string_view charset, std::string_view is_nullable,
                                      std::string_view column_key, std::string_view is_json) {
  ColumnDef c;
  c.name = std::string(name);
  c.column_type = is_json == "1" ? std::string("json") : ddl::CanonicalColumnType(column_type);
  c.charset = std::string(charset);
  c.nullable = ddl::IEquals(is_nullable, "YES");
  c.primary_key = column_key == "PRI";
  return c;
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
  ddl::Parser p(ddl::Tokenize(sql));
  if (p.Accept("create")) return ApplyCreate(p, default_db, default_charset);
  if (p.Accept("drop")) return ApplyDrop(p, default_db);
  if (p.Accept("rename")) return ApplyRename(p, default_db);
  if (p.IsWord("alter") && (p.IsWord("database", 1) || p.IsWord("schema", 1))) {
    p.Next();
    p.Next();
    return ApplyAlterDatabase(p, default_db);
  }
  if (p.Accept("alter")) return ApplyAlterTable(p, default_db, default_charset);
  if (p.Accept("truncate")) {
    p.Accept("table");
    if (auto name = p.TableName(default_db)) return *name;
  }
  return {};
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
