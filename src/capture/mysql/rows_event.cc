#include "capture/mysql/rows_event.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "capture/mysql/binlog_buffer.h"

namespace inflow::capture::mysql {
namespace {

namespace ct = column_type;

// Optional metadata field types (binlog_row_metadata).
enum OptionalMeta : uint8_t {
  kSignedness = 1,
  kDefaultCharset = 2,
  kColumnCharset = 3,
  kColumnName = 4,
  kSetStrValue = 5,
  kEnumStrValue = 6,
  kGeometryType = 7,
  kSimplePrimaryKey = 8,
  kPrimaryKeyWithPrefix = 9,
  kEnumAndSetDefaultCharset = 10,
  kEnumAndSetColumnCharset = 11,
  kColumnVisibility = 12,
};

tl::unexpected<Error> Corrupt(const TableMap& map, std::string what) {
  return Fail(ErrorCode::kDataLoss,
              fmt::format("TABLE_MAP of {}.{}: {}", map.database, map.table, what));
}

// Column indexes (into the map) of the columns a charset list talks about.
std::vector<size_t> SelectColumns(const TableMap& map, bool enum_set, bool geometry) {
  std::vector<size_t> out;
  for (size_t i = 0; i < map.codecs.size(); ++i) {
    uint8_t t = map.codecs[i].type;
    bool is_enum_set = t == ct::kEnum || t == ct::kSet;
    if (enum_set ? is_enum_set : (IsCharacterType(t) || (geometry && t == ct::kGeometry))) {
      out.push_back(i);
    }
  }
  return out;
}

Status ReadCharsets(BinlogBuffer& f, bool with_default, const std::vector<size_t>& columns,
                    TableMap& map) {
  if (with_default) {
    uint32_t def = static_cast<uint32_t>(f.LenEnc());
    for (size_t c : columns) map.collations[c] = def;
    while (f.ok() && !f.empty()) {
      uint64_t index = f.LenEnc();
      uint32_t collation = static_cast<uint32_t>(f.LenEnc());
      if (index >= columns.size()) return Corrupt(map, "charset index beyond the columns");
      map.collations[columns[index]] = collation;
    }
  } else {
    for (size_t c : columns) map.collations[c] = static_cast<uint32_t>(f.LenEnc());
  }
  return f.ok() ? Ok() : Corrupt(map, "charset metadata truncated");
}

Status ReadLabels(BinlogBuffer& f, uint8_t type, TableMap& map) {
  for (size_t i = 0; i < map.codecs.size() && f.ok(); ++i) {
    if (map.codecs[i].type != type) continue;
    uint64_t count = f.LenEnc();
    if (count > f.remaining()) return Corrupt(map, "ENUM/SET label count beyond the event");
    auto& labels = map.labels[i];
    labels.clear();
    for (uint64_t k = 0; k < count && f.ok(); ++k) labels.emplace_back(f.Str(f.LenEnc()));
  }
  return f.ok() ? Ok() : Corrupt(map, "ENUM/SET labels truncated");
}

bool ContainsWord(std::string_view haystack, std::string_view word) {
  return haystack.find(word) != std::string_view::npos;
}

void AppendKey(std::string_view name, std::string& out) {
  out.push_back(',');
  AppendJsonString(name, out);
  out.push_back(':');
}

}  // namespace

std::vector<std::string> ParseEnumLabels(std::string_view t) {
  std::vector<std::string> labels;
  size_t i = t.find('(');
  if (i == std::string_view::npos) return labels;
  ++i;
  while (i < t.size()) {
    while (i < t.size() && (t[i] == ' ' || t[i] == ',')) ++i;
    if (i >= t.size() || t[i] != '\'') break;
    ++i;
    std::string label;
    while (i < t.size()) {
      if (t[i] == '\'' && i + 1 < t.size() && t[i + 1] == '\'') {
        label.push_back('\'');
        i += 2;
      } else if (t[i] == '\\' && i + 1 < t.size()) {
        label.push_back(t[i + 1]);
        i += 2;
      } else if (t[i] == '\'') {
        ++i;
        break;
      } else {
        label.push_back(t[i++]);
      }
    }
    labels.push_back(std::move(label));
  }
  return labels;
}

Result<TableMap> ParseTableMap(std::span<const uint8_t> body, size_t table_id_size,
                               bool geometry_has_charset) {
  BinlogBuffer b(body);
  TableMap map;
  map.table_id = b.Uint(table_id_size);
  b.Skip(2);  // flags
  map.database = std::string(b.Str(b.U8()));
  b.Skip(1);
  map.table = std::string(b.Str(b.U8()));
  b.Skip(1);
  uint64_t n = b.LenEnc();
  if (!b.ok() || n == 0 || n > b.remaining() || n > 4096) {
    return Corrupt(map, "bad header or column count");
  }
  auto types = b.Bytes(n);
  uint64_t meta_len = b.LenEnc();
  auto meta = b.Bytes(meta_len);
  auto nulls = b.Bytes((n + 7) / 8);
  if (!b.ok()) return Corrupt(map, "truncated before the optional metadata");
  BinlogBuffer m(meta);
  map.codecs.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    auto codec = MakeColumnCodec(types[i], m);
    if (!codec) {
      return Fail(codec.error().WithContext(
          fmt::format("TABLE_MAP of {}.{} column {}", map.database, map.table, i + 1)));
    }
    map.codecs.push_back(std::move(*codec));
    map.nullable.push_back((nulls[i / 8] >> (i % 8)) & 1);
  }
  map.collations.assign(n, 0);
  map.labels.assign(n, {});

