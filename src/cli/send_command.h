// `inflow send`: reads messages line by line (raw bodies or JSON envelopes, the shape of a
// dead-letter record) and sends them to a RocketMQ topic with inflow's own producer.
//
// Thread safety: registration on the main thread; the command runs once.
#ifndef INFLOW_CLI_SEND_COMMAND_H_
#define INFLOW_CLI_SEND_COMMAND_H_

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "sink/message.h"

namespace inflow::cli {

void AddSendCommand(CLI::App& app, int* exit_code);

// Defaults from the command line, applied to every line.
struct SendDefaults {
  std::string topic;
  std::optional<std::string> tag;
  std::vector<std::string> keys;
  std::vector<std::pair<std::string, std::string>> properties;
};

// One input line as a message. Raw: the line is the body. Envelope: a JSON object
// {"body","tag","keys","properties","topic"}; its fields override the defaults ("keys" is a
// string of space-separated keys or an array of strings; non-string body and property values
// are sent as compact JSON). Errors name the field.
Result<sink::Message> ParseSendLine(std::string_view line, bool envelope,
                                    const SendDefaults& defaults);

}  // namespace inflow::cli

#endif  // INFLOW_CLI_SEND_COMMAND_H_
