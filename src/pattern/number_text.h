// Reading JSON number text for range matching. A numeric condition only needs to know which
// side of its boundaries a number lies on, and event numbers (coordinates, prices, timestamps)
// often carry 15-17 digits: reading them into a bracket of their value — eight digits at a time,
// no correctly rounded conversion unless a boundary is that close — is what lets a matcher go
// through dozens of numbers per event at a few nanoseconds each. The hot paths are inline: they
// run once per number of every event.
//
// Thread safety: the functions are pure; a NumberScanner belongs to the thread reading with it.
#ifndef INFLOW_PATTERN_NUMBER_TEXT_H_
#define INFLOW_PATTERN_NUMBER_TEXT_H_

#include <cstdint>
#include <cstring>
#include <string_view>

namespace inflow::pattern {

// The value v of a number text lies in [lo, hi]. When exact, lo == hi is the correctly rounded
// double (what a full parser returns; -0 reads as 0).
struct NumberBracket {
  double lo = 0;
  double hi = 0;
  bool exact = false;
};

// Reads the number text [p, end) — all of it: a token without its trailing spaces — as one
// JSON number (RFC 8259 grammar: no leading zeros, no '+', digits on both sides of the '.').
// False when it is not exactly one, or its magnitude is outside the double range: the caller
// then leaves the text to a full parser, which reports the error.
// REQUIRES: p < end; the 32 bytes from p are readable (simdjson's padding), although no byte at
// or past `end` affects the result.
inline bool ReadNumber(const char* p, const char* end, NumberBracket* out);

// Reads consecutive number texts (a coordinate list, a vector): where each one ends comes from
// a bit mask of the bytes that can be in a number, computed 64 bytes at a time, so finding the
// next number never waits on reading this one and the work of consecutive numbers overlaps.
class NumberScanner {
 public:
  // Reads from `start` on. REQUIRES: start < end; the 64 bytes from any position before `end`
  // are readable (simdjson's padding; no block that starts at or past `end` is read).
  NumberScanner(const char* start, const char* end)
      : end_(end), block_(start), cur_(Classify(start)), next_(Classify(start + 64)) {}

  // Reads the run of digits, '.' and '-' that starts at p (p < end, at or after the previous
  // number's end) as one JSON number and returns its end: p when the run is empty, nullptr when
  // it is not one JSON number within the double range. '+', 'e' and 'E' end a run: the caller
  // must check that what follows the run may follow a value before using the number (in
  // "3.7e+1" the run is "3.7").
  const char* Read(const char* p, NumberBracket* out);

 private:
  struct Masks {
    uint64_t stops;  // bit k: block[k] is not a digit, '.' or '-', or is at or past end
    uint64_t marks;  // bit k: block[k] is '.' or '-'
  };
  Masks Classify(const char* block) const;
  const char* ReadLong(const char* p, NumberBracket* out);

