// Exercises scripts/rocketmq broker-stop / broker-start through ScopedRocketmq: what the broker
// acknowledged survives a crash of its JVM, sends fail while it is down and work again after.
#include <gtest/gtest.h>

#include <string>

#include "support/java_tools.h"
#include "support/run_command.h"
#include "support/scoped_rocketmq.h"

namespace inflow::testing {
namespace {

TEST(RocketmqFaultServices, BrokerCrashAndRestartKeepAcknowledgedMessages) {
  ScopedRocketmq mq("rocketmq_fault_services_test");
  ASSERT_TRUE(mq.ok());
  const std::string topic = "services_fault";
  ASSERT_TRUE(CreateTopic(mq.env(), topic, 2));
  auto produce = [&](int count) {
    return RunCommand(JavaToolCommand(mq.env(), "BenchProducer",
                                      {"--namesrv", EnvValue(mq.env(), "NAMESRV"), "--topic", topic,
                                       "--count", std::to_string(count), "--threads", "1"}));
  };
  CommandResult before = produce(3);  // + 1 warm-up message
  ASSERT_EQ(before.exit_code, 0) << before.err;

  CommandResult stop = mq.BrokerStop(/*kill=*/true);
  ASSERT_EQ(stop.exit_code, 0) << stop.out << stop.err;
  CommandResult down = produce(1);
  EXPECT_NE(down.exit_code, 0) << "a send succeeded while the broker was down: " << down.out;

  CommandResult start = mq.BrokerStart();
  ASSERT_EQ(start.exit_code, 0) << start.out << start.err;
  EXPECT_NE(start.out.find("BROKER=" + EnvValue(mq.env(), "BROKER")), std::string::npos)
      << "the broker must come back on the same port: " << start.out;

  VerifierResult survived = RunVerifier(mq.env(), topic, /*expect=*/4, /*timeout_s=*/30);
  EXPECT_EQ(survived.exit_code, 0) << survived.err;

  CommandResult after = produce(2);
  ASSERT_EQ(after.exit_code, 0) << after.err;
  VerifierResult all = RunVerifier(mq.env(), topic, /*expect=*/7, /*timeout_s=*/30);
  EXPECT_EQ(all.exit_code, 0) << all.err;
}

}  // namespace
}  // namespace inflow::testing
