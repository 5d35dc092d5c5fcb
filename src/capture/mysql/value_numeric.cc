// Rendering FLOAT / DOUBLE (shortest round-trip text; NaN and infinities, which JSON lacks, as
// null) and MySQL's packed DECIMAL (exact, as a JSON string).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

#include "capture/mysql/value_decoder.h"
#include "capture/mysql/value_format.h"

namespace inflow::capture::mysql {
namespace internal {
namespace {

constexpr int kDigitBytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};

}  // namespace

size_t DecimalSize(int precision, int scale) {
  int intg = precision - scale;
  return static_cast<size_t>((intg / 9) * 4 + kDigitBytes[intg % 9] + (scale / 9) * 4 +
                             kDigitBytes[scale % 9]);
}

Status AppendDecimal(const uint8_t* p, int precision, int scale, std::string& out) {
  int intg = precision - scale;
  int intg0 = intg / 9, intg0x = intg % 9, frac0 = scale / 9, frac0x = scale % 9;
  size_t size = DecimalSize(precision, scale);
  uint8_t buf[80];
  std::memcpy(buf, p, size);
  bool negative = (buf[0] & 0x80) == 0;
  uint8_t mask = negative ? 0xFF : 0x00;
  buf[0] ^= 0x80;
  for (size_t i = 0; i < size; ++i) buf[i] ^= mask;

  // '"', sign, at most 66 digits (precision <= 65, plus a 0 before a bare fraction; every group
  // is checked against its width), '.', '"'.
  char text[72];
  char* const digits = text + 2;
  char* d = digits;
  size_t pos = 0;
  auto group = [&](int ndigits, int nbytes, bool pad) -> bool {
    uint64_t v = BigEndian(buf + pos, static_cast<size_t>(nbytes));
    pos += static_cast<size_t>(nbytes);
    if (v >= kPow10[ndigits]) return false;
    if (pad) {
      d = PutDigits(v, ndigits, d);
    } else if (v != 0 || d != digits) {
      d = PutDigits(v, d == digits ? 0 : ndigits, d);
    }
    return true;
  };
  bool ok = true;
  if (intg0x > 0) ok &= group(intg0x, kDigitBytes[intg0x], false);
  for (int i = 0; i < intg0; ++i) ok &= group(9, 4, false);
  if (d == digits) *d++ = '0';
  bool all_zero = d == digits + 1 && digits[0] == '0';
  if (scale > 0) {
    *d++ = '.';
    char* frac_start = d;
    for (int i = 0; i < frac0; ++i) ok &= group(9, 4, true);
    if (frac0x > 0) ok &= group(frac0x, kDigitBytes[frac0x], true);
    if (all_zero) all_zero = std::all_of(frac_start, d, [](char ch) { return ch == '0'; });
  }
  if (!ok) return Fail(ErrorCode::kDataLoss, "DECIMAL digit group out of range");
  char* start = digits;
  if (negative && !all_zero) *--start = '-';
  *--start = '"';
  *d++ = '"';
  AppendRange(start, d, out);
  return Ok();
}

}  // namespace internal

void AppendDouble(double v, std::string& out) {
  if (!std::isfinite(v)) {
    out.append("null");
    return;
  }
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  internal::AppendRange(buf, r.ptr, out);
}

void AppendFloat(float v, std::string& out) {
  if (!std::isfinite(v)) {
    out.append("null");
    return;
  }
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  internal::AppendRange(buf, r.ptr, out);
}

}  // namespace inflow::capture::mysql
