#include "cli/transform_command.h"

#include <simdjson.h>

#include <cstdint>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/command.h"
#include "common/config_json.h"
#include "common/json_parse.h"
#include "sink/render.h"
#include "sink/rocketmq/message_codec.h"

namespace inflow::cli {

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
  if (message.unique_key) line["unique_key"] = *message.unique_key;
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
  auto sink_doc = ParseConfigDocument(*sink_text, "sink");
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
    std::string number = NumberOutOfRange(*event_text);
    err << "event: "
        << (number.empty() ? "not valid JSON: " + std::string(simdjson::error_message(e)) : number)
        << "\n";
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
    for (const auto& m : *messages) {
      // The producer's own rule (what `inflow send` and the task refuse), so a message shown
      // here is one RocketMQ takes; the topic is optional in a sink section tried offline.
      if (Status valid = sink::rocketmq::ValidateMessageFields(m); !valid) {
        err << "event " << i << ": the message would be refused: " << valid.error().message()
            << "\n";
        rc = kExitFailure;
        continue;
      }
      out << MessageJsonLine(m) << "\n";
    }
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
