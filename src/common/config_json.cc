#include "common/config_json.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/json_parse.h"
#include "common/json_text.h"

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

// Bounds on what YAML aliases may expand to: each alias is a reference in yaml-cpp's node
// graph, but a copy in the JSON tree, so nine levels of nine aliases ("billion laughs") turn a
// 1 KB file into 387 million values. Real configuration documents stay far below both limits.
constexpr size_t kMaxYamlValues = 250'000;
constexpr size_t kMaxYamlScalarBytes = 16 << 20;

struct YamlBudget {
  size_t values = 0;
  size_t scalar_bytes = 0;
};

// yaml-cpp marks count from 0.
std::string YamlPosition(const YAML::Mark& mark) {
  if (mark.is_null()) return "";
  return " at line " + std::to_string(mark.line + 1) + ", column " +
         std::to_string(mark.column + 1);
}

// Thrown inside the conversion and caught in ParseConfigDocument: the walk is recursive.
struct YamlConversionError {
  std::string message;
};

// A plain (unquoted) YAML scalar typed by the YAML 1.2 core schema.
nlohmann::json PlainScalar(const YAML::Node& node) {
  const std::string& s = node.Scalar();
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
    if (end != s.c_str() + s.size()) return s;
    if (errno == 0) return v;
    if (s[0] != '-') {
      errno = 0;
      unsigned long long u = std::strtoull(s.c_str(), &end, 10);
      if (errno == 0 && end == s.c_str() + s.size()) return u;
    }
  } else {
    double d = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size()) return s;
    if (!std::isinf(d)) return d;  // underflow reads as 0, as in JSON
  }
  // A number no int64, uint64 or double holds: refused like in JSON, never a silent string.
  throw YamlConversionError{"number out of range" + YamlPosition(node.Mark()) + ": " +
                            s.substr(0, 40)};
}

void Charge(YamlBudget* budget, size_t scalar_bytes, const YAML::Node& node) {
  budget->scalar_bytes += scalar_bytes;
  if (++budget->values > kMaxYamlValues || budget->scalar_bytes > kMaxYamlScalarBytes) {
    throw YamlConversionError{"aliases expand to more than " + std::to_string(kMaxYamlValues) +
                              " values or " + std::to_string(kMaxYamlScalarBytes >> 20) +
                              " MiB of text (limit)" + YamlPosition(node.Mark())};
  }
}

// `depth` is the number of collections around `node`.
nlohmann::json YamlToJson(const YAML::Node& node, int depth, YamlBudget* budget) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      Charge(budget, node.Scalar().size(), node);
      // yaml-cpp passes bytes through; a JSON tree must hold UTF-8 (dump() throws otherwise).
      if (!IsValidUtf8(node.Scalar())) {
        throw YamlConversionError{"not valid UTF-8" + YamlPosition(node.Mark())};
      }
      if (node.Tag() == "!") return node.Scalar();  // quoted: always a string
      return PlainScalar(node);
    case YAML::NodeType::Sequence:
    case YAML::NodeType::Map:
      break;
    default:
      Charge(budget, 0, node);
      return nullptr;
  }
  // A YAML alias may also refer to a collection that contains it: a cycle ends here too.
  if (depth + 1 > kMaxJsonDepth) {
    throw YamlConversionError{NestedTooDeeply() + YamlPosition(node.Mark())};
  }
  Charge(budget, 0, node);
  if (node.Type() == YAML::NodeType::Sequence) {
    nlohmann::json array = nlohmann::json::array();
    for (const auto& item : node) array.push_back(YamlToJson(item, depth + 1, budget));
    return array;
  }
  nlohmann::json object = nlohmann::json::object();
  for (const auto& item : node) {
    std::string key = item.first.as<std::string>();  // a collection as a key throws
    Charge(budget, key.size(), item.first);
    if (!IsValidUtf8(key)) {
      throw YamlConversionError{"not valid UTF-8" + YamlPosition(item.first.Mark())};
    }
    if (object.contains(key)) {
      throw YamlConversionError{"duplicate key '" + key + "'" + YamlPosition(item.first.Mark())};
    }
    object[key] = YamlToJson(item.second, depth + 1, budget);
  }
  return object;
}

