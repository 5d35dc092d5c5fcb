#include "pattern/number_text.h"

#include <charconv>
#include <cmath>
#include <system_error>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace inflow::pattern {

namespace number_text_internal {
namespace {

// A uint64 holds any 19 decimal digits.
constexpr int kMaxDigits = 19;

// The decimal significand read so far: value = mantissa × 10^exp10, plus less than one unit of
// its last digit when truncated.
struct Significand {
  uint64_t mantissa = 0;
  int taken = 0;  // digits in the mantissa, at most kMaxDigits
  int exp10 = 0;
  bool truncated = false;  // a nonzero digit did not fit in the mantissa

  // Appends the run of digits at p (integer part, or fraction when `fraction`); returns its end.
  const char* Append(const char* p, const char* end, bool fraction) {
    for (;;) {
      uint64_t x = LoadDigitValues(p);
      uint64_t not_digits = NotDigits(x);
      int n = not_digits == 0 ? 8 : __builtin_ctzll(not_digits) / 8;
      if (end - p < n) n = static_cast<int>(end - p);
      int take = n < kMaxDigits - taken ? n : kMaxDigits - taken;
      if (take > 0) {
        mantissa = mantissa * kPow10Int[take] + DigitsValue(x, take);
        taken += take;
        if (fraction) exp10 -= take;
      }
      if (take < n) {
        if (!fraction) exp10 += n - take;
        uint64_t rest = x >> (8 * take);  // take < n <= 8
        if (n - take < 8) rest &= (uint64_t{1} << (8 * (n - take))) - 1;
        truncated |= rest != 0;
      }
      p += n;
      if (n < 8) return p;
    }
  }
};

}  // namespace

bool ReadNumberGeneral(const char* p, const char* end, NumberBracket* out) {
  const char* start = p;
  bool negative = *p == '-';
  p += negative;
  if (p == end) return false;
  Significand s;
  const char* digits = p;
  p = s.Append(p, end, false);
  if (p == digits || (*digits == '0' && p - digits > 1)) return false;
  if (p < end && *p == '.') {
    const char* fraction = ++p;
    if (p == end) return false;
    p = s.Append(p, end, true);
    if (p == fraction) return false;
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    ++p;
    bool exp_negative = p < end && *p == '-';
    if (p < end && (*p == '-' || *p == '+')) ++p;
    const char* exp_digits = p;
    int e = 0;
    while (p < end && *p >= '0' && *p <= '9') {
      if (e < 100000) e = e * 10 + (*p - '0');
      ++p;
    }
    if (p == exp_digits) return false;
    s.exp10 += exp_negative ? -e : e;
  }
  if (p != end) return false;
  if ((s.mantissa != 0 || s.truncated) && (s.exp10 < -22 || s.exp10 > 22)) {
    // Rare in events: the correctly rounded parser does it.
    double v;
    if (!ExactNumber(std::string_view(start, end - start), &v)) return false;
    *out = {v, v, true};
    return true;
  }
  Scale(s.mantissa, s.exp10, s.truncated, negative, out);
  return true;
}

}  // namespace number_text_internal

namespace {

// Which of 64 bytes are number text (a digit, '.' or '-') and which of those are '.' or '-'.
struct BlockBits {
  uint64_t text = 0;
  uint64_t marks = 0;
};

// '-' '.' '/' '0'…'9' are 0x2D…0x39: number text is that range less '/', and '-' and '.' are
// its first two.
BlockBits ClassifyPortable(const char* block) {
  BlockBits bits;
#if defined(__SSE2__)
  for (int i = 0; i < 64; i += 16) {
    __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(block + i));
    __m128i offset = _mm_sub_epi8(c, _mm_set1_epi8('-'));
    __m128i in_range = _mm_cmpeq_epi8(_mm_min_epu8(offset, _mm_set1_epi8('9' - '-')), offset);
    __m128i number = _mm_andnot_si128(_mm_cmpeq_epi8(c, _mm_set1_epi8('/')), in_range);
    __m128i mark = _mm_cmpeq_epi8(_mm_min_epu8(offset, _mm_set1_epi8(1)), offset);
    bits.text |= static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(number))) << i;
    bits.marks |= static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(mark))) << i;
  }
#else
  for (int i = 0; i < 64; ++i) {
    char c = block[i];
    bits.text |= static_cast<uint64_t>((c >= '0' && c <= '9') || c == '.' || c == '-') << i;
    bits.marks |= static_cast<uint64_t>(c == '.' || c == '-') << i;
  }
#endif
  return bits;
}

#if defined(__x86_64__)
// The same with AVX2, for the CPUs that have it.
__attribute__((target("avx2"))) BlockBits ClassifyAvx2(const char* block) {
  BlockBits bits;
  for (int i = 0; i < 64; i += 32) {
    __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + i));
    __m256i offset = _mm256_sub_epi8(c, _mm256_set1_epi8('-'));
    __m256i in_range =
        _mm256_cmpeq_epi8(_mm256_min_epu8(offset, _mm256_set1_epi8('9' - '-')), offset);
    __m256i number = _mm256_andnot_si256(_mm256_cmpeq_epi8(c, _mm256_set1_epi8('/')), in_range);
    __m256i mark = _mm256_cmpeq_epi8(_mm256_min_epu8(offset, _mm256_set1_epi8(1)), offset);
    bits.text |= static_cast<uint64_t>(static_cast<uint32_t>(_mm256_movemask_epi8(number))) << i;
    bits.marks |= static_cast<uint64_t>(static_cast<uint32_t>(_mm256_movemask_epi8(mark))) << i;
  }
  return bits;
}
#endif

using ClassifyFunction = BlockBits (*)(const char*);

ClassifyFunction ChooseClassify() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2")) return ClassifyAvx2;
#endif
  return ClassifyPortable;
}

}  // namespace

NumberScanner::Masks NumberScanner::Classify(const char* block) const {
  if (block >= end_) return {~uint64_t{0}, 0};
  static const ClassifyFunction classify = ChooseClassify();
  BlockBits bits = classify(block);
  if (end_ - block < 64) {
    uint64_t valid = (uint64_t{1} << (end_ - block)) - 1;
    bits.text &= valid;
    bits.marks &= valid;
  }
  return {~bits.text, bits.marks};
}

// A run of number text of 64 bytes or more: found and read byte by byte (a number that long is
// rare, and probably not valid).
const char* NumberScanner::ReadLong(const char* p, NumberBracket* out) {
  const char* end = p;
  while (end < end_ && ((*end >= '0' && *end <= '9') || *end == '.' || *end == '-')) {
    ++end;
  }
  return ReadNumber(p, end, out) ? end : nullptr;
}

bool ExactNumber(std::string_view text, double* value) {
  const char* end = text.data() + text.size();
  double v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || ptr != end || !std::isfinite(v)) return false;
  *value = v == 0 ? 0.0 : v;
  return true;
}

}  // namespace inflow::pattern
