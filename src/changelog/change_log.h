// ChangeLog: the durable, append-only, segmented log of one change-tracking instance.
//
// Capture appends batches of ChangeRecords together with an opaque "source state" blob (its
// replication position and schema history). Each batch gets consecutive record ids (1, 2, …);
// the state is written in the same group-commit frame sequence right after the batch's records,
// so after a crash the log holds exactly the records that the recovered state says were
// captured: a restart resumes after the last durable record, with no gap and no duplicate.
//
// Appends from many threads are merged into one write + one fdatasync (group commit). With the
// default SyncPolicy::kEveryBatch, Append returns only once its records are durable, so capture
// may acknowledge the source position at once; readers only ever see durable records.
// Recovery (Open) verifies every frame's CRC32C and truncates a torn or corrupt tail back to the
// last complete batch; a damaged sealed segment is reported as kDataLoss, never served.
// Segments are deleted whole by retention (age of their last append, total size). An in-memory
// sparse offset index and time index are rebuilt at Open; SeekTime is O(segments + log n).
// The on-disk format is FORMAT.md.
//
// Thread safety: all methods are thread-safe. Append may be called concurrently (that is what
// makes group commit pay off); reads never block appends except for short index look-ups.
#ifndef INFLOW_CHANGELOG_CHANGE_LOG_H_
#define INFLOW_CHANGELOG_CHANGE_LOG_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "changelog/change_record.h"
#include "changelog/clock.h"
#include "changelog/file_system.h"
#include "changelog/stored_record.h"
#include "common/ids.h"
#include "common/result.h"

namespace inflow::changelog {

enum class SyncPolicy {
  kEveryBatch,  // fdatasync before Append returns (default; capture may ack the source)
  kInterval,    // fdatasync at most every sync_interval_ms; Append returns after write()
  kNever,       // leave it to the OS (tests, benchmarks, throw-away instances)
};

struct LogOptions {
  uint64_t segment_bytes = 64ull << 20;    // roll the active segment past this size
  int64_t segment_max_age_ms = 3'600'000;  // … or once it is this old (wall clock)
  SyncPolicy sync = SyncPolicy::kEveryBatch;
  int64_t sync_interval_ms = 200;             // for kInterval
  int64_t retention_age_ms = 24 * 3'600'000;  // delete segments last appended longer ago; 0 = off
  uint64_t retention_bytes = 0;               // keep the log under this size; 0 = no limit
  uint32_t index_interval_bytes = 4096;       // one sparse index entry per this many bytes
  uint32_t max_record_bytes = 64u << 20;      // a larger encoded record is refused
  size_t max_group_bytes = 8u << 20;          // how much one group commit gathers at most
  Clock* clock = nullptr;                     // nullptr: SystemClock()
};

// The source timestamps of the retained records: [earliest, latest], in ms.
struct DataRange {
  int64_t earliest_ms = 0;
  int64_t latest_ms = 0;
};

struct LogStats {
  Offset start;  // first retained record id
  Offset end;    // one past the last readable record id
  uint64_t bytes = 0;
  size_t segments = 0;
  uint64_t group_commits = 0;
  uint64_t syncs = 0;
};

class ChangeLog {
 public:
  // Opens (creating if needed) the log in `dir` and recovers it. The log holds `dir`/LOCK for
  // its lifetime, taken before anything is read (recovery truncates and writes, so a second
  // opener — another process or this one — is refused with kFailedPrecondition).
  static Result<std::unique_ptr<ChangeLog>> Open(FileSystem* fs, std::string dir,
                                                 LogOptions options = {});
  ~ChangeLog();
  ChangeLog(const ChangeLog&) = delete;
  ChangeLog& operator=(const ChangeLog&) = delete;

