#include "pipeline/task.h"

#include <simdjson.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <unordered_map>

#include "pattern/matcher.h"
#include "pipeline/batcher.h"
#include "sink/render.h"
#include "transform/steps.h"

namespace inflow::pipeline {

const char* TaskStateName(TaskState state) {
  switch (state) {
    case TaskState::kReady:
      return "READY";
    case TaskState::kStarting:
      return "STARTING";
    case TaskState::kRunning:
      return "RUNNING";
    case TaskState::kPaused:
      return "PAUSED";
    case TaskState::kStartingFailed:
      return "STARTING_FAILED";
    case TaskState::kRunningFailed:
      return "RUNNING_FAILED";
  }
  return "UNKNOWN";
}

namespace {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

int64_t NowMs() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// An event read from the change log, waiting in the batcher.
struct ReadEvent {
  std::string json;  // the CloudEvent
  std::string id;
  Offset offset;
  int64_t source_ms = 0;
  int64_t read_ms = 0;
};

// What a message or a failed event remembers of the change it came from.
struct Origin {
  std::string json;  // the CloudEvent, for the dead-letter queue
  int64_t source_ms = 0;
  int64_t read_ms = 0;
};

// The primary-key values of a CloudEvent as a compact JSON array: the default sharding key of
// orderly delivery. Empty when the event is not a change event (a transform reshaped it).
std::string DefaultShardingKey(simdjson::dom::parser& parser, const std::string& json) {
  simdjson::dom::element root;
  if (parser.parse(json).get(root) != simdjson::SUCCESS) return {};
  simdjson::dom::element data, fields, image;
  if (root["data"].get(data) != simdjson::SUCCESS) return {};
  if (data["schema"]["primaryIndexInfo"]["indexFields"].get(fields) != simdjson::SUCCESS ||
      !fields.is_array()) {
    return {};
  }
  if (data["afterImage"].get(image) != simdjson::SUCCESS &&
      data["beforeImage"].get(image) != simdjson::SUCCESS) {
    return {};
  }
  std::string key = "[";
  simdjson::dom::array list = fields.get_array().value_unsafe();
  bool first = true;
  for (simdjson::dom::element f : list) {
    std::string_view name;
    if (f["fieldName"].get(name) != simdjson::SUCCESS) return {};
    simdjson::dom::element v;
    if (image[name].get(v) != simdjson::SUCCESS) return {};
    if (!first) key += ',';
    first = false;
    key += simdjson::minify(v);
  }
  return key + "]";
}

}  // namespace

struct Task::Impl {
  TaskConfig config;
  TaskDeps deps;
  std::optional<pattern::Matcher> filter;  // set by Create
  std::vector<std::unique_ptr<transform::Step>> steps;
  TaskMetrics metrics;
  std::mt19937_64 rng;

