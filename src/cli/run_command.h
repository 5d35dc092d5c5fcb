// `inflow run TASK.yaml [--data DIR]`: runs a task file's inline tracking instance and its task
// in the foreground until SIGINT / SIGTERM, then finishes in-flight work, commits and exits 0.
#ifndef INFLOW_CLI_RUN_COMMAND_H_
#define INFLOW_CLI_RUN_COMMAND_H_

#include <CLI/CLI.hpp>

namespace inflow::cli {

void AddRunCommand(CLI::App& app, int* exit_code);

}  // namespace inflow::cli

#endif  // INFLOW_CLI_RUN_COMMAND_H_
