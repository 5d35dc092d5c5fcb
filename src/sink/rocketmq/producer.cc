#include "sink/rocketmq/producer.h"

#include <algorithm>
#include <charconv>
#include <mutex>
#include <numeric>
#include <thread>
#include <unordered_map>
#include <utility>  // before Asio: Boost 1.74 awaitable.hpp needs std::exchange

#include "common/asio.h"
#include "common/names.h"
#include "sink/rocketmq/connection.h"
#include "sink/rocketmq/message_codec.h"
#include "sink/rocketmq/response_codes.h"
#include "sink/rocketmq/route.h"

namespace inflow::sink::rocketmq {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kSweepInterval{20};
// Broker isolation after a request of a given latency (5.x MQFaultStrategy tables).
constexpr int64_t kLatencyMax[] = {50, 100, 550, 1800, 3000, 5000, 15000};
constexpr int64_t kNotAvailableMs[] = {0, 0, 2000, 5000, 6000, 10000, 30000};
// A failed request counts as this latency.
constexpr int64_t kFailureLatencyMs = 10000;

int64_t IsolationMs(int64_t latency_ms) {
  for (int i = static_cast<int>(std::size(kLatencyMax)) - 1; i >= 0; --i) {
    if (latency_ms >= kLatencyMax[i]) return kNotAvailableMs[i];
  }
  return 0;
}

// FNV-1a: a sharding key must map to the same queue in every process and release.
uint64_t StableHash(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// The name server addresses, each as "host:port"; empty when `list` is invalid (Start() has
// refused it already).
std::vector<std::string> SplitAddresses(std::string_view list) {
  std::vector<std::string> out;
  auto parsed = ParseHostPortList(list);
  if (!parsed) return out;
  for (const HostPort& hp : *parsed) out.push_back(FormatHostPort(hp));
  return out;
}

template <typename T>
bool ParseInt(const std::string* s, T* out) {
  if (s == nullptr) return false;
  auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), *out);
  return ec == std::errc() && p == s->data() + s->size();
}

int64_t NowEpochMs() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Error Cancelled() { return Error(ErrorCode::kCancelled, "producer shut down before an answer"); }

}  // namespace

class Producer::Impl : public std::enable_shared_from_this<Producer::Impl> {
 public:
  explicit Impl(ProducerOptions options)
      : options_(std::move(options)),
        namesrvs_(SplitAddresses(options_.namesrv)),
        work_(asio::make_work_guard(io_)),
        sweep_timer_(io_),
        refresh_timer_(io_) {}

  void Run() {
    thread_ = std::thread([self = shared_from_this()] { self->io_.run(); });
    asio::post(io_, [self = shared_from_this()] {
      self->ArmSweep();
      self->ArmRefresh();
    });
  }

