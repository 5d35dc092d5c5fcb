#include "common/config_json.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

namespace inflow {

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

namespace {

// A plain (unquoted) YAML scalar typed by the YAML 1.2 core schema.
nlohmann::json PlainScalar(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  // Numbers: only sign, digits, '.', and an exponent (no inf/nan/hex), read in full.
  bool has_digit = false, integral = true;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      has_digit = true;
    } else if (c == '.' || c == 'e' || c == 'E') {
      integral = false;
    } else if (!(c == '+' || c == '-')) {
      return s;
    }
  }
  if (!has_digit) return s;
  errno = 0;
  char* end = nullptr;
  if (integral) {
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (errno == 0 && end == s.c_str() + s.size()) return v;
    return s;
  }
  double d = std::strtod(s.c_str(), &end);
  if (errno == 0 && end == s.c_str() + s.size()) return d;
  return s;
}

// REQUIRES: called inside a try block (yaml-cpp reports errors by exceptions).
nlohmann::json YamlToJson(const YAML::Node& node, int depth) {
  if (depth > 64) throw YAML::Exception(node.Mark(), "nested deeper than 64 levels");
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      if (node.Tag() == "!") return node.Scalar();  // quoted: always a string
      return PlainScalar(node.Scalar());
    case YAML::NodeType::Sequence: {
      nlohmann::json array = nlohmann::json::array();
      for (const auto& item : node) array.push_back(YamlToJson(item, depth + 1));
      return array;
    }
    case YAML::NodeType::Map: {
      nlohmann::json object = nlohmann::json::object();
      for (const auto& item : node) {
        object[item.first.as<std::string>()] = YamlToJson(item.second, depth + 1);
      }
      return object;
    }
    default:
      return nullptr;
  }
}

}  // namespace

Result<nlohmann::json> ParseConfigDocument(std::string_view text, std::string_view what) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_discarded()) return doc;
  try {
    return YamlToJson(YAML::Load(std::string(text)), 0);
  } catch (const YAML::Exception& e) {
    return Fail(
        InvalidArgument(std::string(what) + ": neither valid JSON nor valid YAML: " + e.what()));
  }
}

}  // namespace inflow
