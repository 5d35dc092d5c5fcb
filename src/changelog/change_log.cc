#include "changelog/change_log.h"

#include <fmt/format.h>

#include <algorithm>

#include "changelog/change_log_internal.h"
#include "changelog/record_codec.h"
#include "changelog/segment_format.h"
#include "common/coding.h"

namespace inflow::changelog {
namespace {

constexpr size_t kReadChunk = 1u << 20;

// Reads frames sequentially from a file snapshot, refilling a buffer as needed.
class FrameScanner {
 public:
  // `first_chunk`: how much the first read fetches — sized by the caller to what it expects to
  // consume, because copying a whole chunk from the page cache dominates a short read or seek.
  FrameScanner(const RandomAccessFile* file, uint64_t pos, uint64_t limit, uint32_t max_payload,
               size_t first_chunk = kReadChunk)
      : file_(file), pos_(pos), limit_(limit), max_payload_(max_payload), chunk_(first_chunk) {}

  // Next frame, nullopt at `limit`. A frame that is cut by `limit` or fails its checksum is an
  // error (the caller only scans ranges that were completely written).
  Result<std::optional<Frame>> Next(const std::string& path) {
    if (pos_ >= limit_) return std::optional<Frame>();
    Frame f;
    for (int attempt = 0; attempt < 3; ++attempt) {
      size_t off = static_cast<size_t>(pos_ - buf_pos_);
      Parse p = (pos_ >= buf_pos_ && off <= buf_size_)
                    ? ParseFrame(buf_ + off, buf_size_ - off, max_payload_, &f)
                    : Parse::kIncomplete;
      if (p == Parse::kOk) {
        pos_ += f.size;
        return std::optional<Frame>(f);
      }
      if (p == Parse::kCorrupt) break;
      // Refill from pos_, large enough for the frame whose length is already known.
      size_t want = chunk_;
      chunk_ = kReadChunk;
      if (off + 4 <= buf_size_ && pos_ >= buf_pos_) {
        want = std::max<size_t>(want, kFrameHeaderSize + DecodeFixed32(buf_ + off));
      }
      want = static_cast<size_t>(std::min<uint64_t>(want, limit_ - pos_));
      buf_ = Scratch(want);
      INFLOW_TRY(size_t n, file_->Read(pos_, want, buf_));
      buf_size_ = n;
      buf_pos_ = pos_;
      if (n < want) break;
    }
    return Fail(DataLoss(fmt::format("change log segment '{}': bad frame at byte {}", path, pos_)));
  }

  uint64_t pos() const { return pos_; }

 private:
  const RandomAccessFile* file_;
  uint64_t pos_;
  uint64_t limit_;
  uint32_t max_payload_;
  size_t chunk_;
  // A per-thread buffer, reused: allocating (and zero-filling) a fresh megabyte per Read costs
  // more than the read itself. Frames point into it only until the next refill.
  static char* Scratch(size_t n) {
    thread_local std::unique_ptr<char[]> data;
    thread_local size_t capacity = 0;
    if (capacity < n) {
      data.reset(new char[n]);
      capacity = n;
    }
    return data.get();
  }

