// Producer: inflow's own RocketMQ producer over the remoting protocol (4.x clients, also
// served by 5.x brokers). It looks up topic routes on the NameServer (refreshed periodically),
// sends single messages with SEND_MESSAGE_V2 and groups of same-topic messages with
// SEND_BATCH_MESSAGE, keeps many requests in flight per broker connection, picks queues
// round-robin (or by sharding-key hash, which keeps per-key order), retries a retryable failure
// on another broker within a total timeout, and avoids brokers that were slow or failing.
//
// Every message handed to Send gets exactly one SendResult: a receipt, or an Error whose code
// says whether retrying later may help (inflow::IsRetryable): kUnavailable / kTimeout are
// transient; kNotFound (missing topic), kInvalidArgument, kResourceExhausted (over the
// broker's size limit), kUnauthenticated / kPermissionDenied (ACL) are not; kCancelled means
// the producer shut down before the broker answered (the message may or may not be stored).
//
// Thread safety: Send and Shutdown may be called from any thread. Callbacks run on the
// producer's single I/O thread and must not block or destroy the producer.
#ifndef INFLOW_SINK_ROCKETMQ_PRODUCER_H_
#define INFLOW_SINK_ROCKETMQ_PRODUCER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "sink/message.h"
#include "sink/rocketmq/acl.h"
#include "sink/rocketmq/remoting_codec.h"

namespace inflow::sink::rocketmq {

struct ProducerOptions {
  // NameServer address(es): "host:port", several separated by ';'.
  std::string namesrv;
  std::string group = "inflow_producer";
  Credentials credentials;  // empty access_key: no ACL signing
  // Budget per message from Send to its result, retries included.
  std::chrono::milliseconds send_timeout{3000};
  int max_attempts = 3;
  std::chrono::milliseconds route_refresh_interval{30000};
  size_t compress_threshold = 4096;  // single bodies of at least this size are zlib-compressed
  int compress_level = 5;
  size_t max_message_size = 4 * 1024 * 1024;  // the broker's default maxMessageSize
  size_t max_batch_bytes = 1024 * 1024;       // upper bound of one batch request body
  size_t max_batch_messages = 1024;
  bool latency_avoidance = true;
  SerializeType serialize_type = SerializeType::kJson;
};

struct SendReceipt {
  std::string msg_id;         // the client id (UNIQ_KEY)
  std::string offset_msg_id;  // the broker's id: store host + commit-log offset
  std::string broker;         // broker name
  int32_t queue_id = 0;
  int64_t queue_offset = 0;
  // 0 = SEND_OK; 10 FLUSH_DISK_TIMEOUT, 11 SLAVE_NOT_AVAILABLE, 12 FLUSH_SLAVE_TIMEOUT: stored,
  // but not as durably as the broker is configured to promise.
  int32_t status = 0;
};

using SendResult = Result<SendReceipt>;
// Receives one result per message, in the order of the messages given to Send.
using SendCallback = std::function<void(std::vector<SendResult>)>;

class Producer {
 public:
  // Validates the options and starts the I/O thread; connects lazily.
  static Result<std::unique_ptr<Producer>> Start(ProducerOptions options);
  ~Producer();  // Shutdown()

  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Sends the messages; `done` runs once with all results. Messages of one topic are batched
  // (at most max_batch_messages / max_batch_bytes per request); messages with a sharding key go
  // to the queue of its hash, in the given order.
  void Send(std::vector<Message> messages, SendCallback done);
  std::future<std::vector<SendResult>> Send(std::vector<Message> messages);

  // Stops: every message without an answer yet gets kCancelled, later Sends get kCancelled,
  // and the I/O thread is joined. Idempotent. REQUIRES: not called from a callback.
  void Shutdown();

 private:
  class Impl;
  explicit Producer(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace inflow::sink::rocketmq

#endif  // INFLOW_SINK_ROCKETMQ_PRODUCER_H_
