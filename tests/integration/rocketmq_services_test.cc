// Exercises the rocketmq and rocketmq_acl fixtures end to end: the env files name live servers,
// the Java tools built by scripts/rocketmq run, and the Verifier oracle both accepts and rejects.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "support/java_tools.h"
#include "support/run_command.h"
#include "support/service_env.h"

namespace inflow::testing {
namespace {

// True when host:port (IPv4 literal) accepts a TCP connection.
bool Connects(const std::string& address) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos) return false;
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(std::stoi(address.substr(colon + 1))));
  if (inet_pton(AF_INET, address.substr(0, colon).c_str(), &sa.sin_addr) != 1) return false;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
  close(fd);
  return ok;
}

std::string UniqueTopic(const std::string& prefix) {
  return prefix + "_" + std::to_string(getpid()) + "_" + std::to_string(time(nullptr));
}

TEST(RocketmqServices, EnvNamesLiveServersAndTools) {
  auto env = ServiceEnv("rocketmq");
  ASSERT_FALSE(env.empty());
  for (const char* key : {"NAMESRV", "BROKER", "PROXY"}) {
    std::string address = EnvValue(env, key);
    EXPECT_TRUE(address.starts_with("127.0.0.1:")) << key << "=" << address;
    EXPECT_TRUE(Connects(address)) << key << "=" << address << " does not accept connections";
  }
  EXPECT_FALSE(EnvValue(env, "JAVA_TOOLS_CP").empty());
  EXPECT_EQ(env.count("ACL_ACCESS_KEY"), 0u);
}

TEST(RocketmqServices, VerifierAcceptsEmptyFreshTopicAndRejectsAWrongCount) {
  auto env = ServiceEnv("rocketmq");
  ASSERT_FALSE(env.empty());
  std::string topic = UniqueTopic("services_empty");
  ASSERT_TRUE(CreateTopic(env, topic, 2));

  VerifierResult empty = RunVerifier(env, topic, /*expect=*/0, /*timeout_s=*/5);
  EXPECT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_TRUE(empty.messages.empty()) << empty.out;

  VerifierResult wrong = RunVerifier(env, topic, /*expect=*/1, /*timeout_s=*/2);
  EXPECT_NE(wrong.exit_code, 0) << "Verifier must fail when fewer messages than expected exist";
  EXPECT_NE(wrong.err.find("expected 1"), std::string::npos) << wrong.err;
}

// The Java producer's bodies of 4 KiB or more are zlib-compressed on the wire; the Verifier
// must hand back the original bytes, as the official consumer does.
TEST(RocketmqServices, VerifierReadsBackJavaProducerMessagesDecompressed) {
  auto env = ServiceEnv("rocketmq");
  ASSERT_FALSE(env.empty());
  std::string topic = UniqueTopic("services_roundtrip");
  ASSERT_TRUE(CreateTopic(env, topic, 2));
  auto produce = JavaToolCommand(env, "BenchProducer",
                                 {"--namesrv", EnvValue(env, "NAMESRV"), "--topic", topic, "--size",
                                  "5000", "--count", "4", "--threads", "1"});
  CommandResult sent = RunCommand(produce);
  ASSERT_EQ(sent.exit_code, 0) << sent.err;
  EXPECT_NE(sent.out.find("\"sent\":4"), std::string::npos) << sent.out;

  // BenchProducer sends one untimed warm-up message first: 5 in all.
  VerifierResult read = RunVerifier(env, topic, /*expect=*/5, /*timeout_s=*/30);
  ASSERT_EQ(read.exit_code, 0) << read.err;
  ASSERT_EQ(read.messages.size(), 5u);
  std::string expected_body;
  for (int i = 0; i < 5000; ++i) expected_body.push_back(static_cast<char>('a' + i % 26));
  for (const auto& m : read.messages) {
    EXPECT_EQ(m.topic, topic);
    EXPECT_EQ(m.body, expected_body) << "msgId " << m.msg_id;
    EXPECT_TRUE(m.properties.empty()) << "system properties leaked into user properties";
    EXPECT_EQ(m.tags, std::nullopt);
    EXPECT_FALSE(m.msg_id.empty());
  }
}

TEST(RocketmqAclServices, CredentialsFromEnvAreAcceptedAndWrongOnesRefused) {
  auto env = ServiceEnv("rocketmq_acl");
  ASSERT_FALSE(env.empty());
  ASSERT_FALSE(EnvValue(env, "ACL_ACCESS_KEY").empty());
  ASSERT_FALSE(EnvValue(env, "ACL_SECRET_KEY").empty());
  std::string topic = UniqueTopic("services_acl");
  ASSERT_TRUE(CreateTopic(env, topic, 1));

  auto args = [&](int count) {
    return std::vector<std::string>{"--namesrv", EnvValue(env, "NAMESRV"), "--topic",   topic,
                                    "--count",   std::to_string(count),    "--threads", "1"};
  };
  CommandResult good = RunCommand(JavaToolCommand(env, "BenchProducer", args(2)));
  EXPECT_EQ(good.exit_code, 0) << good.err;

  EnvMap wrong = env;
  wrong["ACL_SECRET_KEY"] = "not-the-secret";
  CommandResult refused = RunCommand(JavaToolCommand(wrong, "BenchProducer", args(1)));
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("check signature failed"), std::string::npos) << refused.err;

  VerifierResult read = RunVerifier(env, topic, /*expect=*/3, /*timeout_s=*/30);
  EXPECT_EQ(read.exit_code, 0) << read.err;
}

}  // namespace
}  // namespace inflow::testing
