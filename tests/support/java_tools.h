// The Java test tools (tests/java, built by scripts/rocketmq start; classpath JAVA_TOOLS_CP in
// the rocketmq env) driven from C++ integration tests: the official RocketMQ client is the
// oracle that says what a real consumer reads from a topic.
//
//   auto env = inflow::testing::ServiceEnv("rocketmq");
//   ASSERT_TRUE(inflow::testing::CreateTopic(env, "t1", 4));
//   ... produce 3 messages with our producer ...
//   auto v = inflow::testing::RunVerifier(env, "t1", /*expect=*/3, /*timeout_s=*/30);
//   ASSERT_EQ(v.exit_code, 0) << v.err;
//   EXPECT_EQ(v.messages[0].body, "...");
//
// Every helper adds --access-key/--secret-key when the env has ACL_ACCESS_KEY/ACL_SECRET_KEY
// (the rocketmq_acl fixture).
//
// Thread safety: reentrant (each call starts its own JVM); failures are recorded with gtest.
#ifndef INFLOW_TESTS_SUPPORT_JAVA_TOOLS_H_
#define INFLOW_TESTS_SUPPORT_JAVA_TOOLS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/run_command.h"
#include "support/service_env.h"

namespace inflow::testing {

// One message as the official Java consumer sees it (one JSON line of Verifier's output).
struct VerifiedMessage {
  std::string topic;
  int queue_id = -1;
  int64_t queue_offset = -1;
  std::string msg_id;                             // UNIQ_KEY when the producer set one
  std::optional<std::string> tags;                // TAGS property
  std::optional<std::string> keys;                // KEYS property: keys joined by single spaces
  std::map<std::string, std::string> properties;  // user properties only
  std::string body;                               // bytes, already decompressed by the client
};

struct VerifierResult {
  int exit_code = -1;  // 0: exactly `expect` distinct messages, every queue read to its end
  std::vector<VerifiedMessage> messages;  // in queue order, then offset order per queue
  std::string err;                        // Verifier's stderr, plus JSON parse errors
  std::string out;                        // raw stdout (one JSON line per message)
};

// java -cp $JAVA_TOOLS_CP inflow.tools.Verifier consume --namesrv $NAMESRV --topic T
//      --expect N --timeout-s S [--group G]
VerifierResult RunVerifier(const EnvMap& env, std::string_view topic, int expect, int timeout_s,
                           std::string_view group = "");
// The same with --at-least N: exit 0 once at least N distinct messages were read and every
// queue to its end (re-sends after a crash carry new msgIds, so a crash test reads more).
VerifierResult RunVerifierAtLeast(const EnvMap& env, std::string_view topic, int at_least,
                                  int timeout_s);

// Parses Verifier's stdout; appends a description of each bad line to *errors.
std::vector<VerifiedMessage> ParseVerifierOutput(std::string_view out, std::string* errors);

// Creates (or updates) TOPIC with QUEUES read/write queues on every master and waits until its
// route is served. attr is "" or NAME=VALUE (e.g. "message.type=FIFO" for the gRPC proxy's
// FIFO topics). Records a gtest failure and returns false when that fails.
bool CreateTopic(const EnvMap& env, std::string_view topic, int queues = 4,
                 std::string_view attr = "");

// The command line of a Java tool: java -cp $JAVA_TOOLS_CP inflow.tools.<tool> args... [ACL].
std::vector<std::string> JavaToolCommand(const EnvMap& env, std::string_view tool,
                                         std::vector<std::string> args);

// Standard base64 (RFC 4648, with padding) to bytes; nullopt on malformed input.
std::optional<std::string> DecodeBase64(std::string_view text);

}  // namespace inflow::testing

#endif  // INFLOW_TESTS_SUPPORT_JAVA_TOOLS_H_
