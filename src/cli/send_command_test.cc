#include "cli/send_command.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli/command.h"

namespace inflow::cli {
namespace {

SendDefaults Defaults() {
  SendDefaults d;
  d.topic = "T";
  d.tag = "dflt";
  d.keys = {"k0"};
  d.properties = {{"source", "cli"}};
  return d;
}

TEST(SendLine, RawLineIsTheBody) {
  auto m = ParseSendLine("{\"not\":\"parsed\"} \xC3\xA9", false, Defaults());
  ASSERT_TRUE(m);
  EXPECT_EQ(m->body, "{\"not\":\"parsed\"} \xC3\xA9");
  EXPECT_EQ(m->topic, "T");
  EXPECT_EQ(m->tag, "dflt");
  EXPECT_EQ(m->keys, std::vector<std::string>{"k0"});
  EXPECT_EQ(m->properties.size(), 1u);
}

TEST(SendLine, EnvelopeOverridesDefaults) {
  auto m = ParseSendLine(
      R"({"body":"hello","tag":"t1","keys":["a","b"],"properties":{"source":"dlq","n":3},"topic":"U"})",
      true, Defaults());
  ASSERT_TRUE(m) << m.error().ToString();
  EXPECT_EQ(m->body, "hello");
  EXPECT_EQ(m->topic, "U");
  EXPECT_EQ(m->tag, "t1");
  EXPECT_EQ(m->keys, (std::vector<std::string>{"a", "b"}));
  std::vector<std::pair<std::string, std::string>> props = {{"source", "dlq"}, {"n", "3"}};
  EXPECT_EQ(m->properties, props);
}

TEST(SendLine, EnvelopeKeysStringAndObjectBody) {
  auto m = ParseSendLine(R"({"body":{"id":1,"s":"x"},"keys":"a  b"})", true, Defaults());
  ASSERT_TRUE(m) << m.error().ToString();
  EXPECT_EQ(m->body, R"({"id":1,"s":"x"})");
  EXPECT_EQ(m->keys, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(m->topic, "T");
}

TEST(SendLine, EnvelopeErrorsNameTheField) {
  struct Case {
    const char* line;
    const char* field;
  };
  for (auto c : {Case{"not json", "envelope"}, Case{R"({"tag":"x"})", "envelope.body"},
                 Case{R"({"body":"b","keys":[1]})", "envelope.keys[0]"},
                 Case{R"({"body":"b","properties":[]})", "envelope.properties"},
                 Case{R"({"body":"b","topic":5})", "envelope.topic"},
                 Case{R"({"body":"b","tag":true})", "envelope.tag"}}) {
    auto m = ParseSendLine(c.line, true, Defaults());
    ASSERT_FALSE(m) << c.line;
    EXPECT_EQ(m.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_TRUE(m.error().message().starts_with(c.field)) << m.error().message();
  }
  SendDefaults no_topic;
  auto m = ParseSendLine(R"({"body":"b"})", true, no_topic);
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message().find("topic"), std::string::npos);
}

// The producer's message rule applies per line, before anything is sent: an empty envelope
// body is refused here just as `transform test` flags it.
TEST(SendLine, MessagesTheProducerWouldRefuseAreRefusedPerLine) {
  auto empty = ParseSendLine(R"({"body":""})", true, Defaults());
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().message(), "body: must not be empty");
  auto bad_topic = ParseSendLine(R"({"body":"b","topic":"a b"})", true, Defaults());
  ASSERT_FALSE(bad_topic);
  EXPECT_NE(bad_topic.error().message().find("'a b' is not a valid RocketMQ topic"),
            std::string::npos);
}

int Send(std::vector<std::string> args) {
  CLI::App app;
  int exit_code = -1;
  AddSendCommand(app, &exit_code);
  args.insert(args.begin(), {"inflow", "send"});
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  app.parse(static_cast<int>(argv.size()), argv.data());
  return exit_code;
}

// A garbage endpoint is bad input (exit 2) before any line is read, not a failure per line.
TEST(SendCommand, GarbageEndpointExitsTwoUpFront) {
  for (const char* endpoint : {"garbage", "127.0.0.1", "h:0", "h:99999", "a b:1", "a:1;;b:2"}) {
    EXPECT_EQ(Send({"--endpoint", endpoint, "--topic", "T", "/dev/null"}), kExitBadInput)
        << endpoint;
  }
  EXPECT_EQ(Send({"--endpoint", "127.0.0.1:9876", "--topic", "bad topic", "/dev/null"}),
            kExitBadInput);
}

TEST(SendLine, DeepEnvelopeIsAPerLineError) {
  std::string line = R"({"body":)" + std::string(3000, '[') + std::string(3000, ']') + "}";
  auto m = ParseSendLine(line, true, Defaults());
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(m.error().message(), "envelope: nested too deeply (limit 128) at line 1, column 136");
  m = ParseSendLine(R"({"body":"b","properties":{"n":123456789012345678901234567890}})", true,
                    Defaults());
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message(),
            "envelope: number out of range at line 1, column 31: 123456789012345678901234567890");
}

}  // namespace
}  // namespace inflow::cli
