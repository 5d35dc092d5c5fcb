// MessageSender: the task runtime's view of a sink — hand over messages, get one result per
// message later. The RocketMQ Producer is the real one (ProducerSender); tests use fakes.
//
// Thread safety: Send may be called from the task thread while callbacks run on the sink's own
// thread; a callback must not block.
#ifndef INFLOW_PIPELINE_SENDER_H_
#define INFLOW_PIPELINE_SENDER_H_

#include <vector>

#include "sink/message.h"
#include "sink/rocketmq/producer.h"

namespace inflow::pipeline {

using sink::rocketmq::SendCallback;
using sink::rocketmq::SendResult;

class MessageSender {
 public:
  virtual ~MessageSender() = default;
  // `done` receives one result per message, in order.
  virtual void Send(std::vector<sink::Message> messages, SendCallback done) = 0;
};

class ProducerSender : public MessageSender {
 public:
  explicit ProducerSender(sink::rocketmq::Producer* producer) : producer_(producer) {}
  void Send(std::vector<sink::Message> messages, SendCallback done) override {
    producer_->Send(std::move(messages), std::move(done));
  }

 private:
  sink::rocketmq::Producer* producer_;
};

}  // namespace inflow::pipeline

#endif  // INFLOW_PIPELINE_SENDER_H_