  // Appends `records` (ids assigned in order) and, if given, replaces the source state, as one
  // atomic batch. Returns the id of the batch's last record (EndOffset()-1 for an empty batch).
  // After a write or sync failure the log refuses further appends (kIo) until reopened, because
  // only recovery can tell which bytes reached the disk.
  Result<RecordId> Append(std::span<const ChangeRecord> records,
                          std::optional<std::string_view> source_state = std::nullopt);

  // Up to max_records records with ids >= from, in order, at most about max_bytes of payload
  // (always at least one record when one exists). Empty when from >= EndOffset(). kOutOfRange
  // when `from` was removed by retention; kDataLoss when a stored frame fails its checksum.
  Result<std::vector<StoredRecord>> Read(Offset from, size_t max_records,
                                         size_t max_bytes = 16u << 20) const;
  // Read into *out (resized to what was read), reusing the strings of the records already in
  // it: a reader that keeps its vector allocates nothing per record in the steady state.
  Status ReadInto(Offset from, size_t max_records, std::vector<StoredRecord>* out,
                  size_t max_bytes = 16u << 20) const;

  // The offset of the first retained record whose source timestamp is >= unix_ms, or
  // EndOffset() when there is none.
  Result<Offset> SeekTime(int64_t unix_ms) const;

  Offset StartOffset() const;
  Offset EndOffset() const;
  // nullopt while no record is retained.
  std::optional<DataRange> Range() const;
  // The state stored with the last durable batch that carried one.
  std::optional<std::string> SourceState() const;
  LogStats Stats() const;

  // Deletes whole sealed segments past the age or size limit. Also runs after each roll.
  Status ApplyRetention();

  // Blocks until EndOffset() > offset, the deadline passes, or WakeReaders() is called.
  // Returns EndOffset() > offset. No polling: appends notify a condition variable.
  bool WaitForRecords(Offset offset, std::chrono::steady_clock::time_point deadline) const;
  // Wakes every WaitForRecords caller (used to cancel cursors on shutdown).
  void WakeReaders();

  const std::string& dir() const { return dir_; }

 private:
  struct Segment;
  struct Writer;
  struct IndexCursor {
    uint64_t last_pos = 0;
    bool any = false;
    int64_t running_max = INT64_MIN;
  };

  ChangeLog(FileSystem* fs, std::string dir, LogOptions options);
  Status Recover();
  Status RecoverSegment(size_t i, bool last);
  Status StartSegment();
  Status WriteGroup(std::span<Writer* const> group);
  void EncodeFrame(uint8_t type, uint64_t id, int64_t ts, std::string_view payload,
                   std::string* out) const;
  std::vector<std::shared_ptr<Segment>> RetentionVictimsLocked(int64_t now_ms);
  Status RemoveSegments(const std::vector<std::shared_ptr<Segment>>& victims);
  std::shared_ptr<Segment> FindSegmentLocked(uint64_t id) const;

  FileSystem* const fs_;
  const std::string dir_;
  const LogOptions options_;
  Clock* const clock_;
  std::unique_ptr<FileLock> lock_;

  mutable std::mutex mu_;
  mutable std::condition_variable readers_cv_;
  uint64_t wake_generation_ = 0;
  std::deque<Writer*> writers_;
  std::vector<std::shared_ptr<Segment>> segments_;  // oldest first; the last one is active
  std::optional<std::string> source_state_;
  uint64_t end_id_ = 1;  // one past the last readable record
  uint64_t total_bytes_ = 0;
  uint64_t group_commits_ = 0;
  uint64_t syncs_ = 0;

  // Owned by the group-commit leader (one thread at a time, outside mu_).
  std::unique_ptr<WritableFile> active_;
  uint64_t active_written_ = 0;
  uint64_t next_id_ = 1;
  IndexCursor active_index_;
  int64_t active_created_ms_ = 0;
  int64_t last_sync_ms_ = 0;
  std::optional<Error> sticky_error_;
  std::string buffer_;
};

}  // namespace inflow::changelog

#endif  // INFLOW_CHANGELOG_CHANGE_LOG_H_
