#include "pipeline/retry_policy.h"

#include <gtest/gtest.h>

namespace inflow::pipeline {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(RetryPolicy, BackoffIsThreeRetriesOfTenToTwentySeconds) {
  std::mt19937_64 rng(7);
  RetryPolicy p = RetryPolicy::Backoff();
  for (int i = 0; i < 200; ++i) {
    for (int r = 1; r <= 3; ++r) {
      auto d = p.NextDelay(r, milliseconds(0), rng);
      ASSERT_TRUE(d);
      EXPECT_GE(d->count(), 10'000);
      EXPECT_LE(d->count(), 20'000);
    }
  }
  EXPECT_FALSE(p.NextDelay(4, milliseconds(0), rng));
}

TEST(RetryPolicy, ExponentialDecayFollowsTheReferenceSchedule) {
  std::mt19937_64 rng(7);
  RetryPolicy p = RetryPolicy::ExponentialDecay();
  const int64_t first[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 512, 512};
  int64_t total_s = 0;
  for (int r = 1; r <= 176; ++r) {
    auto d = p.NextDelay(r, milliseconds(0), rng);
    ASSERT_TRUE(d) << r;
    if (r <= 12) {
      EXPECT_EQ(d->count(), first[r - 1] * 1000) << r;
    }
    if (r > 10) {
      EXPECT_EQ(d->count(), 512'000) << r;
    }
    total_s += d->count() / 1000;
  }
  EXPECT_FALSE(p.NextDelay(177, milliseconds(0), rng));
  // 1023 s for the first ten, then 166 × 512 s: about one day in all.
  EXPECT_EQ(total_s, 1023 + 166 * 512);
}

TEST(RetryPolicy, MaxEventAgeStopsRetries) {
  std::mt19937_64 rng(7);
  RetryPolicy p = RetryPolicy::ExponentialDecay().WithMaxEventAge(seconds(60));
  EXPECT_TRUE(p.NextDelay(1, milliseconds(58'000), rng));
  EXPECT_FALSE(p.NextDelay(1, milliseconds(59'500), rng));
  EXPECT_FALSE(p.NextDelay(7, milliseconds(0), rng));  // 64 s > 60 s
}

TEST(RetryPolicy, CustomValidatesAndJitters) {
  EXPECT_FALSE(RetryPolicy::Custom(-1, milliseconds(10), milliseconds(20), 0));
  EXPECT_FALSE(RetryPolicy::Custom(1, milliseconds(0), milliseconds(20), 0));
  EXPECT_FALSE(RetryPolicy::Custom(1, milliseconds(30), milliseconds(20), 0));
  EXPECT_FALSE(RetryPolicy::Custom(1, milliseconds(10), milliseconds(20), 1.5));
  auto p = RetryPolicy::Custom(5, milliseconds(100), milliseconds(1000), 0.5);
  ASSERT_TRUE(p);
  std::mt19937_64 rng(1);
  for (int i = 0; i < 100; ++i) {
    auto d = p->NextDelay(5, milliseconds(0), rng);  // 100 * 16 = 1600 → capped 1000
    ASSERT_TRUE(d);
    EXPECT_GE(d->count(), 500);
    EXPECT_LE(d->count(), 1000);
  }
  EXPECT_FALSE(p->NextDelay(6, milliseconds(0), rng));
}

TEST(RetryPolicy, FromNameRejectsUnknown) {
  EXPECT_EQ(RetryPolicy::FromName("BACKOFF_RETRY")->kind(), RetryPolicy::Kind::kBackoff);
  auto bad = RetryPolicy::FromName("SOMETIMES");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("SOMETIMES"), std::string::npos);
}

}  // namespace
}  // namespace inflow::pipeline
