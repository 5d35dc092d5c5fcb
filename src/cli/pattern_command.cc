#include "cli/pattern_command.h"

#include <simdjson.h>

#include <iostream>
#include <memory>

#include "cli/command.h"
#include "common/json_parse.h"
#include "pattern/explain.h"
#include "pattern/matcher.h"
#include "pattern/pattern.h"

namespace inflow::cli {

int RunPatternTest(const std::string& pattern_text, const std::string& event_text, bool explain,
                   std::ostream& out, std::ostream& err) {
  auto parsed = pattern::Pattern::Parse(pattern_text);
  if (!parsed) {
    err << "invalid pattern: " << parsed.error().message() << "\n";
    return kExitBadInput;
  }
  auto matcher = pattern::Matcher::Compile(pattern_text);
  if (!matcher) {
    err << "invalid pattern: " << matcher.error().message() << "\n";
    return kExitBadInput;
  }
  // The whole event is validated here (the matcher alone reads only the fields it needs).
  simdjson::dom::parser parser;
  simdjson::dom::element event;
  simdjson::padded_string padded(event_text);
  if (auto e = parser.parse(padded).get(event)) {
    std::string number = NumberOutOfRange(event_text);
    err << "invalid event: "
        << (number.empty() ? "not valid JSON: " + std::string(simdjson::error_message(e)) : number)
        << "\n";
    return kExitBadInput;
  }
  bool matched = !matcher->Match(event).empty();
  out << (matched ? "match" : "no match") << "\n";
  if (explain && !matched) {
    for (const std::string& line : pattern::Explain(*parsed, event).failures) {
      out << "  " << line << "\n";
    }
  }
  out.flush();
  return matched ? kExitOk : kExitFailure;
}

void AddPatternCommand(CLI::App& app, int* exit_code) {
  auto* group = app.add_subcommand("pattern", "Event pattern tools (offline)");
  group->require_subcommand(1);
  auto* cmd = group->add_subcommand(
      "test", "Test an event pattern against an event: exit 0 match, 1 no match, 2 invalid");
  // Owned by the callback: CLI11 keeps the bound variables alive only through these pointers.
  auto pattern_arg = std::make_shared<std::string>();
  auto event_arg = std::make_shared<std::string>();
  auto explain = std::make_shared<bool>(false);
  cmd->add_option("--pattern,-p", *pattern_arg, "the pattern: inline JSON, a file, or '-'")
      ->required();
  cmd->add_option("--event,-e", *event_arg, "the event: inline JSON, a file, or '-'")->required();
  cmd->add_flag("--explain", *explain, "on no match, say which conditions failed");
  cmd->callback([pattern_arg, event_arg, explain, exit_code] {
    if (*pattern_arg == "-" && *event_arg == "-") {
      std::cerr << "only one of --pattern and --event can read standard input\n";
      *exit_code = kExitBadInput;
      return;
    }
    auto pattern_text = ReadTextArgument(*pattern_arg);
    if (!pattern_text) {
      std::cerr << "pattern: " << pattern_text.error().message() << "\n";
      *exit_code = kExitBadInput;
      return;
    }
    auto event_text = ReadTextArgument(*event_arg);
    if (!event_text) {
      std::cerr << "event: " << event_text.error().message() << "\n";
      *exit_code = kExitBadInput;
      return;
    }
    *exit_code = RunPatternTest(*pattern_text, *event_text, *explain, std::cout, std::cerr);
  });
}

}  // namespace inflow::cli
