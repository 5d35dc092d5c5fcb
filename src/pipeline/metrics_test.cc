#include "pipeline/metrics.h"

#include <gtest/gtest.h>

#include <cmath>

namespace inflow::pipeline {
namespace {

TEST(Histogram, CumulativeBucketsAndQuantiles) {
  Histogram h({1, 10, 100});
  for (double v : {0.5, 5.0, 5.0, 50.0, 500.0}) h.Observe(v);
  auto s = h.Read();
  EXPECT_EQ(s.cumulative, (std::vector<uint64_t>{1, 3, 4, 5}));
  EXPECT_EQ(s.count, 5u);
  EXPECT_DOUBLE_EQ(s.sum, 560.5);
  EXPECT_EQ(s.Quantile(0.5), 10);
  EXPECT_EQ(s.Quantile(0.8), 100);
  EXPECT_TRUE(std::isinf(s.Quantile(1.0)));
}

TEST(TaskMetrics, PrometheusTextHasEveryMetricWithTheTaskLabel) {
  TaskMetrics m;
  m.events_read = 7;
  m.messages_delivered = 5;
  m.batch_size.Observe(7);
  std::string text;
  m.AppendPrometheus("orders \"x\"", "RUNNING", &text);
  EXPECT_NE(text.find("inflow_task_events_read_total{task=\"orders \\\"x\\\"\"} 7"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("inflow_task_messages_delivered_total{task=\"orders \\\"x\\\"\"} 5"),
            std::string::npos);
  EXPECT_NE(text.find("inflow_task_batch_size_bucket{task=\"orders \\\"x\\\"\",le=\"10\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("inflow_task_state{task=\"orders \\\"x\\\"\",state=\"RUNNING\"} 1"),
            std::string::npos);
  for (const char* name :
       {"events_filtered_total", "events_transformed_total", "delivery_failures_total",
        "retries_total", "events_dead_lettered_total", "events_dropped_total", "lag_records",
        "lag_seconds", "end_to_end_latency_ms_count", "transform_duration_ms_sum",
        "sink_duration_ms_bucket"}) {
    EXPECT_NE(text.find(std::string("inflow_task_") + name), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace inflow::pipeline
