// TrackingInstance: one change-tracking instance — a capture Source bound to its change log and
// consumer groups (product.md §1.1).
//
// A capture thread pulls whole transactions from the Source, gathers what is immediately
// available (up to max_batch_records), and appends it to the log together with the Source's
// ResumeState() as ONE atomic batch; only after Append reports it durable does it call
// Source::Acknowledge(). After a crash, ResumePosition() hands the state stored with the last
// durable batch to the next Source, which continues right after it: no change lost, none
// duplicated in the log. Transactions without included rows still move the stored position
// forward (at most once per state_interval) so a restart does not re-read a long filtered
// stretch of binlog.
//
// Layout: <dir>/LOCK, <dir>/log (ChangeLog), <dir>/groups (ConsumerGroups). Open takes <dir>/LOCK
// before it reads anything and the instance holds it for its lifetime: a second opener, in
// another process or this one, is refused with kFailedPrecondition "data directory <dir> is in
// use by another inflow process (pid N)". That lock is also what makes a consumer group's lease
// exclusive across processes: only the holder of the directory can attach a group.
//
// Thread safety: all methods are thread-safe. REQUIRES: Stop() (or destruction) before the
// Source given to Start() is destroyed — the instance owns it, so this holds by construction.
#ifndef INFLOW_CHANGELOG_TRACKING_TRACKING_INSTANCE_H_
#define INFLOW_CHANGELOG_TRACKING_TRACKING_INSTANCE_H_

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "capture/source.h"
#include "changelog/change_log.h"
#include "changelog/consumer_groups.h"
#include "changelog/file_system.h"

namespace inflow::changelog {

struct TrackingOptions {
  LogOptions log;
  GroupOptions groups;
  size_t max_batch_records = 4096;                       // records per Append at most
  std::chrono::milliseconds idle_wait{200};              // Source::Next timeout when idle
  std::chrono::milliseconds state_interval{1000};        // position-only saves, at most this often
  std::chrono::milliseconds retention_interval{60'000};  // retention check while idle
};

enum class TrackingState { kStopped, kRunning, kFailed };
const char* TrackingStateName(TrackingState state);  // "STOPPED" | "RUNNING" | "FAILED"

struct TrackingStatus {
  TrackingState state = TrackingState::kStopped;
  std::string error;               // why kFailed
  std::optional<DataRange> range;  // the data range
  Offset start;                    // first retained offset
  Offset end;                      // one past the last durable record
  uint64_t log_bytes = 0;
  uint64_t records_captured = 0;  // by this process since Start()
  // Account-management statements (CREATE USER, GRANT, …) the Source dropped since Start():
  // they may carry clear passwords and are never captured.
  uint64_t account_statements_skipped = 0;
  int64_t lag_ms = 0;           // 0 when caught up, else now - last appended commit time
  SourcePosition acknowledged;  // the last durable source position
};

// <data_dir>/tracking/<name>, the directory of the instance called `name`. kInvalidArgument
// unless the name is 1-64 characters of [A-Za-z0-9_-] (common/names.h): a name like `..` or `.`
// would otherwise put the instance in the data directory's root or share another's directory.
Result<std::string> TrackingInstanceDir(const std::string& data_dir, std::string_view name);

class TrackingInstance {
 public:
  static Result<std::unique_ptr<TrackingInstance>> Open(FileSystem* fs, const std::string& dir,
                                                        TrackingOptions options = {});
  ~TrackingInstance();  // Stop()s

  // Where a new Source must start: right after the last durable batch when the log holds a
  // stored state, else `initial` (a brand-new instance).
  capture::StartPosition ResumePosition(const capture::StartPosition& initial) const;

  // Starts the capture thread. REQUIRES: `source` was opened at ResumePosition(...).
  // kFailedPrecondition when already running.
  Status Start(std::unique_ptr<capture::Source> source);
  // Stops the Source and the capture thread; records already appended stay durable.
  void Stop();

  TrackingStatus GetStatus() const;
  ChangeLog& log() { return *log_; }
  ConsumerGroups& groups() { return *groups_; }

 private:
  TrackingInstance(TrackingOptions options, FileSystem* fs, std::unique_ptr<FileLock> lock,
                   std::unique_ptr<ChangeLog> log, std::unique_ptr<ConsumerGroups> groups);
  void Run();
  Status Flush(std::vector<ChangeRecord>* pending, const std::optional<SourcePosition>& position,
               int64_t commit_ms);

  const TrackingOptions options_;
  FileSystem* const fs_;
  std::unique_ptr<FileLock> lock_;  // of the directory; released after log_ and groups_ close
  std::unique_ptr<ChangeLog> log_;
  std::unique_ptr<ConsumerGroups> groups_;

  mutable std::mutex mu_;
  TrackingState state_ = TrackingState::kStopped;
  std::string error_;
  uint64_t records_captured_ = 0;
  uint64_t account_statements_skipped_ = 0;
  int64_t last_commit_ms_ = 0;
  bool caught_up_ = true;
  SourcePosition acknowledged_;

  std::unique_ptr<capture::Source> source_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
};

}  // namespace inflow::changelog

#endif  // INFLOW_CHANGELOG_TRACKING_TRACKING_INSTANCE_H_
