// What change_log.cc (appends, reads, retention) and change_log_recovery.cc (Open's scan of
// the segments) share about ChangeLog's in-memory state. Internal to changelog.
//
// Thread safety: Segment fields are guarded as ChangeLog's members are (change_log.h).
#ifndef INFLOW_CHANGELOG_CHANGE_LOG_INTERNAL_H_
#define INFLOW_CHANGELOG_CHANGE_LOG_INTERNAL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "changelog/change_log.h"
#include "changelog/file_system.h"

namespace inflow::changelog {

// Frames need a margin: a maximal frame must fit into what one parse step sees.
inline uint32_t MaxPayload(const LogOptions& o) { return o.max_record_bytes + 64; }

struct ChangeLog::Segment {
  struct IndexEntry {
    uint64_t id;
    uint64_t pos;
    int64_t max_ts_before;  // max source timestamp of this segment's records before this one
  };
  uint64_t base_id = 0;
  std::string path;
  std::shared_ptr<RandomAccessFile> file;
  uint64_t size = 0;    // bytes visible to readers
  uint64_t end_id = 0;  // one past the last visible record
  int64_t min_ts = INT64_MAX;
  int64_t max_ts = INT64_MIN;
  int64_t last_append_ms = 0;  // wall clock of the last batch (retention by age)
  std::vector<IndexEntry> index;

  bool has_records() const { return end_id > base_id; }
};

}  // namespace inflow::changelog

#endif  // INFLOW_CHANGELOG_CHANGE_LOG_INTERNAL_H_
