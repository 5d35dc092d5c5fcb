// Table schemas as the binlog decoder needs them, and the schema history that follows DDL.
//
// A TableSchema describes one table at one point in the binlog: its columns in ordinal order
// with the SQL type as information_schema.COLUMNS.COLUMN_TYPE spells it, less integer display
// widths ("int unsigned", "enum('a','b')", "varchar(20)", "inet6", …), the character set of
// text columns and the primary key. It comes from three places, in order of preference:
//   1. TABLE_MAP optional metadata (binlog_row_metadata=FULL) — names, signedness, charsets,
//      enum/set labels, primary key — which needs no history at all;
//   2. the SchemaHistory, which replays the DDL found in the binlog (see SchemaHistory::Apply);
//   3. a SchemaProvider (information_schema of the live server), asked once per table the
//      history does not know yet.
// Types that the binlog cannot tell apart from others (MariaDB INET6 and UUID look like
// BINARY(16); MariaDB JSON looks like LONGTEXT) are taken from 2 or 3 when available.
//
// Thread safety: value types; a SchemaHistory is not synchronised (one decoder owns it).
#ifndef INFLOW_CAPTURE_MYSQL_SCHEMA_H_
#define INFLOW_CAPTURE_MYSQL_SCHEMA_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace inflow::capture::mysql {

struct ColumnDef {
  std::string name;
  // Lower-case SQL type as information_schema.COLUMNS.COLUMN_TYPE spells it, less integer
  // display widths, e.g. "int unsigned", "decimal(10,2)", "enum('a','b')", "inet6", "uuid"
  // (ColumnFromInformationSchema and the history drop "(11)" of "int(11)"). For a MariaDB JSON
  // column (stored as LONGTEXT with a json_valid() CHECK) put "json", so its values render as
  // JSON rather than as a string.
  std::string column_type;
  // information_schema.COLUMNS.CHARACTER_SET_NAME ("utf8mb4", "latin1", …); empty for
  // non-text columns.
  std::string charset;
  bool nullable = true;
  bool primary_key = false;

  bool operator==(const ColumnDef&) const = default;
};

struct TableSchema {
  std::string database;
  std::string table;
  std::vector<ColumnDef> columns;  // in ordinal order

  bool operator==(const TableSchema&) const = default;
};

// The query a SchemaProvider for MariaDB / MySQL should run (two '?' parameters: schema name,
// table name), and how to turn one of its rows into a ColumnDef. Column order of the result:
// COLUMN_NAME, COLUMN_TYPE, CHARACTER_SET_NAME (NULL → ""), IS_NULLABLE ("YES"/"NO"),
// COLUMN_KEY ("PRI" marks the primary key), IS_JSON ("1" when a json_valid CHECK exists; always
// "0" on MySQL, whose JSON columns report COLUMN_TYPE "json" themselves).
inline constexpr std::string_view kMariaDbColumnsQuery =
    "SELECT c.COLUMN_NAME, c.COLUMN_TYPE, IFNULL(c.CHARACTER_SET_NAME, ''), c.IS_NULLABLE, "
    "c.COLUMN_KEY, (SELECT COUNT(*) FROM information_schema.CHECK_CONSTRAINTS k WHERE "
    "k.CONSTRAINT_SCHEMA = c.TABLE_SCHEMA AND k.TABLE_NAME = c.TABLE_NAME AND "
    "k.CHECK_CLAUSE = CONCAT('json_valid(`', c.COLUMN_NAME, '`)')) > 0 AS IS_JSON "
    "FROM information_schema.COLUMNS c WHERE c.TABLE_SCHEMA = ? AND c.TABLE_NAME = ? "
    "ORDER BY c.ORDINAL_POSITION";
inline constexpr std::string_view kMySQLColumnsQuery =
    "SELECT COLUMN_NAME, COLUMN_TYPE, IFNULL(CHARACTER_SET_NAME, ''), IS_NULLABLE, COLUMN_KEY, 0 "
    "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? "
    "ORDER BY ORDINAL_POSITION";
ColumnDef ColumnFromInformationSchema(std::string_view name, std::string_view column_type,
                                      std::string_view charset, std::string_view is_nullable,
                                      std::string_view column_key, std::string_view is_json);

// Where a table's schema comes from when neither the binlog metadata nor the history knows it.
// Typically information_schema of the live server (which reflects the schema NOW: rows written
// before a later ALTER can only be decoded right if the history saw that ALTER).
class SchemaProvider {
 public:
  virtual ~SchemaProvider() = default;
  // Returns kNotFound when the table does not exist (any more).
  virtual Result<TableSchema> Lookup(const std::string& db, const std::string& table) = 0;
};

