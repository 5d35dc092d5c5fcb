// Connection: one TCP connection to a RocketMQ NameServer or broker carrying many requests at
// once, each matched to its response by opaque. Connects lazily on the first request; when the
// peer goes away every pending request fails with kUnavailable and the owner opens a new
// Connection for later requests. Deadlines are enforced by the owner calling ExpireOverdue
// periodically (one timer for all requests instead of one per request).
//
// Internal to the producer: this header includes Asio, so only producer.cc and connection.cc
// include it.
//
// Thread safety: none. Every method, and every callback, runs on the io_context's one thread.
#ifndef INFLOW_SINK_ROCKETMQ_CONNECTION_H_
#define INFLOW_SINK_ROCKETMQ_CONNECTION_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>  // before Asio: Boost 1.74 awaitable.hpp needs std::exchange
#include <vector>

#include "common/asio.h"
#include "common/result.h"
#include "sink/rocketmq/remoting_codec.h"

namespace inflow::sink::rocketmq {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using Clock = std::chrono::steady_clock;
  using Callback = std::function<void(Result<RemotingCommand>)>;

  Connection(asio::io_context& io, std::string address, SerializeType serialize_type);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Sends cmd (its opaque is assigned here) and calls cb exactly once: with the response, or
  // with kUnavailable (connection failed or closed), kTimeout (deadline passed) or the error
  // given to Close.
  void Request(RemotingCommand cmd, Clock::time_point deadline, Callback cb);

  // Fails requests whose deadline has passed. A connection that has not received a byte since
  // an expired request was sent is considered dead and closed.
  void ExpireOverdue(Clock::time_point now);

  // Fails every pending request with `reason` and closes the socket. Idempotent.
  void Close(const Error& reason);

  bool closed() const { return state_ == State::kClosed; }
  const std::string& address() const { return address_; }
  size_t pending() const { return pending_.size(); }

 private:
  enum class State { kIdle, kConnecting, kOpen, kClosed };
  struct Pending {
    Callback cb;
    Clock::time_point deadline;
    Clock::time_point sent;
  };

  void StartConnect();
  void StartWrite();
  void StartRead();
  void OnFrame(std::string_view frame);

  std::string address_;
  SerializeType serialize_type_;
  asio::ip::tcp::socket socket_;
  State state_ = State::kIdle;
  int32_t next_opaque_ = 1;
  std::unordered_map<int32_t, Pending> pending_;
  std::string outgoing_;  // frames waiting for the current write to finish
  std::string writing_;   // frames being written
  bool write_in_progress_ = false;
  std::vector<char> read_chunk_;
  std::string inbuf_;
  size_t inbuf_start_ = 0;
  Clock::time_point last_read_{};
};

}  // namespace inflow::sink::rocketmq

#endif  // INFLOW_SINK_ROCKETMQ_CONNECTION_H_
