#include "cli/transform_command.h"

#include <simdjson.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/command.h"
#include "sink/render.h"

namespace inflow::cli {
namespace {

// A plain (unquoted) YAML scalar typed by the YAML 1.2 core schema; quoted scalars stay strings.
nlohmann::json PlainScalar(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  // Numbers: only sign, digits, '.', and an exponent (no inf/nan/hex), read in full.
  bool has_digit = false, integral = true;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
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

// The sink section as JSON; YAML is accepted too (JSON is tried first: it is also YAML, but
// YAML would type its scalars differently).
Result<nlohmann::json> ParseSinkDocument(const std::string& text) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_discarded()) return doc;
  try {
    return YamlToJson(YAML::Load(text), 0);
  } catch (const YAML::Exception& e) {
    return Fail(
        InvalidArgument(std::string("sink: neither valid JSON nor valid YAML: ") + e.what()));
  }
}

}  // namespace

std::string MessageJsonLine(const sink::Message& message) {
  nlohmann::ordered_json line = nlohmann::ordered_json::object();
  if (!message.topic.empty()) line["topic"] = message.topic;
  if (message.tag) line["tag"] = *message.tag;
  if (!message.keys.empty()) line["keys"] = message.keys;
  if (!message.properties.empty()) {
    nlohmann::ordered_json properties = nlohmann::ordered_json::object();
    for (const auto& [name, value] : message.properties) properties[name] = value;
    line["properties"] = std::move(properties);
  }
  line["body"] = message.body;
  if (message.sharding_key) line["sharding_key"] = *message.sharding_key;
  // Bodies are bytes: invalid UTF-8 is shown as U+FFFD rather than aborting the dump.
  return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

int RunTransformTest(const std::string& sink_arg, const std::string& event_arg, std::ostream& out,
                     std::ostream& err) {
  if (sink_arg == "-" && event_arg == "-") {
    err << "only one of --sink and --event can read standard input\n";
    return kExitBadInput;
  }
  auto sink_text = ReadTextArgument(sink_arg);
  if (!sink_text) {
    err << "sink: " << sink_text.error().message() << "\n";
    return kExitBadInput;
  }
  auto sink_doc = ParseSinkDocument(*sink_text);
  if (!sink_doc) {
    err << sink_doc.error().message() << "\n";
    return kExitBadInput;
  }
  auto spec = sink::SinkSpec::Parse(*sink_doc);
  if (!spec) {
    err << "invalid sink: " << spec.error().message() << "\n";
    return kExitBadInput;
  }

  auto event_text = ReadTextArgument(event_arg);
  if (!event_text) {
    err << "event: " << event_text.error().message() << "\n";
    return kExitBadInput;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto e = parser.parse(*event_text).get(root); e) {
    err << "event: not valid JSON: " << simdjson::error_message(e) << "\n";
    return kExitBadInput;
  }

  std::vector<simdjson::dom::element> events;
  simdjson::dom::array array;
  if (!root.get_array().get(array)) {
    for (simdjson::dom::element e : array) events.push_back(e);
  } else {
    events.push_back(root);
  }
  int rc = kExitOk;
  for (size_t i = 0; i < events.size(); ++i) {
    auto messages = sink::Render(*spec, events[i]);
    if (!messages) {
      err << "event " << i << ": " << messages.error().message() << "\n";
      rc = kExitFailure;
      continue;
    }
    for (const auto& m : *messages) out << MessageJsonLine(m) << "\n";
  }
  out.flush();
  return rc;
}

void AddTransformCommand(CLI::App& app, int* exit_code) {
  CLI::App* transform = app.add_subcommand("transform", "Offline message transformation tools");
  transform->require_subcommand(1);
  CLI::App* test = transform->add_subcommand(
      "test", "Print the RocketMQ messages a sink section renders from events (no server needed)");
  auto sink = std::make_shared<std::string>();
  auto event = std::make_shared<std::string>();
  test->add_option("--sink", *sink,
                   "sink section (topic, body, properties, keys, tag): a JSON/YAML file, - or "
                   "inline JSON")
      ->required();
  test->add_option("--event", *event,
                   "an event or a JSON array of events: a file, - or inline JSON")
      ->required();
  test->callback([sink, event, exit_code] {
    *exit_code = RunTransformTest(*sink, *event, std::cout, std::cerr);
  });
}

}  // namespace inflow::cli