  // --- shared with other threads ---
  // Sink callbacks may outlive the task (the producer is not ours), so what they touch lives in
  // a shared inbox; the same mutex guards the task's state.
  struct Inbox {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<std::pair<std::vector<uint64_t>, std::vector<sink::SendOutcome>>> completions;
  };
  std::shared_ptr<Inbox> inbox = std::make_shared<Inbox>();
  std::mutex& mu = inbox->mu;
  std::condition_variable& cv = inbox->cv;
  TaskState state = TaskState::kReady;
  std::string reason;
  bool stopping = false;
  bool finished = false;  // Run() has returned
  SteadyClock::time_point stop_requested;
  milliseconds drain{10'000};
  std::optional<changelog::Cursor> cursor;  // for Cancel() from Stop()
  std::thread thread;

  // --- owned by the task thread ---
  struct Item {
    uint64_t batch = 0;
    sink::Message message;
    std::string event_id;
    const Origin* origin = nullptr;  // owned by the batch
    int attempts = 0;
    int64_t first_failure_ms = 0;
    std::string order_key;
    SteadyClock::time_point sent_at;
    bool in_flight = false;
  };
  struct BatchState {
    uint64_t seq = 0;
    Offset end;
    size_t outstanding = 0;  // items not finished (+1 for an event that blocked the task)
    std::unordered_map<std::string, Origin> origins;  // by CloudEvent id
  };
  std::unordered_map<uint64_t, Item> items;
  uint64_t next_item = 0;
  std::deque<BatchState> batches;
  uint64_t next_batch = 0;
  std::multimap<SteadyClock::time_point, uint64_t> retry_at;
  std::unordered_map<std::string, std::deque<uint64_t>> key_queues;  // orderly only
  size_t in_flight = 0;
  bool blocked = false;
  Offset committed{0};
  simdjson::dom::parser parser;

  bool orderly() const { return config.sink.delivery_order == sink::DeliveryOrder::kOrderly; }

  void SetState(TaskState s, std::string why = {}) {
    std::lock_guard<std::mutex> lock(mu);
    state = s;
    reason = std::move(why);
  }

  bool Stopping() {
    std::lock_guard<std::mutex> lock(mu);
    return stopping;
  }

  BatchState* FindBatch(uint64_t seq) {
    for (auto& b : batches) {
      if (b.seq == seq) return &b;
    }
    return nullptr;
  }

  void Block(const std::string& why) {
    if (blocked) return;
    blocked = true;
    retry_at.clear();
    SetState(TaskState::kRunningFailed, why);
  }

  // --- failure handling ---

  // An event (or one message of it) failed for good. Returns true when it is finished (dead-
  // lettered or dropped), false when the task blocked on it.
  bool GiveUp(const std::string& event_id, const Origin* origin, const std::string& topic,
              const Error& error, int attempts, int64_t first_failure_ms) {
    if (config.fault_tolerance == FaultTolerance::kNone) {
      Block("event " + event_id + " failed after " + std::to_string(attempts) +
            " attempt(s) and fault_tolerance is NONE: " + error.ToString());
      return false;
    }
    if (deps.dead_letter == nullptr) {
      metrics.dropped++;
      return true;
    }
    DeadLetter letter{config.name, topic,    event_id,        origin ? origin->json : "",
                      error,       attempts, first_failure_ms};
    if (auto st = deps.dead_letter->Write(letter); !st) {
      Block("cannot write event " + event_id + " to the dead-letter queue: " +
            st.error().ToString() + " (original failure: " + error.ToString() + ")");
      return false;
    }
    metrics.dead_lettered++;
    return true;
  }

  // An event failed before it became a message (transform or render).
  void FailEvent(BatchState& batch, const std::string& event_id, const Error& error) {
    std::string base = event_id.substr(0, event_id.find('#'));
    auto it = batch.origins.find(base);
    const Origin* origin = it == batch.origins.end() ? nullptr : &it->second;
    std::string topic = config.sink.topic && config.sink.topic->form == sink::FieldForm::kConstant
                            ? config.sink.topic->value
                            : "";
    if (!GiveUp(event_id, origin, topic, error, 1, NowMs())) batch.outstanding++;
  }

  // --- sending ---

  void SendItems(const std::vector<uint64_t>& ids) {
    if (ids.empty()) return;
    std::vector<sink::Message> messages;
    messages.reserve(ids.size());
    auto now = SteadyClock::now();
    for (uint64_t id : ids) {
      Item& item = items.at(id);
      item.attempts++;
      item.sent_at = now;
      item.in_flight = true;
      messages.push_back(item.message);
    }
    in_flight += ids.size();
    deps.sink->Send(std::move(messages),
                    [inbox = inbox, ids](std::vector<sink::SendOutcome> results) {
                      {
                        std::lock_guard<std::mutex> lock(inbox->mu);
                        inbox->completions.emplace_back(ids, std::move(results));
                      }
                      inbox->cv.notify_all();
                    });
  }

  void Finish(uint64_t id) {
    auto it = items.find(id);
    Item& item = it->second;
    if (BatchState* b = FindBatch(item.batch)) b->outstanding--;
    if (orderly()) {
      auto q = key_queues.find(item.order_key);
      if (q != key_queues.end()) {
        if (!q->second.empty() && q->second.front() == id) q->second.pop_front();
        if (q->second.empty()) {
          key_queues.erase(q);
        } else if (!blocked) {
          SendItems({q->second.front()});
        }
      }
    }
    items.erase(it);
  }

  void OnResult(uint64_t id, const sink::SendOutcome& result) {
    auto it = items.find(id);
    if (it == items.end()) return;
    Item& item = it->second;
    item.in_flight = false;
    in_flight--;
    auto now = SteadyClock::now();
    metrics.sink_ms.Observe(std::chrono::duration<double, std::milli>(now - item.sent_at).count());
    if (result.ok()) {
      metrics.messages_delivered++;
      if (item.origin)
        metrics.end_to_end_ms.Observe(static_cast<double>(NowMs() - item.origin->source_ms));
      Finish(id);
      return;
    }
    metrics.delivery_failures++;
    const Error& error = result.error();
    if (item.first_failure_ms == 0) item.first_failure_ms = NowMs();
    // The sink decides what is transient; the task decides when and how often to retry.
    if (result.retryable() && !blocked) {
      int64_t age = item.origin ? NowMs() - item.origin->read_ms : 0;
      auto delay = config.retry.NextDelay(item.attempts, milliseconds(age), rng);
      if (delay) {
        metrics.retries++;
        retry_at.emplace(now + *delay, id);
        return;
      }
    }
    if (GiveUp(item.event_id, item.origin, item.message.topic, error, item.attempts,
               item.first_failure_ms)) {
      Finish(id);
    }
  }

  void DrainCompletions() {
    std::vector<std::pair<std::vector<uint64_t>, std::vector<sink::SendOutcome>>> done;
    {
      std::lock_guard<std::mutex> lock(mu);
      done.swap(inbox->completions);
    }
    for (auto& [ids, results] : done) {
      for (size_t i = 0; i < ids.size(); ++i) {
        if (i < results.size()) {
          OnResult(ids[i], results[i]);
        } else {
          OnResult(ids[i], sink::SendOutcome::Deterministic(
                               Internal("the sink returned fewer results than messages")));
        }
      }
    }
  }

  void FireRetries() {
    if (blocked) return;
    auto now = SteadyClock::now();
    std::vector<uint64_t> due;
    while (!retry_at.empty() && retry_at.begin()->first <= now) {
      due.push_back(retry_at.begin()->second);
      retry_at.erase(retry_at.begin());
    }
    SendItems(due);
  }

  void CommitCompleted() {
    Offset target = committed;
    while (!batches.empty() && batches.front().outstanding == 0) {
      target = batches.front().end;
      batches.pop_front();
    }
    if (target > committed) {
      if (auto st = cursor->Commit(target); !st) {
        if (st.error().code() == ErrorCode::kAborted) {
          Block("consumer group " + config.source.group + ": " + st.error().message());
        }
        return;  // other errors: try again with the next completion
      }
      committed = target;
      metrics.committed_offset = committed.value();
    }
    if (deps.log != nullptr) {
      int64_t lag = static_cast<int64_t>(deps.log->EndOffset().value()) -
                    static_cast<int64_t>(committed.value());
      metrics.lag_records = lag;
      if (lag <= 0) metrics.lag_seconds = 0;
    }
    if (!batches.empty() && !batches.front().origins.empty()) {
      int64_t oldest = INT64_MAX;
      for (const auto& [id, origin] : batches.front().origins) {
        oldest = std::min(oldest, origin.source_ms);
      }
      metrics.lag_seconds = std::max<int64_t>(0, (NowMs() - oldest) / 1000);
    }
  }

  // --- a batch through filter, transform, render ---

  Result<std::vector<transform::Event>> RunSteps(std::vector<transform::Event> events) {
    for (auto& step : steps) {
      INFLOW_TRY(events, step->Apply(std::move(events)));
    }
    return events;
  }

  // RunSteps, retrying transient failures per the retry policy; the last error once the policy
  // gives up or the failure is deterministic. nullopt when the task is stopping while waiting.
  std::optional<Result<std::vector<transform::Event>>> RunStepsWithRetries(
      const BatchState& batch, const std::vector<transform::Event>& in) {
    for (int attempt = 1;; ++attempt) {
      auto out = RunSteps(in);
      if (out || !IsRetryable(out.error().code())) return out;
      int64_t age = NowMs() - batch.origins.begin()->second.read_ms;
      auto delay = config.retry.NextDelay(attempt, milliseconds(age), rng);
      if (!delay) return out;
      metrics.retries++;
      std::unique_lock<std::mutex> lock(mu);
      if (cv.wait_for(lock, *delay, [this] { return stopping; })) return std::nullopt;
    }
  }

  // Transforms the batch with retries for transient failures. A deterministic failure isolates
  // the culprits: the events are run again one at a time — each with its own retries, so a
  // slow or flaky function while isolating does not fail an innocent event — and only those
  // that still fail are failed. Once the policy gives up on a transient failure of the whole
  // batch, every event of it fails (the function call itself failed; retrying each event
  // alone would multiply an outage by the batch size).
  std::vector<transform::Event> Transform(BatchState& batch, std::vector<transform::Event> in) {
    if (steps.empty() || in.empty()) return in;
    auto t0 = SteadyClock::now();
    auto done = [&](size_t produced) {
      metrics.events_transformed += produced;
      metrics.transform_ms.Observe(
          std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count());
    };
    // Stopping: leave the batch incomplete so it is read again after a restart.
    auto abandon = [&] {
      batch.outstanding++;
      return std::vector<transform::Event>();
    };
    auto out = RunStepsWithRetries(batch, in);
    // A failure while stopping may be the step's interruption: not the events' fault.
    if (!out || (!*out && Stopping())) return abandon();
    if (*out) {
      done((*out)->size());
      return std::move(**out);
    }
    if (in.size() == 1 || IsRetryable(out->error().code())) {
      for (const auto& e : in) FailEvent(batch, e.id, out->error());
      return {};
    }
    std::vector<transform::Event> result;
    for (auto& e : in) {
      auto one = RunStepsWithRetries(batch, {e});
      if (!one || (!*one && Stopping())) return abandon();
      if (*one) {
        for (auto& o : **one) result.push_back(std::move(o));
      } else {
        FailEvent(batch, e.id, one->error());
      }
    }
    done(result.size());
    return result;
  }

  void Dispatch(std::vector<ReadEvent> read) {
    batches.push_back(BatchState{next_batch++, read.back().offset.Next(), 0, {}});
    BatchState& batch = batches.back();
    metrics.batch_size.Observe(static_cast<double>(read.size()));

    std::vector<transform::Event> kept;
    for (ReadEvent& e : read) {
      auto match = filter->Matches(e.json);
      if (match && !*match) {
        metrics.events_filtered++;
        continue;
      }
      batch.origins.emplace(e.id, Origin{e.json, e.source_ms, e.read_ms});
      if (!match) {
        FailEvent(batch, e.id, match.error().WithContext("filter"));
        continue;
      }
      kept.push_back(transform::Event{std::move(e.json), e.id, std::nullopt});
    }
    std::vector<transform::Event> events = Transform(batch, std::move(kept));

    std::vector<uint64_t> to_send;
    for (transform::Event& ev : events) {
      auto messages = sink::Render(config.sink, ev.json);
      if (!messages) {
        FailEvent(batch, ev.id, messages.error().WithContext("sink"));
        continue;
      }
      std::string base = ev.id.substr(0, ev.id.find('#'));
      auto origin = batch.origins.find(base);
      for (sink::Message& m : *messages) {
        if (ev.topic) m.topic = *ev.topic;
        if (m.topic.empty()) {
          FailEvent(batch, ev.id, InvalidArgument("sink.topic: no topic for this event"));
          continue;
        }
        std::erase_if(m.properties, [](const auto& p) { return p.first == "inflow_event_id"; });
        m.properties.emplace_back("inflow_event_id", ev.id);
        uint64_t id = next_item++;
        Item item;
        item.batch = batch.seq;
        item.event_id = ev.id;
        item.origin = origin == batch.origins.end() ? nullptr : &origin->second;
        if (orderly()) {
          if (!m.sharding_key) {
            std::string key = DefaultShardingKey(parser, ev.json);
            if (!key.empty()) m.sharding_key = key;
          }
          item.order_key = m.sharding_key.value_or("");
        }
        item.message = std::move(m);
        batch.outstanding++;
        if (orderly()) {
          auto& q = key_queues[item.order_key];
          q.push_back(id);
          if (q.size() == 1) to_send.push_back(id);
        } else {
          to_send.push_back(id);
        }
        items.emplace(id, std::move(item));
      }
    }
    SendItems(to_send);
  }

  // --- the loop ---

  void Run() {
    SetState(TaskState::kStarting);
    auto attached =
        deps.groups->Attach(config.source.group, config.source.account, config.source.password,
                            deps.client_id, config.source.start);
    if (!attached) {
      SetState(TaskState::kStartingFailed,
               "consumer group " + config.source.group + ": " + attached.error().ToString());
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      cursor.emplace(std::move(*attached));
      if (stopping) return;
      state = TaskState::kRunning;
    }
    committed = cursor->position();
    Batcher<ReadEvent> batcher(static_cast<size_t>(config.source.max_events),
                               std::chrono::seconds(config.source.interval_s));

    while (!Stopping()) {
      DrainCompletions();
      FireRetries();
      CommitCompleted();
      if (blocked || items.size() >= deps.max_inflight || batches.size() >= deps.max_batches) {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait_for(lock, milliseconds(blocked ? 200 : 20),
                    [this] { return stopping || !inbox->completions.empty(); });
        continue;
      }
      auto now = SteadyClock::now();
      milliseconds wait(in_flight > 0 || !retry_at.empty() ? 5 : 100);
      if (auto deadline = batcher.Deadline()) {
        wait = std::min(wait, std::chrono::duration_cast<milliseconds>(
                                  std::max(*deadline - now, SteadyClock::duration::zero())));
      }
      auto records = cursor->Next(batcher.room(), wait);
      if (!records) {
        ErrorCode code = records.error().code();
        if (code == ErrorCode::kCancelled) break;
        if (code == ErrorCode::kAborted || code == ErrorCode::kOutOfRange ||
            code == ErrorCode::kDataLoss) {
          Block("reading consumer group " + config.source.group + ": " +
                records.error().ToString());
          continue;
        }
        std::unique_lock<std::mutex> lock(mu);
        cv.wait_for(lock, milliseconds(500), [this] { return stopping; });
        continue;
      }
      int64_t read_ms = NowMs();
      now = SteadyClock::now();
      for (const changelog::StoredRecord& r : *records) {
        metrics.events_read++;
        batcher.Add(ReadEvent{changelog::RenderCloudEvent(r, deps.tracking),
                              changelog::CloudEventId(deps.tracking, r.id), r.offset(),
                              r.record.source_timestamp_ms, read_ms},
                    now);
      }
      if (batcher.Due(SteadyClock::now())) Dispatch(batcher.Take());
    }

    // Drain: events still in the batcher are not committed and will be read again.
    SteadyClock::time_point deadline;
    {
      std::lock_guard<std::mutex> lock(mu);
      deadline = stop_requested + drain;
    }
    while (in_flight > 0 && SteadyClock::now() < deadline) {
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait_for(lock, milliseconds(20), [this] { return !inbox->completions.empty(); });
      }
      DrainCompletions();
    }
    CommitCompleted();
  }
};

Result<std::unique_ptr<Task>> Task::Create(TaskConfig config, TaskDeps deps) {
  if (deps.groups == nullptr || deps.sink == nullptr) {
    return Fail(Internal("Task::Create needs consumer groups and a sink"));
  }
  if (config.dead_letter.kind != DeadLetterSpec::Kind::kNone && deps.dead_letter == nullptr) {
    return Fail(Internal("Task::Create: the dead-letter queue is configured but not opened"));
  }
  auto impl = std::make_unique<Impl>();
  INFLOW_TRY(impl->filter, pattern::Matcher::Compile(config.filter_json));
  INFLOW_TRY(impl->steps, transform::BuildSteps(config.transform, "transform"));
  impl->rng.seed(deps.seed != 0
                     ? deps.seed
                     : static_cast<uint64_t>(SteadyClock::now().time_since_epoch().count()));
  impl->config = std::move(config);
  impl->deps = std::move(deps);
  return std::unique_ptr<Task>(new Task(std::move(impl)));
}

Task::Task(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Task::~Task() {
  if (!Stop() && impl_->thread.joinable()) impl_->thread.join();
}

void Task::Start() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->thread.joinable() || impl_->stopping) return;
  impl_->state = TaskState::kStarting;
  impl_->thread = std::thread([impl = impl_.get()] {
    impl->Run();
    {
      std::lock_guard<std::mutex> lock(impl->mu);
      impl->finished = true;
    }
    impl->cv.notify_all();
  });
}

