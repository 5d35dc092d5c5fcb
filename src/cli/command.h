// The contract between the `inflow` binary and each of its subcommands.
//
// A subcommand lives in its own file (`send_command.cc`, `pattern_command.cc`, …) and exposes
// one function `void AddXxxCommand(CLI::App& app, int* exit_code)` that registers its options
// on `app` and, when it runs, stores the process exit code in *exit_code. src/server/main.cc
// calls every Add function. Subcommands write results to stdout and diagnostics to stderr.
//
// Thread safety: registration happens once on the main thread before parsing.
#ifndef INFLOW_CLI_COMMAND_H_
#define INFLOW_CLI_COMMAND_H_

#include <CLI/CLI.hpp>
#include <string>

#include "common/result.h"

namespace inflow::cli {

// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;   // the command ran and the answer is "no" / some failed
inline constexpr int kExitBadInput = 2;  // invalid arguments or input

// Reads an argument that is either inline text, "-" (standard input) or a file path.
// Inline text is recognised by its first non-blank character being '{' or '['.
Result<std::string> ReadTextArgument(const std::string& arg);

// Reads a whole file, or standard input for "-" (common/file_text.h: a directory or a read
// error is an error value, "cannot read PATH: Is a directory").
Result<std::string> ReadFileOrStdin(const std::string& path);

}  // namespace inflow::cli

#endif  // INFLOW_CLI_COMMAND_H_