  while (b.ok() && !b.empty()) {
    uint8_t field_type = b.U8();
    uint64_t len = b.LenEnc();
    auto field = b.Bytes(len);
    if (!b.ok()) return Corrupt(map, "optional metadata truncated");
    BinlogBuffer f(field);
    switch (field_type) {
      case kSignedness: {
        size_t k = 0;
        for (size_t i = 0; i < n; ++i) {
          if (!IsNumericType(map.codecs[i].type)) continue;
          if (k / 8 >= field.size()) return Corrupt(map, "signedness bitmap too short");
          map.unsigned_numeric.push_back((field[k / 8] >> (7 - k % 8)) & 1);
          ++k;
        }
        break;
      }
      case kDefaultCharset:
      case kColumnCharset:
        INFLOW_RETURN_IF_ERROR(ReadCharsets(f, field_type == kDefaultCharset,
                                            SelectColumns(map, false, geometry_has_charset), map));
        break;
      case kEnumAndSetDefaultCharset:
      case kEnumAndSetColumnCharset:
        INFLOW_RETURN_IF_ERROR(ReadCharsets(f, field_type == kEnumAndSetDefaultCharset,
                                            SelectColumns(map, true, false), map));
        break;
      case kColumnName:
        for (size_t i = 0; i < n && f.ok(); ++i) map.names.emplace_back(f.Str(f.LenEnc()));
        if (!f.ok()) return Corrupt(map, "column names truncated");
        break;
      case kSetStrValue:
        INFLOW_RETURN_IF_ERROR(ReadLabels(f, ct::kSet, map));
        break;
      case kEnumStrValue:
        INFLOW_RETURN_IF_ERROR(ReadLabels(f, ct::kEnum, map));
        break;
      case kSimplePrimaryKey:
        map.has_primary_key_metadata = true;
        while (f.ok() && !f.empty()) map.primary_key.push_back(static_cast<uint32_t>(f.LenEnc()));
        break;
      case kPrimaryKeyWithPrefix:
        map.has_primary_key_metadata = true;
        while (f.ok() && !f.empty()) {
          map.primary_key.push_back(static_cast<uint32_t>(f.LenEnc()));
          f.LenEnc();  // prefix length
        }
        break;
      default:  // geometry subtypes, visibility, future fields: not needed to render values
        break;
    }
    if (!f.ok()) return Corrupt(map, fmt::format("optional metadata {} truncated", field_type));
  }
  for (uint32_t k : map.primary_key) {
    if (k >= n) return Corrupt(map, "primary key column beyond the columns");
  }
  return map;
}

