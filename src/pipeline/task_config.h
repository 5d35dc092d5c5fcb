// TaskConfig: a message inflow task's configuration (product.md §1.3, §1.7) — the one schema
// behind `inflow run TASK.yaml` and the REST API body — parsed and validated in one pass that
// reports every problem with its field path and rejects unknown keys.
//
// Validation compiles the filter pattern, the transform steps and the sink fields, parses the
// source URL, the start position and the table patterns, and checks names (tracking instance and
// consumer group names become directory / file names), topics and endpoints — everything that
// can be known without connecting to anything, so one answer lists every mistake. The only
// look at the local machine is that the dead-letter file can be created (CheckOutputFile). The
// runtime (task.h) builds its own instances from the same sections.
//
// Thread safety: a value type.
#ifndef INFLOW_PIPELINE_TASK_CONFIG_H_
#define INFLOW_PIPELINE_TASK_CONFIG_H_

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "changelog/consumer_groups.h"
#include "common/result.h"
#include "pipeline/retry_policy.h"
#include "sink/render.h"

namespace inflow::pipeline {

// An inline tracking instance (`inflow run`) — or, in the server, the id of an existing one.
struct TrackingSpec {
  std::string id;  // server form: `tracking: <id>`
  std::string name;
  std::string source_url;  // mysql:// | mariadb:// (postgres:// later)
  std::vector<std::string> tables;
  std::vector<std::string> exclude_tables;
  int retention_hours = 24;
  // Where a NEW instance starts capturing: "now" (the default, as Canal does), "earliest" (the
  // oldest binlog the server has), a GTID set or FILE:POS. A restarted instance resumes after
  // its last durable record instead. Parsed by the capture module when the instance starts.
  std::string capture_from = "now";
};

struct SourceSpec {
  TrackingSpec tracking;
  std::string group;
  std::string account;
  std::string password;
  std::string start_time_text = "earliest";
  changelog::StartPosition start = changelog::StartPosition::Earliest();
  int max_events = 100;  // 1–10000
  int interval_s = 3;    // 0–15; 0 = never wait
};

enum class FaultTolerance { kAll, kNone };

struct DeadLetterSpec {
  enum class Kind { kNone, kFile, kRocketMQ };
  Kind kind = Kind::kNone;
  std::string file;
  std::string endpoint;
  std::string topic;
  std::string access_key;
  std::string secret_key;
};

struct TaskConfig {
  std::string name;
  std::string description;
  SourceSpec source;
  std::string filter_json = "{}";  // an event pattern; {} matches everything
  nlohmann::json transform;        // the validated step list (null: none)
  nlohmann::json sink_section;     // the validated sink section, as written
  sink::SinkSpec sink;
  RetryPolicy retry = RetryPolicy::Backoff();
  FaultTolerance fault_tolerance = FaultTolerance::kAll;
  DeadLetterSpec dead_letter;
};

// Which form of `source.tracking` the caller accepts.
enum class TrackingForm { kInline, kReference };

Result<TaskConfig> ParseTaskConfig(const nlohmann::json& document, TrackingForm form);

// kInvalidArgument "FIELD: 'PATH' ..." unless a file can be written at `path`: not a directory,
// its directory exists and is writable (or the file exists and is writable). For output files
// given in a task or on the command line (dead-letter file, `inflow run --metrics-file`), so a
// typo is reported before anything runs rather than after the first messages were delivered.
Status CheckOutputFile(const std::string& path, std::string_view field);

// The configuration with every secret (passwords, secret keys, credentials in the source URL)
// replaced by "******", for Details and logs.
nlohmann::json MaskSecrets(const nlohmann::json& document);

}  // namespace inflow::pipeline

#endif  // INFLOW_PIPELINE_TASK_CONFIG_H_
