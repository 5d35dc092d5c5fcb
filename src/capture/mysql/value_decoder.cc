#include "capture/mysql/value_decoder.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <iconv.h>
#include <simdjson.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>

#include "capture/mysql/json_binary.h"

namespace inflow::capture::mysql {
namespace {

namespace ct = column_type;

constexpr int64_t kMaxSafeInteger = (int64_t{1} << 53) - 1;

// ---- character sets -------------------------------------------------------------------------

struct CharsetRow {
  std::string_view name;
  Charset kind;
  std::string_view iconv_name;
  uint8_t max_len;
};

// MySQL character set names, their conversion and width. iconv names are glibc's.
constexpr CharsetRow kCharsets[] = {
    {"binary", Charset::kBinary, "", 1},
    {"utf8mb4", Charset::kUtf8, "", 4},
    {"utf8mb3", Charset::kUtf8, "", 3},
    {"utf8", Charset::kUtf8, "", 3},
    {"ascii", Charset::kAscii, "", 1},
    {"latin1", Charset::kLatin1, "", 1},
    {"big5", Charset::kOther, "BIG5", 2},
    {"dec8", Charset::kOther, "DEC-MCS", 1},
    {"cp850", Charset::kOther, "CP850", 1},
    {"hp8", Charset::kOther, "HP-ROMAN8", 1},
    {"koi8r", Charset::kOther, "KOI8-R", 1},
    {"latin2", Charset::kOther, "ISO-8859-2", 1},
    {"swe7", Charset::kOther, "", 1},
    {"ujis", Charset::kOther, "EUC-JP", 3},
    {"sjis", Charset::kOther, "SHIFT_JIS", 2},
    {"hebrew", Charset::kOther, "ISO-8859-8", 1},
    {"tis620", Charset::kOther, "TIS-620", 1},
    {"euckr", Charset::kOther, "EUC-KR", 2},
    {"koi8u", Charset::kOther, "KOI8-U", 1},
    {"gb2312", Charset::kOther, "GB2312", 2},
    {"greek", Charset::kOther, "ISO-8859-7", 1},
    {"cp1250", Charset::kOther, "CP1250", 1},
    {"gbk", Charset::kOther, "GBK", 2},
    {"latin5", Charset::kOther, "ISO-8859-9", 1},
    {"armscii8", Charset::kOther, "ARMSCII-8", 1},
    {"ucs2", Charset::kOther, "UCS-2BE", 2},
    {"cp866", Charset::kOther, "CP866", 1},
    {"keybcs2", Charset::kOther, "", 1},
    {"macce", Charset::kOther, "MAC-CENTRALEUROPE", 1},
    {"macroman", Charset::kOther, "MACINTOSH", 1},
    {"cp852", Charset::kOther, "CP852", 1},
    {"latin7", Charset::kOther, "ISO-8859-13", 1},
    {"cp1251", Charset::kOther, "CP1251", 1},
    {"utf16", Charset::kOther, "UTF-16BE", 4},
    {"utf16le", Charset::kOther, "UTF-16LE", 4},
    {"cp1256", Charset::kOther, "CP1256", 1},
    {"cp1257", Charset::kOther, "CP1257", 1},
    {"utf32", Charset::kOther, "UTF-32BE", 4},
    {"geostd8", Charset::kOther, "GEORGIAN-PS", 1},
    {"cp932", Charset::kOther, "CP932", 2},
    {"eucjpms", Charset::kOther, "EUC-JP-MS", 3},
    {"gb18030", Charset::kOther, "GB18030", 4},
};

CharsetInfo InfoOf(const CharsetRow& row) {
  return CharsetInfo{row.kind, row.name, row.iconv_name, row.max_len};
}

// Character set names of collation ids 1..99 (identical in MariaDB and MySQL); "" = unused.
constexpr std::string_view kLowCollations[100] = {
    "",         "big5",    "latin2",  "dec8",    "cp850",   "latin1",   "hp8",     "koi8r",
    "latin1",   "latin2",  "swe7",    "ascii",   "ujis",    "sjis",     "cp1251",  "latin1",
    "hebrew",   "",        "tis620",  "euckr",   "latin7",  "latin2",   "koi8u",   "cp1251",
    "gb2312",   "greek",   "cp1250",  "latin2",  "gbk",     "cp1257",   "latin5",  "latin1",
    "armscii8", "utf8mb3", "cp1250",  "ucs2",    "cp866",   "keybcs2",  "macce",   "macroman",
    "cp852",    "latin7",  "latin7",  "macce",   "cp1250",  "utf8mb4",  "utf8mb4", "latin1",
    "latin1",   "latin1",  "cp1251",  "cp1251",  "cp1251",  "macroman", "utf16",   "utf16",
    "utf16le",  "cp1256",  "cp1257",  "cp1257",  "utf32",   "utf32",    "utf16le", "binary",
    "armscii8", "ascii",   "cp1250",  "cp1256",  "cp866",   "dec8",     "greek",   "hebrew",
    "hp8",      "keybcs2", "koi8r",   "koi8u",   "utf8mb3", "latin2",   "latin5",  "latin7",
    "cp850",    "cp852",   "swe7",    "utf8mb3", "big5",    "euckr",    "gb2312",  "gbk",
    "sjis",     "tis620",  "ucs2",    "ujis",    "geostd8", "geostd8",  "latin1",  "cp932",
    "cp932",    "eucjpms", "eucjpms", "cp1250",
};

std::string_view CollationCharsetName(uint32_t id) {
  if (id < 100) return kLowCollations[id];
  if (id >= 101 && id <= 124) return "utf16";
  if (id >= 128 && id <= 159) return "ucs2";
  if (id >= 160 && id <= 183) return "utf32";
  if ((id >= 192 && id <= 215) || id == 223) return "utf8mb3";
  if (id >= 224 && id <= 247) return "utf8mb4";
  if (id >= 248 && id <= 250) return "gb18030";  // MySQL 8
  if (id >= 255 && id <= 323) return "utf8mb4";  // MySQL 8 utf8mb4_0900_* family
  if (id >= 576 && id <= 578) return "utf8mb3";  // MariaDB utf8mb3_*_ci UCA 14.0
  if (id >= 608 && id <= 610) return "utf8mb4";
  if (id >= 640 && id <= 642) return "ucs2";
  if (id >= 672 && id <= 674) return "utf16";
  if (id >= 736 && id <= 738) return "utf32";
  if (id >= 1024 && id < 2048) return CollationCharsetName(id - 1024);  // MariaDB NOPAD
  return "";
}

// MySQL "latin1" is Windows-1252 with the five undefined bytes mapped to C1 controls.
constexpr uint16_t kLatin1High[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

void AppendUtf8CodePoint(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// iconv descriptors are expensive to open; keep one per character set per thread.
Result<std::string> IconvToUtf8(std::span<const uint8_t> bytes, const CharsetInfo& cs) {
  if (cs.iconv_name.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("character set {} cannot be converted to UTF-8", cs.name));
  }
  struct Descriptors {
    std::map<std::string_view, iconv_t> map;
    ~Descriptors() {
      for (auto& [name, cd] : map) iconv_close(cd);
    }
  };
  thread_local Descriptors cache;
  auto& descriptors = cache.map;
  auto it = descriptors.find(cs.iconv_name);
  if (it == descriptors.end()) {
    iconv_t cd = iconv_open("UTF-8", std::string(cs.iconv_name).c_str());
    if (cd == reinterpret_cast<iconv_t>(-1)) {
      return Fail(
          ErrorCode::kInvalidArgument,
          fmt::format("character set {} ({}) is not supported by iconv", cs.name, cs.iconv_name));
    }
    it = descriptors.emplace(cs.iconv_name, cd).first;
  }
  iconv(it->second, nullptr, nullptr, nullptr, nullptr);
  std::string out(bytes.size() * 4 + 8, '\0');
  char* in_p = const_cast<char*>(reinterpret_cast<const char*>(bytes.data()));
  size_t in_left = bytes.size();
  char* out_p = out.data();
  size_t out_left = out.size();
  if (iconv(it->second, &in_p, &in_left, &out_p, &out_left) == static_cast<size_t>(-1)) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("invalid {} text at byte {}", cs.name, bytes.size() - in_left));
  }
  out.resize(out.size() - out_left);
  return out;
}

// ---- JSON string escaping -------------------------------------------------------------------

constexpr std::array<uint8_t, 256> MakeEscapeTable() {
  std::array<uint8_t, 256> t{};
  for (int i = 0; i < 0x20; ++i) t[i] = 1;
  t['"'] = 1;
  t['\\'] = 1;
  return t;
}
constexpr std::array<uint8_t, 256> kNeedsEscape = MakeEscapeTable();

// True when every byte is ASCII that a JSON string takes unescaped (no control character, '"'
// or '\\'). In utf8, ascii and latin1 such text is already valid UTF-8 and needs no conversion,
// check or escaping — and most text values are like that.
bool IsPlainAscii(std::string_view s) {
  for (char ch : s) {
    uint8_t c = static_cast<uint8_t>(ch);
    if (c >= 0x80 || kNeedsEscape[c]) return false;
  }
  return true;
}

void AppendEscaped(std::string_view s, std::string& out) {
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    uint8_t c = static_cast<uint8_t>(s[i]);
    if (!kNeedsEscape[c]) continue;
    out.append(s.data() + start, i - start);
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        char buf[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out.append(buf, 6);
      }
    }
    start = i + 1;
  }
  out.append(s.data() + start, s.size() - start);
}

