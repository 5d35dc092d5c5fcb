// TABLE_MAP and WRITE/UPDATE/DELETE_ROWS events: parsing, resolving a table's columns from the
// map's metadata plus an optional known schema, and decoding row images to JSON objects.
//
// Thread safety: value types and reentrant functions.
#ifndef INFLOW_CAPTURE_MYSQL_ROWS_EVENT_H_
#define INFLOW_CAPTURE_MYSQL_ROWS_EVENT_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "capture/mysql/schema.h"
#include "capture/mysql/value_decoder.h"
#include "changelog/change_record.h"
#include "common/result.h"

namespace inflow::capture::mysql {

// A TABLE_MAP event as written, including the optional metadata of binlog_row_metadata.
struct TableMap {
  uint64_t table_id = 0;
  std::string database;
  std::string table;
  std::vector<ColumnCodec> codecs;  // type / meta per column; kind, charset, labels not yet set
  std::vector<bool> nullable;
  // Optional metadata; empty when the server did not send it.
  std::vector<std::string> names;
  std::vector<bool> unsigned_numeric;  // one per numeric column (IsNumericType), in order
  std::vector<uint32_t> collations;    // per column; 0 = not a character column or not sent
  std::vector<std::vector<std::string>> labels;  // per column; raw ENUM/SET label bytes
  std::vector<uint32_t> primary_key;             // column indexes
  bool has_primary_key_metadata = false;
};

// `body` is the event after the common header; `table_id_size` is 6 (4 for very old servers).
// MariaDB lists GEOMETRY columns among the character columns of the charset metadata (with the
// binary collation); MySQL does not: pass `geometry_has_charset` accordingly.
Result<TableMap> ParseTableMap(std::span<const uint8_t> body, size_t table_id_size,
                               bool geometry_has_charset);

// A table ready for row decoding.
struct ResolvedTable {
  std::string database;
  std::string table;
  std::vector<ColumnCodec> codecs;
  std::vector<std::string> json_keys;  // ",\"name\":" per column, escaped once
  changelog::ColumnList columns;       // shared by the records of every row of this version
};

// Combines the map with `known` (history or provider; may be null). Names, signedness,
// charsets, labels and the primary key come from the map when it carries them, otherwise
// from `known`; INET6 / UUID / MariaDB JSON columns are recognised from `known` only.
// kFailedPrecondition when neither says what the columns are.
Result<ResolvedTable> ResolveTable(const TableMap& map, const TableSchema* known);

enum class RowsKind : uint8_t { kWrite, kUpdate, kDelete };

struct RowsEventHeader {
  uint64_t table_id = 0;
  uint16_t flags = 0;
  RowsKind kind = RowsKind::kWrite;
  size_t body_offset = 0;  // where the column count starts
};
// `type` is the (uncompressed) rows event type code (v1 23–25, v2 30–32).
Result<RowsEventHeader> ParseRowsHeader(uint8_t type, std::span<const uint8_t> body,
                                        size_t table_id_size);

// Decodes every row of a rows event body into JSON objects (absent columns are omitted, SQL
// NULL is null). Calls `emit(before, after)` per row: before is null for WRITE, after is null
// for DELETE. The strings are fresh for each row: the callee may move them away.
// for DELETE. The strings are reused between calls.
Status DecodeRows(const RowsEventHeader& header, std::span<const uint8_t> body,
                  const ResolvedTable& table,
                  const std::function<void(std::string* before, std::string* after)>& emit);

// Parses "enum('a','b')" / "set('x','y')" labels out of a COLUMN_TYPE text.
std::vector<std::string> ParseEnumLabels(std::string_view column_type);

}  // namespace inflow::capture::mysql

#endif  // INFLOW_CAPTURE_MYSQL_ROWS_EVENT_H_