bool Task::Stop(std::chrono::milliseconds drain) {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (!impl_->stopping) {
      impl_->stopping = true;
      impl_->drain = drain;
      impl_->stop_requested = SteadyClock::now();
    }
    if (impl_->cursor) impl_->cursor->Cancel();
  }
  for (auto& step : impl_->steps) step->Interrupt();
  impl_->cv.notify_all();
  if (impl_->thread.joinable()) {
    // The thread's own drain ends at stop_requested + drain; the grace covers its last commit.
    constexpr milliseconds kGrace{500};
    std::unique_lock<std::mutex> lock(impl_->mu);
    if (!impl_->cv.wait_until(lock, impl_->stop_requested + impl_->drain + kGrace,
                              [this] { return impl_->finished; })) {
      return false;
    }
    lock.unlock();
    impl_->thread.join();
  }
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->cursor.reset();  // releases the lease
  if (impl_->state == TaskState::kRunning || impl_->state == TaskState::kStarting) {
    impl_->state = TaskState::kReady;
  }
  return true;
}

TaskState Task::state() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->state;
}

std::string Task::reason() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->reason;
}

const TaskMetrics& Task::metrics() const { return impl_->metrics; }
const TaskConfig& Task::config() const { return impl_->config; }

}  // namespace inflow::pipeline
