#include "capture/mysql/json_binary.h"

#include <fmt/format.h>

#include <bit>
#include <charconv>
#include <cstring>

#include "capture/mysql/binlog_buffer.h"
#include "capture/mysql/value_decoder.h"
#include "common/coding.h"

namespace inflow::capture::mysql {
namespace {

enum JsonType : uint8_t {
  kSmallObject = 0x00,
  kLargeObject = 0x01,
  kSmallArray = 0x02,
  kLargeArray = 0x03,
  kLiteral = 0x04,
  kInt16 = 0x05,
  kUint16 = 0x06,
  kInt32 = 0x07,
  kUint32 = 0x08,
  kInt64 = 0x09,
  kUint64 = 0x0a,
  kDouble = 0x0b,
  kString = 0x0c,
  kOpaque = 0x0f,
};

constexpr int kMaxDepth = 100;

class JsonWriter {
 public:
  // Output is bounded by a multiple of the input: a valid document never needs more, and a
  // forged one whose entries share sub-trees could otherwise expand exponentially.
  JsonWriter(std::span<const uint8_t> doc, std::string& out)
      : doc_(doc), out_(out), out_limit_(out.size() + 64 * doc.size() + 4096) {}

  Status Value(uint8_t type, size_t offset, int depth) {
    if (depth > kMaxDepth) return Error(offset, "nesting deeper than 100");
    switch (type) {
      case kSmallObject:
        return Container(offset, false, true, depth);
      case kLargeObject:
        return Container(offset, true, true, depth);
      case kSmallArray:
        return Container(offset, false, false, depth);
      case kLargeArray:
        return Container(offset, true, false, depth);
      case kLiteral: {
        if (offset >= doc_.size()) return Error(offset, "literal beyond the document");
        return Literal(doc_[offset], offset);
      }
      case kInt16:
        return Int(offset, 2, true);
      case kUint16:
        return Int(offset, 2, false);
      case kInt32:
        return Int(offset, 4, true);
      case kUint32:
        return Int(offset, 4, false);
      case kInt64:
        return Int(offset, 8, true);
      case kUint64:
        return Int(offset, 8, false);
      case kDouble: {
        if (offset + 8 > doc_.size()) return Error(offset, "double beyond the document");
        AppendDouble(std::bit_cast<double>(DecodeFixed64(doc_.data() + offset)), out_);
        return Ok();
      }
      case kString: {
        size_t len, pos = offset;
        if (!VarLen(pos, len)) return Error(offset, "bad string length");
        if (pos + len > doc_.size()) return Error(offset, "string beyond the document");
        return AppendText(doc_.subspan(pos, len), CharsetByName("utf8mb4"), out_);
      }
      case kOpaque:
        return Opaque(offset);
      default:
        return Error(offset, fmt::format("unknown value type 0x{:02x}", type));
    }
  }

 private:
  Status Error(size_t offset, std::string what) {
    return Fail(ErrorCode::kDataLoss, fmt::format("binary JSON at offset {}: {}", offset, what));
  }

  Status Literal(uint8_t v, size_t offset) {
    switch (v) {
      case 0:
        out_.append("null");
        return Ok();
      case 1:
        out_.append("true");
        return Ok();
      case 2:
        out_.append("false");
        return Ok();
      default:
        return Error(offset, "unknown literal");
    }
  }

  Status Int(size_t offset, size_t n, bool is_signed) {
    if (offset + n > doc_.size()) return Error(offset, "integer beyond the document");
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= uint64_t{doc_[offset + i]} << (8 * i);
    char buf[24];
    std::to_chars_result r;
    if (is_signed) {
      int64_t s = n == 2   ? static_cast<int16_t>(v)
                  : n == 4 ? static_cast<int32_t>(v)
                           : static_cast<int64_t>(v);
      r = std::to_chars(buf, buf + sizeof buf, s);
    } else {
      r = std::to_chars(buf, buf + sizeof buf, v);
    }
    out_.append(buf, r.ptr);  // JSON numbers keep their exact digits, as MySQL prints them
    return Ok();
  }

  bool VarLen(size_t& pos, size_t& len) {
    len = 0;
    for (int i = 0; i < 5; ++i) {
      if (pos >= doc_.size()) return false;
      uint8_t b = doc_[pos++];
      len |= static_cast<size_t>(b & 0x7f) << (7 * i);
      if (!(b & 0x80)) return true;
    }
    return false;
  }

  uint32_t Read(size_t pos, size_t n) {
    return static_cast<uint32_t>(DecodeFixedN(doc_.data() + pos, n));
  }

