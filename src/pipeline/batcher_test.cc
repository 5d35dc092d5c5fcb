#include "pipeline/batcher.h"

#include <gtest/gtest.h>

namespace inflow::pipeline {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

TEST(Batcher, DispatchesWhenCountIsReached) {
  Batcher<int> b(3, milliseconds(3000));
  Clock::time_point t0{};
  EXPECT_FALSE(b.Add(1, t0));
  EXPECT_FALSE(b.Add(2, t0));
  EXPECT_FALSE(b.Due(t0));
  EXPECT_TRUE(b.Add(3, t0));
  EXPECT_TRUE(b.Due(t0));
  EXPECT_EQ(b.Take(), (std::vector<int>{1, 2, 3}));
  EXPECT_TRUE(b.empty());
  EXPECT_FALSE(b.Deadline());
}

TEST(Batcher, DispatchesWhenIntervalSinceFirstEventPasses) {
  Batcher<int> b(100, milliseconds(3000));
  Clock::time_point t0{};
  b.Add(1, t0);
  b.Add(2, t0 + milliseconds(2500));  // a later event does not extend the window
  EXPECT_EQ(*b.Deadline(), t0 + milliseconds(3000));
  EXPECT_FALSE(b.Due(t0 + milliseconds(2999)));
  EXPECT_TRUE(b.Due(t0 + milliseconds(3000)));
  EXPECT_EQ(b.Take().size(), 2u);
  // The next batch's window starts at its own first event.
  b.Add(3, t0 + milliseconds(5000));
  EXPECT_EQ(*b.Deadline(), t0 + milliseconds(8000));
}

TEST(Batcher, ZeroIntervalNeverWaits) {
  Batcher<int> b(100, milliseconds(0));
  Clock::time_point t0{};
  EXPECT_FALSE(b.Due(t0));  // nothing pending: nothing to send
  b.Add(1, t0);
  EXPECT_TRUE(b.Due(t0));
  EXPECT_EQ(b.room(), 99u);
}

}  // namespace
}  // namespace inflow::pipeline