Result<ResolvedTable> ResolveTable(const TableMap& map, const TableSchema* known) {
  const size_t n = map.codecs.size();
  const bool have_names = map.names.size() == n;
  ResolvedTable t;
  t.database = map.database;
  t.table = map.table;
  t.codecs = map.codecs;

  // The known schema's column for map column i: by name with binlog names (so a stale schema
  // still helps where it agrees), by position without them.
  std::vector<const ColumnDef*> known_col(n, nullptr);
  if (known) {
    if (have_names) {
      for (size_t i = 0; i < n; ++i) {
        for (const auto& c : known->columns) {
          if (c.name.size() == map.names[i].size() &&
              std::equal(c.name.begin(), c.name.end(), map.names[i].begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) ==
                       std::tolower(static_cast<unsigned char>(b));
              })) {
            known_col[i] = &c;
            break;
          }
        }
      }
    } else if (known->columns.size() == n) {
      for (size_t i = 0; i < n; ++i) known_col[i] = &known->columns[i];
    } else {
      return Fail(ErrorCode::kFailedPrecondition,
                  fmt::format("{}.{}: the binlog row has {} columns but the known schema has {} "
                              "(enable binlog_row_metadata=FULL to decode without a schema)",
                              map.database, map.table, n, known->columns.size()));
    }
  } else if (!have_names) {
    return Fail(ErrorCode::kFailedPrecondition,
                fmt::format("{}.{}: no column names in the binlog (binlog_row_metadata is not "
                            "FULL) and no schema known for the table",
                            map.database, map.table));
  }

  size_t numeric_index = 0;
  std::vector<changelog::ColumnSchema> columns(n);
  t.json_keys.resize(n);
  for (size_t i = 0; i < n; ++i) {
    ColumnCodec& c = t.codecs[i];
    const ColumnDef* k = known_col[i];
    std::string type_text = k ? k->column_type : std::string();
    std::transform(type_text.begin(), type_text.end(), type_text.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });

    if (IsNumericType(c.type)) {
      bool is_unsigned = numeric_index < map.unsigned_numeric.size()
                             ? map.unsigned_numeric[numeric_index]
                             : ContainsWord(type_text, "unsigned");
      ++numeric_index;
      if (is_unsigned) c.kind = ValueKind::kUnsigned;
    }
    if (map.collations[i] != 0) {
      c.charset = CharsetOfCollation(map.collations[i]);
      if (c.charset.kind == Charset::kUnknown) {
        return Fail(ErrorCode::kInvalidArgument,
                    fmt::format("{}.{} column {}: unknown collation id {}", map.database, map.table,
                                i + 1, map.collations[i]));
      }
    } else if (k) {
      // information_schema has no charset for binary strings and blobs.
      c.charset = k->charset.empty() ? CharsetByName("binary") : CharsetByName(k->charset);
    } else if (IsCharacterType(c.type) || c.type == ct::kEnum || c.type == ct::kSet) {
      c.charset = CharsetByName("utf8mb4");  // FULL metadata omitted it: the server default
    }
    if (k && c.type == ct::kString && c.length == 16 && type_text == "inet6") {
      c.kind = ValueKind::kInet6;
    } else if (k && c.type == ct::kString && c.length == 16 && type_text == "uuid") {
      c.kind = ValueKind::kUuid;
    } else if (k && type_text == "json" && c.type != ct::kJson) {
      c.kind = ValueKind::kJsonText;
    }
    if (c.type == ct::kEnum || c.type == ct::kSet) {
      if (!map.labels[i].empty()) {
        for (const auto& raw : map.labels[i]) {
          auto bytes =
              std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(raw.data()), raw.size());
          INFLOW_TRY(std::string label, ToUtf8(bytes, c.charset));
          c.labels.push_back(std::move(label));
        }
      } else if (k) {
        c.labels = ParseEnumLabels(k->column_type);
      }
    }

    auto& col = columns[i];
    col.name = have_names ? map.names[i] : (k ? k->name : fmt::format("@{}", i + 1));
    col.type = k && !k->column_type.empty() ? k->column_type : SqlTypeName(c);
    col.type_code = c.type;
    col.nullable = map.nullable[i];
    if (IsCharacterType(c.type) || c.type == ct::kEnum || c.type == ct::kSet) {
      col.charset = std::string(c.charset.name);
    }
    col.primary_key = map.has_primary_key_metadata ? false : (k && k->primary_key);
    AppendKey(col.name, t.json_keys[i]);
  }
  for (uint32_t pk : map.primary_key) columns[pk].primary_key = true;
  t.columns = changelog::ColumnList(std::move(columns));
  return t;
}

