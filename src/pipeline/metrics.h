// TaskMetrics: the per-task counters and histograms of product.md §1.6, updated by the task
// runtime and read by the server (Details, /metrics) and `inflow run`'s status line.
//
// Thread safety: every member may be updated and read concurrently (atomics; histograms take a
// short lock).
#ifndef INFLOW_PIPELINE_METRICS_H_
#define INFLOW_PIPELINE_METRICS_H_

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace inflow::pipeline {

// A cumulative histogram with fixed upper bounds (Prometheus `le` buckets).
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double value);

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<uint64_t> cumulative;  // per bound, then +Inf last
    double sum = 0;
    uint64_t count = 0;
    // The value below which `q` (0..1) of the observations fall, from the buckets.
    double Quantile(double q) const;
  };
  Snapshot Read() const;

 private:
  const std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::vector<uint64_t> counts_;  // per bucket (not cumulative), +Inf last
  double sum_ = 0;
};

struct TaskMetrics {
  std::atomic<uint64_t> events_read{0};
  std::atomic<uint64_t> events_filtered{0};     // dropped by the filter pattern
  std::atomic<uint64_t> events_transformed{0};  // produced by the transform steps
  std::atomic<uint64_t> messages_delivered{0};  // acknowledged by the broker
  std::atomic<uint64_t> delivery_failures{0};   // failed send attempts
  std::atomic<uint64_t> retries{0};
  std::atomic<uint64_t> dead_lettered{0};
  std::atomic<uint64_t> dropped{0};  // failed for good under ALL without a dead-letter queue
  std::atomic<int64_t> lag_records{0};
  std::atomic<int64_t> lag_seconds{0};
  std::atomic<uint64_t> committed_offset{0};

  Histogram batch_size{{1, 10, 100, 1000, 10000}};
  Histogram end_to_end_ms{{10, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 60000}};
  Histogram transform_ms{{0.1, 1, 5, 10, 50, 100, 500, 1000, 5000}};
  Histogram sink_ms{{1, 5, 10, 50, 100, 500, 1000, 5000}};

  // Prometheus text exposition of every metric, labelled task="<name>". `state` is the task
  // state name, exported as inflow_task_state{state="..."} 1.
  void AppendPrometheus(std::string_view task, std::string_view state, std::string* out) const;
};

}  // namespace inflow::pipeline

#endif  // INFLOW_PIPELINE_METRICS_H_
