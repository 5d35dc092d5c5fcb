// FakeRocketMq: an in-process NameServer and two brokers ("broker-a", "broker-b") speaking the
// remoting protocol on loopback ports, for unit tests of the producer. Test-only.
//
// The NameServer answers GET_ROUTEINFO_BY_TOPIC for any topic with both brokers, each holding
// `write_queues` writable queues. A broker answers SEND_MESSAGE_V2 and SEND_BATCH_MESSAGE the
// way a test scripts it (Behavior): with a receipt, after a delay, with an error code, by
// closing the connection, or never. Every send request a broker receives is recorded, with the
// receipt it answered, so tests can check both where a message went and what the producer made
// of the answer.
//
// Thread safety: one server thread runs every socket; behaviours and records are guarded by a
// mutex, so a test may script and inspect the brokers from any thread.
#ifndef INFLOW_SINK_ROCKETMQ_FAKE_ROCKETMQ_H_
#define INFLOW_SINK_ROCKETMQ_FAKE_ROCKETMQ_H_

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>  // before Asio: Boost 1.74 awaitable.hpp needs std::exchange
#include <vector>

#include "common/asio.h"
#include "sink/rocketmq/message_codec.h"
#include "sink/rocketmq/remoting_codec.h"

namespace inflow::sink::rocketmq::fake {

// What a broker does with one send request.
struct Behavior {
  enum class Kind { kAnswer, kClose, kNeverAnswer };
  Kind kind = Kind::kAnswer;
  // 0 (SUCCESS) and 10..12 (stored, not durable yet) carry a receipt; other codes are errors.
  int32_t code = 0;
  std::string remark;
  std::chrono::milliseconds delay{0};

  static Behavior Succeed(std::chrono::milliseconds delay = std::chrono::milliseconds(0)) {
    Behavior b;
    b.delay = delay;
    return b;
  }
  static Behavior Answer(int32_t code, std::string remark) {
    Behavior b;
    b.code = code;
    b.remark = std::move(remark);
    return b;
  }
  static Behavior CloseConnection() {
    Behavior b;
    b.kind = Kind::kClose;
    return b;
  }
  static Behavior NeverAnswer() {
    Behavior b;
    b.kind = Kind::kNeverAnswer;
    return b;
  }
};

// One send request as a broker saw it.
struct ReceivedSend {
  int32_t request_code = 0;            // kSendMessageV2 or kSendBatchMessage
  int32_t queue_id = -1;               // ext field "e"
  std::vector<std::string> uniq_keys;  // UNIQ_KEY of each message, in order
  // What the broker answered; queue_offset stays -1 unless it answered with a receipt.
  int32_t response_code = -1;
  int64_t queue_offset = -1;
  std::vector<std::string> offset_msg_ids;
};

// One accepted connection: reads length-prefixed frames, hands each decoded request to the
// owner and writes replies in the order they are given. Server thread only.
class FakeSession : public std::enable_shared_from_this<FakeSession> {
 public:
  using Handler = std::function<void(const std::shared_ptr<FakeSession>&, RemotingCommand)>;

  FakeSession(asio::ip::tcp::socket socket, Handler handler)
      : socket_(std::move(socket)), handler_(std::move(handler)) {}

  void Start() { ReadLength(); }

  void Reply(const RemotingCommand& response) {
    outgoing_.push_back(EncodeFrame(response, SerializeType::kJson));
    if (outgoing_.size() == 1) WriteNext();
  }

  void Close() {
    boost::system::error_code ec;
    socket_.close(ec);
  }

 private:
  void ReadLength() {
    asio::async_read(socket_, asio::buffer(length_),
                     [self = shared_from_this()](boost::system::error_code ec, size_t) {
                       if (ec) return;
                       uint32_t n = (uint32_t{self->length_[0]} << 24) |
                                    (uint32_t{self->length_[1]} << 16) |
                                    (uint32_t{self->length_[2]} << 8) | uint32_t{self->length_[3]};
                       if (n < 4 || n > kDefaultMaxFrame) return self->Close();
                       self->ReadContent(n);
                     });
  }

  void ReadContent(uint32_t n) {
    content_.resize(n);
    asio::async_read(socket_, asio::buffer(content_),
                     [self = shared_from_this()](boost::system::error_code ec, size_t) {
                       if (ec) return;
                       auto cmd = DecodeFrameContent(self->content_);
                       if (!cmd) return self->Close();
                       self->handler_(self, std::move(*cmd));
                       self->ReadLength();
                     });
  }

  void WriteNext() {
    asio::async_write(socket_, asio::buffer(outgoing_.front()),
                      [self = shared_from_this()](boost::system::error_code ec, size_t) {
                        if (ec) return;
                        self->outgoing_.pop_front();
                        if (!self->outgoing_.empty()) self->WriteNext();
                      });
  }

