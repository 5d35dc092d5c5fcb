#include "transform/config_util.h"

#include <algorithm>

namespace inflow::transform {

bool CheckObject(const nlohmann::json& config, std::string_view where,
                 std::initializer_list<std::string_view> allowed, ConfigErrors* errors) {
  if (!config.is_object()) {
    errors->Add(where, std::string("must be an object, not ") + config.type_name());
    return false;
  }
  for (const auto& [key, value] : config.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string list;
      for (auto a : allowed) {
        if (!list.empty()) list += ", ";
        list += a;
      }
      errors->Add(JoinPath(where, key), "unknown key (expected one of: " + list + ")");
    }
  }
  return true;
}

std::string StringMember(const nlohmann::json& config, std::string_view key, std::string_view where,
                         bool required, ConfigErrors* errors) {
  auto it = config.find(key);
  if (it == config.end()) {
    if (required) errors->Add(JoinPath(where, key), "is required");
    return {};
  }
  if (!it->is_string()) {
    errors->Add(JoinPath(where, key), std::string("must be a string, not ") + it->type_name());
    return {};
  }
  return it->get<std::string>();
}

int64_t IntMember(const nlohmann::json& config, std::string_view key, std::string_view where,
                  int64_t lo, int64_t hi, int64_t fallback, ConfigErrors* errors) {
  auto it = config.find(key);
  if (it == config.end()) return fallback;
  if (!it->is_number_integer()) {
    errors->Add(JoinPath(where, key), "must be an integer");
    return fallback;
  }
  int64_t v = it->get<int64_t>();
  if (v < lo || v > hi) {
    errors->Add(JoinPath(where, key),
                "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
    return fallback;
  }
  return v;
}

}  // namespace inflow::transform