// ---- integers and numbers -------------------------------------------------------------------

// Values are formatted into a stack buffer and appended at once: appending character by
// character cost a tenth of the decoding time, and append(first, last) takes std::string's
// generic iterator path, measurably slower than append(pointer, size).
void AppendRange(const char* begin, const char* end, std::string& out) {
  out.append(begin, static_cast<size_t>(end - begin));
}

void AppendInt(int64_t v, std::string& out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  bool quote = v > kMaxSafeInteger || v < -kMaxSafeInteger;
  if (quote) out.push_back('"');
  AppendRange(buf, r.ptr, out);
  if (quote) out.push_back('"');
}

void AppendUint(uint64_t v, std::string& out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  bool quote = v > static_cast<uint64_t>(kMaxSafeInteger);
  if (quote) out.push_back('"');
  AppendRange(buf, r.ptr, out);
  if (quote) out.push_back('"');
}

// Writes `v` in decimal, zero-padded to at least `width` digits, at `p`; returns the end (at
// most max(20, width) characters).
char* PutDigits(uint64_t v, int width, char* p) {
  int digits = 1;
  for (uint64_t rest = v; rest >= 10; rest /= 10) ++digits;
  char* const end = p + std::max(digits, width);
  for (char* q = end; q != p; v /= 10) *--q = static_cast<char>('0' + v % 10);  // pads with 0s
  return end;
}

