// Task: one running message inflow task — consumer group → batch → filter → transform → render
// → send → commit (product.md §1.3–§1.5).
//
// Delivery is at-least-once: the consumer offset is committed only up to the end of the oldest
// batch whose every event was acknowledged by the broker, dead-lettered, filtered out, or dropped
// under fault tolerance ALL. A crash at any point re-delivers at most the uncommitted window;
// each message carries `inflow_event_id` so consumers can de-duplicate.
//
// Failures: a send whose outcome the sink calls retryable (sink/sink.h) is retried per the retry
// policy (only that message); a deterministic failure (transform error, unrenderable body, message
// over the size limit, missing topic) skips retries. When an event fails for good, fault tolerance
// ALL sends it to the dead-letter queue (or drops and counts it); NONE blocks the task in
// RUNNING_FAILED with the reason, and nothing after it is committed.
//
// Order: with delivery_order orderly, messages of one sharding key are sent one at a time in
// source order, so a failing message holds back later messages of its key only. With
// concurrently, all messages of a batch are in flight at once.
//
// Memory is bounded: at most max_inflight messages and max_batches batches are outstanding; when
// the broker or a function is slow, the task stops reading (backpressure).
//
// Thread safety: Start/Stop/state/metrics may be called from any thread; the task runs on its
// own thread.
#ifndef INFLOW_PIPELINE_TASK_H_
#define INFLOW_PIPELINE_TASK_H_

#include <chrono>
#include <memory>
#include <string>

#include "changelog/change_log.h"
#include "changelog/cloudevent.h"
#include "changelog/consumer_groups.h"
#include "pipeline/dead_letter.h"
#include "pipeline/metrics.h"
#include "pipeline/task_config.h"
#include "sink/sink.h"

namespace inflow::pipeline {

enum class TaskState { kReady, kStarting, kRunning, kPaused, kStartingFailed, kRunningFailed };
// "READY" | "STARTING" | "RUNNING" | "PAUSED" | "STARTING_FAILED" | "RUNNING_FAILED"
const char* TaskStateName(TaskState state);

struct TaskDeps {
  changelog::ConsumerGroups* groups = nullptr;
  const changelog::ChangeLog* log = nullptr;  // for lag
  changelog::TrackingInfo tracking;
  sink::Sink* sink = nullptr;              // where messages go; its outcomes drive retries
  DeadLetterQueue* dead_letter = nullptr;  // nullptr: none configured
  std::string client_id;                   // the consumer-group client (stable across restarts)
  size_t max_inflight = 20'000;            // messages awaiting an answer
  size_t max_batches = 64;                 // batches awaiting completion
  uint64_t seed = 0;                       // retry jitter; 0: from the clock
};

class Task {
 public:
  // Builds the filter, the transform steps and the renderer. REQUIRES: deps outlive the task.
  static Result<std::unique_ptr<Task>> Create(TaskConfig config, TaskDeps deps);
  ~Task();  // Stop()

  // Starts the task thread: STARTING, then RUNNING once the consumer group is attached.
  void Start();
  // Stops reading, interrupts a running transform step, waits up to `drain` for in-flight
  // messages, commits what is complete and joins the thread. Idempotent. Returns false — the
  // thread still running, not joined — when it has not finished by `drain` (plus a short grace)
  // after the first Stop: a step that cannot be interrupted does not return. The caller should
  // then exit the process; destroying the task waits for the thread.
  bool Stop(std::chrono::milliseconds drain = std::chrono::seconds(10));

  TaskState state() const;
  std::string reason() const;  // why STARTING_FAILED / RUNNING_FAILED
  const TaskMetrics& metrics() const;
  const TaskConfig& config() const;

  struct Impl;

 private:
  explicit Task(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace inflow::pipeline

#endif  // INFLOW_PIPELINE_TASK_H_
