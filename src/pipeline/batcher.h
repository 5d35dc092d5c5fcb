// Batcher<T>: groups events into batches the way a task dispatches them.
//
// A batch is dispatched when it holds max_events, or when `interval` has passed since its FIRST
// event, whichever comes first; an interval of zero dispatches whatever is available at once and
// never waits (product.md §1.3). The batcher owns no thread and reads no clock: the caller passes
// `now`, and asks Deadline() how long it may sleep — which keeps it exact under test.
//
// Thread safety: not thread-safe; one task loop owns it.
#ifndef INFLOW_PIPELINE_BATCHER_H_
#define INFLOW_PIPELINE_BATCHER_H_

#include <chrono>
#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

namespace inflow::pipeline {

template <typename T>
class Batcher {
 public:
  using Clock = std::chrono::steady_clock;

  // REQUIRES: max_events >= 1, interval >= 0 (validated with the task configuration).
  Batcher(size_t max_events, std::chrono::milliseconds interval)
      : max_events_(max_events), interval_(interval) {}

  // Adds one event read at `now`. Returns true when the batch is now full.
  bool Add(T event, Clock::time_point now) {
    if (pending_.empty()) first_at_ = now;
    pending_.push_back(std::move(event));
    return pending_.size() >= max_events_;
  }

  size_t size() const { return pending_.size(); }
  bool empty() const { return pending_.empty(); }
  // How many more events the current batch accepts.
  size_t room() const { return max_events_ - pending_.size(); }

  // True when the pending batch must go now: full, or its interval has run out. With interval 0,
  // any pending event is due.
  bool Due(Clock::time_point now) const {
    if (pending_.empty()) return false;
    if (pending_.size() >= max_events_) return true;
    return now >= first_at_ + interval_;
  }

  // When the pending batch becomes due by time; nullopt when nothing is pending.
  std::optional<Clock::time_point> Deadline() const {
    if (pending_.empty()) return std::nullopt;
    return first_at_ + interval_;
  }

  // Takes the pending events (at most max_events) as one batch.
  std::vector<T> Take() {
    std::vector<T> out;
    out.swap(pending_);
    return out;
  }

 private:
  size_t max_events_;
  std::chrono::milliseconds interval_;
  std::vector<T> pending_;
  Clock::time_point first_at_{};
};

}  // namespace inflow::pipeline

#endif  // INFLOW_PIPELINE_BATCHER_H_
