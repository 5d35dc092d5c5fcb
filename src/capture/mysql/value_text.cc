// Rendering text and bytes as JSON: JSON string escaping, text columns in their character set
// (charset.cc converts), blobs and binary strings as base64, MariaDB INET6 / UUID, and JSON
// text columns.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <simdjson.h>

#include <array>
#include <string>
#include <string_view>

#include "capture/mysql/value_decoder.h"
#include "capture/mysql/value_format.h"

namespace inflow::capture::mysql {
namespace {

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

}  // namespace

namespace internal {

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

}  // namespace internal

void AppendJsonString(std::string_view utf8, std::string& out) {
  out.push_back('"');
  internal::AppendEscaped(utf8, out);
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

}  // namespace inflow::capture::mysql
