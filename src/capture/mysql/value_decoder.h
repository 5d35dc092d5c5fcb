// Column value decoding: one binlog row value (bytes in the row image, as described by the
// column's binlog type and TABLE_MAP metadata) rendered as compact JSON per product.md §1.2
// and docs/value-mapping.md.
//
// A ColumnCodec is built once per column per TABLE_MAP (MakeColumnCodec) and then used for
// every row, so the per-value path is a switch plus the rendering itself.
//
// Thread safety: codecs are immutable after construction; functions are reentrant.
#ifndef INFLOW_CAPTURE_MYSQL_VALUE_DECODER_H_
#define INFLOW_CAPTURE_MYSQL_VALUE_DECODER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "capture/mysql/binlog_buffer.h"
#include "common/result.h"

namespace inflow::capture::mysql {

// MySQL protocol / binlog column type codes.
namespace column_type {
inline constexpr uint8_t kDecimal = 0, kTiny = 1, kShort = 2, kLong = 3, kFloat = 4, kDouble = 5,
                         kNull = 6, kTimestamp = 7, kLongLong = 8, kInt24 = 9, kDate = 10,
                         kTime = 11, kDatetime = 12, kYear = 13, kNewDate = 14, kVarchar = 15,
                         kBit = 16, kTimestamp2 = 17, kDatetime2 = 18, kTime2 = 19, kVector = 242,
                         kJson = 245, kNewDecimal = 246, kEnum = 247, kSet = 248, kTinyBlob = 249,
                         kMediumBlob = 250, kLongBlob = 251, kBlob = 252, kVarString = 253,
                         kString = 254, kGeometry = 255;
}  // namespace column_type

// Character sets we convert to UTF-8. kOther goes through glibc iconv by name.
enum class Charset : uint8_t { kUnknown, kBinary, kUtf8, kAscii, kLatin1, kOther };

struct CharsetInfo {
  Charset kind = Charset::kUnknown;
  std::string_view name;        // MySQL name, e.g. "utf8mb4"
  std::string_view iconv_name;  // for kOther
  uint8_t max_len = 1;          // bytes per character
};
// The character set of a collation id (MariaDB and MySQL numbering); kUnknown when not known.
CharsetInfo CharsetOfCollation(uint32_t collation_id);
// By MySQL character set name ("utf8mb4", "latin1", …); kUnknown when not known.
CharsetInfo CharsetByName(std::string_view name);

// How a column's values are rendered (beyond what its binlog type says).
enum class ValueKind : uint8_t {
  kDefault,   // by binlog type
  kUnsigned,  // an unsigned integer / decimal / float column
  kInet6,     // MariaDB INET6 (BINARY(16) in the binlog)
  kUuid,      // MariaDB UUID (BINARY(16) in the binlog)
  kJsonText,  // MariaDB JSON (LONGTEXT): the text is emitted as JSON when it parses
};

struct ColumnCodec {
  uint8_t type = 0;       // binlog type; for STRING columns the real type (STRING/ENUM/SET)
  uint16_t meta = 0;      // TABLE_MAP metadata as read (see MakeColumnCodec)
  uint32_t length = 0;    // STRING/VARCHAR max bytes, BLOB length bytes, BIT bits, ENUM/SET bytes
  uint8_t precision = 0;  // DECIMAL precision; temporal fsp
  uint8_t scale = 0;      // DECIMAL scale
  ValueKind kind = ValueKind::kDefault;
  CharsetInfo charset;              // text columns and ENUM/SET labels
  std::vector<std::string> labels;  // ENUM / SET labels, already UTF-8
};

// Reads the metadata bytes of one column from a TABLE_MAP metadata block. Returns the codec
// with type/meta/length/precision/scale set; the caller adds kind, charset and labels.
Result<ColumnCodec> MakeColumnCodec(uint8_t binlog_type, BinlogBuffer& metadata);

// True for columns whose SIGNEDNESS bit the TABLE_MAP optional metadata carries.
bool IsNumericType(uint8_t type);
// True for columns listed in DEFAULT_CHARSET / COLUMN_CHARSET optional metadata.
bool IsCharacterType(uint8_t type);

// Decodes one non-NULL value from `in` and appends its JSON rendering to `out`. Errors name
// nothing about the column: the caller adds that context.
Status DecodeValue(const ColumnCodec& codec, BinlogBuffer& in, std::string& out);

// The SQL type name of a column as far as the binlog tells it ("int unsigned", "varchar(80)",
// "decimal(10,2)", …), for ChangeRecord columns when no schema text is known.
std::string SqlTypeName(const ColumnCodec& codec);

// Rendering helpers shared with the JSON decoder.
void AppendJsonString(std::string_view utf8, std::string& out);       // quoted and escaped
void AppendBase64(std::span<const uint8_t> bytes, std::string& out);  // quoted
// Converts `bytes` in `charset` to UTF-8 and appends it as a JSON string.
Status AppendText(std::span<const uint8_t> bytes, const CharsetInfo& charset, std::string& out);
// Converts to UTF-8 (for ENUM labels and DDL); invalid input is an error.
Result<std::string> ToUtf8(std::span<const uint8_t> bytes, const CharsetInfo& charset);
void AppendDouble(double v, std::string& out);
void AppendFloat(float v, std::string& out);

}  // namespace inflow::capture::mysql

#endif  // INFLOW_CAPTURE_MYSQL_VALUE_DECODER_H_
