// The on-disk format of a change log segment (FORMAT.md): the file header, the frame header and
// the frame types, and the inline helpers that write and check them. Shared by the writer
// (change_log.cc), recovery (change_log_recovery.cc) and the readers (frame_scanner.h).
// Internal to changelog. All integers little-endian through common/coding.h.
//
// Thread safety: constants and pure functions.
#ifndef INFLOW_CHANGELOG_SEGMENT_FORMAT_H_
#define INFLOW_CHANGELOG_SEGMENT_FORMAT_H_

#include <fmt/format.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "changelog/crc32c.h"
#include "common/coding.h"

namespace inflow::changelog {

// File header: magic, format version, reserved (FORMAT.md).
inline constexpr char kMagic[8] = {'I', 'N', 'F', 'L', 'O', 'W', 'C', 'L'};
inline constexpr uint32_t kFormatVersion = 1;
inline constexpr size_t kFileHeaderSize = 16;
// Frame header: length u32, masked crc32c u32, type u8, id u64, timestamp i64.
inline constexpr size_t kFrameHeaderSize = 25;

enum FrameType : uint8_t {
  kDataFrame = 1,         // one ChangeRecord; id = record id, ts = source timestamp
  kCommitStateFrame = 2,  // ends a batch, payload = new source state; id = next record id
  kCommitFrame = 3,       // ends a batch, state unchanged; id = next record id
};

inline std::string FileHeader() {
  std::string h(kFileHeaderSize, '\0');
  std::memcpy(h.data(), kMagic, 8);
  EncodeFixed32(h.data() + 8, kFormatVersion);
  return h;
}

// Fills the frame header at p[0, kFrameHeaderSize) for the `len` payload bytes that follow it.
inline void EncodeFrameHeader(char* p, uint8_t type, uint64_t id, int64_t ts, size_t len) {
  EncodeFixed32(p, static_cast<uint32_t>(len));
  p[8] = static_cast<char>(type);
  EncodeFixed64(p + 9, id);
  EncodeFixed64(p + 17, static_cast<uint64_t>(ts));
  uint32_t crc = crc32c::Extend(crc32c::Value(p, 4), p + 8, kFrameHeaderSize - 8 + len);
  EncodeFixed32(p + 4, crc32c::Mask(crc));
}

inline std::string SegmentName(uint64_t base_id) { return fmt::format("{:020}.log", base_id); }

inline std::optional<uint64_t> ParseSegmentName(const std::string& name) {
  if (name.size() != 24 || name.substr(20) != ".log") return std::nullopt;
  uint64_t v = 0;
  for (size_t i = 0; i < 20; ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  return v;
}

struct Frame {
  uint8_t type;
  uint64_t id;
  int64_t ts;
  std::string_view payload;
  size_t size;  // header + payload
};

enum class Parse { kOk, kIncomplete, kCorrupt };

// Parses the frame at p[0, avail). kIncomplete: more bytes are needed (or the file ends here);
// kCorrupt: the bytes cannot be a frame this writer produced.
inline Parse ParseFrame(const char* p, size_t avail, uint32_t max_payload, Frame* f) {
  if (avail < kFrameHeaderSize) return Parse::kIncomplete;
  uint32_t len = DecodeFixed32(p);
  if (len > max_payload) return Parse::kCorrupt;
  if (avail < kFrameHeaderSize + len) return Parse::kIncomplete;
  uint32_t expected = crc32c::Unmask(DecodeFixed32(p + 4));
  uint32_t actual = crc32c::Extend(crc32c::Value(p, 4), p + 8, kFrameHeaderSize - 8 + len);
  if (expected != actual) return Parse::kCorrupt;
  f->type = static_cast<uint8_t>(p[8]);
  if (f->type < kDataFrame || f->type > kCommitFrame) return Parse::kCorrupt;
  f->id = DecodeFixed64(p + 9);
  f->ts = static_cast<int64_t>(DecodeFixed64(p + 17));
  f->payload = std::string_view(p + kFrameHeaderSize, len);
  f->size = kFrameHeaderSize + len;
  return Parse::kOk;
}

}  // namespace inflow::changelog

#endif  // INFLOW_CHANGELOG_SEGMENT_FORMAT_H_
