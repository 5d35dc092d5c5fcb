// ChangeRecord: one row change (or one DDL statement) as captured from a source database,
// before the change log gives it a record id and an offset.
//
// Capture (src/capture) produces these; the change log (src/changelog) stores them durably and
// renders each as the CloudEvent of product.md §1.2. Row images are already rendered to compact
// JSON objects keyed by column name with typed values (product.md §1.2): capture is the only
// place that knows column types, and rendering once at capture keeps every reader cheap.
//
// Thread safety: value types; a ColumnList shared between records (and threads) is immutable.
#ifndef INFLOW_CHANGELOG_CHANGE_RECORD_H_
#define INFLOW_CHANGELOG_CHANGE_RECORD_H_

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace inflow::changelog {

enum class Operation : uint8_t { kInsert = 1, kUpdate = 2, kDelete = 3, kDdl = 4 };

// "INSERT" | "UPDATE" | "DELETE" | "DDL" — the DTS operationType names.
const char* OperationName(Operation op);

struct ColumnSchema {
  std::string name;
  std::string type;  // the SQL type as the server spells it, e.g. "decimal(10,2) unsigned"
  int type_code =
      0;  // MySQL protocol type number (8 = LONGLONG, 253 = VAR_STRING, …): DTS rawDataTypeNum
  bool primary_key = false;
  bool unique_key = false;  // part of a UNIQUE index (DTS isUniqueKey); false when unknown
  bool nullable = true;
  std::string charset;  // empty for non-text columns

  bool operator==(const ColumnSchema&) const = default;
};

// The columns of one version of a table: immutable, and shared by every record of that version
// (capture would otherwise copy its table's schema into each row it decodes). A value type that
// compares by contents, so records are equal when their columns are, shared or not.
class ColumnList {
 public:
  ColumnList() = default;  // no columns (DDL records); allocates nothing
  explicit ColumnList(std::vector<ColumnSchema> columns)
      : columns_(columns.empty()
                     ? nullptr
                     : std::make_shared<const std::vector<ColumnSchema>>(std::move(columns))) {}
  ColumnList(std::initializer_list<ColumnSchema> columns)
      : ColumnList(std::vector<ColumnSchema>(columns)) {}

  size_t size() const { return columns_ ? columns_->size() : 0; }
  bool empty() const { return size() == 0; }
  // REQUIRES: i < size().
  const ColumnSchema& operator[](size_t i) const { return (*columns_)[i]; }
  const ColumnSchema* begin() const { return columns_ ? columns_->data() : nullptr; }
  const ColumnSchema* end() const { return begin() + size(); }

  bool operator==(const ColumnList& other) const {
    return columns_ == other.columns_ || std::equal(begin(), end(), other.begin(), other.end());
  }

 private:
  std::shared_ptr<const std::vector<ColumnSchema>> columns_;  // null when there are none
};

// Where a change sits in the source's replication stream. For MySQL / MariaDB: binlog file and
// the position of the event that ends the change's transaction, plus the GTID set executed up to
// and including it. (PostgreSQL will use `lsn`.)
struct SourcePosition {
  std::string file;
  uint64_t pos = 0;
  std::string gtid_set;
  uint64_t lsn = 0;

  bool operator==(const SourcePosition&) const = default;
};

struct ChangeRecord {
  Operation op = Operation::kInsert;
  int64_t source_timestamp_ms = 0;  // commit time at the source (ms where known, else s*1000)
  SourcePosition position;
  std::string transaction_id;  // GTID of the transaction, or "file:pos" of its BEGIN
  std::string database;
  std::string table;
  ColumnList columns;                      // empty for DDL
  std::optional<std::string> before_json;  // compact JSON object; nullopt for INSERT / DDL
  std::optional<std::string> after_json;   // compact JSON object; nullopt for DELETE / DDL
  std::string ddl;                         // the statement, for kDdl only

  bool operator==(const ChangeRecord&) const = default;
};

}  // namespace inflow::changelog

#endif  // INFLOW_CHANGELOG_CHANGE_RECORD_H_
