// Rendering the temporal types whose value needs more than splitting fields: TIMESTAMP(2)
// (seconds since the epoch to a UTC date, without libc), DATETIME2 and TIME2 (MySQL's packed
// forms, with fractional seconds).
#include <algorithm>
#include <string>
#include <string_view>

#include "capture/mysql/value_format.h"

namespace inflow::capture::mysql::internal {

void AppendTimestamp(uint32_t seconds, uint32_t micros, int fsp, std::string& out) {
  char buf[kTemporalBuffer];
  char* p = buf;
  *p++ = '"';
  if (seconds == 0 && micros == 0) {
    constexpr std::string_view kZero = "0000-00-00T00:00:00";
    p = std::copy(kZero.begin(), kZero.end(), p);
  } else {
    // Days since 1970-01-01 to a proleptic Gregorian date (era arithmetic, no libc call).
    int64_t days = seconds / 86400;
    uint32_t sod = seconds % 86400;
    int64_t z = days + 719468;
    int64_t era = z / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t day = doy - (153 * mp + 2) / 5 + 1;
    int64_t month = mp < 10 ? mp + 3 : mp - 9;
    int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    p = PutDate(static_cast<uint32_t>(year), static_cast<uint32_t>(month),
                static_cast<uint32_t>(day), p);
    *p++ = 'T';
    p = PutClock(sod / 3600, sod / 60 % 60, sod % 60, p);
  }
  p = PutFraction(micros, fsp, p);
  *p++ = 'Z';
  *p++ = '"';
  AppendRange(buf, p, out);
}

void AppendDatetimePacked(uint64_t ymdhms, uint32_t micros, int fsp, std::string& out) {
  uint64_t ymd = ymdhms >> 17, hms = ymdhms & ((1 << 17) - 1);
  uint64_t ym = ymd >> 5;
  char buf[kTemporalBuffer];
  char* p = buf;
  *p++ = '"';
  p = PutDate(static_cast<uint32_t>(ym / 13), static_cast<uint32_t>(ym % 13),
              static_cast<uint32_t>(ymd & 31), p);
  *p++ = 'T';
  p = PutClock(hms >> 12, static_cast<uint32_t>((hms >> 6) & 63), static_cast<uint32_t>(hms & 63),
               p);
  p = PutFraction(micros, fsp, p);
  *p++ = '"';
  AppendRange(buf, p, out);
}

// (hms << 24 | micros), offset so that it sorts as unsigned.
void AppendTime2(const uint8_t* bytes, int fsp, std::string& out) {
  constexpr int64_t kIntOffset = 0x800000;
  constexpr int64_t kOffset = 0x800000000000LL;
  int64_t packed;
  int64_t intpart = static_cast<int64_t>(BigEndian(bytes, 3)) - kIntOffset;
  switch (FracBytes(fsp)) {
    case 1: {
      int64_t frac = bytes[3];
      if (intpart < 0 && frac) {
        ++intpart;
        frac -= 0x100;
      }
      packed = (intpart << 24) + frac * 10000;
      break;
    }
    case 2: {
      int64_t frac = static_cast<int64_t>(BigEndian(bytes + 3, 2));
      if (intpart < 0 && frac) {
        ++intpart;
        frac -= 0x10000;
      }
      packed = (intpart << 24) + frac * 100;
      break;
    }
    case 3:
      packed = static_cast<int64_t>(BigEndian(bytes, 6)) - kOffset;
      break;
    default:
      packed = intpart << 24;
      break;
  }
  char buf[kTemporalBuffer];
  char* p = buf;
  *p++ = '"';
  if (packed < 0) {
    *p++ = '-';
    packed = -packed;
  }
  uint64_t hms = static_cast<uint64_t>(packed) >> 24;
  p = PutClock((hms >> 12) & 1023, static_cast<uint32_t>((hms >> 6) & 63),
               static_cast<uint32_t>(hms & 63), p);
  p = PutFraction(static_cast<uint32_t>(packed & 0xFFFFFF), fsp, p);
  *p++ = '"';
  AppendRange(buf, p, out);
}

}  // namespace inflow::capture::mysql::internal