// True when the first character that is not blank (or a UTF-8 byte order mark) opens a JSON
// array or object: such text is JSON and only JSON, so its errors come from the JSON parser.
bool LooksLikeJson(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  size_t i = text.find_first_not_of(" \t\r\n");
  return i != std::string_view::npos && (text[i] == '{' || text[i] == '[');
}

// nlohmann keeps the last of duplicate object keys without a word; a config document that
// names a key twice is a mistake (which one was meant?). Returns the first duplicate's path.
// A SAX pass with an explicit stack: no recursion, whatever the nesting.
class DuplicateKeyFinder : public nlohmann::json_sax<nlohmann::json> {
 public:
  std::optional<std::string> duplicate;

  bool key(string_t& k) override {
    Frame& f = stack_.back();
    if (!f.keys.insert(k).second) {
      std::string path;
      for (size_t i = 0; i + 1 < stack_.size(); ++i) path = Step(path, stack_[i]);
      duplicate = JoinPath(path, k);
      return false;  // stop parsing
    }
    f.key = k;
    return true;
  }
  bool start_object(std::size_t) override { return Push(true); }
  bool start_array(std::size_t) override { return Push(false); }
  bool end_object() override { return Pop(); }
  bool end_array() override { return Pop(); }
  bool null() override { return Value(); }
  bool boolean(bool) override { return Value(); }
  bool number_integer(number_integer_t) override { return Value(); }
  bool number_unsigned(number_unsigned_t) override { return Value(); }
  bool number_float(number_float_t, const string_t&) override { return Value(); }
  bool string(string_t&) override { return Value(); }
  bool binary(binary_t&) override { return Value(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  struct Frame {
    bool object = false;
    std::set<std::string> keys;
    std::string key;
    size_t index = 0;  // arrays: the index of the next element
  };
  static std::string Step(const std::string& path, const Frame& f) {
    if (f.object) return JoinPath(path, f.key);
    return path + "[" + std::to_string(f.index - 1) + "]";
  }
  bool Value() {
    if (!stack_.empty() && !stack_.back().object) ++stack_.back().index;
    return true;
  }
  bool Push(bool object) {
    Value();
    stack_.push_back(Frame{object, {}, {}, 0});
    return true;
  }
  bool Pop() {
    stack_.pop_back();
    return true;
  }
  std::vector<Frame> stack_;
};

std::optional<std::string> FindDuplicateKey(std::string_view json) {
  DuplicateKeyFinder finder;
  nlohmann::json::sax_parse(json, &finder, nlohmann::json::input_format_t::json,
                            /*strict=*/true, /*ignore_comments=*/false);
  return finder.duplicate;
}

}  // namespace

Result<nlohmann::json> ParseConfigDocument(std::string_view text, std::string_view what) {
  if (LooksLikeJson(text)) {
    auto doc = ParseJson(text);
    if (!doc) return Fail(InvalidArgument(std::string(what) + ": " + doc.error().message()));
    if (auto key = FindDuplicateKey(text)) {
      return Fail(InvalidArgument(std::string(what) + ": " + *key +
                                  ": duplicate key (a key may appear once in an object)"));
    }
    return doc;
  }
  try {
    YamlBudget budget;
    return YamlToJson(YAML::Load(std::string(text)), 0, &budget);
  } catch (const YamlConversionError& e) {
    return Fail(InvalidArgument(std::string(what) + ": " + e.message));
  } catch (const YAML::Exception& e) {
    return Fail(InvalidArgument(std::string(what) + ": not valid YAML: " + e.what()));
  }
}

}  // namespace inflow
