// Fixed-width integer encoding: little-endian (the change log, the MySQL protocol and binlog,
// the RocketMQ message body) and big-endian (the RocketMQ remoting frame, MySQL's packed
// decimal and temporal values). One definition of each byte order, written with shifts so the
// result does not depend on the host's order; compilers turn each into a single load or store
// on little-endian hosts (and a load plus bswap for big-endian data).
//
// All functions are inline: they sit on the binlog decoder's and the change log's hot paths.
// The caller guarantees the bytes are there (bounds are the cursor's job: BinlogBuffer,
// ByteReader, the change log's frame reader).
//
// Thread safety: pure functions.
#ifndef INFLOW_COMMON_CODING_H_
#define INFLOW_COMMON_CODING_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace inflow {

// ---- little-endian -------------------------------------------------------------------------

inline void EncodeFixed16(char* dst, uint16_t v) {
  dst[0] = static_cast<char>(v);
  dst[1] = static_cast<char>(v >> 8);
}
inline void EncodeFixed32(char* dst, uint32_t v) {
  // Spelled out, not a loop: GCC merges these stores into one, but not a loop's.
  dst[0] = static_cast<char>(v);
  dst[1] = static_cast<char>(v >> 8);
  dst[2] = static_cast<char>(v >> 16);
  dst[3] = static_cast<char>(v >> 24);
}
inline void EncodeFixed64(char* dst, uint64_t v) {
  dst[0] = static_cast<char>(v);
  dst[1] = static_cast<char>(v >> 8);
  dst[2] = static_cast<char>(v >> 16);
  dst[3] = static_cast<char>(v >> 24);
  dst[4] = static_cast<char>(v >> 32);
  dst[5] = static_cast<char>(v >> 40);
  dst[6] = static_cast<char>(v >> 48);
  dst[7] = static_cast<char>(v >> 56);
}

inline uint16_t DecodeFixed16(const uint8_t* p) {
  return static_cast<uint16_t>(uint16_t{p[0]} | uint16_t{p[1]} << 8);
}
inline uint32_t DecodeFixed32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}
inline uint64_t DecodeFixed64(const uint8_t* p) {
  return uint64_t{DecodeFixed32(p)} | uint64_t{DecodeFixed32(p + 4)} << 32;
}
inline uint16_t DecodeFixed16(const char* p) {
  return DecodeFixed16(reinterpret_cast<const uint8_t*>(p));
}
inline uint32_t DecodeFixed32(const char* p) {
  return DecodeFixed32(reinterpret_cast<const uint8_t*>(p));
}
inline uint64_t DecodeFixed64(const char* p) {
  return DecodeFixed64(reinterpret_cast<const uint8_t*>(p));
}

// An unsigned little-endian integer of `n` bytes, 1 <= n <= 8 (MySQL's 3- and 6-byte fields).
inline uint64_t DecodeFixedN(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}
inline uint64_t DecodeFixedN(const char* p, size_t n) {
  return DecodeFixedN(reinterpret_cast<const uint8_t*>(p), n);
}

// Appends the low `n` bytes of `v`, little-endian, 1 <= n <= 8.
inline void PutFixedN(std::string* dst, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) dst->push_back(static_cast<char>(v >> (8 * i)));
}
inline void PutFixed16(std::string* dst, uint16_t v) {
  char b[2];
  EncodeFixed16(b, v);
  dst->append(b, 2);
}
inline void PutFixed32(std::string* dst, uint32_t v) {
  char b[4];
  EncodeFixed32(b, v);
  dst->append(b, 4);
}
inline void PutFixed64(std::string* dst, uint64_t v) {
  char b[8];
  EncodeFixed64(b, v);
  dst->append(b, 8);
}

// ---- big-endian ----------------------------------------------------------------------------

inline void EncodeFixed16BE(char* dst, uint16_t v) {
  dst[0] = static_cast<char>(v >> 8);
  dst[1] = static_cast<char>(v);
}
inline void EncodeFixed32BE(char* dst, uint32_t v) {
  dst[0] = static_cast<char>(v >> 24);
  dst[1] = static_cast<char>(v >> 16);
  dst[2] = static_cast<char>(v >> 8);
  dst[3] = static_cast<char>(v);
}
inline void EncodeFixed64BE(char* dst, uint64_t v) {
  EncodeFixed32BE(dst, static_cast<uint32_t>(v >> 32));
  EncodeFixed32BE(dst + 4, static_cast<uint32_t>(v));
}

// An unsigned big-endian integer of `n` bytes, 1 <= n <= 8.
inline uint64_t DecodeFixedNBE(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = v << 8 | p[i];
  return v;
}
inline uint16_t DecodeFixed16BE(const uint8_t* p) {
  return static_cast<uint16_t>(uint16_t{p[0]} << 8 | uint16_t{p[1]});
}
inline uint32_t DecodeFixed32BE(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}
inline uint64_t DecodeFixed64BE(const uint8_t* p) {
  return uint64_t{DecodeFixed32BE(p)} << 32 | uint64_t{DecodeFixed32BE(p + 4)};
}
inline uint16_t DecodeFixed16BE(const char* p) {
  return DecodeFixed16BE(reinterpret_cast<const uint8_t*>(p));
}
inline uint32_t DecodeFixed32BE(const char* p) {
  return DecodeFixed32BE(reinterpret_cast<const uint8_t*>(p));
}
inline uint64_t DecodeFixed64BE(const char* p) {
  return DecodeFixed64BE(reinterpret_cast<const uint8_t*>(p));
}
inline uint64_t DecodeFixedNBE(const char* p, size_t n) {
  return DecodeFixedNBE(reinterpret_cast<const uint8_t*>(p), n);
}

inline void PutFixed16BE(std::string* dst, uint16_t v) {
  char b[2];
  EncodeFixed16BE(b, v);
  dst->append(b, 2);
}
inline void PutFixed32BE(std::string* dst, uint32_t v) {
  char b[4];
  EncodeFixed32BE(b, v);
  dst->append(b, 4);
}

}  // namespace inflow

#endif  // INFLOW_COMMON_CODING_H_