  Status Container(size_t offset, bool large, bool object, int depth) {
    const size_t osz = large ? 4 : 2;
    if (offset + 2 * osz > doc_.size()) return Error(offset, "container header truncated");
    uint32_t count = Read(offset, osz);
    uint32_t bytes = Read(offset + osz, osz);
    if (bytes > doc_.size() - offset) return Error(offset, "container size beyond the document");
    const size_t key_entry = osz + 2;
    const size_t value_entry = 1 + osz;
    size_t header = 2 * osz + (object ? count * key_entry : 0) + count * value_entry;
    if (header > bytes) return Error(offset, "container entries beyond its size");
    out_.push_back(object ? '{' : '[');
    for (uint32_t i = 0; i < count; ++i) {
      if (out_.size() > out_limit_) return Error(offset, "expands beyond its size");
      if (i) out_.push_back(',');
      if (object) {
        size_t k = offset + 2 * osz + i * key_entry;
        uint32_t key_off = Read(k, osz);
        uint32_t key_len = Read(k + osz, 2);
        if (size_t{key_off} + key_len > bytes) return Error(k, "key beyond the container");
        INFLOW_RETURN_IF_ERROR(
            AppendText(doc_.subspan(offset + key_off, key_len), CharsetByName("utf8mb4"), out_));
        out_.push_back(':');
      }
      size_t v = offset + 2 * osz + (object ? count * key_entry : 0) + i * value_entry;
      uint8_t type = doc_[v];
      bool inlined = type == kLiteral || type == kInt16 || type == kUint16 ||
                     (large && (type == kInt32 || type == kUint32));
      if (inlined) {
        INFLOW_RETURN_IF_ERROR(Value(type, v + 1, depth + 1));
      } else {
        uint32_t value_off = Read(v + 1, osz);
        if (value_off < header || value_off >= bytes) {
          return Error(v, "value outside the container");
        }
        // Values inside a container are bounded by it, which also bounds recursion on loops.
        INFLOW_RETURN_IF_ERROR(Value(type, offset + value_off, depth + 1));
      }
    }
    out_.push_back(object ? '}' : ']');
    return Ok();
  }

  Status Opaque(size_t offset) {
    if (offset >= doc_.size()) return Error(offset, "opaque value beyond the document");
    uint8_t field_type = doc_[offset];
    size_t pos = offset + 1, len;
    if (!VarLen(pos, len) || pos + len > doc_.size()) return Error(offset, "bad opaque length");
    auto data = doc_.subspan(pos, len);
    switch (field_type) {
      case column_type::kNewDecimal: {
        if (len < 2) return Error(offset, "opaque DECIMAL too short");
        BinlogBuffer meta(data.data(), 2);
        INFLOW_TRY(ColumnCodec codec, MakeColumnCodec(column_type::kNewDecimal, meta));
        BinlogBuffer in(data.data() + 2, len - 2);
        std::string quoted;
        INFLOW_RETURN_IF_ERROR(DecodeValue(codec, in, quoted));
        out_.append(quoted, 1, quoted.size() - 2);  // a JSON number, as MySQL prints it
        return Ok();
      }
      case column_type::kDate:
      case column_type::kDatetime:
      case column_type::kTimestamp:
      case column_type::kTime: {
        if (len < 8) return Error(offset, "opaque temporal too short");
        int64_t packed = static_cast<int64_t>(Read(pos, 4) | uint64_t{Read(pos + 4, 4)} << 32);
        Temporal(field_type, packed);
        return Ok();
      }
      default: {
        // MySQL's own text form for other opaque values.
        out_.append(fmt::format("\"base64:type{}:", field_type));
        std::string b64;
        AppendBase64(data, b64);
        out_.append(b64, 1, b64.size() - 1);
        return Ok();
      }
    }
  }

  // MySQL's in-memory "packed" temporal: (ymd << 17 | hms) << 24 | microseconds.
  void Temporal(uint8_t field_type, int64_t packed) {
    bool negative = packed < 0;
    uint64_t p = negative ? static_cast<uint64_t>(-packed) : static_cast<uint64_t>(packed);
    uint32_t micros = static_cast<uint32_t>(p & 0xFFFFFF);
    uint64_t whole = p >> 24;
    out_.push_back('"');
    if (field_type == column_type::kTime) {
      if (negative) out_.push_back('-');
      out_.append(fmt::format("{:02}:{:02}:{:02}.{:06}", (whole >> 12) & 1023, (whole >> 6) & 63,
                              whole & 63, micros));
    } else {
      uint64_t ymd = whole >> 17, hms = whole & ((1 << 17) - 1), ym = ymd >> 5;
      out_.append(fmt::format("{:04}-{:02}-{:02}", ym / 13, ym % 13, ymd & 31));
      if (field_type != column_type::kDate) {
        out_.append(
            fmt::format(" {:02}:{:02}:{:02}.{:06}", hms >> 12, (hms >> 6) & 63, hms & 63, micros));
      }
    }
    out_.push_back('"');
  }

  std::span<const uint8_t> doc_;
  std::string& out_;
  size_t out_limit_;
};

}  // namespace

Status AppendJsonFromBinary(std::span<const uint8_t> doc, std::string& out) {
  if (doc.empty()) {
    out.append("null");
    return Ok();
  }
  JsonWriter writer(doc.subspan(1), out);
  return writer.Value(doc[0], 0, 0);
}

}  // namespace inflow::capture::mysql
