// Column value decoding (value_decoder.h): reading a column's TABLE_MAP metadata into its codec,
// the per-value switch over binlog types, and SQL type names. Integers, DATE, TIME and DATETIME
// are formatted here; the other families are rendered by the files value_format.h lists.
#include "capture/mysql/value_decoder.h"

#include <fmt/format.h>

#include <cstring>

#include "capture/mysql/json_binary.h"
#include "capture/mysql/value_format.h"

namespace inflow::capture::mysql {
namespace {

namespace ct = column_type;
using internal::AppendDatetimePacked;
using internal::AppendDecimal;
using internal::AppendEscaped;
using internal::AppendInet6;
using internal::AppendInt;
using internal::AppendJsonText;
using internal::AppendRange;
using internal::AppendTime2;
using internal::AppendTimestamp;
using internal::AppendUint;
using internal::AppendUuid;
using internal::BigEndian;
using internal::DecimalSize;
using internal::FracBytes;
using internal::FracMicros;
using internal::kTemporalBuffer;
using internal::PutClock;
using internal::PutDate;

Status Truncated(const char* what) {
  return Fail(ErrorCode::kDataLoss, fmt::format("row image ends inside a {} value", what));
}

}  // namespace

bool IsNumericType(uint8_t type) {
  switch (type) {
    case ct::kTiny:
    case ct::kShort:
    case ct::kInt24:
    case ct::kLong:
    case ct::kLongLong:
    case ct::kNewDecimal:
    case ct::kFloat:
    case ct::kDouble:
    case ct::kDecimal:
      return true;
    default:
      return false;
  }
}

bool IsCharacterType(uint8_t type) {
  switch (type) {
    case ct::kString:
    case ct::kVarString:
    case ct::kVarchar:
    case ct::kBlob:
    case ct::kTinyBlob:
    case ct::kMediumBlob:
    case ct::kLongBlob:
      return true;
    default:
      return false;
  }
}

Result<ColumnCodec> MakeColumnCodec(uint8_t binlog_type, BinlogBuffer& m) {
  ColumnCodec c;
  c.type = binlog_type;
  switch (binlog_type) {
    case ct::kFloat:
    case ct::kDouble:
      c.meta = m.U8();
      break;
    case ct::kVarchar:
    case ct::kVarString:
      c.meta = m.U16();
      c.length = c.meta;
      break;
    case ct::kNewDecimal:
      c.precision = m.U8();
      c.scale = m.U8();
      c.meta = static_cast<uint16_t>(c.precision << 8 | c.scale);
      if (c.precision == 0 || c.precision > 65 || c.scale > 38 || c.scale > c.precision) {
        return Fail(ErrorCode::kDataLoss,
                    fmt::format("DECIMAL({},{}) metadata out of range", c.precision, c.scale));
      }
      break;
    case ct::kBit: {
      uint8_t bits = m.U8(), bytes = m.U8();
      c.meta = static_cast<uint16_t>(bytes << 8 | bits);
      c.length = uint32_t{bytes} * 8 + bits;
      if (c.length == 0 || c.length > 64) c.length = c.length == 0 ? 1 : 64;
      break;
    }
    case ct::kBlob:
    case ct::kTinyBlob:
    case ct::kMediumBlob:
    case ct::kLongBlob:
    case ct::kGeometry:
    case ct::kJson:
    case ct::kVector:
      c.meta = m.U8();
      c.length = c.meta;
      if (c.length < 1 || c.length > 4) {
        return Fail(ErrorCode::kDataLoss,
                    fmt::format("blob length size {} out of range", c.length));
      }
      break;
    case ct::kTimestamp2:
    case ct::kDatetime2:
    case ct::kTime2:
      c.meta = m.U8();
      c.precision = static_cast<uint8_t>(c.meta);
      if (c.precision > 6) {
        return Fail(ErrorCode::kDataLoss, fmt::format("fractional precision {} > 6", c.meta));
      }
      break;
    case ct::kString:
    case ct::kEnum:
    case ct::kSet: {
      uint8_t b0 = m.U8(), b1 = m.U8();
      c.meta = static_cast<uint16_t>(b0 << 8 | b1);
      // CHAR lengths above 255 bytes fold their two high bits into the real-type byte.
      if ((b0 & 0x30) != 0x30) {
        c.length = b1 | (static_cast<uint32_t>((b0 & 0x30) ^ 0x30) << 4);
        c.type = b0 | 0x30;
      } else {
        c.length = b1;
        c.type = b0;
      }
      if (c.type != ct::kString && c.type != ct::kEnum && c.type != ct::kSet) c.type = ct::kString;
      if ((c.type == ct::kEnum && c.length != 1 && c.length != 2) ||
          (c.type == ct::kSet && (c.length < 1 || c.length > 8))) {
        return Fail(ErrorCode::kDataLoss, fmt::format("ENUM/SET width {} out of range", c.length));
      }
      break;
    }
    case ct::kTiny:
    case ct::kShort:
    case ct::kInt24:
    case ct::kLong:
    case ct::kLongLong:
    case ct::kYear:
    case ct::kDate:
    case ct::kNewDate:
    case ct::kTime:
    case ct::kDatetime:
    case ct::kTimestamp:
    case ct::kNull:
      break;
    default:
      return Fail(ErrorCode::kDataLoss,
                  fmt::format("column type {} is not supported", static_cast<int>(binlog_type)));
  }
  if (!m.ok()) return Fail(ErrorCode::kDataLoss, "TABLE_MAP column metadata is truncated");
  return c;
}

Status DecodeValue(const ColumnCodec& c, BinlogBuffer& in, std::string& out) {
  const bool is_unsigned = c.kind == ValueKind::kUnsigned;
  switch (c.type) {
    case ct::kTiny: {
      uint64_t v = in.Uint(1);
      if (!in.ok()) return Truncated("TINYINT");
      is_unsigned ? AppendUint(v, out) : AppendInt(static_cast<int8_t>(v), out);
      return Ok();
    }
    case ct::kShort: {
      uint64_t v = in.Uint(2);
      if (!in.ok()) return Truncated("SMALLINT");
      is_unsigned ? AppendUint(v, out) : AppendInt(static_cast<int16_t>(v), out);
      return Ok();
    }
    case ct::kInt24: {
      uint64_t v = in.Uint(3);
      if (!in.ok()) return Truncated("MEDIUMINT");
      if (is_unsigned) {
        AppendUint(v, out);
      } else {
        AppendInt((v & 0x800000) ? static_cast<int64_t>(v) - 0x1000000 : static_cast<int64_t>(v),
                  out);
      }
      return Ok();
    }
    case ct::kLong: {
      uint64_t v = in.Uint(4);
      if (!in.ok()) return Truncated("INT");
      is_unsigned ? AppendUint(v, out) : AppendInt(static_cast<int32_t>(v), out);
      return Ok();
    }
    case ct::kLongLong: {
      uint64_t v = in.Uint(8);
      if (!in.ok()) return Truncated("BIGINT");
      is_unsigned ? AppendUint(v, out) : AppendInt(static_cast<int64_t>(v), out);
      return Ok();
    }
    case ct::kFloat: {
      uint32_t bits = static_cast<uint32_t>(in.Uint(4));
      if (!in.ok()) return Truncated("FLOAT");
      float f;
      std::memcpy(&f, &bits, 4);
      AppendFloat(f, out);
      return Ok();
    }
    case ct::kDouble: {
      uint64_t bits = in.Uint(8);
      if (!in.ok()) return Truncated("DOUBLE");
      double d;
      std::memcpy(&d, &bits, 8);
      AppendDouble(d, out);
      return Ok();
    }
    case ct::kNewDecimal: {
      size_t size = DecimalSize(c.precision, c.scale);
      auto b = in.Bytes(size);
      if (!in.ok()) return Truncated("DECIMAL");
      return AppendDecimal(b.data(), c.precision, c.scale, out);
    }
    case ct::kYear: {
      uint64_t v = in.Uint(1);
      if (!in.ok()) return Truncated("YEAR");
      AppendUint(v == 0 ? 0 : v + 1900, out);
      return Ok();
    }
    case ct::kDate:
    case ct::kNewDate: {
      uint64_t v = in.Uint(3);
      if (!in.ok()) return Truncated("DATE");
      char buf[kTemporalBuffer];
      char* p = buf;
      *p++ = '"';
      p = PutDate(static_cast<uint32_t>(v >> 9), static_cast<uint32_t>((v >> 5) & 15),
                  static_cast<uint32_t>(v & 31), p);
      *p++ = '"';
      AppendRange(buf, p, out);
      return Ok();
    }
    case ct::kTime: {
      uint64_t raw = in.Uint(3);
      if (!in.ok()) return Truncated("TIME");
      int64_t v =
          (raw & 0x800000) ? static_cast<int64_t>(raw) - 0x1000000 : static_cast<int64_t>(raw);
      char buf[kTemporalBuffer];
      char* p = buf;
      *p++ = '"';
      if (v < 0) {
        *p++ = '-';
        v = -v;
      }
      p = PutClock(static_cast<uint64_t>(v / 10000), static_cast<uint32_t>(v / 100 % 100),
                   static_cast<uint32_t>(v % 100), p);
      *p++ = '"';
      AppendRange(buf, p, out);
      return Ok();
    }
    case ct::kDatetime: {
      uint64_t v = in.Uint(8);
      if (!in.ok()) return Truncated("DATETIME");
      uint64_t date = v / 1000000, time = v % 1000000;
      char buf[kTemporalBuffer];
      char* p = buf;
      *p++ = '"';
      p = PutDate(static_cast<uint32_t>(date / 10000), static_cast<uint32_t>(date / 100 % 100),
                  static_cast<uint32_t>(date % 100), p);
      *p++ = 'T';
      p = PutClock(time / 10000, static_cast<uint32_t>(time / 100 % 100),
                   static_cast<uint32_t>(time % 100), p);
      *p++ = '"';
      AppendRange(buf, p, out);
      return Ok();
    }
    case ct::kTimestamp: {
      uint32_t v = static_cast<uint32_t>(in.Uint(4));
      if (!in.ok()) return Truncated("TIMESTAMP");
      AppendTimestamp(v, 0, 0, out);
      return Ok();
    }
    case ct::kTimestamp2: {
      auto b = in.Bytes(4 + static_cast<size_t>(FracBytes(c.precision)));
      if (!in.ok()) return Truncated("TIMESTAMP");
      AppendTimestamp(static_cast<uint32_t>(BigEndian(b.data(), 4)),
                      FracMicros(b.data() + 4, c.precision), c.precision, out);
      return Ok();
    }
    case ct::kDatetime2: {
      auto b = in.Bytes(5 + static_cast<size_t>(FracBytes(c.precision)));
      if (!in.ok()) return Truncated("DATETIME");
      uint64_t v = BigEndian(b.data(), 5);
      uint64_t ymdhms = v >= 0x8000000000ULL ? v - 0x8000000000ULL : 0;
      AppendDatetimePacked(ymdhms, FracMicros(b.data() + 5, c.precision), c.precision, out);
      return Ok();
    }
    case ct::kTime2: {
      auto b = in.Bytes(3 + static_cast<size_t>(FracBytes(c.precision)));
      if (!in.ok()) return Truncated("TIME");
      AppendTime2(b.data(), c.precision, out);
      return Ok();
    }
    case ct::kBit: {
      auto b = in.Bytes((c.length + 7) / 8);
      if (!in.ok()) return Truncated("BIT");
      AppendUint(BigEndian(b.data(), b.size()), out);
      return Ok();
    }
    case ct::kEnum: {
      uint64_t v = in.Uint(c.length);
      if (!in.ok()) return Truncated("ENUM");
      if (c.labels.empty()) {
        AppendUint(v, out);
      } else if (v == 0) {
        out.append("\"\"");  // the "invalid value" index MySQL stores for '' in strict-off mode
      } else if (v > c.labels.size()) {
        return Fail(ErrorCode::kDataLoss,
                    fmt::format("ENUM index {} beyond {} labels", v, c.labels.size()));
      } else {
        AppendJsonString(c.labels[v - 1], out);
      }
      return Ok();
    }
    case ct::kSet: {
      uint64_t v = in.Uint(c.length);
      if (!in.ok()) return Truncated("SET");
      if (c.labels.empty()) {
        AppendUint(v, out);
        return Ok();
      }
      out.push_back('"');
      bool first = true;
      for (size_t i = 0; i < c.labels.size() && i < 64; ++i) {
        if (!(v >> i & 1)) continue;
        if (!first) out.push_back(',');
        first = false;
        AppendEscaped(c.labels[i], out);
      }
      out.push_back('"');
      return Ok();
    }
    case ct::kVarchar:
    case ct::kVarString:
    case ct::kString: {
      size_t len = static_cast<size_t>(in.Uint(c.length < 256 ? 1 : 2));
      auto b = in.Bytes(len);
      if (!in.ok()) return Truncated("string");
      if (c.kind == ValueKind::kInet6 || c.kind == ValueKind::kUuid ||
          (c.type == ct::kString && c.charset.kind == Charset::kBinary)) {
        // BINARY(n) values lose their trailing 0x00 bytes in the binlog; restore them.
        uint8_t padded[1024] = {};
        if (c.type == ct::kString && b.size() < c.length && c.length <= sizeof padded) {
          std::memcpy(padded, b.data(), b.size());
          b = std::span<const uint8_t>(padded, c.length);
        }
        if (c.kind == ValueKind::kInet6 && b.size() == 16) {
          AppendInet6(b.data(), out);
        } else if (c.kind == ValueKind::kUuid && b.size() == 16) {
          AppendUuid(b.data(), out);
        } else {
          AppendBase64(b, out);
        }
        return Ok();
      }
      return AppendText(b, c.charset, out);
    }
    case ct::kBlob:
    case ct::kTinyBlob:
    case ct::kMediumBlob:
    case ct::kLongBlob:
    case ct::kGeometry:
    case ct::kJson: {
      size_t len = static_cast<size_t>(in.Uint(c.length));
      auto b = in.Bytes(len);
      if (!in.ok()) return Truncated("BLOB");
      if (c.type == ct::kGeometry) {
        AppendBase64(b, out);
        return Ok();
      }
      if (c.type == ct::kJson) return AppendJsonFromBinary(b, out);
      if (c.kind == ValueKind::kJsonText) return AppendJsonText(b, c.charset, out);
      return AppendText(b, c.charset, out);
    }
    case ct::kNull:
      out.append("null");
      return Ok();
    default:
      return Fail(ErrorCode::kDataLoss,
                  fmt::format("column type {} is not supported", static_cast<int>(c.type)));
  }
}

std::string SqlTypeName(const ColumnCodec& c) {
  const char* u = c.kind == ValueKind::kUnsigned ? " unsigned" : "";
  bool binary = c.charset.kind == Charset::kBinary;
  uint32_t chars = c.charset.max_len ? c.length / c.charset.max_len : c.length;
  switch (c.type) {
    case ct::kTiny:
      return fmt::format("tinyint{}", u);
    case ct::kShort:
      return fmt::format("smallint{}", u);
    case ct::kInt24:
      return fmt::format("mediumint{}", u);
    case ct::kLong:
      return fmt::format("int{}", u);
    case ct::kLongLong:
      return fmt::format("bigint{}", u);
    case ct::kFloat:
      return fmt::format("float{}", u);
    case ct::kDouble:
      return fmt::format("double{}", u);
    case ct::kNewDecimal:
      return fmt::format("decimal({},{}){}", c.precision, c.scale, u);
    case ct::kYear:
      return "year";
    case ct::kDate:
    case ct::kNewDate:
      return "date";
    case ct::kTime:
      return "time";
    case ct::kTime2:
      return c.precision ? fmt::format("time({})", c.precision) : "time";
    case ct::kDatetime:
      return "datetime";
    case ct::kDatetime2:
      return c.precision ? fmt::format("datetime({})", c.precision) : "datetime";
    case ct::kTimestamp:
      return "timestamp";
    case ct::kTimestamp2:
      return c.precision ? fmt::format("timestamp({})", c.precision) : "timestamp";
    case ct::kBit:
      return fmt::format("bit({})", c.length);
    case ct::kEnum:
    case ct::kSet: {
      std::string s = c.type == ct::kEnum ? "enum(" : "set(";
      for (size_t i = 0; i < c.labels.size(); ++i) {
        if (i) s.push_back(',');
        s.push_back('\'');
        s.append(c.labels[i]);
        s.push_back('\'');
      }
      return s + ")";
    }
    case ct::kVarchar:
    case ct::kVarString:
      if (c.kind == ValueKind::kInet6) return "inet6";
      return fmt::format("{}({})", binary ? "varbinary" : "varchar", binary ? c.length : chars);
    case ct::kString:
      if (c.kind == ValueKind::kInet6) return "inet6";
      if (c.kind == ValueKind::kUuid) return "uuid";
      return fmt::format("{}({})", binary ? "binary" : "char", binary ? c.length : chars);
    case ct::kBlob:
    case ct::kTinyBlob:
    case ct::kMediumBlob:
    case ct::kLongBlob: {
      if (c.kind == ValueKind::kJsonText) return "json";
      static constexpr const char* kPrefix[] = {"", "tiny", "", "medium", "long"};
      return fmt::format("{}{}", kPrefix[c.length <= 4 ? c.length : 0], binary ? "blob" : "text");
    }
    case ct::kGeometry:
      return "geometry";
    case ct::kJson:
      return "json";
    default:
      return fmt::format("type{}", static_cast<int>(c.type));
  }
}

}  // namespace inflow::capture::mysql
