#include "common/json_parse.h"

#include <charconv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdlib>

namespace inflow {
namespace {

bool IsNumberChar(char c) {
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

// True when `token` is a well-formed JSON number that no int64, uint64 or finite double holds.
// Malformed tokens are the parser's to report; underflow reads as 0 like everywhere else.
bool OutOfRange(std::string_view token) {
  if (token.find_first_of(".eE") == std::string_view::npos) {
    std::string_view digits = token.front() == '-' ? token.substr(1) : token;
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos) {
      return false;
    }
    const char* end = token.data() + token.size();
    if (token.front() == '-') {
      int64_t v;
      return std::from_chars(token.data(), end, v).ec == std::errc::result_out_of_range;
    }
    uint64_t v;
    return std::from_chars(token.data(), end, v).ec == std::errc::result_out_of_range;
  }
  std::string copy(token);  // strtod needs a terminated string
  char* end = nullptr;
  double v = std::strtod(copy.c_str(), &end);
  return end == copy.c_str() + copy.size() && std::isinf(v);
}

}  // namespace

std::string NestedTooDeeply() {
  return "nested too deeply (limit " + std::to_string(kMaxJsonDepth) + ")";
}

std::string TextPosition(std::string_view text, size_t offset) {
  size_t line = 1, line_start = 0;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(offset - line_start + 1);
}

namespace {

// CheckJsonLimits with nesting bounded to `max_depth`.
Status ScanJson(std::string_view text, int max_depth) {
  int depth = 0;
  for (size_t i = 0; i < text.size();) {
    char c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\') ++i;
      }
      ++i;  // the closing quote (past the end when unterminated: the parser reports that)
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        return Fail(InvalidArgument(NestedTooDeeply() + " at " + TextPosition(text, i)));
      }
      ++i;
    } else if (c == ']' || c == '}') {
      if (depth > 0) --depth;
      ++i;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      size_t start = i;
      while (i < text.size() && IsNumberChar(text[i])) ++i;
      std::string_view token = text.substr(start, i - start);
      if (OutOfRange(token)) {
        return Fail(InvalidArgument("number out of range at " + TextPosition(text, start) + ": " +
                                    std::string(token.substr(0, 40))));
      }
    } else {
      ++i;
    }
  }
  return Ok();
}

}  // namespace

Status CheckJsonLimits(std::string_view text) { return ScanJson(text, kMaxJsonDepth); }

std::string NumberOutOfRange(std::string_view text) {
  auto status = ScanJson(text, INT_MAX);
  return status ? std::string() : status.error().message();
}

Result<nlohmann::json> ParseJson(std::string_view text) {
  INFLOW_RETURN_IF_ERROR(CheckJsonLimits(text));
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    // what() starts with "[json.exception.parse_error.101] ": an internal id, not for users.
    std::string_view message = e.what();
    if (size_t end = message.find("] ");
        message.rfind("[json.exception.", 0) == 0 && end != std::string_view::npos) {
      message.remove_prefix(end + 2);
    }
    return Fail(InvalidArgument("not valid JSON: " + std::string(message)));
  }
}

}  // namespace inflow