  asio::ip::tcp::socket socket_;
  Handler handler_;
  std::array<unsigned char, 4> length_{};
  std::string content_;
  std::deque<std::string> outgoing_;  // front is being written
};

// A loopback listener that starts a FakeSession per connection. Server thread only, after
// construction.
class FakeListener {
 public:
  FakeListener(asio::io_context& io, FakeSession::Handler handler)
      : acceptor_(io, {asio::ip::make_address("127.0.0.1"), 0}), handler_(std::move(handler)) {
    Accept();
  }

  std::string address() const {
    return "127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  void Accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, asio::ip::tcp::socket socket) {
      if (ec) return;
      boost::system::error_code opt_ec;
      socket.set_option(asio::ip::tcp::no_delay(true), opt_ec);
      std::make_shared<FakeSession>(std::move(socket), handler_)->Start();
      Accept();
    });
  }

  asio::ip::tcp::acceptor acceptor_;
  FakeSession::Handler handler_;
};

inline RemotingCommand ResponseTo(const RemotingCommand& request, int32_t code) {
  RemotingCommand response;
  response.code = code;
  response.opaque = request.opaque;
  response.flag = kFlagResponse;
  return response;
}

class FakeBroker {
 public:
  FakeBroker(asio::io_context& io, std::string name, std::mutex* mu, std::condition_variable* cv)
      : name_(std::move(name)),
        io_(io),
        mu_(mu),
        cv_(cv),
        listener_(io, [this](const std::shared_ptr<FakeSession>& session, RemotingCommand req) {
          OnRequest(session, std::move(req));
        }) {}

  const std::string& name() const { return name_; }
  std::string address() const { return listener_.address(); }

  // What every request gets once the one-shot behaviours are used up.
  void SetBehavior(Behavior b) {
    std::lock_guard<std::mutex> lock(*mu_);
    default_ = std::move(b);
  }
  // What the next request gets (queued: each call scripts one more request).
  void PushBehavior(Behavior b) {
    std::lock_guard<std::mutex> lock(*mu_);
    scripted_.push_back(std::move(b));
  }

  std::vector<ReceivedSend> sends() const {
    std::lock_guard<std::mutex> lock(*mu_);
    return sends_;
  }
  size_t send_count() const {
    std::lock_guard<std::mutex> lock(*mu_);
    return sends_.size();
  }
  // REQUIRES: *mu_ held.
  size_t send_count_locked() const { return sends_.size(); }

 private:
  void OnRequest(const std::shared_ptr<FakeSession>& session, const RemotingCommand& req) {
    if (req.code != kSendMessageV2 && req.code != kSendBatchMessage) {
      session->Reply(ResponseTo(req, kRequestCodeNotSupported));
      return;
    }
    ReceivedSend rec;
    rec.request_code = req.code;
    if (const std::string* e = req.Field("e")) {
      std::from_chars(e->data(), e->data() + e->size(), rec.queue_id);
    }
    if (req.code == kSendBatchMessage) {
      auto entries = DecodeBatchBody(req.body);
      if (entries) {
        for (const auto& entry : *entries) rec.uniq_keys.push_back(UniqKey(entry.properties));
      }
    } else if (const std::string* props = req.Field("i")) {
      rec.uniq_keys.push_back(UniqKey(*props));
    }

    Behavior b;
    RemotingCommand response;
    {
      std::lock_guard<std::mutex> lock(*mu_);
      if (!scripted_.empty()) {
        b = std::move(scripted_.front());
        scripted_.pop_front();
      } else {
        b = default_;
      }
      response = ResponseTo(req, b.code);
      if (!b.remark.empty()) response.remark = b.remark;
      if (b.kind == Behavior::Kind::kAnswer) {
        rec.response_code = b.code;
        if (b.code == 0 || (b.code >= 10 && b.code <= 12)) Receipt(&rec, &response);
      }
      sends_.push_back(rec);
    }
    cv_->notify_all();

    switch (b.kind) {
      case Behavior::Kind::kNeverAnswer:
        return;
      case Behavior::Kind::kClose:
        session->Close();
        return;
      case Behavior::Kind::kAnswer:
        break;
    }
    if (b.delay.count() == 0) {
      session->Reply(response);
      return;
    }
    auto timer = std::make_shared<asio::steady_timer>(io_, b.delay);
    timer->async_wait([timer, session, response](boost::system::error_code ec) {
      if (!ec) session->Reply(response);
    });
  }

