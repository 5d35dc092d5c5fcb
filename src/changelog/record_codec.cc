#include "changelog/record_codec.h"

#include <fmt/format.h>

namespace inflow::changelog {
namespace {

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void PutString(std::string_view s, std::string* out) {
  PutVarint(s.size(), out);
  out->append(s);
}

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

// Column flags byte.
constexpr uint8_t kPrimaryKey = 1;
constexpr uint8_t kUniqueKey = 2;
constexpr uint8_t kNullable = 4;

uint8_t ColumnFlags(const ColumnSchema& c) {
  return static_cast<uint8_t>((c.primary_key ? kPrimaryKey : 0) | (c.unique_key ? kUniqueKey : 0) |
                              (c.nullable ? kNullable : 0));
}

// Presence byte of the optional images.
constexpr uint8_t kHasBefore = 1;
constexpr uint8_t kHasAfter = 2;

class Decoder {
 public:
  explicit Decoder(std::string_view in) : in_(in) {}

  bool Varint(uint64_t* v) {
    uint64_t result = 0;
    for (int shift = 0; shift <= 63; shift += 7) {
      if (pos_ >= in_.size()) return Bad("truncated varint");
      uint8_t byte = static_cast<uint8_t>(in_[pos_++]);
      if (shift == 63 && byte > 1) return Bad("varint overflows 64 bits");
      result |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) {
        *v = result;
        return true;
      }
    }
    return Bad("varint longer than 10 bytes");
  }

  bool Byte(uint8_t* b) {
    if (pos_ >= in_.size()) return Bad("truncated");
    *b = static_cast<uint8_t>(in_[pos_++]);
    return true;
  }

  bool String(std::string* s) {
    std::string_view view;
    if (!View(&view)) return false;
    s->assign(view);
    return true;
  }

  // The next string without copying it; valid while the input is.
  bool View(std::string_view* s) {
    uint64_t len;
    if (!Varint(&len)) return false;
    if (len > in_.size() - pos_)
      return Bad(fmt::format("string of {} bytes overruns the record", len));
    *s = in_.substr(pos_, len);
    pos_ += len;
    return true;
  }

  bool Bad(std::string what) {
    if (error_.empty()) error_ = fmt::format("change record payload at byte {}: {}", pos_, what);
    return false;
  }

  bool AtEnd() const { return pos_ == in_.size(); }
  const std::string& error() const { return error_; }

 private:
  std::string_view in_;
  size_t pos_ = 0;
  std::string error_;
};

// One encoded column, viewing the record's bytes.
struct ColumnFields {
  std::string_view name;
  std::string_view type;
  int type_code = 0;
  uint8_t flags = 0;
  std::string_view charset;

  bool Matches(const ColumnSchema& c) const {
    return name == c.name && type == c.type && type_code == c.type_code &&
           flags == ColumnFlags(c) && charset == c.charset;
  }
  ColumnSchema ToSchema() const {
    ColumnSchema c;
    c.name = name;
    c.type = type;
    c.type_code = type_code;
    c.primary_key = flags & kPrimaryKey;
    c.unique_key = flags & kUniqueKey;
    c.nullable = flags & kNullable;
    c.charset = charset;
    return c;
  }
};

bool ReadColumn(Decoder& d, ColumnFields* c) {
  uint64_t v = 0;
  if (!d.View(&c->name) || !d.View(&c->type) || !d.Varint(&v)) return false;
  int64_t code = UnZigZag(v);
  if (code < INT32_MIN || code > INT32_MAX) return d.Bad("type code out of range");
  c->type_code = static_cast<int>(code);
  return d.Byte(&c->flags) && d.View(&c->charset);
}

// Reads `count` columns into *out. A list equal to the one *out already holds is kept: a
// reader reusing records through one table's changes then allocates no columns at all.
bool ReadColumns(Decoder& d, uint64_t count, ColumnList* out) {
  bool same = count == out->size();   // so far
  std::vector<ColumnSchema> columns;  // the new list, once it differs
  if (!same) columns.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    ColumnFields c;
    if (!ReadColumn(d, &c)) return false;
    if (same) {
      if (c.Matches((*out)[i])) continue;
      same = false;  // the first difference: the new list starts with the equal prefix
      columns.reserve(count);
      columns.assign(out->begin(), out->begin() + i);
    }
    columns.push_back(c.ToSchema());
  }
  if (!same) *out = ColumnList(std::move(columns));
  return true;
}

}  // namespace