// What one statement of the binlog outside a transaction (a DDL QUERY event) is about: the
// capture filter and the record it becomes are decided from this.
struct StatementTarget {
  // CREATE / ALTER / DROP / RENAME USER, CREATE / ALTER / DROP ROLE, GRANT, REVOKE,
  // SET PASSWORD, SET DEFAULT ROLE, CREATE / ALTER / DROP SERVER, and any statement with an
  // IDENTIFIED BY / WITH / VIA clause (e.g. in a procedure body): they may carry clear
  // passwords, so capture never emits them.
  bool account_management = false;
  // The tables the statement creates, changes or drops (for a trigger or an index: its
  // table; for RENAME: both sides), in the order it names them.
  std::vector<std::pair<std::string, std::string>> tables;
  // The database it applies to: the one it names (CREATE DATABASE d, DROP PROCEDURE d.p,
  // the first table's), else `default_db`.
  std::string database;
};

// Reads the statement as the server would: leading and embedded comments, `--` and `#`
// comments skipped, executable comments (`/*! … */`, `/*M!nnnnnn … */`) read as SQL, case
// ignored, a MariaDB `SET STATEMENT … FOR` prefix looked through.
StatementTarget ClassifyStatement(std::string_view default_db, std::string_view sql);

namespace ddl {
class Parser;  // ddl_parser.h
}  // namespace ddl

// The schema of every table seen so far, advanced by the DDL statements of the binlog.
//
// Apply() understands: CREATE TABLE name (column definitions, PRIMARY KEY (…), other clauses
// ignored), CREATE TABLE a LIKE b, DROP TABLE [IF EXISTS] a, b…, RENAME TABLE a TO b, …,
// ALTER TABLE t with any comma-separated mix of ADD [COLUMN] def [FIRST | AFTER c],
// ADD [COLUMN] (def, …), DROP [COLUMN] c, MODIFY [COLUMN] def [FIRST | AFTER c],
// CHANGE [COLUMN] old def [FIRST | AFTER c], RENAME COLUMN a TO b, RENAME [TO | AS] t2,
// ADD PRIMARY KEY (…), DROP PRIMARY KEY, ALTER [COLUMN] … (no effect on types) and clauses that
// do not change columns (indexes, ENGINE=, …); CREATE / ALTER / DROP DATABASE (its default
// charset becomes the default of its new tables). A DDL statement about a
// known table that it cannot follow makes it forget that table (so the SchemaProvider is asked
// again) instead of keeping a wrong schema.
class SchemaHistory {
 public:
  // The schema of db.table, or nullptr when unknown.
  const TableSchema* Find(std::string_view db, std::string_view table) const;
  void Put(TableSchema schema);
  void Forget(std::string_view db, std::string_view table);

  // Applies one DDL statement run with `default_db` as the current database. Text columns
  // declared without a charset get `default_charset` unless the table declares its own.
  // Returns the (database, table) the statement is about, ("", "") when none.
  std::pair<std::string, std::string> Apply(std::string_view default_db, std::string_view sql,
                                            std::string_view default_charset);

  // Stable byte form for the decoder state, and back.
  std::string Serialize() const;
  static Result<SchemaHistory> Parse(std::string_view bytes);

  size_t size() const { return tables_.size(); }
  bool operator==(const SchemaHistory&) const = default;

 private:
  using TableName = std::pair<std::string, std::string>;
  // One per DDL kind (schema_ddl.cc), called with `p` after the statement's first keyword
  // (ALTER DATABASE: after both).
  TableName ApplyCreate(ddl::Parser& p, std::string_view default_db,
                        std::string_view default_charset);
  TableName ApplyDrop(ddl::Parser& p, std::string_view default_db);
  TableName ApplyRename(ddl::Parser& p, std::string_view default_db);
  TableName ApplyAlterDatabase(ddl::Parser& p, std::string_view default_db);
  TableName ApplyAlterTable(ddl::Parser& p, std::string_view default_db,
                            std::string_view default_charset);

  std::map<std::pair<std::string, std::string>, TableSchema> tables_;
  // Default charsets of databases created / altered in the binlog, for their new tables.
  std::map<std::string, std::string> database_charsets_;
};

}  // namespace inflow::capture::mysql

#endif  // INFLOW_CAPTURE_MYSQL_SCHEMA_H_
