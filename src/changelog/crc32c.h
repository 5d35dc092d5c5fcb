// CRC32C (Castagnoli, iSCSI polynomial 0x1EDC6F41): the checksum of every change-log frame.
// Uses the SSE4.2 CRC32 instruction when the CPU has it (checked once at start-up) and a
// slicing-by-8 table otherwise; both give identical results (tested against RFC 3720 vectors).
//
// Thread safety: pure functions.
#ifndef INFLOW_CHANGELOG_CRC32C_H_
#define INFLOW_CHANGELOG_CRC32C_H_

#include <cstddef>
#include <cstdint>

namespace inflow::changelog::crc32c {

// The CRC32C of data[0, n) appended to a message whose CRC32C is `crc`.
uint32_t Extend(uint32_t crc, const void* data, size_t n);
inline uint32_t Value(const void* data, size_t n) { return Extend(0, data, n); }

// The table implementation, always available (tests compare it with the hardware one).
uint32_t ExtendPortable(uint32_t crc, const void* data, size_t n);
bool HardwareAccelerated();

// A CRC stored next to the data it covers is masked, as LevelDB does, so that a CRC computed
// over bytes that themselves contain CRCs is not trivially related to them.
inline uint32_t Mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }
inline uint32_t Unmask(uint32_t masked) {
  uint32_t rot = masked - 0xa282ead8u;
  return (rot >> 17) | (rot << 15);
}

}  // namespace inflow::changelog::crc32c

#endif  // INFLOW_CHANGELOG_CRC32C_H_