  void Send(std::vector<Message> messages, SendCallback done) {
    auto job = std::make_shared<Job>();
    job->messages = std::move(messages);
    job->results.resize(job->messages.size());
    job->remaining = job->messages.size();
    job->done = std::move(done);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (accepting_) {
        asio::post(io_, [self = shared_from_this(), job] { self->HandleSend(job); });
        return;
      }
    }
    for (auto& r : job->results) r = inflow::Fail(Cancelled());
    job->done(std::move(job->results));
  }

  void Shutdown() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!accepting_) return;
      accepting_ = false;
      asio::post(io_, [self = shared_from_this()] { self->StopOnIoThread(); });
    }
    if (thread_.joinable()) thread_.join();
  }

 private:
  struct Job {
    std::vector<Message> messages;
    std::vector<SendResult> results;
    size_t remaining = 0;
    SendCallback done;
  };

  // One request's worth of messages (one, or a batch), alive across retries.
  struct Op {
    std::shared_ptr<Job> job;
    std::vector<size_t> indices;
    std::vector<std::string> uniq_keys;  // per index
    std::string topic;
    bool batch = false;
    std::string body;
    std::string properties;
    int32_t sys_flag = 0;
    std::optional<uint64_t> shard_hash;
    int attempts = 0;
    Clock::time_point deadline;
    std::string last_broker;
    std::optional<Error> last_error;
  };
  using OpPtr = std::shared_ptr<Op>;

  // One message encoded for the wire, before it joins an Op.
  struct Encoded {
    size_t index;
    std::string properties;
    std::string uniq_key;
  };

  struct TopicState {
    std::optional<TopicRoute> route;
    bool fetching = false;
    std::vector<std::function<void(Status)>> waiters;
    uint32_t next_queue = 0;
  };

  // ---- lifecycle -------------------------------------------------------------------------

  void StopOnIoThread() {
    stopping_ = true;
    boost::system::error_code ec;
    sweep_timer_.cancel();
    refresh_timer_.cancel();
    auto conns = std::move(connections_);
    connections_.clear();
    for (auto& [addr, conn] : conns) conn->Close(Cancelled());
    for (auto& [topic, state] : topics_) {
      auto waiters = std::move(state.waiters);
      for (auto& w : waiters) w(inflow::Fail(Cancelled()));
    }
    work_.reset();
  }

  void ArmSweep() {
    if (stopping_) return;
    sweep_timer_.expires_after(kSweepInterval);
    sweep_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->stopping_) return;
      auto now = Clock::now();
      // Copy: expiring may trigger retries that open new connections.
      std::vector<std::shared_ptr<Connection>> conns;
      for (auto it = self->connections_.begin(); it != self->connections_.end();) {
        if (it->second->closed() && it->second->pending() == 0) {
          it = self->connections_.erase(it);
        } else {
          conns.push_back(it->second);
          ++it;
        }
      }
      for (auto& c : conns) c->ExpireOverdue(now);
      self->ArmSweep();
    });
  }

  void ArmRefresh() {
    if (stopping_) return;
    refresh_timer_.expires_after(options_.route_refresh_interval);
    refresh_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->stopping_) return;
      for (auto& [topic, state] : self->topics_) {
        if (state.route && !state.fetching) self->FetchRoute(topic);
      }
      self->ArmRefresh();
    });
  }

  std::shared_ptr<Connection> GetConnection(const std::string& addr) {
    auto& conn = connections_[addr];
    if (!conn || conn->closed()) {
      conn = std::make_shared<Connection>(io_, addr, options_.serialize_type);
    }
    return conn;
  }

  void Sign(RemotingCommand* cmd) const {
    if (!options_.credentials.empty()) SignRequest(options_.credentials, cmd);
  }

  // ---- routes ----------------------------------------------------------------------------

  void EnsureRoute(const std::string& topic, std::function<void(Status)> cb) {
    TopicState& state = topics_[topic];
    if (state.route) {
      cb(Ok());
      return;
    }
    state.waiters.push_back(std::move(cb));
    if (!state.fetching) FetchRoute(topic);
  }

  void FetchRoute(const std::string& topic) {
    TopicState& state = topics_[topic];
    state.fetching = true;
    const std::string& ns = namesrvs_[next_namesrv_ % namesrvs_.size()];
    RemotingCommand cmd;
    cmd.code = kGetRouteInfoByTopic;
    cmd.ext_fields = {{"topic", topic}, {"acceptStandardJsonOnly", "true"}};
    Sign(&cmd);
    auto deadline = Clock::now() + options_.send_timeout;
    GetConnection(ns)->Request(std::move(cmd), deadline,
                               [self = shared_from_this(), topic, ns](Result<RemotingCommand> r) {
                                 self->OnRoute(topic, ns, std::move(r));
                               });
  }

  void OnRoute(const std::string& topic, const std::string& ns, Result<RemotingCommand> r) {
    TopicState& state = topics_[topic];
    state.fetching = false;
    Status status = Ok();
    if (stopping_) {
      status = inflow::Fail(Cancelled());
    } else if (!r) {
      ++next_namesrv_;  // try another name server next time
      status = inflow::Fail(r.error().WithContext("route of topic '" + topic + "'"));
    } else if (r->code == 17) {
      status = inflow::Fail(ErrorCode::kNotFound,
                            "topic '" + topic + "' does not exist: name server " + ns +
                                " has no route for it (create the topic first)");
    } else if (r->code != 0) {
      status = inflow::Fail(ResponseError(r->code, r->remark.value_or(""), ns)
                                .WithContext("route of topic '" + topic + "'"));
    } else {
      auto route = ParseTopicRoute(topic, r->body);
      if (route) {
        state.route = std::move(*route);
      } else {
        status = inflow::Fail(route.error());
      }
    }
    // A failed refresh keeps the last good route: a stopped broker unregisters its topics,
    // and sends should keep failing as "broker unavailable", not "no such topic", until it
    // is back.
    if (!status && state.route && !stopping_) status = Ok();
    auto waiters = std::move(state.waiters);
    state.waiters.clear();
    for (auto& w : waiters) w(status);
  }

  // ---- sending ---------------------------------------------------------------------------

  void HandleSend(const std::shared_ptr<Job>& job) {
    if (stopping_) {
      for (size_t i = 0; i < job->messages.size(); ++i) Complete(job, i, inflow::Fail(Cancelled()));
      return;
    }
    std::vector<std::pair<std::string, std::vector<size_t>>> by_topic;
    for (size_t i = 0; i < job->messages.size(); ++i) {
      const Message& m = job->messages[i];
      Status valid = ValidateMessage(m);
      if (valid && m.body.size() > options_.max_message_size) {
        valid = inflow::Fail(ErrorCode::kResourceExhausted,
                             "body: " + std::to_string(m.body.size()) +
                                 " bytes, over the broker's message size limit of " +
                                 std::to_string(options_.max_message_size));
      }
      if (!valid) {
        Complete(job, i, inflow::Fail(valid.error()));
        continue;
      }
      auto it = std::find_if(by_topic.begin(), by_topic.end(),
                             [&](const auto& p) { return p.first == m.topic; });
      if (it == by_topic.end()) {
        by_topic.emplace_back(m.topic, std::vector<size_t>{});
        it = by_topic.end() - 1;
      }
      it->second.push_back(i);
    }
    auto deadline = Clock::now() + options_.send_timeout;
    for (auto& [topic, indices] : by_topic) {
      EnsureRoute(topic, [self = shared_from_this(), job, topic, indices = std::move(indices),
                          deadline](Status st) {
        if (!st) {
          for (size_t i : indices) self->Complete(job, i, inflow::Fail(st.error()));
          return;
        }
        self->BuildOps(job, topic, indices, deadline);
      });
    }
  }

  void BuildOps(const std::shared_ptr<Job>& job, const std::string& topic,
                const std::vector<size_t>& indices, Clock::time_point deadline) {
    const TopicRoute& route = *topics_[topic].route;
    // Messages of one sharding key stay in one group, in order; unsharded ones share a group.
    std::vector<std::pair<std::optional<uint64_t>, std::vector<size_t>>> groups;
    for (size_t i : indices) {
      const Message& m = job->messages[i];
      std::optional<uint64_t> shard;
      if (m.sharding_key) shard = StableHash(*m.sharding_key) % route.queues.size();
      auto it = std::find_if(groups.begin(), groups.end(),
                             [&](const auto& g) { return g.first == shard; });
      if (it == groups.end()) {
        groups.emplace_back(shard, std::vector<size_t>{});
        it = groups.end() - 1;
      }
      it->second.push_back(i);
    }
    for (auto& [shard, members] : groups) {
      std::vector<Encoded> chunk;
      size_t chunk_bytes = 0;
      auto flush = [&] {
        if (!chunk.empty()) Dispatch(MakeOp(job, topic, shard, std::move(chunk), deadline));
        chunk.clear();
        chunk_bytes = 0;
      };
      for (size_t i : members) {
        const Message& m = job->messages[i];
        std::string uniq = m.unique_key ? *m.unique_key : uniq_keys_.Next();
        auto props = BuildProperties(m, uniq);
        if (!props) {
          Complete(job, i, inflow::Fail(props.error()));
          continue;
        }
        size_t entry = BatchEntrySize(m.body.size(), props->size());
        if (!chunk.empty() && (chunk.size() >= options_.max_batch_messages ||
                               chunk_bytes + entry > options_.max_batch_bytes)) {
          flush();
        }
        chunk.push_back({i, std::move(*props), std::move(uniq)});
        chunk_bytes += entry;
      }
      flush();
    }
  }

  OpPtr MakeOp(const std::shared_ptr<Job>& job, const std::string& topic,
               std::optional<uint64_t> shard, std::vector<Encoded> chunk,
               Clock::time_point deadline) {
    auto op = std::make_shared<Op>();
    op->job = job;
    op->topic = topic;
    op->shard_hash = shard;
    op->deadline = deadline;
    for (auto& e : chunk) {
      op->indices.push_back(e.index);
      op->uniq_keys.push_back(std::move(e.uniq_key));
    }
    if (chunk.size() == 1) {
      const Message& m = job->messages[chunk[0].index];
      op->properties = std::move(chunk[0].properties);
      if (m.body.size() >= options_.compress_threshold) {
        auto z = ZlibCompress(m.body, options_.compress_level);
        if (z && z->size() < m.body.size()) {
          op->body = std::move(*z);
          op->sys_flag = kSysFlagCompressed | kSysFlagZlib;
        }
      }
      if (op->sys_flag == 0) op->body = m.body;
    } else {
      op->batch = true;
      op->body.reserve(
          std::accumulate(chunk.begin(), chunk.end(), size_t{0}, [&](size_t n, const Encoded& e) {
            return n + BatchEntrySize(job->messages[e.index].body.size(), e.properties.size());
          }));
      for (auto& e : chunk)
        AppendBatchEntry(job->messages[e.index].body, e.properties, 0, &op->body);
      // The broker appends the outer properties to every inner message, so they carry only
      // WAIT: an outer UNIQ_KEY would override each message's own id for consumers.
      AppendProperty("WAIT", "true", &op->properties);
    }
    return op;
  }

  struct Pick {
    const PublishQueue* queue = nullptr;
    std::string addr;
  };

  Pick SelectQueue(TopicState& state, const Op& op) {
    const TopicRoute& route = *state.route;
    size_t n = route.queues.size();
    Pick pick;
    if (op.shard_hash) {
      pick.queue = &route.queues[*op.shard_hash % n];
    } else {
      auto now = Clock::now();
      size_t start = state.next_queue++;
      auto usable = [&](const PublishQueue& q, bool check_latency) {
        if (q.broker_name == op.last_broker) return false;
        if (!check_latency || !options_.latency_avoidance) return true;
        auto it = isolated_until_.find(q.broker_name);
        return it == isolated_until_.end() || it->second <= now;
      };
      for (int pass = 0; pass < 2 && pick.queue == nullptr; ++pass) {
        for (size_t k = 0; k < n; ++k) {
          const PublishQueue& q = route.queues[(start + k) % n];
          if (usable(q, pass == 0)) {
            pick.queue = &q;
            break;
          }
        }
      }
      if (pick.queue == nullptr) pick.queue = &route.queues[start % n];
    }
    auto it = route.master_addrs.find(pick.queue->broker_name);
    if (it != route.master_addrs.end()) pick.addr = it->second;
    return pick;
  }

  void Dispatch(const OpPtr& op) {
    if (stopping_) return CompleteOp(op, Cancelled());
    auto now = Clock::now();
    if (op->attempts > 0 && (op->attempts >= options_.max_attempts || now >= op->deadline)) {
      Error e = op->last_error.value_or(Error(ErrorCode::kTimeout, "send timed out"));
      return CompleteOp(op, e.WithContext("topic '" + op->topic + "': gave up after " +
                                          std::to_string(op->attempts) + " attempt(s)"));
    }
    TopicState& state = topics_[op->topic];
    Pick pick = SelectQueue(state, *op);
    ++op->attempts;
    if (pick.addr.empty()) {
      op->last_broker = pick.queue->broker_name;
      op->last_error = Error(ErrorCode::kUnavailable,
                             "broker '" + pick.queue->broker_name + "' has no master address");
      return Dispatch(op);
    }
    RemotingCommand cmd;
    cmd.code = op->batch ? kSendBatchMessage : kSendMessageV2;
    cmd.ext_fields = {{"a", options_.group},
                      {"b", op->topic},
                      {"c", "TBW102"},
                      {"d", "4"},
                      {"e", std::to_string(pick.queue->queue_id)},
                      {"f", std::to_string(op->sys_flag)},
                      {"g", std::to_string(NowEpochMs())},
                      {"h", "0"},
                      {"i", op->properties},
                      {"j", "0"},
                      {"k", "false"},
                      {"m", op->batch ? "true" : "false"}};
    cmd.body = op->body;
    Sign(&cmd);
    std::string broker = pick.queue->broker_name;
    GetConnection(pick.addr)->Request(std::move(cmd), op->deadline,
                                      [self = shared_from_this(), op, broker, addr = pick.addr,
                                       sent = now](Result<RemotingCommand> r) {
                                        self->OnSendResponse(op, broker, addr, sent, std::move(r));
                                      });
  }

  void RecordLatency(const std::string& broker, Clock::time_point sent, bool failed) {
    auto now = Clock::now();
    int64_t latency =
        failed ? kFailureLatencyMs : std::chrono::duration_cast<milliseconds>(now - sent).count();
    int64_t isolate = IsolationMs(latency);
    if (isolate > 0) {
      isolated_until_[broker] = now + milliseconds(isolate);
    } else {
      isolated_until_.erase(broker);
    }
  }

  void OnSendResponse(const OpPtr& op, const std::string& broker, const std::string& addr,
                      Clock::time_point sent, Result<RemotingCommand> r) {
    if (stopping_) return CompleteOp(op, Cancelled());
    if (!r) {
      RecordLatency(broker, sent, true);
      op->last_broker = broker;
      op->last_error = r.error();
      return Dispatch(op);
    }
    ResponseClass cls = ClassifyResponse(r->code).cls;
    if (cls == ResponseClass::kOk || cls == ResponseClass::kStoredNotOk) {
      RecordLatency(broker, sent, false);
      return CompleteSent(op, broker, *r);
    }
    std::string_view remark = r->remark ? std::string_view(*r->remark) : std::string_view();
    Error err = ResponseError(r->code, remark, addr);
    if (IsRetryableResponse(r->code, remark)) {
      RecordLatency(broker, sent, true);
      op->last_broker = broker;
      op->last_error = std::move(err);
      return Dispatch(op);
    }
    CompleteOp(op, err.WithContext("topic '" + op->topic + "'"));
  }

  void CompleteSent(const OpPtr& op, const std::string& broker, const RemotingCommand& resp) {
    int32_t queue_id = 0;
    int64_t queue_offset = 0;
    if (!ParseInt(resp.Field("queueId"), &queue_id) ||
        !ParseInt(resp.Field("queueOffset"), &queue_offset)) {
      return CompleteOp(
          op, Error(ErrorCode::kDataLoss,
                    "broker '" + broker + "' acknowledged without a valid queueId/queueOffset"));
    }
    std::vector<std::string_view> offset_ids;
    if (const std::string* ids = resp.Field("msgId")) {
      std::string_view rest(*ids);
      while (!rest.empty()) {
        size_t comma = rest.find(',');
        offset_ids.push_back(rest.substr(0, comma));
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
    }
    for (size_t k = 0; k < op->indices.size(); ++k) {
      SendReceipt receipt;
      receipt.msg_id = op->uniq_keys[k];
      if (k < offset_ids.size()) receipt.offset_msg_id = std::string(offset_ids[k]);
      receipt.broker = broker;
      receipt.queue_id = queue_id;
      receipt.queue_offset = queue_offset + static_cast<int64_t>(k);
      receipt.status = resp.code;
      Complete(op->job, op->indices[k], std::move(receipt));
    }
  }

  void CompleteOp(const OpPtr& op, const Error& error) {
    for (size_t i : op->indices) Complete(op->job, i, inflow::Fail(error));
  }

  void Complete(const std::shared_ptr<Job>& job, size_t index, SendResult result) {
    job->results[index] = std::move(result);
    if (--job->remaining == 0) {
      auto done = std::move(job->done);
      done(std::move(job->results));
    }
  }

  ProducerOptions options_;
  std::vector<std::string> namesrvs_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  asio::steady_timer sweep_timer_;
  asio::steady_timer refresh_timer_;
  std::thread thread_;

  std::mutex mu_;
  bool accepting_ = true;  // guarded by mu_

  // I/O thread only below.
  bool stopping_ = false;
  size_t next_namesrv_ = 0;
  std::unordered_map<std::string, std::shared_ptr<Connection>> connections_;
  std::unordered_map<std::string, TopicState> topics_;
  std::unordered_map<std::string, Clock::time_point> isolated_until_;
  UniqKeyGenerator uniq_keys_;
};

