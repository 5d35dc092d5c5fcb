#include "pipeline/retry_policy.h"

#include <algorithm>
#include <string>

namespace inflow::pipeline {
namespace {
constexpr int kBackoffRetries = 3;
constexpr int kExponentialRetries = 176;
}  // namespace

RetryPolicy RetryPolicy::Backoff() {
  return RetryPolicy(Kind::kBackoff, kBackoffRetries, Millis(10'000), Millis(20'000), 0);
}

RetryPolicy RetryPolicy::ExponentialDecay() {
  return RetryPolicy(Kind::kExponentialDecay, kExponentialRetries, Millis(1'000), Millis(512'000),
                     0);
}

Result<RetryPolicy> RetryPolicy::Custom(int retries, Millis initial, Millis max, double jitter) {
  if (retries < 0) return Fail(InvalidArgument("attempts must be >= 0"));
  if (initial.count() <= 0) return Fail(InvalidArgument("initial_ms must be > 0"));
  if (max < initial) return Fail(InvalidArgument("max_ms must be >= initial_ms"));
  if (!(jitter >= 0 && jitter <= 1)) return Fail(InvalidArgument("jitter must be in [0, 1]"));
  return RetryPolicy(Kind::kCustom, retries, initial, max, jitter);
}

Result<RetryPolicy> RetryPolicy::FromName(std::string_view name) {
  if (name == "BACKOFF_RETRY") return Backoff();
  if (name == "EXPONENTIAL_DECAY_RETRY") return ExponentialDecay();
  return Fail(InvalidArgument("unknown retry policy '" + std::string(name) +
                              "' (expected BACKOFF_RETRY, EXPONENTIAL_DECAY_RETRY or CUSTOM)"));
}

RetryPolicy RetryPolicy::WithMaxEventAge(std::chrono::seconds age) const {
  RetryPolicy p = *this;
  p.max_age_ = age;
  return p;
}

std::optional<RetryPolicy::Millis> RetryPolicy::NextDelay(int retry, Millis event_age,
                                                          std::mt19937_64& rng) const {
  if (retry < 1 || retry > retries_) return std::nullopt;
  Millis delay{0};
  switch (kind_) {
    case Kind::kBackoff: {
      std::uniform_int_distribution<int64_t> d(initial_.count(), max_.count());
      delay = Millis(d(rng));
      break;
    }
    case Kind::kExponentialDecay:
    case Kind::kCustom: {
      // initial * 2^(retry-1), capped; the shift is bounded so it cannot overflow.
      int shift = std::min(retry - 1, 40);
      int64_t d = initial_.count();
      for (int i = 0; i < shift && d < max_.count(); ++i) d *= 2;
      delay = Millis(std::min(d, max_.count()));
      if (kind_ == Kind::kCustom && jitter_ > 0) {
        std::uniform_real_distribution<double> j(1.0 - jitter_, 1.0);
        delay = Millis(static_cast<int64_t>(static_cast<double>(delay.count()) * j(rng)));
      }
      break;
    }
  }
  if (event_age + delay > std::chrono::duration_cast<Millis>(max_age_)) return std::nullopt;
  return delay;
}

}  // namespace inflow::pipeline