Result<RowsEventHeader> ParseRowsHeader(uint8_t type, std::span<const uint8_t> body,
                                        size_t table_id_size) {
  BinlogBuffer b(body);
  RowsEventHeader h;
  h.table_id = b.Uint(table_id_size);
  h.flags = b.U16();
  bool v2 = type >= 30 && type <= 32;
  if (v2) {
    uint16_t extra = b.U16();
    if (extra < 2) return Fail(ErrorCode::kDataLoss, "rows event extra data length < 2");
    b.Skip(extra - 2u);
  }
  if (!b.ok()) return Fail(ErrorCode::kDataLoss, "rows event post-header truncated");
  switch (type) {
    case 23:
    case 30:
      h.kind = RowsKind::kWrite;
      break;
    case 24:
    case 31:
      h.kind = RowsKind::kUpdate;
      break;
    case 25:
    case 32:
      h.kind = RowsKind::kDelete;
      break;
    default:
      return Fail(ErrorCode::kInternal, fmt::format("event type {} is not a rows event", type));
  }
  h.body_offset = body.size() - b.remaining();
  return h;
}

namespace {

// One row image: null bitmap over the present columns, then their non-null values.
Status DecodeImage(BinlogBuffer& b, const ResolvedTable& t, std::span<const uint8_t> present,
                   size_t present_count, std::string& out) {
  auto nulls = b.Bytes((present_count + 7) / 8);
  if (!b.ok()) return Fail(ErrorCode::kDataLoss, "row image null bitmap truncated");
  out.clear();
  out.push_back('{');
  size_t k = 0;  // index among present columns
  for (size_t i = 0; i < t.codecs.size(); ++i) {
    if (!((present[i / 8] >> (i % 8)) & 1)) continue;  // absent from a partial image
    std::string_view key = t.json_keys[i];
    if (k == 0) key.remove_prefix(1);  // no separator before the first
    out.append(key);
    if ((nulls[k / 8] >> (k % 8)) & 1) {
      out.append("null");
    } else {
      Status s = DecodeValue(t.codecs[i], b, out);
      if (!s) {
        return Fail(s.error().WithContext(
            fmt::format("{}.{} column {}", t.database, t.table, t.columns[i].name)));
      }
    }
    ++k;
  }
  out.push_back('}');
  return Ok();
}

size_t PopCount(std::span<const uint8_t> bitmap, size_t bits) {
  size_t count = 0;
  for (size_t i = 0; i < bits; ++i) count += (bitmap[i / 8] >> (i % 8)) & 1;
  return count;
}

}  // namespace

Status DecodeRows(const RowsEventHeader& h, std::span<const uint8_t> body, const ResolvedTable& t,
                  const std::function<void(std::string*, std::string*)>& emit) {
  BinlogBuffer b(body.subspan(std::min(h.body_offset, body.size())));
  uint64_t n = b.LenEnc();
  if (!b.ok() || n != t.codecs.size()) {
    return Fail(ErrorCode::kDataLoss,
                fmt::format("{}.{}: rows event has {} columns, its TABLE_MAP {}", t.database,
                            t.table, n, t.codecs.size()));
  }
  auto present1 = b.Bytes((n + 7) / 8);
  auto present2 = h.kind == RowsKind::kUpdate ? b.Bytes((n + 7) / 8) : present1;
  if (!b.ok()) return Fail(ErrorCode::kDataLoss, "rows event column bitmaps truncated");
  size_t count1 = PopCount(present1, n), count2 = PopCount(present2, n);
  // Images are moved out by the callee; reserve what the previous one needed.
  size_t reserve = 64 + n * 8;
  std::string before, after;
  while (!b.empty()) {
    switch (h.kind) {
      case RowsKind::kWrite:
        after.reserve(reserve);
        INFLOW_RETURN_IF_ERROR(DecodeImage(b, t, present1, count1, after));
        reserve = after.size() + 16;
        emit(nullptr, &after);
        break;
      case RowsKind::kDelete:
        before.reserve(reserve);
        INFLOW_RETURN_IF_ERROR(DecodeImage(b, t, present1, count1, before));
        reserve = before.size() + 16;
        emit(&before, nullptr);
        break;
      case RowsKind::kUpdate:
        before.reserve(reserve);
        after.reserve(reserve);
        INFLOW_RETURN_IF_ERROR(DecodeImage(b, t, present1, count1, before));
        INFLOW_RETURN_IF_ERROR(DecodeImage(b, t, present2, count2, after));
        reserve = after.size() + 16;
        emit(&before, &after);
        break;
    }
  }
  return Ok();
}

}  // namespace inflow::capture::mysql
