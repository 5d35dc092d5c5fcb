// RunCommand: runs a program to completion and captures its output, for integration tests that
// drive scripts, the `inflow` binary and the Java tools (inflow.tools.Verifier, BenchProducer).
//
//   auto r = inflow::testing::RunCommand({"java", "-cp", cp, "inflow.tools.Verifier", ...});
//   EXPECT_EQ(r.exit_code, 0) << r.err;
//
// The program runs in its own process group; on timeout the whole group gets SIGKILL. stdin is
// the given text (or /dev/null when empty). The search for argv[0] uses PATH (execvp).
//
// Thread safety: reentrant; each call owns its child and pipes.
#ifndef INFLOW_TESTS_SUPPORT_RUN_COMMAND_H_
#define INFLOW_TESTS_SUPPORT_RUN_COMMAND_H_

#include <chrono>
#include <string>
#include <vector>

namespace inflow::testing {

struct CommandResult {
  // The exit status; 128 + N when killed by signal N; 127 when exec failed (the reason is in
  // err); -1 when it timed out or could not be forked.
  int exit_code = -1;
  bool timed_out = false;
  std::string out;  // everything written to stdout
  std::string err;  // everything written to stderr, plus our own notes (timeout, exec failure)
};

// Set fields one by one: g++ -Wextra rejects partial designated initializers.
struct CommandOptions {
  std::chrono::milliseconds timeout = std::chrono::seconds(120);
  std::string stdin_text;
};

// REQUIRES: argv is not empty.
CommandResult RunCommand(const std::vector<std::string>& argv, const CommandOptions& options = {});

// The argv joined with spaces, for failure messages.
std::string DescribeCommand(const std::vector<std::string>& argv);

}  // namespace inflow::testing

#endif  // INFLOW_TESTS_SUPPORT_RUN_COMMAND_H_
