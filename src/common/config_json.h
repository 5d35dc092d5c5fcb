// Validation helpers for configuration sections held as nlohmann::json: each reports problems
// into a ConfigErrors with the field path, so one pass finds every error.
//
// Thread safety: pure functions.
#ifndef INFLOW_COMMON_CONFIG_JSON_H_
#define INFLOW_COMMON_CONFIG_JSON_H_

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/config_errors.h"
#include "common/result.h"

namespace inflow {

// Checks that `config` is an object whose keys are all in `allowed`; reports each unknown key.
// Returns false when `config` is not an object at all.
bool CheckObject(const nlohmann::json& config, std::string_view where,
                 std::initializer_list<std::string_view> allowed, ConfigErrors* errors);

// A required or optional string member; reports a missing / mistyped one.
std::string StringMember(const nlohmann::json& config, std::string_view key, std::string_view where,
                         bool required, ConfigErrors* errors);

// An optional integer member within [lo, hi], else `fallback`.
int64_t IntMember(const nlohmann::json& config, std::string_view key, std::string_view where,
                  int64_t lo, int64_t hi, int64_t fallback, ConfigErrors* errors);

// Reads a configuration document: JSON, or YAML converted to the same JSON tree (plain YAML
// scalars are typed by the YAML 1.2 core schema — 42 a number, true a boolean, ~ null — and
// quoted scalars stay strings). The format is chosen by content, never by trying one then the
// other: text whose first non-blank character is '{' or '[' is JSON (ParseJson, so a trailing
// comma or invalid UTF-8 is a JSON error, not YAML read leniently), anything else YAML. Both
// are bounded: nesting to kMaxJsonDepth, numbers to what int64 / uint64 / double hold, and
// YAML aliases to 250 000 values and 16 MiB of text. Errors name `what` ("task", "sink")
// and the line and column.
Result<nlohmann::json> ParseConfigDocument(std::string_view text, std::string_view what);

}  // namespace inflow

#endif  // INFLOW_COMMON_CONFIG_JSON_H_
