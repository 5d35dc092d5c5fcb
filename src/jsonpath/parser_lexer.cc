// The parser's characters and tokens (parser.h): string literals and their escapes, integers,
// numbers, shorthand names, comparison operators, and error positions in code points.
#include <charconv>
#include <cstdlib>
#include <string>

#include "common/hex.h"
#include "jsonpath/iregexp.h"
#include "jsonpath/parser.h"

namespace inflow::jsonpath::internal {

namespace {

void AppendUtf8(char32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

}  // namespace

tl::unexpected<Error> Parser::Err(size_t byte_pos, const std::string& what) const {
  size_t chars = 0;
  for (size_t i = 0; i < byte_pos && i < s_.size(); ++i) {
    if ((static_cast<unsigned char>(s_[i]) & 0xC0) != 0x80) ++chars;
  }
  return Fail(ErrorCode::kInvalidArgument, "position " + std::to_string(chars) + ": " + what);
}
std::string Parser::CharAt(size_t p) const {
  if (p >= s_.size()) return "end of input";
  size_t q = p;
  DecodeUtf8(s_, &q);
  return std::string(s_.substr(p, q - p));
}

std::string Parser::Found() const { return AtEnd() ? "end of input" : "'" + CharAt(pos_) + "'"; }

Selector Parser::ParseShorthandName() {
  size_t start = pos_;
  while (!AtEnd() && IsNameChar(Peek())) ++pos_;
  Selector sel;
  sel.kind = SelectorKind::kName;
  sel.name = std::string(s_.substr(start, pos_ - start));
  return sel;
}

Result<int64_t> Parser::ParseInt() {
  size_t start = pos_;
  bool negative = false;
  if (PeekIs('-')) {
    negative = true;
    ++pos_;
  }
  if (!IsDigit(Peek()) || AtEnd()) return Err(pos_, "expected a digit, found " + Found());
  if (Peek() == '0') {
    if (negative) return Err(start, "'-0' is not a valid integer here");
    ++pos_;
    if (IsDigit(Peek())) return Err(start, "integers may not have leading zeros");
    return 0;
  }
  int64_t v = 0;
  while (!AtEnd() && IsDigit(Peek())) {
    v = v * 10 + (Peek() - '0');
    if (v > kMaxSafeInt) return Err(start, "integer outside ±(2^53−1)");
    ++pos_;
  }
  return negative ? -v : v;
}

// string-literal, single- or double-quoted, with the RFC's escapes (§2.3.1.1).
Result<std::string> Parser::ParseString() {
  char quote = Peek();
  size_t start = pos_;
  ++pos_;
  std::string out;
  while (true) {
    if (AtEnd()) return Err(start, "unterminated string literal");
    char c = Peek();
    if (c == quote) {
      ++pos_;
      return out;
    }
    auto uc = static_cast<unsigned char>(c);
    if (uc < 0x20) return Err(pos_, "control character in a string literal must be escaped");
    if (c != '\\') {
      out.push_back(c);
      ++pos_;
      continue;
    }
    size_t esc = pos_;
    ++pos_;
    char e = Peek();
    if (AtEnd()) return Err(start, "unterminated string literal");
    ++pos_;
    switch (e) {
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case '/':
        out.push_back('/');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case 'u': {
        INFLOW_TRY(char32_t cp, ParseUnicodeEscape(esc));
        AppendUtf8(cp, &out);
        break;
      }
      default:
        if (e == quote) {
          out.push_back(e);
          break;
        }
        return Err(esc, "invalid escape '\\" + CharAt(esc + 1) + "' in a string literal");
    }
  }
}

Result<uint32_t> Parser::Hex4(size_t esc) {
  uint32_t v = 0;
  for (int k = 0; k < 4; ++k) {
    int h = AtEnd() ? -1 : HexDigitValue(Peek());
    if (h < 0) return Err(esc, "'\\u' needs four hex digits");
    v = v * 16 + static_cast<uint32_t>(h);
    ++pos_;
  }
  return v;
}

// After "\u": a non-surrogate, or a high surrogate followed by "\u" and a low surrogate.
Result<char32_t> Parser::ParseUnicodeEscape(size_t esc) {
  INFLOW_TRY(uint32_t hi, Hex4(esc));
  if (hi >= 0xDC00 && hi <= 0xDFFF) return Err(esc, "lone low surrogate in '\\u' escape");
  if (hi < 0xD800 || hi > 0xDBFF) return static_cast<char32_t>(hi);
  if (!PeekIs('\\') || !PeekIs('u', 1)) {
    return Err(esc, "high surrogate must be followed by a '\\u' low surrogate");
  }
  pos_ += 2;
  INFLOW_TRY(uint32_t lo, Hex4(esc));
  if (lo < 0xDC00 || lo > 0xDFFF) return Err(esc, "high surrogate not followed by a low one");
  return static_cast<char32_t>(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00));
}

Status Parser::ParseNumber(Literal* lit) {
  size_t start = pos_;
  if (PeekIs('-')) ++pos_;
  if (!IsDigit(Peek()) || AtEnd()) return Err(pos_, "expected a digit, found " + Found());
  if (PeekIs('0')) {
    ++pos_;
    if (IsDigit(Peek()) && !AtEnd()) return Err(start, "numbers may not have leading zeros");
  } else {
    while (!AtEnd() && IsDigit(Peek())) ++pos_;
  }
  bool is_int = true;
  if (PeekIs('.')) {
    is_int = false;
    ++pos_;
    if (!IsDigit(Peek()) || AtEnd()) return Err(pos_, "expected a digit after '.'");
    while (!AtEnd() && IsDigit(Peek())) ++pos_;
  }
  if (PeekIs('e') || PeekIs('E')) {
    is_int = false;
    ++pos_;
    if (PeekIs('+') || PeekIs('-')) ++pos_;
    if (!IsDigit(Peek()) || AtEnd()) return Err(pos_, "expected a digit in the exponent");
    while (!AtEnd() && IsDigit(Peek())) ++pos_;
  }
  std::string_view text = s_.substr(start, pos_ - start);
  if (is_int) {
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec == std::errc() && ptr == text.data() + text.size()) {
      lit->kind = Literal::Kind::kInt;
      lit->i = v;
      return Ok();
    }
  }
  lit->kind = Literal::Kind::kDouble;
  // strtod over a NUL-terminated copy: saturates to ±inf on overflow instead of failing.
  lit->d = std::strtod(std::string(text).c_str(), nullptr);
  return Ok();
}

std::optional<CompareOp> Parser::ParseCompareOp() {
  char a = Peek();
  bool eq_next = PeekIs('=', 1);
  if (a == '=' && eq_next) {
    pos_ += 2;
    return CompareOp::kEq;
  }
  if (a == '!' && eq_next) {
    pos_ += 2;
    return CompareOp::kNe;
  }
  if (a == '<') {
    pos_ += eq_next ? 2 : 1;
    return eq_next ? CompareOp::kLe : CompareOp::kLt;
  }
  if (a == '>') {
    pos_ += eq_next ? 2 : 1;
    return eq_next ? CompareOp::kGe : CompareOp::kGt;
  }
  return std::nullopt;
}

}  // namespace inflow::jsonpath::internal
