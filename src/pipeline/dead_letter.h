// Dead-letter queues: where an event goes when it failed for good under fault tolerance ALL.
//
// A dead-letter record is a RocketMQ message whose body is the ORIGINAL CloudEvent (before any
// transform) and whose properties say why: inflow_task, inflow_error_code,
// inflow_error_message, inflow_attempts, inflow_first_failure_time (RFC 3339). The file queue
// writes it as one JSON "envelope" line — {"topic","body","tag","keys","properties"}, the input
// format of `inflow send --format envelope` — with `topic` = the topic the event was meant for,
// so replaying the file re-delivers it there. The sink queue sends it to its own topic through
// any sink::Sink (the cli opens a RocketMQ one from `properties.dead_letter.rocketmq`).
//
// A write is durable (fdatasync / broker acknowledgement) before it returns: the task commits
// the event's offset right after.
//
// Thread safety: a queue is used by one task loop.
#ifndef INFLOW_PIPELINE_DEAD_LETTER_H_
#define INFLOW_PIPELINE_DEAD_LETTER_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/result.h"
#include "sink/message.h"
#include "sink/sink.h"

namespace inflow::pipeline {

struct DeadLetter {
  std::string task;
  std::string topic;           // the topic the event was meant for ("" when not known)
  std::string event_id;        // inflow_event_id
  std::string original_event;  // the CloudEvent JSON as read from the change log
  Error error;
  int attempts = 1;
  int64_t first_failure_ms = 0;
};

// The message form of a dead letter, addressed to `topic`.
sink::Message DeadLetterMessage(const DeadLetter& letter, const std::string& topic);

// One JSON line (no newline) in the `inflow send --format envelope` shape.
std::string EncodeEnvelope(const sink::Message& message);

class DeadLetterQueue {
 public:
  virtual ~DeadLetterQueue() = default;
  virtual Status Write(const DeadLetter& letter) = 0;
};

// Appends to a JSON-lines file (created if missing), fdatasync after every write.
Result<std::unique_ptr<DeadLetterQueue>> OpenFileDeadLetterQueue(const std::string& path);

// Sends to `topic` through `sink`, waiting up to `timeout` for the acknowledgement; any failure
// (retryable or not) fails the write, and the task blocks on it. REQUIRES: sink outlives the
// queue.
std::unique_ptr<DeadLetterQueue> MakeSinkDeadLetterQueue(sink::Sink* sink, std::string topic,
                                                         std::chrono::milliseconds timeout);

}  // namespace inflow::pipeline

#endif  // INFLOW_PIPELINE_DEAD_LETTER_H_
