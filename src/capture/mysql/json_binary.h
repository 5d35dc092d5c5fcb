// MySQL's binary JSON (the storage format of JSON columns in MySQL 5.7+ row events) rendered
// as compact JSON text. Format: sql/json_binary.h in mysql-server — a type byte, then objects
// and arrays with element counts, byte sizes, key entries (offset, length) and value entries
// (type + inlined scalar or offset), all little-endian, small (16-bit) or large (32-bit)
// offsets; scalars int16/uint16/int32/uint32/int64/uint64/double/string/literal and "opaque"
// values carrying a MySQL column type (DECIMAL, DATE, TIME, DATETIME, …).
//
// Thread safety: reentrant.
#ifndef INFLOW_CAPTURE_MYSQL_JSON_BINARY_H_
#define INFLOW_CAPTURE_MYSQL_JSON_BINARY_H_

#include <cstdint>
#include <span>
#include <string>

#include "common/result.h"

namespace inflow::capture::mysql {

// Appends the JSON text of one binary JSON document. An empty document is JSON null.
// Malformed input is kDataLoss naming the offset; nesting beyond 100 levels is rejected.
Status AppendJsonFromBinary(std::span<const uint8_t> doc, std::string& out);

}  // namespace inflow::capture::mysql

#endif  // INFLOW_CAPTURE_MYSQL_JSON_BINARY_H_
