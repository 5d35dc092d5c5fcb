// ChangeLog::Open's recovery: scans every segment, rebuilds the in-memory index, ranges and
// source state, and truncates the torn or corrupt tail of the active segment (FORMAT.md,
// "Recovery").
#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "changelog/change_log.h"
#include "changelog/change_log_internal.h"
#include "changelog/segment_format.h"
#include "common/coding.h"

namespace inflow::changelog {

Status ChangeLog::Recover() {
  INFLOW_RETURN_IF_ERROR(fs_->CreateDirs(dir_));
  INFLOW_TRY(auto names, fs_->ListDir(dir_));
  std::vector<uint64_t> bases;
  for (const std::string& name : names) {
    if (auto base = ParseSegmentName(name)) bases.push_back(*base);
  }
  std::sort(bases.begin(), bases.end());
  for (uint64_t base : bases) {
    auto seg = std::make_shared<Segment>();
    seg->base_id = base;
    seg->end_id = base;
    seg->path = JoinPath(dir_, SegmentName(base));
    segments_.push_back(std::move(seg));
  }
  if (segments_.empty()) return StartSegment();
  for (size_t i = 0; i < segments_.size(); ++i) {
    INFLOW_RETURN_IF_ERROR(RecoverSegment(i, i + 1 == segments_.size()));
  }
  // Retention may have removed the older segment that held the latest state; keep a copy in
  // the active segment so the state lives as long as the log.
  return Ok();
}

Status ChangeLog::RecoverSegment(size_t i, bool last) {
  Segment& seg = *segments_[i];
  if (i > 0 && seg.base_id != segments_[i - 1]->end_id) {
    return Fail(DataLoss(fmt::format(
        "change log '{}': segment {} starts at record {} but the previous one ends at {}", dir_,
        seg.path, seg.base_id, segments_[i - 1]->end_id)));
  }
  INFLOW_TRY(std::string data, ReadWholeFile(fs_, seg.path));
  bool header_ok = data.size() >= kFileHeaderSize && std::memcmp(data.data(), kMagic, 8) == 0 &&
                   DecodeFixed32(data.data() + 8) == kFormatVersion;
  if (!header_ok && !(last && data.size() < kFileHeaderSize)) {
    return Fail(DataLoss(fmt::format("change log segment '{}' has no valid header", seg.path)));
  }
  uint64_t boundary = kFileHeaderSize;  // end of the last complete batch
  bool state_here = false;
  bool seen_commit = false;
  if (header_ok) {
    IndexCursor ic;
    std::vector<Segment::IndexEntry> pending_index;
    uint64_t expect = seg.base_id;
    int64_t pend_min = INT64_MAX, pend_max = INT64_MIN;
    size_t pos = kFileHeaderSize;
    while (pos < data.size()) {
      Frame f;
      if (ParseFrame(data.data() + pos, data.size() - pos, MaxPayload(options_), &f) !=
          Parse::kOk) {
        break;
      }
      if (f.type == kDataFrame) {
        if (f.id != expect) break;
        if (!ic.any || pos - ic.last_pos >= options_.index_interval_bytes) {
          pending_index.push_back({f.id, pos, ic.running_max});
          ic.last_pos = pos;
          ic.any = true;
        }
        ic.running_max = std::max(ic.running_max, f.ts);
        pend_min = std::min(pend_min, f.ts);
        pend_max = std::max(pend_max, f.ts);
        ++expect;
      } else {
        if (f.id != expect) break;
        // A batch is complete: what it wrote becomes part of the recovered log.
        boundary = pos + f.size;
        seg.end_id = expect;
        seg.index.insert(seg.index.end(), pending_index.begin(), pending_index.end());
        pending_index.clear();
        seg.min_ts = std::min(seg.min_ts, pend_min);
        seg.max_ts = std::max(seg.max_ts, pend_max);
        if (!seen_commit) active_created_ms_ = f.ts;
        seen_commit = true;
        seg.last_append_ms = std::max(seg.last_append_ms, f.ts);
        if (f.type == kCommitStateFrame) {
          source_state_ = std::string(f.payload);
          state_here = true;
        }
        active_index_ = ic;
      }
      pos += f.size;
    }
  }
  if (!last) {
    if (boundary != data.size()) {
      return Fail(DataLoss(fmt::format(
          "change log segment '{}' is damaged at byte {} (a sealed segment was synced whole)",
          seg.path, boundary)));
    }
  } else if (!header_ok || boundary != data.size()) {
    if (!header_ok) boundary = 0;
    // The torn or corrupt tail of the active segment: everything after the last complete batch
    // was never acknowledged, so it is dropped.
    if (!header_ok) {
      INFLOW_RETURN_IF_ERROR(fs_->Truncate(seg.path, 0));
    } else {
      INFLOW_RETURN_IF_ERROR(fs_->Truncate(seg.path, boundary));
    }
  }
  seg.size = boundary;
  total_bytes_ += boundary;
  end_id_ = seg.end_id;
  next_id_ = seg.end_id;
  INFLOW_TRY(seg.file, fs_->OpenReadable(seg.path));
  if (!last) return Ok();

  INFLOW_TRY(active_, fs_->OpenAppendable(seg.path));
  active_written_ = boundary;
  if (!seen_commit) {
    active_index_ = IndexCursor();
    active_created_ms_ = clock_->NowMs();
  }
  std::string fix;
  if (!header_ok) fix = FileHeader();
  // Keep the latest state inside the active segment (see Recover()).
  if (!state_here && source_state_) {
    EncodeFrame(source_state_ ? kCommitStateFrame : kCommitFrame, next_id_, clock_->NowMs(),
                source_state_ ? std::string_view(*source_state_) : std::string_view(), &fix);
  }
  if (!fix.empty() || boundary != data.size()) {
    // fdatasync also makes a truncation durable (the size is metadata needed to read data).
    if (!fix.empty()) INFLOW_RETURN_IF_ERROR(active_->Append(fix));
    INFLOW_RETURN_IF_ERROR(active_->Sync());
    active_written_ += fix.size();
    seg.size = active_written_;
    total_bytes_ += fix.size();
  }
  if (seg.last_append_ms == 0) seg.last_append_ms = clock_->NowMs();
  return Ok();
}

}  // namespace inflow::changelog
