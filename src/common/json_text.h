// Small helpers to write JSON text by hand on hot paths (no DOM): string escaping and numbers.
//
// Thread safety: pure functions.
#ifndef INFLOW_COMMON_JSON_TEXT_H_
#define INFLOW_COMMON_JSON_TEXT_H_

#include <string>
#include <string_view>

namespace inflow {

// Appends `s` escaped for the inside of a JSON string literal (no quotes): control characters,
// '"' and '\\' are escaped; bytes >= 0x80 are copied. REQUIRES: `s` is valid UTF-8.
void AppendJsonEscaped(std::string* out, std::string_view s);

// Appends `s` as a quoted JSON string. Control characters, '"' and '\\' are escaped; bytes
// >= 0x80 are copied as they are. REQUIRES: `s` is valid UTF-8 (see IsValidUtf8).
void AppendJsonString(std::string* out, std::string_view s);

// Appends `s` as a quoted JSON string like AppendJsonString, for text that may not be UTF-8
// (database values in a declared charset that lied): each byte that does not begin a
// well-formed UTF-8 sequence becomes U+FFFD, so the output is always valid JSON.
void AppendJsonStringLossy(std::string* out, std::string_view s);

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view s);

// The length (1-4) of the well-formed UTF-8 sequence that starts at s[i], or 0 when none does.
// REQUIRES: i < s.size().
size_t Utf8SequenceLength(std::string_view s, size_t i);

// Appends a double as JSON: integral values of magnitude < 2^53 without a fraction ("42"),
// others in the shortest form that reads back to the same double. REQUIRES: finite.
void AppendJsonNumber(std::string* out, double v);

}  // namespace inflow

#endif  // INFLOW_COMMON_JSON_TEXT_H_