Result<std::unique_ptr<Producer>> Producer::Start(ProducerOptions options) {
  INFLOW_RETURN_IF_ERROR(ValidateHostPortList(options.namesrv, "namesrv"));
  if (options.group.empty()) return inflow::Fail(ErrorCode::kInvalidArgument, "group: empty");
  if (options.max_attempts < 1) {
    return inflow::Fail(ErrorCode::kInvalidArgument, "max_attempts: must be at least 1");
  }
  if (options.send_timeout.count() <= 0) {
    return inflow::Fail(ErrorCode::kInvalidArgument, "send_timeout: must be positive");
  }
  if (options.route_refresh_interval.count() <= 0) {
    return inflow::Fail(ErrorCode::kInvalidArgument, "route_refresh_interval: must be positive");
  }
  if (options.max_batch_messages == 0 || options.max_batch_bytes == 0) {
    return inflow::Fail(ErrorCode::kInvalidArgument, "max_batch_*: must be positive");
  }
  if (options.max_batch_bytes > options.max_message_size) {
    options.max_batch_bytes = options.max_message_size;
  }
  if (!options.credentials.access_key.empty() && options.credentials.secret_key.empty()) {
    return inflow::Fail(ErrorCode::kInvalidArgument, "secret_key: required with access_key");
  }
  auto impl = std::make_shared<Impl>(std::move(options));
  impl->Run();
  return std::unique_ptr<Producer>(new Producer(std::move(impl)));
}

Producer::Producer(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

Producer::~Producer() { Shutdown(); }

void Producer::Send(std::vector<Message> messages, SendCallback done) {
  if (messages.empty()) {
    done({});
    return;
  }
  impl_->Send(std::move(messages), std::move(done));
}

std::future<std::vector<SendResult>> Producer::Send(std::vector<Message> messages) {
  auto promise = std::make_shared<std::promise<std::vector<SendResult>>>();
  auto future = promise->get_future();
  Send(std::move(messages),
       [promise](std::vector<SendResult> results) { promise->set_value(std::move(results)); });
  return future;
}

void Producer::Shutdown() { impl_->Shutdown(); }

}  // namespace inflow::sink::rocketmq