uint64_t BigEndian(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

constexpr int kDigitBytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
constexpr uint32_t kPow10[10] = {1,      10,      100,      1000,      10000,
                                 100000, 1000000, 10000000, 100000000, 1000000000};

size_t DecimalSize(int precision, int scale) {
  int intg = precision - scale;
  return static_cast<size_t>((intg / 9) * 4 + kDigitBytes[intg % 9] + (scale / 9) * 4 +
                             kDigitBytes[scale % 9]);
}

// MySQL's packed DECIMAL: 9 decimal digits per 4 big-endian bytes, leftover digits in fewer
// bytes, the sign in the inverted top bit and negative values one's-complemented.
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

// ---- temporal -------------------------------------------------------------------------------

// The Put* functions write at `p` and return the end. A whole temporal value (quotes, a date
// of 10-digit fields at most, a clock with a 20-digit hour at most, fraction, 'Z') fits in
// kTemporalBuffer characters.
constexpr size_t kTemporalBuffer = 96;

char* PutFraction(uint32_t micros, int fsp, char* p) {
  if (fsp <= 0) return p;
  *p++ = '.';
  return PutDigits(micros / kPow10[6 - fsp], fsp, p);
}

char* PutDate(uint32_t year, uint32_t month, uint32_t day, char* p) {
  p = PutDigits(year, 4, p);
  *p++ = '-';
  p = PutDigits(month, 2, p);
  *p++ = '-';
  return PutDigits(day, 2, p);
}

char* PutClock(uint64_t hour, uint32_t minute, uint32_t second, char* p) {
  p = PutDigits(hour, 2, p);
  *p++ = ':';
  p = PutDigits(minute, 2, p);
  *p++ = ':';
  return PutDigits(second, 2, p);
}

// Fractional-second bytes of TIME2 / DATETIME2 / TIMESTAMP2 for a given fsp.
int FracBytes(int fsp) { return (fsp + 1) / 2; }

uint32_t FracMicros(const uint8_t* p, int fsp) {
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

// TIME2: MySQL's "packed time": (hms << 24 | micros) offset so that it sorts as unsigned.
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

// ---- strings --------------------------------------------------------------------------------

void AppendInet6(const uint8_t* p, std::string& out) {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, p, buf, sizeof buf);
  out.push_back('"');
  out.append(buf);
  out.push_back('"');
}

void AppendUuid(const uint8_t* p, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[p[i] >> 4]);
    out.push_back(kHex[p[i] & 15]);
  }
  out.push_back('"');
}

