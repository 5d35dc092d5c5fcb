#include "pipeline/metrics.h"

#include <algorithm>
#include <limits>

#include "common/json_text.h"

namespace inflow::pipeline {

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::Observe(double value) {
  size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_[i];
  sum_ += value;
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot s;
  s.bounds = bounds_;
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t running = 0;
  for (uint64_t c : counts_) {
    running += c;
    s.cumulative.push_back(running);
  }
  s.count = running;
  s.sum = sum_;
  return s;
}

double Histogram::Snapshot::Quantile(double q) const {
  if (count == 0) return 0;
  double rank = q * static_cast<double>(count);
  for (size_t i = 0; i < cumulative.size(); ++i) {
    if (static_cast<double>(cumulative[i]) >= rank) {
      return i < bounds.size() ? bounds[i] : std::numeric_limits<double>::infinity();
    }
  }
  return std::numeric_limits<double>::infinity();
}

namespace {

std::string Label(std::string_view task) {
  std::string out = "task=";
  AppendJsonString(&out, task);  // a JSON string is a valid Prometheus label value
  return out;
}

void Counter(std::string* out, std::string_view name, std::string_view help,
             const std::string& label, uint64_t value, std::string_view type = "counter") {
  *out += "# HELP ";
  *out += name;
  *out += ' ';
  *out += help;
  *out += "\n# TYPE ";
  *out += name;
  *out += ' ';
  *out += type;
  *out += '\n';
  *out += name;
  *out += '{' + label + "} " + std::to_string(value) + '\n';
}

void Histo(std::string* out, std::string_view name, std::string_view help, const std::string& label,
           const Histogram& h) {
  Histogram::Snapshot s = h.Read();
  *out += "# HELP " + std::string(name) + ' ' + std::string(help) + '\n';
  *out += "# TYPE " + std::string(name) + " histogram\n";
  for (size_t i = 0; i < s.cumulative.size(); ++i) {
    std::string le = "+Inf";
    if (i < s.bounds.size()) {
      le.clear();
      AppendJsonNumber(&le, s.bounds[i]);
    }
    *out += std::string(name) + "_bucket{" + label + ",le=\"" + le + "\"} " +
            std::to_string(s.cumulative[i]) + '\n';
  }
  std::string sum;
  AppendJsonNumber(&sum, s.sum);
  *out += std::string(name) + "_sum{" + label + "} " + sum + '\n';
  *out += std::string(name) + "_count{" + label + "} " + std::to_string(s.count) + '\n';
}

}  // namespace

void TaskMetrics::AppendPrometheus(std::string_view task, std::string_view state,
                                   std::string* out) const {
  const std::string l = Label(task);
  Counter(out, "inflow_task_events_read_total", "Events read from the consumer group.", l,
          events_read);
  Counter(out, "inflow_task_events_filtered_total", "Events dropped by the filter pattern.", l,
          events_filtered);
  Counter(out, "inflow_task_events_transformed_total", "Events produced by the transform steps.", l,
          events_transformed);
  Counter(out, "inflow_task_messages_delivered_total", "Messages acknowledged by the broker.", l,
          messages_delivered);
  Counter(out, "inflow_task_delivery_failures_total", "Failed send attempts.", l,
          delivery_failures);
  Counter(out, "inflow_task_retries_total", "Send attempts that were retries.", l, retries);
  Counter(out, "inflow_task_events_dead_lettered_total", "Events written to the dead-letter queue.",
          l, dead_lettered);
  Counter(out, "inflow_task_events_dropped_total",
          "Events that failed for good under fault tolerance ALL without a dead-letter queue.", l,
          dropped);
  Counter(out, "inflow_task_lag_records", "Records in the log not yet committed by the task.", l,
          static_cast<uint64_t>(std::max<int64_t>(0, lag_records)), "gauge");
  Counter(out, "inflow_task_lag_seconds", "Age of the oldest record not yet committed.", l,
          static_cast<uint64_t>(std::max<int64_t>(0, lag_seconds)), "gauge");
  Counter(out, "inflow_task_committed_offset", "The consumer group's committed offset.", l,
          committed_offset, "gauge");
  Histo(out, "inflow_task_batch_size", "Events per dispatched batch.", l, batch_size);
  Histo(out, "inflow_task_end_to_end_latency_ms",
        "Source commit to broker acknowledgement, milliseconds.", l, end_to_end_ms);
  Histo(out, "inflow_task_transform_duration_ms", "Transform time per batch, milliseconds.", l,
        transform_ms);
  Histo(out, "inflow_task_sink_duration_ms", "Send to acknowledgement per message, milliseconds.",
        l, sink_ms);
  *out +=
      "# HELP inflow_task_state The task's state (1 for the current one).\n"
      "# TYPE inflow_task_state gauge\n";
  *out += "inflow_task_state{" + l + ",state=\"" + std::string(state) + "\"} 1\n";
}

}  // namespace inflow::pipeline
