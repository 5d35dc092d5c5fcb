// Clock: where the change log and consumer groups read the time (retention ages, lease
// expiry). Injected so tests can move time by hand instead of sleeping.
//
// Thread safety: implementations are safe to call from any thread.
#ifndef INFLOW_CHANGELOG_CLOCK_H_
#define INFLOW_CHANGELOG_CLOCK_H_

#include <atomic>
#include <cstdint>

namespace inflow::changelog {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch.
  virtual int64_t NowMs() const = 0;
};

// The real wall clock (process-wide instance).
Clock* SystemClock();

// A clock that moves only when told to.
class ManualClock : public Clock {
 public:
  explicit ManualClock(int64_t now_ms) : now_ms_(now_ms) {}
  int64_t NowMs() const override { return now_ms_.load(); }
  void Set(int64_t now_ms) { now_ms_.store(now_ms); }
  void Advance(int64_t delta_ms) { now_ms_.fetch_add(delta_ms); }

 private:
  std::atomic<int64_t> now_ms_;
};

}  // namespace inflow::changelog

#endif  // INFLOW_CHANGELOG_CLOCK_H_
