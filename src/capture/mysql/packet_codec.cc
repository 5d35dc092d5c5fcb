#include "capture/mysql/packet_codec.h"

#include <string>

#include "common/coding.h"

namespace inflow::capture::mysql {

Status ByteReader::Need(size_t n, std::string_view field) const {
  if (remaining() < n) {
    return Fail(ErrorCode::kDataLoss, "truncated packet: " + std::string(field) + " needs " +
                                          std::to_string(n) + " bytes at offset " +
                                          std::to_string(pos_) + ", " +
                                          std::to_string(remaining()) + " left");
  }
  return Ok();
}

Result<uint64_t> ByteReader::ReadUint(size_t bytes, std::string_view field) {
  INFLOW_RETURN_IF_ERROR(Need(bytes, field));
  uint64_t v = DecodeFixedN(data_.data() + pos_, bytes);
  pos_ += bytes;
  return v;
}

Result<uint8_t> ByteReader::ReadU8(std::string_view field) {
  INFLOW_TRY(uint64_t v, ReadUint(1, field));
  return static_cast<uint8_t>(v);
}
Result<uint16_t> ByteReader::ReadU16(std::string_view field) {
  INFLOW_TRY(uint64_t v, ReadUint(2, field));
  return static_cast<uint16_t>(v);
}
Result<uint32_t> ByteReader::ReadU32(std::string_view field) {
  INFLOW_TRY(uint64_t v, ReadUint(4, field));
  return static_cast<uint32_t>(v);
}
Result<uint64_t> ByteReader::ReadU64(std::string_view field) { return ReadUint(8, field); }

Result<uint64_t> ByteReader::ReadLenenc(std::string_view field) {
  INFLOW_TRY(uint8_t first, ReadU8(field));
  if (first < 0xFB) return first;
  switch (first) {
    case 0xFC:
      return ReadUint(2, field);
    case 0xFD:
      return ReadUint(3, field);
    case 0xFE:
      return ReadUint(8, field);
    default:
      return Fail(ErrorCode::kDataLoss, "invalid length-encoded integer prefix 0x" +
                                            HexOf(std::string(1, static_cast<char>(first))) +
                                            " in " + std::string(field));
  }
}

Result<std::string_view> ByteReader::ReadBytes(size_t n, std::string_view field) {
  INFLOW_RETURN_IF_ERROR(Need(n, field));
  std::string_view out = data_.substr(pos_, n);
  pos_ += n;
  return out;
}

Result<std::string_view> ByteReader::ReadNulString(std::string_view field) {
  size_t end = data_.find('\0', pos_);
  if (end == std::string_view::npos) {
    return Fail(ErrorCode::kDataLoss, "unterminated string in " + std::string(field) +
                                          " at offset " + std::to_string(pos_));
  }
  std::string_view out = data_.substr(pos_, end - pos_);
  pos_ = end + 1;
  return out;
}

Result<std::optional<std::string_view>> ByteReader::ReadLenencNullableString(
    std::string_view field) {
  INFLOW_RETURN_IF_ERROR(Need(1, field));
  if (static_cast<uint8_t>(data_[pos_]) == 0xFB) {
    ++pos_;
    return std::optional<std::string_view>();
  }
  INFLOW_TRY(std::string_view s, ReadLenencString(field));
  return std::optional<std::string_view>(s);
}

Result<std::string_view> ByteReader::ReadLenencString(std::string_view field) {
  INFLOW_TRY(uint64_t n, ReadLenenc(field));
  if (n > remaining()) {
    return Fail(ErrorCode::kDataLoss, "truncated packet: " + std::string(field) + " declares " +
                                          std::to_string(n) + " bytes, " +
                                          std::to_string(remaining()) + " left");
  }
  return ReadBytes(static_cast<size_t>(n), field);
}

Status ByteReader::Skip(size_t n, std::string_view field) {
  INFLOW_RETURN_IF_ERROR(Need(n, field));
  pos_ += n;
  return Ok();
}

void ByteWriter::Uint(uint64_t v, size_t bytes) { PutFixedN(&out_, v, bytes); }

void ByteWriter::Lenenc(uint64_t v) {
  if (v < 0xFB) {
    U8(static_cast<uint8_t>(v));
  } else if (v <= 0xFFFF) {
    U8(0xFC);
    Uint(v, 2);
  } else if (v <= 0xFFFFFF) {
    U8(0xFD);
    Uint(v, 3);
  } else {
    U8(0xFE);
    Uint(v, 8);
  }
}

std::string FramePayload(std::string_view payload, uint8_t* sequence_id) {
  std::string out;
  out.reserve(payload.size() + kPacketHeaderSize * (payload.size() / kMaxPacketPayload + 1));
  size_t offset = 0;
  while (true) {
    size_t n = std::min(kMaxPacketPayload, payload.size() - offset);
    PutFixedN(&out, n, 3);
    out.push_back(static_cast<char>((*sequence_id)++));
    out.append(payload.substr(offset, n));
    offset += n;
    // A full packet promises a continuation, even if it is empty.
    if (n < kMaxPacketPayload) break;
  }
  return out;
}

void PacketAssembler::Compact() {
  if (consumed_ > 0 && consumed_ * 2 >= buffer_.size()) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
}

Result<std::optional<std::string>> PacketAssembler::Next() {
  while (true) {
    size_t avail = buffer_.size() - consumed_;
    if (avail < kPacketHeaderSize) {
      Compact();
      return std::optional<std::string>();
    }
    const auto* h = reinterpret_cast<const uint8_t*>(buffer_.data() + consumed_);
    size_t len = static_cast<size_t>(DecodeFixedN(h, 3));
    uint8_t seq = h[3];
    if (avail < kPacketHeaderSize + len) {
      Compact();
      return std::optional<std::string>();
    }
    if (seq != next_sequence_) {
      return Fail(ErrorCode::kDataLoss, "packet out of order: expected sequence id " +
                                            std::to_string(next_sequence_) + ", got " +
                                            std::to_string(seq));
    }
    ++next_sequence_;
    std::string_view body(buffer_.data() + consumed_ + kPacketHeaderSize, len);
    consumed_ += kPacketHeaderSize + len;
    if (len == kMaxPacketPayload) {
      partial_.append(body);
      in_multi_ = true;
      continue;
    }
    std::string payload;
    if (in_multi_) {
      partial_.append(body);
      payload = std::move(partial_);
      partial_.clear();
      in_multi_ = false;
    } else {
      payload.assign(body);
    }
    Compact();
    return std::optional<std::string>(std::move(payload));
  }
}

std::string HexOf(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    auto b = static_cast<uint8_t>(c);
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

}  // namespace inflow::capture::mysql
