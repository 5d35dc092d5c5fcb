// The event envelope: header, the FORMAT_DESCRIPTION event's checksum algorithm, and the
// CRC32 check that strips the checksum (decoder.h).
#include <fmt/format.h>
#include <zlib.h>

#include "capture/mysql/binlog_buffer.h"
#include "capture/mysql/decoder.h"
#include "common/coding.h"

namespace inflow::capture::mysql {

namespace et = event_type;

Result<EventHeader> ParseEventHeader(std::span<const uint8_t> event) {
  if (event.size() < kEventHeaderSize) {
    return Fail(ErrorCode::kDataLoss,
                fmt::format("event of {} bytes is shorter than its header", event.size()));
  }
  BinlogBuffer b(event);
  EventHeader h;
  h.timestamp = b.U32();
  h.type = b.U8();
  h.server_id = b.U32();
  h.event_length = b.U32();
  h.next_pos = b.U32();
  h.flags = b.U16();
  return h;
}

Result<ChecksumAlg> FormatDescriptionChecksum(std::span<const uint8_t> fde) {
  // binlog_version(2) server_version(50) create_timestamp(4) header_length(1) post-header
  // lengths…, checksum_alg(1), CRC32 slot(4).
  if (fde.size() < kEventHeaderSize + 57 + 5) {
    return Fail(ErrorCode::kDataLoss, "FORMAT_DESCRIPTION event too short");
  }
  uint8_t alg = fde[fde.size() - 5];
  if (alg == 0) return ChecksumAlg::kOff;
  if (alg == 1) return ChecksumAlg::kCrc32;
  return Fail(ErrorCode::kDataLoss, fmt::format("unknown binlog checksum algorithm {}", alg));
}

Result<std::span<const uint8_t>> VerifyAndStripChecksum(std::span<const uint8_t> event,
                                                        ChecksumAlg alg) {
  INFLOW_TRY(EventHeader h, ParseEventHeader(event));
  if (h.type == et::kFormatDescription) {
    INFLOW_TRY(alg, FormatDescriptionChecksum(event));
  } else if (alg == ChecksumAlg::kOff) {
    return event;
  }
  if (event.size() < kEventHeaderSize + 4) {
    return Fail(ErrorCode::kDataLoss, "event too short for its checksum");
  }
  size_t body = event.size() - 4;
  if (alg == ChecksumAlg::kCrc32) {
    uint32_t want = DecodeFixed32(event.data() + body);
    uint32_t got;
    constexpr uint16_t kBinlogInUse = 0x1;
    if (h.type == et::kFormatDescription && (h.flags & kBinlogInUse)) {
      // The server sets "file in use" in the FDE after computing its checksum without it.
      uint8_t flags_lo = static_cast<uint8_t>(event[17] & ~kBinlogInUse);
      got = static_cast<uint32_t>(crc32(0L, event.data(), 17));
      got = static_cast<uint32_t>(crc32(got, &flags_lo, 1));
      got = static_cast<uint32_t>(crc32(got, event.data() + 18, static_cast<uInt>(body - 18)));
    } else {
      got = static_cast<uint32_t>(crc32(0L, event.data(), static_cast<uInt>(body)));
    }
    if (want != got) {
      return Fail(
          ErrorCode::kDataLoss,
          fmt::format("CRC32 mismatch in event type {} ending at position {}", h.type, h.next_pos));
    }
  }
  return event.first(body);
}

}  // namespace inflow::capture::mysql
