// The inflow binary: wires every subcommand into one CLI11 application.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/capture_command.h"
#include "cli/command.h"
#include "cli/jsonpath_command.h"
#include "cli/pattern_command.h"
#include "cli/run_command.h"
#include "cli/send_command.h"
#include "cli/transform_command.h"
#include "common/version.h"

int main(int argc, char** argv) {
  CLI::App app{"inflow: stream database changes into Apache RocketMQ"};
  app.set_version_flag("--version", std::string("inflow ") + inflow::Version());
  app.require_subcommand(1);
  int exit_code = inflow::cli::kExitOk;
  inflow::cli::AddCaptureCommand(app, &exit_code);
  inflow::cli::AddJsonpathCommand(app, &exit_code);
  inflow::cli::AddPatternCommand(app, &exit_code);
  inflow::cli::AddRunCommand(app, &exit_code);
  inflow::cli::AddSendCommand(app, &exit_code);
  inflow::cli::AddTransformCommand(app, &exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : inflow::cli::kExitBadInput;
  }
  return exit_code;
}
