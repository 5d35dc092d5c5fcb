// Shared validation for transform step configurations (nlohmann::json in, field paths out).
//
// Thread safety: pure functions.
#ifndef INFLOW_TRANSFORM_CONFIG_UTIL_H_
#define INFLOW_TRANSFORM_CONFIG_UTIL_H_

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/config_errors.h"

namespace inflow::transform {

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

}  // namespace inflow::transform

#endif  // INFLOW_TRANSFORM_CONFIG_UTIL_H_