  char* buf_ = nullptr;
  size_t buf_size_ = 0;
  uint64_t buf_pos_ = 0;
};

}  // namespace

struct ChangeLog::Writer {
  std::span<const ChangeRecord> records;
  std::optional<std::string_view> state;
  Result<RecordId> result = RecordId(0);
  bool done = false;
  std::condition_variable cv;
};

ChangeLog::ChangeLog(FileSystem* fs, std::string dir, LogOptions options)
    : fs_(fs),
      dir_(std::move(dir)),
      options_(options),
      clock_(options.clock ? options.clock : SystemClock()) {}

ChangeLog::~ChangeLog() {
  if (active_) (void)active_->Close();
  (void)fs_->UnlockFile(std::move(lock_));
}

Result<std::unique_ptr<ChangeLog>> ChangeLog::Open(FileSystem* fs, std::string dir,
                                                   LogOptions options) {
  if (options.segment_bytes < 4096) return Fail(InvalidArgument("segment_bytes must be >= 4096"));
  if (options.index_interval_bytes == 0) {
    return Fail(InvalidArgument("index_interval_bytes must be > 0"));
  }
  INFLOW_RETURN_IF_ERROR(fs->CreateDirs(dir));
  INFLOW_TRY(auto lock, LockDirectory(fs, dir));
  std::unique_ptr<ChangeLog> log(new ChangeLog(fs, std::move(dir), options));
  log->lock_ = std::move(lock);
  INFLOW_RETURN_IF_ERROR(log->Recover());
  return log;
}

void ChangeLog::EncodeFrame(uint8_t type, uint64_t id, int64_t ts, std::string_view payload,
                            std::string* out) const {
  size_t start = out->size();
  out->resize(start + kFrameHeaderSize);
  out->append(payload);
  EncodeFrameHeader(out->data() + start, type, id, ts, payload.size());
}

Status ChangeLog::StartSegment() {
  // Only the leader (or Open) gets here, so the active file is ours alone.
  if (active_) {
    INFLOW_RETURN_IF_ERROR(active_->Sync());
    INFLOW_RETURN_IF_ERROR(active_->Close());
    active_.reset();
    std::lock_guard lock(mu_);
    segments_.back()->size = active_written_;
    ++syncs_;
  }
  auto seg = std::make_shared<Segment>();
  seg->base_id = next_id_;
  seg->end_id = next_id_;
  seg->path = JoinPath(dir_, SegmentName(next_id_));
  INFLOW_TRY(bool exists, fs_->Exists(seg->path));
  if (exists) INFLOW_RETURN_IF_ERROR(fs_->Remove(seg->path));
  INFLOW_TRY(auto file, fs_->OpenAppendable(seg->path));
  int64_t now = clock_->NowMs();
  std::string head = FileHeader();
  EncodeFrame(source_state_ ? kCommitStateFrame : kCommitFrame, next_id_, now,
              source_state_ ? std::string_view(*source_state_) : std::string_view(), &head);
  INFLOW_RETURN_IF_ERROR(file->Append(head));
  INFLOW_RETURN_IF_ERROR(file->Sync());
  INFLOW_RETURN_IF_ERROR(fs_->SyncDir(dir_));
  INFLOW_TRY(seg->file, fs_->OpenReadable(seg->path));
  seg->size = head.size();
  seg->last_append_ms = now;
  active_ = std::move(file);
  active_written_ = head.size();
  active_index_ = IndexCursor();
  active_created_ms_ = now;
  std::lock_guard lock(mu_);
  total_bytes_ += head.size();
  segments_.push_back(std::move(seg));
  ++syncs_;
  return Ok();
}

Result<RecordId> ChangeLog::Append(std::span<const ChangeRecord> records,
                                   std::optional<std::string_view> source_state) {
  Writer w;
  w.records = records;
  w.state = source_state;
  std::unique_lock lock(mu_);
  writers_.push_back(&w);
  while (!w.done && &w != writers_.front()) w.cv.wait(lock);
  if (w.done) return std::move(w.result);

  // This thread leads a group: everyone queued now, up to max_group_bytes (estimated).
  std::vector<Writer*> group;
  size_t estimate = 0;
  for (Writer* x : writers_) {
    size_t bytes = x->state ? x->state->size() : 0;
    for (const ChangeRecord& r : x->records) {
      bytes += 128 + r.ddl.size() + (r.before_json ? r.before_json->size() : 0) +
               (r.after_json ? r.after_json->size() : 0) + r.columns.size() * 32;
    }
    if (!group.empty() && estimate + bytes > options_.max_group_bytes) break;
    group.push_back(x);
    estimate += bytes;
  }
  lock.unlock();
  Status s = WriteGroup(group);
  lock.lock();
  for (Writer* x : group) {
    if (!s) x->result = Fail(s.error());
    writers_.pop_front();
    x->done = true;
    if (x != &w) x->cv.notify_one();
  }
  if (!writers_.empty()) writers_.front()->cv.notify_one();
  return std::move(w.result);
}

Status ChangeLog::WriteGroup(std::span<Writer* const> group) {
  if (sticky_error_) return Fail(*sticky_error_);
  int64_t now = clock_->NowMs();
  {
    std::unique_lock lock(mu_);
    bool has_records = segments_.back()->has_records();
    lock.unlock();
    if (has_records && (active_written_ >= options_.segment_bytes ||
                        now - active_created_ms_ >= options_.segment_max_age_ms)) {
      Status rolled = StartSegment();
      if (!rolled) {
        sticky_error_ = rolled.error();
        return rolled;
      }
      (void)ApplyRetention();  // failures here only delay deletion; the next roll retries
    }
  }

  buffer_.clear();
  uint64_t id = next_id_;
  IndexCursor ic = active_index_;
  std::vector<Segment::IndexEntry> new_index;
  int64_t min_ts = INT64_MAX, max_ts = INT64_MIN;
  std::optional<std::string_view> state;
  for (Writer* w : group) {
    size_t writer_start = buffer_.size();
    uint64_t writer_first_id = id;
    size_t index_mark = new_index.size();
    IndexCursor ic_mark = ic;
    int64_t min_mark = min_ts, max_mark = max_ts;
    bool too_big = false;
    for (const ChangeRecord& r : w->records) {
      size_t start = buffer_.size();
      buffer_.resize(start + kFrameHeaderSize);
      EncodeChangeRecord(r, &buffer_);
      size_t len = buffer_.size() - start - kFrameHeaderSize;
      if (len > options_.max_record_bytes) {
        w->result =
            Fail(ErrorCode::kResourceExhausted,
                 fmt::format("change record {}.{} encodes to {} bytes, over the limit of {}",
                             r.database, r.table, len, options_.max_record_bytes));
        too_big = true;
        break;
      }
      EncodeFrameHeader(buffer_.data() + start, kDataFrame, id, r.source_timestamp_ms, len);
      uint64_t pos = active_written_ + start;
      if (!ic.any || pos - ic.last_pos >= options_.index_interval_bytes) {
        new_index.push_back({id, pos, ic.running_max});
        ic.last_pos = pos;
        ic.any = true;
      }
      ic.running_max = std::max(ic.running_max, r.source_timestamp_ms);
      min_ts = std::min(min_ts, r.source_timestamp_ms);
      max_ts = std::max(max_ts, r.source_timestamp_ms);
      ++id;
    }
    if (too_big) {
      // Refuse this writer's whole batch (it is atomic) and keep the others.
      buffer_.resize(writer_start);
      id = writer_first_id;
      new_index.resize(index_mark);
      ic = ic_mark;
      min_ts = min_mark;
      max_ts = max_mark;
      w->state.reset();
      continue;
    }
    w->result = RecordId(id - 1);
    if (w->state) state = w->state;
  }
  EncodeFrame(state ? kCommitStateFrame : kCommitFrame, id, now,
              state ? *state : std::string_view(), &buffer_);

  Status s = active_->Append(buffer_);
  bool synced = false;
  if (s && (options_.sync == SyncPolicy::kEveryBatch ||
            (options_.sync == SyncPolicy::kInterval &&
             now - last_sync_ms_ >= options_.sync_interval_ms))) {
    s = active_->Sync();
    synced = true;
    last_sync_ms_ = now;
  }
  if (!s) {
    sticky_error_ =
        s.error().WithContext("change log '" + dir_ + "' (appends refused until reopen)");
    return Fail(*sticky_error_);
  }
  active_written_ += buffer_.size();
  next_id_ = id;
  active_index_ = ic;

  std::lock_guard lock(mu_);
  Segment& seg = *segments_.back();
  total_bytes_ += active_written_ - seg.size;
  seg.size = active_written_;
  seg.end_id = id;
  seg.index.insert(seg.index.end(), new_index.begin(), new_index.end());
  seg.min_ts = std::min(seg.min_ts, min_ts);
  seg.max_ts = std::max(seg.max_ts, max_ts);
  seg.last_append_ms = now;
  end_id_ = id;
  if (state) source_state_ = std::string(*state);
  ++group_commits_;
  if (synced) ++syncs_;
  readers_cv_.notify_all();
  return Ok();
}

std::shared_ptr<ChangeLog::Segment> ChangeLog::FindSegmentLocked(uint64_t id) const {
  auto it = std::upper_bound(segments_.begin(), segments_.end(), id,
                             [](uint64_t v, const auto& seg) { return v < seg->base_id; });
  if (it == segments_.begin()) return nullptr;
  return *(it - 1);
}

Result<std::vector<StoredRecord>> ChangeLog::Read(Offset from, size_t max_records,
                                                  size_t max_bytes) const {
  std::vector<StoredRecord> out;
  out.reserve(std::min<size_t>(max_records, 4096));
  INFLOW_RETURN_IF_ERROR(ReadInto(from, max_records, &out, max_bytes));
  return out;
}

Status ChangeLog::ReadInto(Offset from, size_t max_records, std::vector<StoredRecord>* records,
                           size_t max_bytes) const {
  // `n` records of *records are filled; the rest are spare objects whose buffers get reused.
  std::vector<StoredRecord>& out_storage = *records;
  size_t n = 0;
  size_t bytes = 0;
  uint64_t next = from.value();
  // One segment per round; a read may span segments.
  while (n < max_records && (n == 0 || bytes < max_bytes)) {
    std::shared_ptr<Segment> seg;
    uint64_t start_pos = 0, limit = 0, seg_end = 0;
    {
      std::lock_guard lock(mu_);
      uint64_t first = segments_.front()->base_id;
      if (next < first) {
        return Fail(
            ErrorCode::kOutOfRange,
            fmt::format("offset {} was removed by retention; the log starts at {}", next, first));
      }
      if (next >= end_id_) break;
      seg = FindSegmentLocked(next);
      if (!seg || next >= seg->end_id) break;
      auto it = std::upper_bound(seg->index.begin(), seg->index.end(), next,
                                 [](uint64_t v, const Segment::IndexEntry& e) { return v < e.id; });
      if (it == seg->index.begin()) {
        return Fail(
            Internal(fmt::format("change log index of '{}' misses record {}", seg->path, next)));
      }
      start_pos = (it - 1)->pos;
      limit = seg->size;
      seg_end = seg->end_id;
    }
    uint64_t avg_frame = (limit - kFileHeaderSize) / std::max<uint64_t>(1, seg_end - seg->base_id);
    uint64_t expect =
        std::min<uint64_t>(max_records - n, 1u << 16) * avg_frame + options_.index_interval_bytes;
    FrameScanner scanner(seg->file.get(), start_pos, limit, MaxPayload(options_),
                         static_cast<size_t>(std::clamp<uint64_t>(expect, 16u << 10, 4u << 20)));
    while (next < seg_end && n < max_records && (n == 0 || bytes < max_bytes)) {
      INFLOW_TRY(std::optional<Frame> f, scanner.Next(seg->path));
      if (!f) {
        return Fail(DataLoss(
            fmt::format("change log segment '{}' ends before record {}", seg->path, next)));
      }
      if (f->type != kDataFrame || f->id < next) continue;
      if (n == out_storage.size()) out_storage.emplace_back();
      StoredRecord& slot = out_storage[n];
      Status decoded = DecodeChangeRecordInto(f->payload, &slot.record);
      if (!decoded) {
        out_storage.resize(n);
        return Fail(decoded.error().WithContext(
            fmt::format("change log segment '{}' record {}", seg->path, f->id)));
      }
      slot.id = RecordId(f->id);
      ++n;
      bytes += f->payload.size();
      next = f->id + 1;
    }
  }
  out_storage.resize(n);
  return Ok();
}

Result<Offset> ChangeLog::SeekTime(int64_t unix_ms) const {
  std::shared_ptr<Segment> seg;
  uint64_t start_pos = 0, limit = 0, seg_end = 0;
  {
    std::lock_guard lock(mu_);
    for (const auto& s : segments_) {
      if (s->has_records() && s->max_ts >= unix_ms) {
        seg = s;
        break;
      }
    }
    if (!seg) return Offset(end_id_);
    // max_ts_before is non-decreasing, so the last entry still below the target is where the
    // first record at or after it can start; the next entry bounds the scan.
    auto it = std::lower_bound(
        seg->index.begin(), seg->index.end(), unix_ms,
        [](const Segment::IndexEntry& e, int64_t t) { return e.max_ts_before < t; });
    if (it == seg->index.begin()) {
      return Fail(Internal("change log time index of '" + seg->path + "' is empty"));
    }
    start_pos = (it - 1)->pos;
    limit = seg->size;
    seg_end = seg->end_id;
  }
  FrameScanner scanner(seg->file.get(), start_pos, limit, MaxPayload(options_),
                       2 * options_.index_interval_bytes + 1024);
  while (true) {
    INFLOW_TRY(std::optional<Frame> f, scanner.Next(seg->path));
    if (!f || f->id >= seg_end) break;
    if (f->type == kDataFrame && f->ts >= unix_ms) return Offset(f->id);
  }
  return Fail(
      Internal(fmt::format("change log time index of '{}' points past its records", seg->path)));
}

Offset ChangeLog::StartOffset() const {
  std::lock_guard lock(mu_);
  return Offset(segments_.front()->base_id);
}

Offset ChangeLog::EndOffset() const {
  std::lock_guard lock(mu_);
  return Offset(end_id_);
}

std::optional<DataRange> ChangeLog::Range() const {
  std::lock_guard lock(mu_);
  std::optional<DataRange> range;
  for (const auto& s : segments_) {
    if (!s->has_records()) continue;
    if (!range) range = DataRange{s->min_ts, s->max_ts};
    range->earliest_ms = std::min(range->earliest_ms, s->min_ts);
    range->latest_ms = std::max(range->latest_ms, s->max_ts);
  }
  return range;
}

std::optional<std::string> ChangeLog::SourceState() const {
  std::lock_guard lock(mu_);
  return source_state_;
}

LogStats ChangeLog::Stats() const {
  std::lock_guard lock(mu_);
  LogStats s;
  s.start = Offset(segments_.front()->base_id);
  s.end = Offset(end_id_);
  s.bytes = total_bytes_;
  s.segments = segments_.size();
  s.group_commits = group_commits_;
  s.syncs = syncs_;
  return s;
}

std::vector<std::shared_ptr<ChangeLog::Segment>> ChangeLog::RetentionVictimsLocked(int64_t now_ms) {
  std::vector<std::shared_ptr<Segment>> victims;
  while (segments_.size() > 1) {
    const Segment& front = *segments_.front();
    bool too_old =
        options_.retention_age_ms > 0 && front.last_append_ms < now_ms - options_.retention_age_ms;
    bool too_big = options_.retention_bytes > 0 && total_bytes_ > options_.retention_bytes;
    if (!too_old && !too_big) break;
    total_bytes_ -= front.size;
    victims.push_back(segments_.front());
    segments_.erase(segments_.begin());
  }
  return victims;
}

Status ChangeLog::RemoveSegments(const std::vector<std::shared_ptr<Segment>>& victims) {
  if (victims.empty()) return Ok();
  // Readers holding a victim's file handle keep reading it; only the name goes away.
  for (const auto& seg : victims) INFLOW_RETURN_IF_ERROR(fs_->Remove(seg->path));
  return fs_->SyncDir(dir_);
}

Status ChangeLog::ApplyRetention() {
  std::vector<std::shared_ptr<Segment>> victims;
  {
    std::lock_guard lock(mu_);
    victims = RetentionVictimsLocked(clock_->NowMs());
  }
  return RemoveSegments(victims);
}

bool ChangeLog::WaitForRecords(Offset offset,
                               std::chrono::steady_clock::time_point deadline) const {
  std::unique_lock lock(mu_);
  uint64_t generation = wake_generation_;
  readers_cv_.wait_until(
      lock, deadline, [&] { return end_id_ > offset.value() || wake_generation_ != generation; });
  return end_id_ > offset.value();
}

void ChangeLog::WakeReaders() {
  std::lock_guard lock(mu_);
  ++wake_generation_;
  readers_cv_.notify_all();
}

}  // namespace inflow::changelog