  const char* end_;
  const char* block_;  // cur_ describes block_[0, 64), next_ the 64 bytes after
  Masks cur_;
  Masks next_;
};

// The correctly rounded value of a number text ReadNumber accepted (-0 reads as 0); false when
// its magnitude is outside the double range.
bool ExactNumber(std::string_view text, double* value);

// ---- implementation -------------------------------------------------------------------------

// These run once per number of every event: a call each would cost as much as their work.
#define INFLOW_NUMBER_INLINE __attribute__((always_inline))

namespace number_text_internal {

inline constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                    1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                    1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
// 10^k and 10^-k times (1 - 2^-50) and (1 + 2^-50): a bracket's two ends in one multiplication.
inline constexpr double kWidenDown = 1 - 0x1p-50;
inline constexpr double kWidenUp = 1 + 0x1p-50;
#define INFLOW_WIDENED(x) \
  { (x) * kWidenDown, (x)*kWidenUp }
inline constexpr double kPow10Widened[][2] = {
    INFLOW_WIDENED(1e0),  INFLOW_WIDENED(1e1),  INFLOW_WIDENED(1e2),  INFLOW_WIDENED(1e3),
    INFLOW_WIDENED(1e4),  INFLOW_WIDENED(1e5),  INFLOW_WIDENED(1e6),  INFLOW_WIDENED(1e7),
    INFLOW_WIDENED(1e8),  INFLOW_WIDENED(1e9),  INFLOW_WIDENED(1e10), INFLOW_WIDENED(1e11),
    INFLOW_WIDENED(1e12), INFLOW_WIDENED(1e13), INFLOW_WIDENED(1e14), INFLOW_WIDENED(1e15),
    INFLOW_WIDENED(1e16), INFLOW_WIDENED(1e17), INFLOW_WIDENED(1e18), INFLOW_WIDENED(1e19),
    INFLOW_WIDENED(1e20), INFLOW_WIDENED(1e21), INFLOW_WIDENED(1e22)};
inline constexpr double kInversePow10Widened[][2] = {
    INFLOW_WIDENED(1e-0),  INFLOW_WIDENED(1e-1),  INFLOW_WIDENED(1e-2),  INFLOW_WIDENED(1e-3),
    INFLOW_WIDENED(1e-4),  INFLOW_WIDENED(1e-5),  INFLOW_WIDENED(1e-6),  INFLOW_WIDENED(1e-7),
    INFLOW_WIDENED(1e-8),  INFLOW_WIDENED(1e-9),  INFLOW_WIDENED(1e-10), INFLOW_WIDENED(1e-11),
    INFLOW_WIDENED(1e-12), INFLOW_WIDENED(1e-13), INFLOW_WIDENED(1e-14), INFLOW_WIDENED(1e-15),
    INFLOW_WIDENED(1e-16), INFLOW_WIDENED(1e-17), INFLOW_WIDENED(1e-18), INFLOW_WIDENED(1e-19),
    INFLOW_WIDENED(1e-20), INFLOW_WIDENED(1e-21), INFLOW_WIDENED(1e-22)};
#undef INFLOW_WIDENED
inline constexpr uint64_t kPow10Int[] = {1,      10,      100,      1000,     10000,
                                         100000, 1000000, 10000000, 100000000};
inline constexpr uint64_t kOnes = 0x0101010101010101ull;

// The 8 bytes at p as digit values (byte k = p[k] - '0').
INFLOW_NUMBER_INLINE inline uint64_t LoadDigitValues(const char* p) {
  uint64_t bytes;
  std::memcpy(&bytes, p, 8);
  return bytes ^ (kOnes * '0');
}

// Byte k's high bit is set when byte k of LoadDigitValues' result is not a digit: adding 0x76 to
// its low 7 bits sets the high bit when it is 10 or more (and no carry crosses bytes).
INFLOW_NUMBER_INLINE inline uint64_t NotDigits(uint64_t x) {
  return (((x & (kOnes * 0x7F)) + kOnes * 0x76) | x) & (kOnes * 0x80);
}

// The high bits of bytes [0, n) (n >= 0; all 8 when n >= 8).
INFLOW_NUMBER_INLINE inline uint64_t FirstBytes(int n) {
  static constexpr uint64_t kFirstBytes[] = {0,
                                             0x80,
                                             0x8080,
                                             0x808080,
                                             0x80808080,
                                             0x8080808080,
                                             0x808080808080,
                                             0x80808080808080,
                                             0x8080808080808080};
  return kFirstBytes[n < 8 ? n : 8];
}

// The number written by the first n (1..8) digit values of x.
INFLOW_NUMBER_INLINE inline uint64_t DigitsValue(uint64_t x, int n) {
  x <<= 8 * (8 - n);  // drop the bytes after them; the gap reads as leading zeros
  x = (x * 10 + (x >> 8)) & 0x00FF00FF00FF00FFull;
  x = (x * 100 + (x >> 16)) & 0x0000FFFF0000FFFFull;
  return (x * 10000 + (x >> 32)) & 0xFFFFFFFFull;
}

// mantissa × 10^exp10 (|exp10| <= 22; plus less than one unit of the last digit when truncated)
// as a bracket.
INFLOW_NUMBER_INLINE inline void Scale(uint64_t mantissa, int exp10, bool truncated, bool negative,
                                       NumberBracket* out) {
  if (mantissa == 0 && !truncated) {
    *out = {0, 0, true};  // -0 too
    return;
  }
  double m = static_cast<double>(mantissa);
  // Clinger's fast path: an exact mantissa times or over an exact power of ten, rounded once.
  if (!truncated && mantissa <= (uint64_t{1} << 53)) {
    double v = exp10 < 0 ? m / kPow10[-exp10] : m * kPow10[exp10];
    v = negative ? -v : v;
    *out = {v, v, true};
    return;
  }
  // Otherwise a bracket is enough, and a multiplication is cheaper than a division. The
  // conversions, the (widened) power of ten and the product each round by at most 2^-53;
  // widening the power by 2^-50 leaves the bracket wider than the value's own rounding, so a
  // range boundary outside the bracket is on the same side of the value's double too.
  const double* scale = exp10 < 0 ? kInversePow10Widened[-exp10] : kPow10Widened[exp10];
  double a = m * scale[0];
  double b = static_cast<double>(mantissa + truncated) * scale[1];
  *out = {negative ? -b : a, negative ? -a : b, false};
}

// The common shapes — an integer of up to 8 digits, or up to 8 integer digits, '.', and up to
// 16 fraction digits, 19 digits at most — read without a loop: every load's address is known
// from the text's length and the '.' position, so the work of consecutive numbers overlaps.
// False for any other text (longer, with an exponent, or not a number): ReadNumberGeneral says.
INFLOW_NUMBER_INLINE inline bool ReadShortDecimal(const char* p, const char* end,
                                                  NumberBracket* out) {
  bool negative = *p == '-';
  p += negative;
  int length = static_cast<int>(end - p);
  if (length < 1 || length > 25) return false;
  uint64_t x0 = LoadDigitValues(p);
  uint64_t not_digits = NotDigits(x0) & FirstBytes(length);
  int int_digits = not_digits == 0 ? (length < 8 ? length : 8) : __builtin_ctzll(not_digits) / 8;
  if (int_digits == 0 || (p[0] == '0' && int_digits > 1)) return false;
  if (int_digits == length) {
    Scale(DigitsValue(x0, int_digits), 0, false, negative, out);
    return true;
  }
  int fraction_digits = length - int_digits - 1;
  if (p[int_digits] != '.' || fraction_digits < 1 || fraction_digits > 16 ||
      int_digits + fraction_digits > 19) {
    return false;
  }
  const char* fraction = p + int_digits + 1;
  int f1 = fraction_digits < 8 ? fraction_digits : 8;
  int f2 = fraction_digits - f1;
  uint64_t x1 = LoadDigitValues(fraction);
  uint64_t x2 = LoadDigitValues(fraction + 8);
  if ((NotDigits(x1) & FirstBytes(f1)) != 0 || (NotDigits(x2) & FirstBytes(f2)) != 0) return false;
  uint64_t mantissa = DigitsValue(x0, int_digits) * kPow10Int[f1] + DigitsValue(x1, f1);
  if (f2 > 0) mantissa = mantissa * kPow10Int[f2] + DigitsValue(x2, f2);
  Scale(mantissa, -fraction_digits, false, negative, out);
  return true;
}

// Every other number text: long runs of digits (truncated past 19), exponents.
bool ReadNumberGeneral(const char* p, const char* end, NumberBracket* out);

}  // namespace number_text_internal

inline bool ReadNumber(const char* p, const char* end, NumberBracket* out) {
  return number_text_internal::ReadShortDecimal(p, end, out) ||
         number_text_internal::ReadNumberGeneral(p, end, out);
}

INFLOW_NUMBER_INLINE inline const char* NumberScanner::Read(const char* p, NumberBracket* out) {
  using namespace number_text_internal;
  while (p >= block_ + 64) {
    block_ += 64;
    cur_ = next_;
    next_ = Classify(block_ + 64);
  }
  // The masks of the 64 bytes from p, from the two blocks.
  int at = static_cast<int>(p - block_);
  auto window = [at](uint64_t cur, uint64_t next) {
    return (cur >> at) | ((next << 1) << (63 - at));  // at < 64: no shift by 64
  };
  uint64_t stops = window(cur_.stops, next_.stops);
  if (stops == 0) return ReadLong(p, out);
  int length = __builtin_ctzll(stops);
  if (length == 0) return p;
  const char* end = p + length;
  if (length == 1 && *p != '-' && *p != '.') {  // a digit: 0 in most coordinate triples
    double v = *p - '0';
    *out = {v, v, true};
    return end;
  }
  // Every byte of the run that is not '.' or '-' is a digit: where those two are says whether
  // this is '-'? digits ('.' digits)?, without looking at the digits.
  bool negative = *p == '-';
  uint64_t marks = window(cur_.marks, next_.marks) & ((uint64_t{2} << (length - 1)) - 1);
  uint64_t dot = marks & ~uint64_t{negative};
  const char* digits = p + negative;
  int dot_at = __builtin_ctzll(dot | uint64_t{1} << length);  // length when there is none
  int int_digits = dot_at - negative;
  int fraction_digits = dot != 0 ? length - dot_at - 1 : 0;
  // Below, eight fraction digits bracket the value closely enough to place it among range
  // boundaries, unless the integer part is 0 (then ReadNumber reads all the digits).
  if ((dot & (dot - 1)) != 0 || int_digits < 1 || int_digits > 8 ||
      (digits[0] == '0' && (int_digits > 1 || fraction_digits > 8)) ||
      (dot != 0 && (p[dot_at] != '.' || fraction_digits < 1 || fraction_digits > 16))) {
    return ReadNumber(p, end, out) ? end : nullptr;  // a long integer part, or not a number
  }
  uint64_t mantissa = DigitsValue(LoadDigitValues(digits), int_digits);
  if (dot == 0) {  // up to 8 digits: exact as a double
    double v = static_cast<double>(mantissa);
    v = negative && mantissa != 0 ? -v : v;
    *out = {v, v, true};
    return end;
  }
  // The fraction digits past eight only say whether the bracket is exact.
  const char* fraction = p + dot_at + 1;
  int f1 = fraction_digits < 8 ? fraction_digits : 8;
  uint64_t rest = LoadDigitValues(fraction + 8) & ((FirstBytes(fraction_digits - f1) >> 7) * 0xFF);
  mantissa = mantissa * kPow10Int[f1] + DigitsValue(LoadDigitValues(fraction), f1);
  Scale(mantissa, -f1, rest != 0, negative, out);
  return end;
}

}  // namespace inflow::pattern

#undef INFLOW_NUMBER_INLINE

#endif  // INFLOW_PATTERN_NUMBER_TEXT_H_
