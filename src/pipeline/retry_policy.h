// RetryPolicy: when (and whether) a failed delivery is tried again.
//
// The two managed-service schedules are reproduced exactly (ref-eventbridge-dts.md §4.1):
// BACKOFF_RETRY = 3 retries, each after a random 10–20 s; EXPONENTIAL_DECAY_RETRY = 176
// retries after 1, 2, 4 … 512 s, then 512 s (≈ 1 day). CUSTOM exists for tests and impatient
// users. Independently, an event older than max_event_age is not retried any more.
//
// Thread safety: immutable after construction; NextDelay takes the caller's random source.
#ifndef INFLOW_PIPELINE_RETRY_POLICY_H_
#define INFLOW_PIPELINE_RETRY_POLICY_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string_view>

#include "common/result.h"

namespace inflow::pipeline {

class RetryPolicy {
 public:
  enum class Kind { kBackoff, kExponentialDecay, kCustom };
  using Millis = std::chrono::milliseconds;

  static RetryPolicy Backoff();
  static RetryPolicy ExponentialDecay();
  // REQUIRES: retries >= 0, 0 < initial <= max, 0 <= jitter <= 1 (validated by Custom()).
  static Result<RetryPolicy> Custom(int retries, Millis initial, Millis max, double jitter);
  // "BACKOFF_RETRY" | "EXPONENTIAL_DECAY_RETRY" (CUSTOM needs its parameters: use Custom()).
  static Result<RetryPolicy> FromName(std::string_view name);

  RetryPolicy WithMaxEventAge(std::chrono::seconds age) const;

  Kind kind() const { return kind_; }
  int max_retries() const { return retries_; }
  std::chrono::seconds max_event_age() const { return max_age_; }

  // The delay before retry number `retry` (1 = the first retry after the first failure), or
  // nullopt when that retry must not happen: the retries are used up, or the event (first read
  // at age zero, now `event_age` old) would exceed max_event_age by the time of the retry.
  std::optional<Millis> NextDelay(int retry, std::chrono::milliseconds event_age,
                                  std::mt19937_64& rng) const;

 private:
  RetryPolicy(Kind kind, int retries, Millis initial, Millis max, double jitter)
      : kind_(kind), retries_(retries), initial_(initial), max_(max), jitter_(jitter) {}

  Kind kind_;
  int retries_;
  Millis initial_;
  Millis max_;
  double jitter_;  // for kCustom: the delay is drawn from [d * (1 - jitter), d]
  std::chrono::seconds max_age_{86400};
};

}  // namespace inflow::pipeline

#endif  // INFLOW_PIPELINE_RETRY_POLICY_H_