void EncodeChangeRecord(const ChangeRecord& r, std::string* out) {
  out->push_back(static_cast<char>(kRecordCodecVersion));
  out->push_back(static_cast<char>(r.op));
  PutVarint(ZigZag(r.source_timestamp_ms), out);
  PutString(r.position.file, out);
  PutVarint(r.position.pos, out);
  PutString(r.position.gtid_set, out);
  PutVarint(r.position.lsn, out);
  PutString(r.transaction_id, out);
  PutString(r.database, out);
  PutString(r.table, out);
  PutVarint(r.columns.size(), out);
  for (const ColumnSchema& c : r.columns) {
    PutString(c.name, out);
    PutString(c.type, out);
    PutVarint(ZigZag(c.type_code), out);
    out->push_back(static_cast<char>(ColumnFlags(c)));
    PutString(c.charset, out);
  }
  out->push_back(
      static_cast<char>((r.before_json ? kHasBefore : 0) | (r.after_json ? kHasAfter : 0)));
  if (r.before_json) PutString(*r.before_json, out);
  if (r.after_json) PutString(*r.after_json, out);
  PutString(r.ddl, out);
}

Result<ChangeRecord> DecodeChangeRecord(std::string_view bytes) {
  ChangeRecord r;
  INFLOW_RETURN_IF_ERROR(DecodeChangeRecordInto(bytes, &r));
  return r;
}

Status DecodeChangeRecordInto(std::string_view bytes, ChangeRecord* out) {
  Decoder d(bytes);
  ChangeRecord& r = *out;
  uint8_t version = 0;
  uint8_t op = 0;
  uint64_t v = 0;
  auto fail = [&]() { return Fail(DataLoss(d.error())); };
  if (!d.Byte(&version)) return fail();
  if (version != kRecordCodecVersion) {
    d.Bad(fmt::format("unknown codec version {}", version));
    return fail();
  }
  if (!d.Byte(&op)) return fail();
  if (op < static_cast<uint8_t>(Operation::kInsert) || op > static_cast<uint8_t>(Operation::kDdl)) {
    d.Bad(fmt::format("unknown operation {}", op));
    return fail();
  }
  r.op = static_cast<Operation>(op);
  if (!d.Varint(&v)) return fail();
  r.source_timestamp_ms = UnZigZag(v);
  if (!d.String(&r.position.file) || !d.Varint(&r.position.pos) ||
      !d.String(&r.position.gtid_set) || !d.Varint(&r.position.lsn) ||
      !d.String(&r.transaction_id) || !d.String(&r.database) || !d.String(&r.table)) {
    return fail();
  }
  uint64_t columns = 0;
  if (!d.Varint(&columns)) return fail();
  // Each column takes at least 5 bytes, so a huge count in a short record is corruption, not
  // a reason to allocate.
  if (columns > bytes.size() / 5) {
    d.Bad(fmt::format("column count {} exceeds what the record can hold", columns));
    return fail();
  }
  if (!ReadColumns(d, columns, &r.columns)) return fail();
  uint8_t images = 0;
  if (!d.Byte(&images)) return fail();
  // Assigning into an engaged optional reuses its buffer (see DecodeChangeRecordInto).
  if (images & kHasBefore) {
    if (!r.before_json) r.before_json.emplace();
    if (!d.String(&*r.before_json)) return fail();
  } else {
    r.before_json.reset();
  }
  if (images & kHasAfter) {
    if (!r.after_json) r.after_json.emplace();
    if (!d.String(&*r.after_json)) return fail();
  } else {
    r.after_json.reset();
  }
  if (!d.String(&r.ddl)) return fail();
  if (!d.AtEnd()) {
    d.Bad("trailing bytes");
    return fail();
  }
  return Ok();
}

}  // namespace inflow::changelog
