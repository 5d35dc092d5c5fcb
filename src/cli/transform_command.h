// `inflow transform test --sink SINK --event E`: renders, without a server, the RocketMQ
// messages a sink section (topic, body, properties, keys, tag; sink/render.h) makes of an event.
//
// SINK and E are a file, `-` (standard input) or inline JSON; the sink file may be YAML. E may be
// one event or a JSON array of events (one message per element, as the sink treats a function's
// array result). Each message is printed as one JSON line
// {"topic","tag","keys","properties","body","sharding_key"} with absent fields omitted and the
// body as a string. Exit 0 when every event rendered, 1 when an event failed to render (its error
// on stderr; the others are still printed), 2 on an invalid sink section or event text.
//
// Thread safety: registration happens once on the main thread before parsing.
#ifndef INFLOW_CLI_TRANSFORM_COMMAND_H_
#define INFLOW_CLI_TRANSFORM_COMMAND_H_

#include <CLI/CLI.hpp>
#include <string>

#include "common/result.h"
#include "sink/message.h"

namespace inflow::cli {

void AddTransformCommand(CLI::App& app, int* exit_code);

// Runs `transform test`: writes messages to `out` and diagnostics to `err`, returns the exit code.
int RunTransformTest(const std::string& sink_arg, const std::string& event_arg, std::ostream& out,
                     std::ostream& err);

// The JSON line printed for one message.
std::string MessageJsonLine(const sink::Message& message);

}  // namespace inflow::cli

#endif  // INFLOW_CLI_TRANSFORM_COMMAND_H_
