// Internal to the binlog value decoder (value_decoder.h): the small formatting functions that
// DecodeValue and the renderers of each value family share, inline because they run for every
// value, and the renderers themselves, one file per family:
//   value_numeric.cc    FLOAT / DOUBLE and packed DECIMAL;
//   value_temporal.cc   TIMESTAMP(2), DATETIME2, TIME2;
//   value_text.cc       strings, blobs, JSON text, INET6 / UUID, JSON string escaping;
//   charset.cc          character sets and their conversion to UTF-8.
// Integers, DATE, TIME and DATETIME are formatted in DecodeValue (value_decoder.cc) itself.
//
// Thread safety: pure functions over their arguments (appending to the caller's string).
#ifndef INFLOW_CAPTURE_MYSQL_VALUE_FORMAT_H_
#define INFLOW_CAPTURE_MYSQL_VALUE_FORMAT_H_

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "capture/mysql/value_decoder.h"
#include "common/coding.h"
#include "common/result.h"

namespace inflow::capture::mysql::internal {

// Integers beyond ±(2^53 − 1) are rendered as JSON strings, which JSON readers keep exact.
inline constexpr int64_t kMaxSafeInteger = (int64_t{1} << 53) - 1;
inline constexpr uint32_t kPow10[10] = {1,      10,      100,      1000,      10000,
                                        100000, 1000000, 10000000, 100000000, 1000000000};

// ---- integers -------------------------------------------------------------------------------

// Values are formatted into a stack buffer and appended at once: appending character by
// character cost a tenth of the decoding time, and append(first, last) takes std::string's
// generic iterator path, measurably slower than append(pointer, size).
inline void AppendRange(const char* begin, const char* end, std::string& out) {
  out.append(begin, static_cast<size_t>(end - begin));
}

inline void AppendInt(int64_t v, std::string& out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  bool quote = v > kMaxSafeInteger || v < -kMaxSafeInteger;
  if (quote) out.push_back('"');
  AppendRange(buf, r.ptr, out);
  if (quote) out.push_back('"');
}

inline void AppendUint(uint64_t v, std::string& out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  bool quote = v > static_cast<uint64_t>(kMaxSafeInteger);
  if (quote) out.push_back('"');
  AppendRange(buf, r.ptr, out);
  if (quote) out.push_back('"');
}

// Writes `v` in decimal, zero-padded to at least `width` digits, at `p`; returns the end (at
// most max(20, width) characters).
inline char* PutDigits(uint64_t v, int width, char* p) {
  int digits = 1;
  for (uint64_t rest = v; rest >= 10; rest /= 10) ++digits;
  char* const end = p + std::max(digits, width);
  for (char* q = end; q != p; v /= 10) *--q = static_cast<char>('0' + v % 10);  // pads with 0s
  return end;
}

inline uint64_t BigEndian(const uint8_t* p, size_t n) { return DecodeFixedNBE(p, n); }

// ---- temporal fields ------------------------------------------------------------------------

// The Put* functions write at `p` and return the end. A whole temporal value (quotes, a date
// of 10-digit fields at most, a clock with a 20-digit hour at most, fraction, 'Z') fits in
// kTemporalBuffer characters.
inline constexpr size_t kTemporalBuffer = 96;

inline char* PutFraction(uint32_t micros, int fsp, char* p) {
  if (fsp <= 0) return p;
  *p++ = '.';
  return PutDigits(micros / kPow10[6 - fsp], fsp, p);
}

inline char* PutDate(uint32_t year, uint32_t month, uint32_t day, char* p) {
  p = PutDigits(year, 4, p);
  *p++ = '-';
  p = PutDigits(month, 2, p);
  *p++ = '-';
  return PutDigits(day, 2, p);
}

inline char* PutClock(uint64_t hour, uint32_t minute, uint32_t second, char* p) {
  p = PutDigits(hour, 2, p);
  *p++ = ':';
  p = PutDigits(minute, 2, p);
  *p++ = ':';
  return PutDigits(second, 2, p);
}

// Fractional-second bytes of TIME2 / DATETIME2 / TIMESTAMP2 for a given fsp.
inline int FracBytes(int fsp) { return (fsp + 1) / 2; }

inline uint32_t FracMicros(const uint8_t* p, int fsp) {
  switch (FracBytes(fsp)) {
    case 1:
      return static_cast<uint32_t>(p[0]) * 10000;
    case 2:
      return static_cast<uint32_t>(BigEndian(p, 2)) * 100;
    case 3:
      return static_cast<uint32_t>(BigEndian(p, 3));
    default:
      return 0;
  }
}

// ---- the renderers of each family -----------------------------------------------------------

// value_numeric.cc
// The bytes a DECIMAL(precision, scale) value takes in a row image.
size_t DecimalSize(int precision, int scale);
// MySQL's packed DECIMAL: 9 decimal digits per 4 big-endian bytes, leftover digits in fewer
// bytes, the sign in the inverted top bit and negative values one's-complemented.
// REQUIRES: DecimalSize(precision, scale) bytes at p.
Status AppendDecimal(const uint8_t* p, int precision, int scale, std::string& out);

// value_temporal.cc
// TIMESTAMP(2): seconds since the epoch, rendered in UTC with a 'Z'.
void AppendTimestamp(uint32_t seconds, uint32_t micros, int fsp, std::string& out);
// DATETIME2's packed year-month-day-hour-minute-second (without the sign bit).
void AppendDatetimePacked(uint64_t ymdhms, uint32_t micros, int fsp, std::string& out);
// TIME2: MySQL's "packed time". REQUIRES: 3 + FracBytes(fsp) bytes at `bytes`.
void AppendTime2(const uint8_t* bytes, int fsp, std::string& out);

// value_text.cc
// `s` escaped for a JSON string, without the quotes.
void AppendEscaped(std::string_view s, std::string& out);
// REQUIRES: 16 bytes at p.
void AppendInet6(const uint8_t* p, std::string& out);
void AppendUuid(const uint8_t* p, std::string& out);
// MariaDB JSON (LONGTEXT): the text as JSON when it parses, else as a string.
Status AppendJsonText(std::span<const uint8_t> bytes, const CharsetInfo& cs, std::string& out);

}  // namespace inflow::capture::mysql::internal

#endif  // INFLOW_CAPTURE_MYSQL_VALUE_FORMAT_H_
