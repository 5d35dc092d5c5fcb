// The one way inflow parses JSON text that comes from outside (task and sink files, envelope
// lines, inline arguments) into nlohmann::json. nlohmann's parser itself is iterative, but
// copying, dumping and comparing a tree recurse once per level, so a hostile document of a few
// thousand levels overflows the stack long after it was "parsed". Nesting is therefore bounded
// before the parser runs, and numbers no double or 64-bit integer can hold are refused rather
// than silently rounded (nlohmann reads a 30-digit integer as an approximate double).
//
//   auto doc = ParseJson(line);
//   if (!doc) return Fail(doc.error().WithContext("envelope"));
//
// Thread safety: pure functions.
#ifndef INFLOW_COMMON_JSON_PARSE_H_
#define INFLOW_COMMON_JSON_PARSE_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/result.h"

namespace inflow {

// The deepest nesting of arrays and objects any JSON or YAML input may have. Room for a
// CloudEvent envelope around a MySQL JSON value (which stops at 100 levels).
inline constexpr int kMaxJsonDepth = 128;

// The standard wording for a nesting error, shared with the YAML reader.
std::string NestedTooDeeply();

// Line and column (both from 1) of byte `offset` of `text`, as "line L, column C".
std::string TextPosition(std::string_view text, size_t offset);

// Scans JSON text without building anything: fails (kInvalidArgument) on nesting deeper than
// kMaxJsonDepth ("nested too deeply (limit 128) at line 1, column 129") or a number out of range
// ("number out of range at line 1, column 6: 1e400"). Syntax is left to the parser.
Status CheckJsonLimits(std::string_view text);

// For JSON text another parser (simdjson) refused: "number out of range at line L, column C:
// TOKEN" when `text` holds a number no int64, uint64 or double holds (simdjson's own words for
// that are "Problem while parsing a number"), else "".
std::string NumberOutOfRange(std::string_view text);

// CheckJsonLimits, then nlohmann's parser. Syntax errors read "not valid JSON: parse error at
// line L, column C: ..." (invalid UTF-8 and unescaped control characters included).
Result<nlohmann::json> ParseJson(std::string_view text);

}  // namespace inflow

#endif  // INFLOW_COMMON_JSON_PARSE_H_
