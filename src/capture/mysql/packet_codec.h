// Byte-level building blocks of the MySQL client/server protocol: little-endian readers and
// writers with length-encoded integers and strings, and the packet framing (3-byte length +
// sequence id, payloads of 16 MiB - 1 or more split over several packets).
//
// Every reader method checks bounds and reports a short buffer as an error naming the field, so
// a truncated or hostile packet never reads past its end.
//
// Thread safety: value types; distinct objects may be used from distinct threads.
#ifndef INFLOW_CAPTURE_MYSQL_PACKET_CODEC_H_
#define INFLOW_CAPTURE_MYSQL_PACKET_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace inflow::capture::mysql {

// The largest payload one packet carries; a payload of exactly this size is continued in the
// next packet (a zero-length packet ends a payload that is an exact multiple of it).
inline constexpr size_t kMaxPacketPayload = 0xFFFFFF;
inline constexpr size_t kPacketHeaderSize = 4;

// Reads protocol fields from a byte buffer it does not own.
class ByteReader {
 public:
  explicit ByteReader(std::string_view data) : data_(data) {}

  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }
  bool empty() const { return remaining() == 0; }
  std::string_view rest() const { return data_.substr(pos_); }

  // Fixed-width little-endian unsigned integer of `bytes` (1..8) bytes.
  Result<uint64_t> ReadUint(size_t bytes, std::string_view field);
  Result<uint8_t> ReadU8(std::string_view field);
  Result<uint16_t> ReadU16(std::string_view field);
  Result<uint32_t> ReadU32(std::string_view field);
  Result<uint64_t> ReadU64(std::string_view field);
  // Length-encoded integer (0xFB is NULL in row data and rejected here; see ReadLenencString).
  Result<uint64_t> ReadLenenc(std::string_view field);
  Result<std::string_view> ReadBytes(size_t n, std::string_view field);
  // A NUL-terminated string; the NUL is consumed, not returned.
  Result<std::string_view> ReadNulString(std::string_view field);
  // A length-encoded string; nullopt for the NULL marker 0xFB (text result set rows).
  Result<std::optional<std::string_view>> ReadLenencNullableString(std::string_view field);
  Result<std::string_view> ReadLenencString(std::string_view field);
  Status Skip(size_t n, std::string_view field);

 private:
  Status Need(size_t n, std::string_view field) const;

  std::string_view data_;
  size_t pos_ = 0;
};

// Appends protocol fields to a byte string.
class ByteWriter {
 public:
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void Uint(uint64_t v, size_t bytes);
  void U16(uint16_t v) { Uint(v, 2); }
  void U32(uint32_t v) { Uint(v, 4); }
  void U64(uint64_t v) { Uint(v, 8); }
  void Lenenc(uint64_t v);
  void Bytes(std::string_view s) { out_.append(s); }
  void NulString(std::string_view s) {
    out_.append(s);
    out_.push_back('\0');
  }
  void LenencString(std::string_view s) {
    Lenenc(s.size());
    out_.append(s);
  }
  void Zeros(size_t n) { out_.append(n, '\0'); }

  const std::string& data() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

// Frames one payload as packets with consecutive sequence ids starting at *sequence_id, which
// is advanced past the last packet written.
std::string FramePayload(std::string_view payload, uint8_t* sequence_id);

// Reassembles payloads from a stream of packet bytes. Feed it bytes as they arrive; Next()
// returns each complete payload (joined across 16 MiB continuation packets) in order and checks
// that sequence ids are consecutive.
class PacketAssembler {
 public:
  // `sequence_id` is the id the next packet must carry.
  void Reset(uint8_t sequence_id) { next_sequence_ = sequence_id; }
  uint8_t next_sequence() const { return next_sequence_; }

  void Feed(std::string_view bytes) { buffer_.append(bytes); }

  // A complete payload, nullopt when more bytes are needed, or kDataLoss on a sequence gap.
  Result<std::optional<std::string>> Next();

  size_t buffered() const { return buffer_.size() - consumed_; }

 private:
  void Compact();

  std::string buffer_;
  size_t consumed_ = 0;
  uint8_t next_sequence_ = 0;
  std::string partial_;    // payload parts of a multi-packet payload seen so far
  bool in_multi_ = false;  // the last packet was a full 0xFFFFFF one
};

// Lower-case hex of bytes (for messages and tests).
std::string HexOf(std::string_view bytes);

}  // namespace inflow::capture::mysql

#endif  // INFLOW_CAPTURE_MYSQL_PACKET_CODEC_H_
