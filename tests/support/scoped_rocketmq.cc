#include "support/scoped_rocketmq.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace inflow::testing {
namespace {

// Startup includes a cold Maven download on a fresh machine.
constexpr auto kStartTimeout = std::chrono::minutes(10);

}  // namespace

CommandResult RunServiceScript(std::string_view script, std::string_view verb,
                               const std::string& dir, const std::vector<std::string>& args) {
  std::string source_dir = HarnessDir("INFLOW_SOURCE_DIR");
  if (source_dir.empty()) return {};
  std::vector<std::string> argv = {source_dir + "/scripts/" + std::string(script),
                                   std::string(verb), "--dir", dir};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandOptions options;
  options.timeout = kStartTimeout;
  return RunCommand(argv, options);
}

ScopedRocketmq::ScopedRocketmq(std::string name, std::vector<std::string> start_args) {
  std::string build_dir = HarnessDir("INFLOW_BUILD_DIR");
  if (build_dir.empty()) return;
  dir_ = build_dir + "/services/" + name;
  CommandResult r = RunServiceScript("rocketmq", "start", dir_, start_args);
  if (r.exit_code != 0) {
    ADD_FAILURE() << "scripts/rocketmq start --dir " << dir_ << " failed (exit " << r.exit_code
                  << "):\n"
                  << r.out << r.err;
    return;
  }
  std::ifstream in(dir_ + "/rocketmq.env");
  std::stringstream text;
  text << in.rdbuf();
  env_ = ParseEnvText(text.str());
  if (env_.empty()) ADD_FAILURE() << dir_ << "/rocketmq.env is missing or empty after start";
}

ScopedRocketmq::~ScopedRocketmq() {
  if (dir_.empty()) return;
  CommandResult r = RunServiceScript("rocketmq", "stop", dir_);
  if (r.exit_code != 0) {
    ADD_FAILURE() << "scripts/rocketmq stop --dir " << dir_ << " failed: " << r.out << r.err;
  }
}

CommandResult ScopedRocketmq::BrokerStop(bool kill) {
  std::vector<std::string> args;
  if (kill) args.push_back("--kill");
  return RunServiceScript("rocketmq", "broker-stop", dir_, args);
}

CommandResult ScopedRocketmq::BrokerStart() {
  return RunServiceScript("rocketmq", "broker-start", dir_);
}

}  // namespace inflow::testing
