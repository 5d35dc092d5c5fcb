// Character sets: MySQL's names and collation ids, their width, and the conversion of text
// in them to UTF-8 (utf8, ascii and latin1 by hand, the others through glibc iconv).
#include <fmt/format.h>
#include <iconv.h>
#include <simdjson.h>

#include <map>
#include <string>
#include <string_view>

#include "capture/mysql/value_decoder.h"

namespace inflow::capture::mysql {
namespace {

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

}  // namespace

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

}  // namespace inflow::capture::mysql
