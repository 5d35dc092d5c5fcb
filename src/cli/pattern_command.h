// `inflow pattern test --pattern P --event E [--explain]`: tests an event pattern against one
// event, without a server.
//
// P and E are each inline JSON, a file path or "-" (standard input; at most one of them). Prints
// "match" or "no match" and exits 0 on match, 1 on no match, 2 on invalid input (the reason on
// stderr, naming the JSON path inside the pattern). --explain adds, on no match, one line per
// failed condition.
//
// Thread safety: registration happens once on the main thread before parsing.
#ifndef INFLOW_CLI_PATTERN_COMMAND_H_
#define INFLOW_CLI_PATTERN_COMMAND_H_

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>

namespace inflow::cli {

void AddPatternCommand(CLI::App& app, int* exit_code);

// Runs the test on texts already read: writes the verdict to `out`, diagnostics to `err`, and
// returns the exit code.
int RunPatternTest(const std::string& pattern, const std::string& event, bool explain,
                   std::ostream& out, std::ostream& err);

}  // namespace inflow::cli

#endif  // INFLOW_CLI_PATTERN_COMMAND_H_
