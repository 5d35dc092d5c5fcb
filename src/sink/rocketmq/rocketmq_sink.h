// RocketMQSink: the remoting Producer (producer.h) behind the neutral Sink seam (sink/sink.h).
//
// It owns the producer and translates each SendResult into a SendOutcome: a receipt is ok with
// its msg_id (the UNIQ_KEY); an error is retryable when inflow::IsRetryable says its code is
// transient (kUnavailable, kTimeout, kIo: the producer already tried other brokers within its
// send timeout) and deterministic otherwise (kNotFound topic, kInvalidArgument,
// kResourceExhausted over the size limit, ACL refusals, kCancelled at shutdown).
//
// Thread safety: as sink.h; callbacks run on the producer's I/O thread.
#ifndef INFLOW_SINK_ROCKETMQ_ROCKETMQ_SINK_H_
#define INFLOW_SINK_ROCKETMQ_ROCKETMQ_SINK_H_

#include <memory>
#include <vector>

#include "common/result.h"
#include "sink/rocketmq/producer.h"
#include "sink/sink.h"

namespace inflow::sink::rocketmq {

class RocketMQSink : public Sink {
 public:
  // Starts a producer with `options` (Producer::Start's validation and errors).
  static Result<std::unique_ptr<RocketMQSink>> Start(ProducerOptions options);
  // REQUIRES: producer != nullptr.
  explicit RocketMQSink(std::unique_ptr<Producer> producer);
  ~RocketMQSink() override;  // Shutdown()

  void Send(std::vector<Message> messages, sink::SendCallback done) override;
  void Shutdown() override;

  // The classification above, for one producer result.
  static SendOutcome Classify(SendResult result);

 private:
  std::unique_ptr<Producer> producer_;
};

}  // namespace inflow::sink::rocketmq

#endif  // INFLOW_SINK_ROCKETMQ_ROCKETMQ_SINK_H_