  // Assigns queue offsets and store ids the way a broker would. REQUIRES: *mu_ held.
  void Receipt(ReceivedSend* rec, RemotingCommand* response) {
    size_t n = std::max<size_t>(rec->uniq_keys.size(), 1);
    int64_t& next = next_offset_[rec->queue_id];
    rec->queue_offset = next;
    next += static_cast<int64_t>(n);
    std::string joined;
    for (size_t k = 0; k < n; ++k) {
      // Java layout: store host IPv4, port, commit-log offset.
      char id[33];
      std::snprintf(id, sizeof(id), "7F000001%08X%016llX", unsigned{listener_.port()},
                    static_cast<unsigned long long>(commit_offset_));
      commit_offset_ += 256;
      rec->offset_msg_ids.emplace_back(id);
      if (k > 0) joined += ',';
      joined += id;
    }
    response->ext_fields = {{"msgId", joined},
                            {"queueId", std::to_string(rec->queue_id)},
                            {"queueOffset", std::to_string(rec->queue_offset)}};
  }

  static std::string UniqKey(std::string_view properties) {
    for (auto& [name, value] : DecodeProperties(properties)) {
      if (name == "UNIQ_KEY") return value;
    }
    return "";
  }

  std::string name_;
  asio::io_context& io_;
  std::mutex* mu_;
  std::condition_variable* cv_;
  // Guarded by *mu_.
  Behavior default_;
  std::deque<Behavior> scripted_;
  std::vector<ReceivedSend> sends_;
  std::map<int32_t, int64_t> next_offset_;  // queue id -> next queue offset
  uint64_t commit_offset_ = 0;
  // Last: its handler uses the members above.
  FakeListener listener_;
};

class FakeRocketMq {
 public:
  explicit FakeRocketMq(int write_queues = 4)
      : write_queues_(write_queues),
        a_(io_, "broker-a", &mu_, &cv_),
        b_(io_, "broker-b", &mu_, &cv_),
        namesrv_(io_, [this](const std::shared_ptr<FakeSession>& session,
                             RemotingCommand req) { OnNameServerRequest(session, req); }),
        thread_([this] { io_.run(); }) {}

  ~FakeRocketMq() {
    // Stopping drops the pending handlers, and with them the sessions they keep alive.
    io_.stop();
    thread_.join();
  }

  FakeRocketMq(const FakeRocketMq&) = delete;
  FakeRocketMq& operator=(const FakeRocketMq&) = delete;

  std::string namesrv_address() const { return namesrv_.address(); }
  FakeBroker& a() { return a_; }
  FakeBroker& b() { return b_; }
  int write_queues() const { return write_queues_; }

  size_t route_requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return route_requests_;
  }
  size_t total_sends() const { return a_.send_count() + b_.send_count(); }

  // Waits until the brokers together have received at least n send requests.
  bool WaitForSends(size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout,
                        [&] { return a_.send_count_locked() + b_.send_count_locked() >= n; });
  }

 private:
  void OnNameServerRequest(const std::shared_ptr<FakeSession>& session,
                           const RemotingCommand& req) {
    if (req.code != kGetRouteInfoByTopic) {
      session->Reply(ResponseTo(req, kRequestCodeNotSupported));
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++route_requests_;
    }
    // Standard JSON, as name servers write it for clients of version >= 401.
    std::string brokers;
    std::string queues;
    for (const FakeBroker* broker : {&b_, &a_}) {  // unsorted: the producer must sort
      if (!brokers.empty()) {
        brokers += ',';
        queues += ',';
      }
      brokers += R"({"brokerAddrs":{"0":")" + broker->address() + R"("},"brokerName":")" +
                 broker->name() + R"(","cluster":"DefaultCluster"})";
      queues += R"({"brokerName":")" + broker->name() + R"(","perm":6,"readQueueNums":)" +
                std::to_string(write_queues_) + R"(,"topicSysFlag":0,"writeQueueNums":)" +
                std::to_string(write_queues_) + "}";
    }
    RemotingCommand response = ResponseTo(req, 0);
    response.body = R"({"brokerDatas":[)" + brokers + R"(],"filterServerTable":{},"queueDatas":[)" +
                    queues + "]}";
    session->Reply(response);
  }

  const int write_queues_;
  asio::io_context io_;  // first: outlives every socket
  mutable std::mutex mu_;
  std::condition_variable cv_;
  size_t route_requests_ = 0;  // guarded by mu_
  FakeBroker a_;
  FakeBroker b_;
  FakeListener namesrv_;
  std::thread thread_;  // last: starts once everything it serves exists
};

}  // namespace inflow::sink::rocketmq::fake

#endif  // INFLOW_SINK_ROCKETMQ_FAKE_ROCKETMQ_H_
