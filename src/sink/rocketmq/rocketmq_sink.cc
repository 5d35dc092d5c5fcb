#include "sink/rocketmq/rocketmq_sink.h"

#include <utility>

namespace inflow::sink::rocketmq {

Result<std::unique_ptr<RocketMQSink>> RocketMQSink::Start(ProducerOptions options) {
  INFLOW_TRY(std::unique_ptr<Producer> producer, Producer::Start(std::move(options)));
  return std::make_unique<RocketMQSink>(std::move(producer));
}

RocketMQSink::RocketMQSink(std::unique_ptr<Producer> producer) : producer_(std::move(producer)) {}

RocketMQSink::~RocketMQSink() { Shutdown(); }

void RocketMQSink::Send(std::vector<Message> messages, sink::SendCallback done) {
  producer_->Send(std::move(messages), [done = std::move(done)](std::vector<SendResult> results) {
    std::vector<SendOutcome> outcomes;
    outcomes.reserve(results.size());
    for (SendResult& r : results) outcomes.push_back(Classify(std::move(r)));
    done(std::move(outcomes));
  });
}

void RocketMQSink::Shutdown() { producer_->Shutdown(); }

SendOutcome RocketMQSink::Classify(SendResult result) {
  if (result) return SendOutcome::Ok(std::move(result->msg_id));
  Error error = std::move(result).error();
  if (IsRetryable(error.code())) return SendOutcome::Retryable(std::move(error));
  return SendOutcome::Deterministic(std::move(error));
}

}  // namespace inflow::sink::rocketmq
