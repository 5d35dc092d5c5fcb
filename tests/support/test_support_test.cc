// Unit tests of the integration-test helpers themselves (no servers needed).
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "support/java_tools.h"
#include "support/run_command.h"
#include "support/service_env.h"

namespace inflow::testing {
namespace {

TEST(ServiceEnvText, ParsesKeyValueLines) {
  EnvMap env = ParseEnvText(
      "NAMESRV=127.0.0.1:9876\n# comment\n\nJAVA_TOOLS_CP=/a/b:/c/*\r\nURL=mysql://u:p=x@h:1\n"
      "=novalue\nnoequals\nLAST=1");
  EXPECT_EQ(env.size(), 4u);
  EXPECT_EQ(env["NAMESRV"], "127.0.0.1:9876");
  EXPECT_EQ(env["JAVA_TOOLS_CP"], "/a/b:/c/*");
  EXPECT_EQ(env["URL"], "mysql://u:p=x@h:1");
  EXPECT_EQ(env["LAST"], "1");
}

class ServiceEnvFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("inflow_service_env_test_" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_ / "services" / "rocketmq_acl");
    const char* old = std::getenv("INFLOW_BUILD_DIR");
    if (old != nullptr) old_build_dir_ = old;
    setenv("INFLOW_BUILD_DIR", dir_.c_str(), 1);
  }
  void TearDown() override {
    if (old_build_dir_.empty()) {
      unsetenv("INFLOW_BUILD_DIR");
    } else {
      setenv("INFLOW_BUILD_DIR", old_build_dir_.c_str(), 1);
    }
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
  std::string old_build_dir_;
};

TEST_F(ServiceEnvFiles, MissingFileFailsNamingTheStartCommand) {
  EnvMap env;
  EXPECT_NONFATAL_FAILURE(env = ServiceEnv("mariadb"), "scripts/mariadb start --dir");
  EXPECT_TRUE(env.empty());
}

TEST_F(ServiceEnvFiles, VariantFixtureReadsTheScriptsEnvFile) {
  std::ofstream(dir_ / "services" / "rocketmq_acl" / "rocketmq.env")
      << "NAMESRV=127.0.0.1:1\nACL_ACCESS_KEY=ak\n";
  EnvMap env = ServiceEnv("rocketmq_acl");
  EXPECT_EQ(env["ACL_ACCESS_KEY"], "ak");
  EXPECT_EQ(EnvValue(env, "NAMESRV"), "127.0.0.1:1");
  EXPECT_NONFATAL_FAILURE(EnvValue(env, "BROKER"), "present: ACL_ACCESS_KEY, NAMESRV");
}

TEST(RunCommand, CapturesStdoutStderrAndExitCode) {
  CommandResult r = RunCommand({"sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
}

TEST(RunCommand, FeedsStdinLargerThanAPipeBuffer) {
  std::string input(300000, 'x');
  input += "\n";
  CommandOptions options;
  options.stdin_text = input;
  CommandResult r = RunCommand({"wc", "-c"}, options);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(std::stoul(r.out), input.size());
}

TEST(RunCommand, KillsTheProcessGroupOnTimeout) {
  auto start = std::chrono::steady_clock::now();
  CommandOptions options;
  options.timeout = std::chrono::milliseconds(300);
  CommandResult r = RunCommand({"sh", "-c", "sleep 30 & sleep 30"}, options);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_NE(r.err.find("timed out"), std::string::npos) << r.err;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(RunCommand, ReportsAMissingProgram) {
  CommandResult r = RunCommand({"/nonexistent/inflow-no-such-tool"});
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_NE(r.err.find("exec failed"), std::string::npos) << r.err;
}

TEST(RunCommand, ReportsDeathBySignal) {
  CommandResult r = RunCommand({"sh", "-c", "kill -TERM $$"});
  EXPECT_EQ(r.exit_code, 128 + 15);
}

TEST(Base64, DecodesStandardAlphabetWithPadding) {
  EXPECT_EQ(DecodeBase64(""), std::string());
  EXPECT_EQ(DecodeBase64("Zg=="), std::string("f"));
  EXPECT_EQ(DecodeBase64("Zm8="), std::string("fo"));
  EXPECT_EQ(DecodeBase64("Zm9v"), std::string("foo"));
  EXPECT_EQ(DecodeBase64("AP8+/w=="), std::string("\x00\xff\x3e\xff", 4));
}

TEST(Base64, RejectsMalformedInput) {
  EXPECT_EQ(DecodeBase64("Zg="), std::nullopt);
  EXPECT_EQ(DecodeBase64("Z==="), std::nullopt);
  EXPECT_EQ(DecodeBase64("Zg==Zm9v"), std::nullopt);
  EXPECT_EQ(DecodeBase64("Zm9-"), std::nullopt);
}

TEST(VerifierOutput, ParsesMessagesAndReportsBadLines) {
  std::string out =
      R"({"topic":"t","queueId":2,"queueOffset":7,"msgId":"AB","tags":"TagA","keys":"k1 k2",)"
      R"("properties":{"a":"1","é":"ü"},"bodyBase64":"aGk="})"
      "\n"
      R"({"topic":"t","queueId":0,"queueOffset":0,"msgId":"CD","tags":null,"keys":null,)"
      R"("properties":{},"bodyBase64":""})"
      "\nnot json\n";
  std::string errors;
  auto messages = ParseVerifierOutput(out, &errors);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].queue_id, 2);
  EXPECT_EQ(messages[0].queue_offset, 7);
  EXPECT_EQ(messages[0].msg_id, "AB");
  EXPECT_EQ(messages[0].tags, "TagA");
  EXPECT_EQ(messages[0].keys, "k1 k2");
  EXPECT_EQ(messages[0].properties.at("é"), "ü");
  EXPECT_EQ(messages[0].body, "hi");
  EXPECT_EQ(messages[1].tags, std::nullopt);
  EXPECT_EQ(messages[1].keys, std::nullopt);
  EXPECT_TRUE(messages[1].body.empty());
  EXPECT_NE(errors.find("line 3"), std::string::npos) << errors;
}

TEST(JavaToolCommand, AddsAclCredentialsFromTheEnv) {
  EnvMap env = {{"JAVA_TOOLS_CP", "/cp/*"}, {"ACL_ACCESS_KEY", "ak"}, {"ACL_SECRET_KEY", "sk"}};
  auto argv = JavaToolCommand(env, "Verifier", {"consume"});
  std::vector<std::string> expected = {
      "java",    "-Xmx256m",     "-cp", "/cp/*",        "inflow.tools.Verifier",
      "consume", "--access-key", "ak",  "--secret-key", "sk"};
  EXPECT_EQ(argv, expected);
}

}  // namespace
}  // namespace inflow::testing
