// The `inflow` binary given hostile input files: each command that reads a file must answer
// with exit 2 and a message, never an abort (std::ios_base::failure), a hang or a silent
// success.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "common/hostile_input.h"
#include "support/inflow_process.h"
#include "support/run_command.h"
#include "support/service_env.h"

namespace inflow::cli {
namespace {

using ::inflow::testing::CommandOptions;
using ::inflow::testing::CommandResult;
using ::inflow::testing::DescribeCommand;
using ::inflow::testing::InflowBinary;
using ::testing::HasSubstr;
using ::testing::Not;

CommandResult Inflow(std::vector<std::string> args, const std::string& stdin_text = "") {
  args.insert(args.begin(), InflowBinary());
  CommandOptions options;
  options.timeout = std::chrono::seconds(60);
  options.stdin_text = stdin_text;
  return ::inflow::testing::RunCommand(args, options);
}

std::string WriteFile(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

class InputFilesTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = ::inflow::testing::FreshTestDir("cli_input_files_test"); }
  std::string dir_;
};

TEST_F(InputFilesTest, DirectoryAsInputFileExitsTwo) {
  std::string data = dir_ + "/data";
  std::vector<std::vector<std::string>> commands = {
      {"jsonpath", "$", dir_},
      {"pattern", "test", "--pattern", dir_, "--event", "{}"},
      {"pattern", "test", "--pattern", "{}", "--event", dir_},
      {"transform", "test", "--sink", dir_, "--event", "{}"},
      {"run", dir_, "--data", data},
      {"send", "--endpoint", "127.0.0.1:1", "--topic", "t", dir_},
  };
  for (const auto& args : commands) {
    CommandResult r = Inflow(args);
    EXPECT_EQ(r.exit_code, 2) << DescribeCommand(args) << "\n" << r.err;
    EXPECT_THAT(r.err, HasSubstr("cannot read " + dir_ + ": Is a directory"))
        << DescribeCommand(args);
    EXPECT_THAT(r.err, Not(HasSubstr("sent=")));
  }
}

TEST_F(InputFilesTest, DirectoryAsStandardInputExitsTwo) {
  for (std::string command : {"send --endpoint 127.0.0.1:1 --topic t", "jsonpath '$'"}) {
    CommandResult r = ::inflow::testing::RunCommand(
        {"sh", "-c", "exec '" + InflowBinary() + "' " + command + " < '" + dir_ + "'"});
    EXPECT_EQ(r.exit_code, 2) << command << "\n" << r.err;
    EXPECT_THAT(r.err, HasSubstr("cannot read standard input: Is a directory")) << command;
  }
}

TEST_F(InputFilesTest, AliasBombExitsTwoAtOnce) {
  std::string bomb = WriteFile(dir_ + "/bomb.yaml", YamlAliasBomb());
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"transform", "test", "--sink", bomb, "--event", "{}"},
                                             {"run", bomb, "--data", dir_ + "/data"}}) {
    CommandResult r = Inflow(args);
    EXPECT_FALSE(r.timed_out) << DescribeCommand(args);
    EXPECT_EQ(r.exit_code, 2) << DescribeCommand(args) << "\n" << r.err;
    EXPECT_THAT(r.err, HasSubstr("aliases expand to more than 250000 values"));
  }
}

TEST_F(InputFilesTest, DeepJsonTaskFileExitsTwo) {
  std::string deep = std::string(5000, '[') + std::string(5000, ']');
  std::string task =
      WriteFile(dir_ + "/task.json", "{\"name\": \"t\",\n \"filter\": " + deep + "}");
  CommandResult r = Inflow({"run", task, "--data", dir_ + "/data"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("task: nested too deeply (limit 128) at line 2, column 139"));
}

TEST_F(InputFilesTest, DeepEnvelopeLineIsReportedByLine) {
  std::string deep = "{\"body\":" + std::string(5000, '{') + "}\n";
  CommandResult r = Inflow({"send", "--endpoint", "127.0.0.1:1", "--topic", "t", "--format",
                            "envelope", "--timeout-ms", "1000"},
                           "not json\n" + deep);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err,
              HasSubstr("line 2: invalid_argument: envelope: nested too deeply (limit 128)"));
  EXPECT_THAT(r.err, HasSubstr("sent=0 failed=2"));
}

}  // namespace
}  // namespace inflow::cli
