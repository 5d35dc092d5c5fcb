#include "cli/capture_command.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli/command.h"

namespace inflow::cli {
namespace {

// Parses `inflow capture ARGS` (the source URL is invalid, so a run that gets past the flags
// stops at once with exit 2 without connecting anywhere). Returns the exit code, or -1 when the
// flags were refused (CLI::ValidationError: exit 2 from main).
int Capture(std::vector<std::string> args) {
  CLI::App app;
  int exit_code = -1;
  AddCaptureCommand(app, &exit_code);
  args.insert(args.begin(), {"inflow", "capture", "--source", "not-a-url"});
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ValidationError&) {
    return -1;
  }
  return exit_code;
}

TEST(CaptureCommand, RefusesTimeoutsAndLimitsTheCastsCannotHold) {
  for (const char* bad : {"-1", "nan", "NaN", "1e300", "inf", "-0.5", "x", ""}) {
    EXPECT_EQ(Capture({"--idle-timeout-s", bad}), -1) << bad;
  }
  for (const char* bad : {"-1", "1.5", "x", "18446744073709551616"}) {
    EXPECT_EQ(Capture({"--limit", bad}), -1) << bad;
  }
}

TEST(CaptureCommand, AcceptsTheirRanges) {
  for (const char* good : {"0", "0.25", "31536000"}) {
    EXPECT_EQ(Capture({"--idle-timeout-s", good}), kExitBadInput) << good;  // the URL's fault
  }
  for (const char* good : {"0", "1", "18446744073709551615"}) {
    EXPECT_EQ(Capture({"--limit", good}), kExitBadInput) << good;
  }
}

}  // namespace
}  // namespace inflow::cli
