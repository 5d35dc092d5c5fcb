// Sink: where a task's messages go — the only view of a destination the pipeline has.
//
// Send hands over messages; `done` later receives one SendOutcome per message, in the order
// given: ok with the message's id, a retryable error (a transient condition of the peer:
// trying the same message again later may succeed), or a deterministic error (the same message
// will fail again: too large, topic missing, access denied, the sink shut down). This is
// Fluent Bit's FLB_OK / FLB_RETRY / FLB_ERROR: the sink implementation decides which failure is
// which, because only it knows its protocol; the caller owns backoff and dead-lettering and
// never interprets error codes itself. A sink may retry internally (the RocketMQ producer tries
// another broker within its send timeout) before it answers.
//
// Implementations: sink/rocketmq/rocketmq_sink.h (the 4.x remoting producer), opened by
// sink/open_sink.h from a sink section's `type` / `version`.
//
// Thread safety: Send may be called from any thread, concurrently; `done` runs exactly once,
// on a thread of the sink's choosing (possibly inside Send), and must not block, call Shutdown
// or destroy the sink. Shutdown may be called from any thread but not from a callback; after it
// every message without an answer and every later Send gets a deterministic error.
#ifndef INFLOW_SINK_SINK_H_
#define INFLOW_SINK_SINK_H_

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "sink/message.h"

namespace inflow::sink {

// The sink-neutral result of sending one message.
class SendOutcome {
 public:
  enum class Kind { kOk, kRetryable, kDeterministic };

  static SendOutcome Ok(std::string id) { return SendOutcome(Kind::kOk, std::move(id), {}); }
  static SendOutcome Retryable(Error error) {
    return SendOutcome(Kind::kRetryable, {}, std::move(error));
  }
  static SendOutcome Deterministic(Error error) {
    return SendOutcome(Kind::kDeterministic, {}, std::move(error));
  }

  Kind kind() const { return kind_; }
  bool ok() const { return kind_ == Kind::kOk; }
  explicit operator bool() const { return ok(); }
  bool retryable() const { return kind_ == Kind::kRetryable; }

  // The id the destination knows the message by (RocketMQ: the message's UNIQ_KEY).
  // REQUIRES: ok().
  const std::string& id() const { return id_; }
  // What went wrong, with its code and message. REQUIRES: !ok().
  const Error& error() const { return *error_; }

 private:
  SendOutcome(Kind kind, std::string id, std::optional<Error> error)
      : kind_(kind), id_(std::move(id)), error_(std::move(error)) {}

  Kind kind_;
  std::string id_;
  std::optional<Error> error_;
};

// Receives one outcome per message, in the order of the messages given to Send.
using SendCallback = std::function<void(std::vector<SendOutcome>)>;

class Sink {
 public:
  virtual ~Sink() = default;

  virtual void Send(std::vector<Message> messages, SendCallback done) = 0;
  // Stops the sink (see the thread-safety note above). Idempotent.
  virtual void Shutdown() = 0;
};

}  // namespace inflow::sink

#endif  // INFLOW_SINK_SINK_H_