// Appends `json`, known to be valid, without the whitespace between its tokens: what
// simdjson::minify does, but minify's setup dominated on the short documents of a row.
void AppendMinified(std::string_view json, std::string& out) {
  size_t start = out.size();
  out.resize(start + json.size());
  char* o = out.data() + start;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (in_string) {
      if (c == '\\') {  // valid JSON: an escape always has its second character
        *o++ = c;
        c = json[++i];
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      continue;
    } else if (c == '"') {
      in_string = true;
    }
    *o++ = c;
  }
  out.resize(static_cast<size_t>(o - out.data()));
}

Status AppendJsonText(std::span<const uint8_t> bytes, const CharsetInfo& cs, std::string& out) {
  std::string converted;
  std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (cs.kind != Charset::kUtf8 && cs.kind != Charset::kBinary) {
    INFLOW_TRY(converted, ToUtf8(bytes, cs));
    text = converted;
  }
  // simdjson reads up to SIMDJSON_PADDING bytes past the end: parse from a padded copy.
  thread_local simdjson::dom::parser parser;
  thread_local std::string padded;
  padded.assign(text);
  padded.resize(text.size() + simdjson::SIMDJSON_PADDING, ' ');
  simdjson::dom::element doc;
  if (parser.parse(padded.data(), text.size(), false).get(doc) != simdjson::SUCCESS) {
    // A JSON column holding text that does not parse (possible without the CHECK): a string.
    return AppendText(bytes, cs, out);
  }
  AppendMinified(text, out);
  return Ok();
}

Status Truncated(const char* what) {
  return Fail(ErrorCode::kDataLoss, fmt::format("row image ends inside a {} value", what));
}

}  // namespace

// ---- public helpers -------------------------------------------------------------------------

CharsetInfo CharsetByName(std::string_view name) {
  for (const auto& row : kCharsets) {
    if (row.name == name) return InfoOf(row);
  }
  return CharsetInfo{Charset::kUnknown, name, "", 1};
}

CharsetInfo CharsetOfCollation(uint32_t collation_id) {
  std::string_view name = CollationCharsetName(collation_id);
  if (name.empty()) return CharsetInfo{};
  return CharsetByName(name);
}

void AppendJsonString(std::string_view utf8, std::string& out) {
  out.push_back('"');
  AppendEscaped(utf8, out);
  out.push_back('"');
}

void AppendBase64(std::span<const uint8_t> in, std::string& out) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  out.push_back('"');
  size_t start = out.size();
  out.resize(start + (in.size() + 2) / 3 * 4);
  char* o = out.data() + start;
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = (uint32_t{in[i]} << 16) | (uint32_t{in[i + 1]} << 8) | in[i + 2];
    *o++ = kAlphabet[v >> 18];
    *o++ = kAlphabet[(v >> 12) & 63];
    *o++ = kAlphabet[(v >> 6) & 63];
    *o++ = kAlphabet[v & 63];
  }
  if (i < in.size()) {
    uint32_t v = uint32_t{in[i]} << 16;
    if (i + 1 < in.size()) v |= uint32_t{in[i + 1]} << 8;
    *o++ = kAlphabet[v >> 18];
    *o++ = kAlphabet[(v >> 12) & 63];
    *o++ = i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    *o++ = '=';
  }
  out.push_back('"');
}

