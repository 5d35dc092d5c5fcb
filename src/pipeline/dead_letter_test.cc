#include "pipeline/dead_letter.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace inflow::pipeline {
namespace {

using sink::SendOutcome;

// Answers every Send inline with `answer`, or never when it is nullopt.
class ScriptedSink : public sink::Sink {
 public:
  explicit ScriptedSink(std::optional<SendOutcome> answer) : answer_(std::move(answer)) {}
  void Send(std::vector<sink::Message> messages, sink::SendCallback done) override {
    for (auto& m : messages) sent.push_back(std::move(m));
    if (answer_) done(std::vector<SendOutcome>(sent.size(), *answer_));
  }
  void Shutdown() override {}

  std::vector<sink::Message> sent;

 private:
  std::optional<SendOutcome> answer_;
};

DeadLetter Letter() {
  return DeadLetter{"t1", "orders",         "ev-1", R"({"id":"ev-1"})", InvalidArgument("bad body"),
                    2,    1'764'061'200'000};
}

std::string Property(const sink::Message& m, const std::string& key) {
  for (const auto& [k, v] : m.properties) {
    if (k == key) return v;
  }
  return "";
}

TEST(SinkDeadLetterQueueTest, SendsTheOriginalEventToItsOwnTopic) {
  ScriptedSink sink(SendOutcome::Ok("id"));
  auto dlq = MakeSinkDeadLetterQueue(&sink, "dlq", std::chrono::seconds(1));
  ASSERT_TRUE(dlq->Write(Letter()));
  ASSERT_EQ(sink.sent.size(), 1u);
  EXPECT_EQ(sink.sent[0].topic, "dlq");
  EXPECT_EQ(sink.sent[0].body, R"({"id":"ev-1"})");
  EXPECT_EQ(Property(sink.sent[0], "inflow_task"), "t1");
  EXPECT_EQ(Property(sink.sent[0], "inflow_error_code"), "invalid_argument");
  EXPECT_EQ(Property(sink.sent[0], "inflow_attempts"), "2");
}

TEST(SinkDeadLetterQueueTest, AnyFailureOfTheSinkFailsTheWriteWithItsCode) {
  for (const SendOutcome& answer : {SendOutcome::Retryable(Unavailable("broker down")),
                                    SendOutcome::Deterministic(NotFound("no topic"))}) {
    ScriptedSink sink(answer);
    auto dlq = MakeSinkDeadLetterQueue(&sink, "dlq", std::chrono::seconds(1));
    Status st = dlq->Write(Letter());
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code(), answer.error().code());
    EXPECT_EQ(st.error().message(), "dead-letter topic dlq: " + answer.error().message());
  }
}

TEST(SinkDeadLetterQueueTest, NoAnswerWithinTheTimeoutIsATimeout) {
  ScriptedSink sink(std::nullopt);
  auto dlq = MakeSinkDeadLetterQueue(&sink, "dlq", std::chrono::milliseconds(20));
  Status st = dlq->Write(Letter());
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), ErrorCode::kTimeout);
  EXPECT_EQ(st.error().message(), "dead-letter topic dlq: no acknowledgement");
}

}  // namespace
}  // namespace inflow::pipeline
