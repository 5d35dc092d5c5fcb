// ScopedRocketmq: a private RocketMQ instance owned by one test, for fault tests that stop and
// restart the broker (doing that to the shared `rocketmq` fixture would break every test that
// runs in parallel with it). Also RunServiceScript, to drive scripts/<service> directly.
//
//   inflow::testing::ScopedRocketmq mq("producer_fault");   // ~15-60 s: boots two JVMs
//   ASSERT_TRUE(mq.ok());
//   ... send through EnvValue(mq.env(), "NAMESRV") ...
//   ASSERT_EQ(mq.BrokerStop().exit_code, 0);                // same ports and store on restart
//   ASSERT_EQ(mq.BrokerStart().exit_code, 0);
//
// The destructor stops everything the instance started.
//
// Thread safety: not thread-safe; one test thread owns the object.
#ifndef INFLOW_TESTS_SUPPORT_SCOPED_ROCKETMQ_H_
#define INFLOW_TESTS_SUPPORT_SCOPED_ROCKETMQ_H_

#include <string>
#include <string_view>
#include <vector>

#include "support/run_command.h"
#include "support/service_env.h"

namespace inflow::testing {

// $INFLOW_SOURCE_DIR/scripts/<script> <verb> --dir <dir> args...; a gtest failure is recorded
// when the harness variables are missing (the result then has exit_code -1).
CommandResult RunServiceScript(std::string_view script, std::string_view verb,
                               const std::string& dir, const std::vector<std::string>& args = {});

class ScopedRocketmq {
 public:
  // Starts `scripts/rocketmq start --dir $INFLOW_BUILD_DIR/services/<name> start_args...`
  // (e.g. {"--acl"}). Records a gtest failure, with the script's output, when that fails.
  explicit ScopedRocketmq(std::string name, std::vector<std::string> start_args = {});
  ~ScopedRocketmq();
  ScopedRocketmq(const ScopedRocketmq&) = delete;
  ScopedRocketmq& operator=(const ScopedRocketmq&) = delete;

  bool ok() const { return !env_.empty(); }
  const EnvMap& env() const { return env_; }
  const std::string& dir() const { return dir_; }

  // Stops only the broker JVM: TERM (graceful; KILL after 5 s) or, with kill, SIGKILL at once.
  CommandResult BrokerStop(bool kill = false);
  // Starts it again on the same ports and store; returns once a topic route is served.
  CommandResult BrokerStart();

 private:
  std::string dir_;
  EnvMap env_;
};

}  // namespace inflow::testing

#endif  // INFLOW_TESTS_SUPPORT_SCOPED_ROCKETMQ_H_