Result<std::string> ToUtf8(std::span<const uint8_t> bytes, const CharsetInfo& cs) {
  std::string_view sv(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  switch (cs.kind) {
    case Charset::kUtf8:
    case Charset::kBinary:
      if (!simdjson::validate_utf8(sv.data(), sv.size())) {
        return Fail(ErrorCode::kInvalidArgument, fmt::format("invalid {} text", cs.name));
      }
      return std::string(sv);
    case Charset::kAscii:
    case Charset::kLatin1: {
      std::string out;
      out.reserve(bytes.size() + 8);
      for (uint8_t c : bytes) {
        if (c < 0x80) {
          out.push_back(static_cast<char>(c));
        } else if (cs.kind == Charset::kAscii) {
          AppendUtf8CodePoint(0xFFFD, out);
        } else {
          AppendUtf8CodePoint(c < 0xA0 ? kLatin1High[c - 0x80] : c, out);
        }
      }
      return out;
    }
    case Charset::kOther:
      return IconvToUtf8(bytes, cs);
    case Charset::kUnknown:
      break;
  }
  return Fail(ErrorCode::kInvalidArgument,
              fmt::format("unknown character set '{}' for a text column", cs.name));
}

Status AppendText(std::span<const uint8_t> bytes, const CharsetInfo& cs, std::string& out) {
  std::string_view sv(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if ((cs.kind == Charset::kUtf8 || cs.kind == Charset::kAscii || cs.kind == Charset::kLatin1) &&
      IsPlainAscii(sv)) {
    out.push_back('"');
    out.append(sv);
    out.push_back('"');
    return Ok();
  }
  if (cs.kind == Charset::kUtf8) {
    if (!simdjson::validate_utf8(sv.data(), sv.size())) {
      return Fail(ErrorCode::kInvalidArgument, fmt::format("invalid {} text", cs.name));
    }
    AppendJsonString(sv, out);
    return Ok();
  }
  if (cs.kind == Charset::kBinary) {
    AppendBase64(bytes, out);
    return Ok();
  }
  INFLOW_TRY(std::string utf8, ToUtf8(bytes, cs));
  AppendJsonString(utf8, out);
  return Ok();
}

void AppendDouble(double v, std::string& out) {
  if (!std::isfinite(v)) {
    out.append("null");
    return;
  }
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  AppendRange(buf, r.ptr, out);
}

void AppendFloat(float v, std::string& out) {
  if (!std::isfinite(v)) {
    out.append("null");
    return;
  }
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  AppendRange(buf, r.ptr, out);
}

bool IsNumericType(uint8_t type) {
  switch (type) {
    case ct::kTiny:
    case ct::kShort:
    case ct::kInt24:
    case ct::kLong:
    case ct::kLongLong:
    case ct::kNewDecimal:
    case ct::kFloat:
    case ct::kDouble:
    case ct::kDecimal:
      return true;
    default:
      return false;
  }
}

bool IsCharacterType(uint8_t type) {
  switch (type) {
    case ct::kString:
    case ct::kVarString:
    case ct::kVarchar:
    case ct::kBlob:
    case ct::kTinyBlob:
    case ct::kMediumBlob:
    case ct::kLongBlob:
      return true;
    default:
      return false;
  }
}

Result<ColumnCodec> MakeColumnCodec(uint8_t binlog_type, BinlogBuffer& m) {
  ColumnCodec c;
  c.type = binlog_type;
  switch (binlog_type) {
    case ct::kFloat:
    case ct::kDouble:
      c.meta = m.U8();
      break;
    case ct::kVarchar:
    case ct::kVarString:
      c.meta = m.U16();
      c.length = c.meta;
      break;
    case ct::kNewDecimal:
      c.precision = m.U8();
      c.scale = m.U8();
      c.meta = static_cast<uint16_t>(c.precision << 8 | c.scale);
      if (c.precision == 0 || c.precision > 65 || c.scale > 38 || c.scale > c.precision) {
        return Fail(ErrorCode::kDataLoss,
                    fmt::format("DECIMAL({},{}) metadata out of range", c.precision, c.scale));
      }
      break;
    case ct::kBit: {
      uint8_t bits = m.U8(), bytes = m.U8();
      c.meta = static_cast<uint16_t>(bytes << 8 | bits);
      c.length = uint32_t{bytes} * 8 + bits;
      if (c.length == 0 || c.length > 64) c.length = c.length == 0 ? 1 : 64;
      break;
    }
    case ct::kBlob:
    case ct::kTinyBlob:
    case ct::kMediumBlob:
    case ct::kLongBlob:
    case ct::kGeometry:
    case ct::kJson:
    case ct::kVector:
      c.meta = m.U8();
      c.length = c.meta;
      if (c.length < 1 || c.length > 4) {
        return Fail(ErrorCode::kDataLoss,
                    fmt::format("blob length size {} out of range", c.length));
      }
      break;
    case ct::kTimestamp2:
    case ct::kDatetime2:
    case ct::kTime2:
      c.meta = m.U8();
      c.precision = static_cast<uint8_t>(c.meta);
      if (c.precision > 6) {
        return Fail(ErrorCode::kDataLoss, fmt::format("fractional precision {} > 6", c.meta));
      }
      break;
    case ct::kString:
    case ct::kEnum:
    case ct::kSet: {
      uint8_t b0 = m.U8(), b1 = m.U8();
      c.meta = static_cast<uint16_t>(b0 << 8 | b1);
      // CHAR lengths above 255 bytes fold their two high bits into the real-type byte.
      if ((b0 & 0x30) != 0x30) {
        c.length = b1 | (static_cast<uint32_t>((b0 & 0x30) ^ 0x30) << 4);
        c.type = b0 | 0x30;
      } else {
        c.length = b1;
        c.type = b0;
      }
      if (c.type != ct::kString && c.type != ct::kEnum && c.type != ct::kSet) c.type = ct::kString;
      if ((c.type == ct::kEnum && c.length != 1 && c.length != 2) ||
          (c.type == ct::kSet && (c.length < 1 || c.length > 8))) {
        return Fail(ErrorCode::kDataLoss, fmt::format("ENUM/SET width {} out of range", c.length));
      }
      break;
    }
    case ct::kTiny:
    case ct::kShort:
    case ct::kInt24:
    case ct::kLong:
    case ct::kLongLong:
    case ct::kYear:
    case ct::kDate:
    case ct::kNewDate:
    case ct::kTime:
    case ct::kDatetime:
    case ct::kTimestamp:
    case ct::kNull:
      break;
    default:
      return Fail(ErrorCode::kDataLoss,
                  fmt::format("column type {} is not supported", static_cast<int>(binlog_type)));
  }
  if (!m.ok()) return Fail(ErrorCode::kDataLoss, "TABLE_MAP column metadata is truncated");
  return c;
}

Status DecodeValue(const ColumnCodec& c, BinlogBuffer& in, std::string& out) {
  const bool is_unsigned = c.kind == ValueKind::kUnsigned;
  switch (c.type) {
    case ct::kTiny: {
      uint64_t v = in.Uint(1);
      if (!in.ok()) return Truncated("TINYINT");
      is_unsigned ? AppendUint(v, out) : AppendInt(static_cast<int8_t>(v), out);
      return Ok();
    }
    case ct::kShort: {
      uint64_t v = in.Uint(2);
      if (!in.ok()) return Truncated("SMALLINT");
      is_unsigned ? AppendUint(v, out) : AppendInt(static_cast<int16_t>(v), out);
      return Ok();
    }
    case ct::kInt24: {
      uint64_t v = in.Uint(3);
      if (!in.ok()) return Truncated("MEDIUMINT");
      if (is_unsigned) {
        AppendUint(v, out);
      } else {
        AppendInt((v & 0x800000) ? static_cast<int64_t>(v) - 0x1000000 : static_cast<int64_t>(v),
                  out);
      }
      return Ok();
    }
    case ct::kLong: {
      uint64_t v = in.Uint(4);
      if (!in.ok()) return Truncated("INT");
      is_unsigned ? AppendUint(v, out) : AppendInt(static_cast<int32_t>(v), out);
      return Ok();
    }
    case ct::kLongLong: {
      uint64_t v = in.Uint(8);
      if (!in.ok()) return Truncated("BIGINT");
      is_unsigned ? AppendUint(v, out) : AppendInt(static_cast<int64_t>(v), out);
      return Ok();
    }
    case ct::kFloat: {
      uint32_t bits = static_cast<uint32_t>(in.Uint(4));
      if (!in.ok()) return Truncated("FLOAT");
      float f;
      std::memcpy(&f, &bits, 4);
      AppendFloat(f, out);
      return Ok();
    }
    case ct::kDouble: {
      uint64_t bits = in.Uint(8);
      if (!in.ok()) return Truncated("DOUBLE");
      double d;
      std::memcpy(&d, &bits, 8);
      AppendDouble(d, out);
      return Ok();
    }
    case ct::kNewDecimal: {
      size_t size = DecimalSize(c.precision, c.scale);
      auto b = in.Bytes(size);
      if (!in.ok()) return Truncated("DECIMAL");
      return AppendDecimal(b.data(), c.precision, c.scale, out);
    }
    case ct::kYear: {
      uint64_t v = in.Uint(1);
      if (!in.ok()) return Truncated("YEAR");
      AppendUint(v == 0 ? 0 : v + 1900, out);
      return Ok();
    }
    case ct::kDate:
    case ct::kNewDate: {
      uint64_t v = in.Uint(3);
      if (!in.ok()) return Truncated("DATE");
      char buf[kTemporalBuffer];
      char* p = buf;
      *p++ = '"';
      p = PutDate(static_cast<uint32_t>(v >> 9), static_cast<uint32_t>((v >> 5) & 15),
                  static_cast<uint32_t>(v & 31), p);
      *p++ = '"';
      AppendRange(buf, p, out);
      return Ok();
    }
    case ct::kTime: {
      uint64_t raw = in.Uint(3);
      if (!in.ok()) return Truncated("TIME");
      int64_t v =
          (raw & 0x800000) ? static_cast<int64_t>(raw) - 0x1000000 : static_cast<int64_t>(raw);
      char buf[kTemporalBuffer];
      char* p = buf;
      *p++ = '"';
      if (v < 0) {
        *p++ = '-';
        v = -v;
      }
      p = PutClock(static_cast<uint64_t>(v / 10000), static_cast<uint32_t>(v / 100 % 100),
                   static_cast<uint32_t>(v % 100), p);
      *p++ = '"';
      AppendRange(buf, p, out);
      return Ok();
    }
    case ct::kDatetime: {
      uint64_t v = in.Uint(8);
      if (!in.ok()) return Truncated("DATETIME");
      uint64_t date = v / 1000000, time = v % 1000000;
      char buf[kTemporalBuffer];
      char* p = buf;
      *p++ = '"';
      p = PutDate(static_cast<uint32_t>(date / 10000), static_cast<uint32_t>(date / 100 % 100),
                  static_cast<uint32_t>(date % 100), p);
      *p++ = 'T';
      p = PutClock(time / 10000, static_cast<uint32_t>(time / 100 % 100),
                   static_cast<uint32_t>(time % 100), p);
      *p++ = '"';
      AppendRange(buf, p, out);
      return Ok();
    }
    case ct::kTimestamp: {
      uint32_t v = static_cast<uint32_t>(in.Uint(4));
      if (!in.ok()) return Truncated("TIMESTAMP");
      AppendTimestamp(v, 0, 0, out);
      return Ok();
    }
    case ct::kTimestamp2: {
      auto b = in.Bytes(4 + static_cast<size_t>(FracBytes(c.precision)));
      if (!in.ok()) return Truncated("TIMESTAMP");
      AppendTimestamp(static_cast<uint32_t>(BigEndian(b.data(), 4)),
                      FracMicros(b.data() + 4, c.precision), c.precision, out);
      return Ok();
    }
    case ct::kDatetime2: {
      auto b = in.Bytes(5 + static_cast<size_t>(FracBytes(c.precision)));
      if (!in.ok()) return Truncated("DATETIME");
      uint64_t v = BigEndian(b.data(), 5);
      uint64_t ymdhms = v >= 0x8000000000ULL ? v - 0x8000000000ULL : 0;
      AppendDatetimePacked(ymdhms, FracMicros(b.data() + 5, c.precision), c.precision, out);
      return Ok();
    }
    case ct::kTime2: {
      auto b = in.Bytes(3 + static_cast<size_t>(FracBytes(c.precision)));
      if (!in.ok()) return Truncated("TIME");
      AppendTime2(b.data(), c.precision, out);
      return Ok();
    }
    case ct::kBit: {
      auto b = in.Bytes((c.length + 7) / 8);
      if (!in.ok()) return Truncated("BIT");
      AppendUint(BigEndian(b.data(), b.size()), out);
      return Ok();
    }
    case ct::kEnum: {
      uint64_t v = in.Uint(c.length);
      if (!in.ok()) return Truncated("ENUM");
      if (c.labels.empty()) {
        AppendUint(v, out);
      } else if (v == 0) {
        out.append("\"\"");  // the "invalid value" index MySQL stores for '' in strict-off mode
      } else if (v > c.labels.size()) {
        return Fail(ErrorCode::kDataLoss,
                    fmt::format("ENUM index {} beyond {} labels", v, c.labels.size()));
      } else {
        AppendJsonString(c.labels[v - 1], out);
      }
      return Ok();
    }
    case ct::kSet: {
      uint64_t v = in.Uint(c.length);
      if (!in.ok()) return Truncated("SET");
      if (c.labels.empty()) {
        AppendUint(v, out);
        return Ok();
      }
      out.push_back('"');
      bool first = true;
      for (size_t i = 0; i < c.labels.size() && i < 64; ++i) {
        if (!(v >> i & 1)) continue;
        if (!first) out.push_back(',');
        first = false;
        AppendEscaped(c.labels[i], out);
      }
      out.push_back('"');
      return Ok();
    }
    case ct::kVarchar:
    case ct::kVarString:
    case ct::kString: {
      size_t len = static_cast<size_t>(in.Uint(c.length < 256 ? 1 : 2));
      auto b = in.Bytes(len);
      if (!in.ok()) return Truncated("string");
      if (c.kind == ValueKind::kInet6 || c.kind == ValueKind::kUuid ||
          (c.type == ct::kString && c.charset.kind == Charset::kBinary)) {
        // BINARY(n) values lose their trailing 0x00 bytes in the binlog; restore them.
        uint8_t padded[1024] = {};
        if (c.type == ct::kString && b.size() < c.length && c.length <= sizeof padded) {
          std::memcpy(padded, b.data(), b.size());
          b = std::span<const uint8_t>(padded, c.length);
        }
        if (c.kind == ValueKind::kInet6 && b.size() == 16) {
          AppendInet6(b.data(), out);
        } else if (c.kind == ValueKind::kUuid && b.size() == 16) {
          AppendUuid(b.data(), out);
        } else {
          AppendBase64(b, out);
        }
        return Ok();
      }
      return AppendText(b, c.charset, out);
    }
    case ct::kBlob:
    case ct::kTinyBlob:
    case ct::kMediumBlob:
    case ct::kLongBlob:
    case ct::kGeometry:
    case ct::kJson: {
      size_t len = static_cast<size_t>(in.Uint(c.length));
      auto b = in.Bytes(len);
      if (!in.ok()) return Truncated("BLOB");
      if (c.type == ct::kGeometry) {
        AppendBase64(b, out);
        return Ok();
      }
      if (c.type == ct::kJson) return AppendJsonFromBinary(b, out);
      if (c.kind == ValueKind::kJsonText) return AppendJsonText(b, c.charset, out);
      return AppendText(b, c.charset, out);
    }
    case ct::kNull:
      out.append("null");
      return Ok();
    default:
      return Fail(ErrorCode::kDataLoss,
                  fmt::format("column type {} is not supported", static_cast<int>(c.type)));
  }
}

std::string SqlTypeName(const ColumnCodec& c) {
  const char* u = c.kind == ValueKind::kUnsigned ? " unsigned" : "";
  bool binary = c.charset.kind == Charset::kBinary;
  uint32_t chars = c.charset.max_len ? c.length / c.charset.max_len : c.length;
  switch (c.type) {
    case ct::kTiny:
      return fmt::format("tinyint{}", u);
    case ct::kShort:
      return fmt::format("smallint{}", u);
    case ct::kInt24:
      return fmt::format("mediumint{}", u);
    case ct::kLong:
      return fmt::format("int{}", u);
    case ct::kLongLong:
      return fmt::format("bigint{}", u);
    case ct::kFloat:
      return fmt::format("float{}", u);
    case ct::kDouble:
      return fmt::format("double{}", u);
    case ct::kNewDecimal:
      return fmt::format("decimal({},{}){}", c.precision, c.scale, u);
    case ct::kYear:
      return "year";
    case ct::kDate:
    case ct::kNewDate:
      return "date";
    case ct::kTime:
      return "time";
    case ct::kTime2:
      return c.precision ? fmt::format("time({})", c.precision) : "time";
    case ct::kDatetime:
      return "datetime";
    case ct::kDatetime2:
      return c.precision ? fmt::format("datetime({})", c.precision) : "datetime";
    case ct::kTimestamp:
      return "timestamp";
    case ct::kTimestamp2:
      return c.precision ? fmt::format("timestamp({})", c.precision) : "timestamp";
    case ct::kBit:
      return fmt::format("bit({})", c.length);
    case ct::kEnum:
    case ct::kSet: {
      std::string s = c.type == ct::kEnum ? "enum(" : "set(";
      for (size_t i = 0; i < c.labels.size(); ++i) {
        if (i) s.push_back(',');
        s.push_back('\'');
        s.append(c.labels[i]);
        s.push_back('\'');
      }
      return s + ")";
    }
    case ct::kVarchar:
    case ct::kVarString:
      if (c.kind == ValueKind::kInet6) return "inet6";
      return fmt::format("{}({})", binary ? "varbinary" : "varchar", binary ? c.length : chars);
    case ct::kString:
      if (c.kind == ValueKind::kInet6) return "inet6";
      if (c.kind == ValueKind::kUuid) return "uuid";
      return fmt::format("{}({})", binary ? "binary" : "char", binary ? c.length : chars);
    case ct::kBlob:
    case ct::kTinyBlob:
    case ct::kMediumBlob:
    case ct::kLongBlob: {
      if (c.kind == ValueKind::kJsonText) return "json";
      static constexpr const char* kPrefix[] = {"", "tiny", "", "medium", "long"};
      return fmt::format("{}{}", kPrefix[c.length <= 4 ? c.length : 0], binary ? "blob" : "text");
    }
    case ct::kGeometry:
      return "geometry";
    case ct::kJson:
      return "json";
    default:
      return fmt::format("type{}", static_cast<int>(c.type));
  }
}

}  // namespace inflow::capture::mysql
