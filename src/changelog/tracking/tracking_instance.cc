#include "changelog/tracking/tracking_instance.h"

#include <fmt/format.h>

#include "common/names.h"

namespace inflow::changelog {

const char* TrackingStateName(TrackingState state) {
  switch (state) {
    case TrackingState::kStopped:
      return "STOPPED";
    case TrackingState::kRunning:
      return "RUNNING";
    case TrackingState::kFailed:
      return "FAILED";
  }
  return "UNKNOWN";
}

Result<std::string> TrackingInstanceDir(const std::string& data_dir, std::string_view name) {
  INFLOW_RETURN_IF_ERROR(ValidateResourceName(name, "tracking instance name"));
  return JoinPath(JoinPath(data_dir, "tracking"), std::string(name));
}

TrackingInstance::TrackingInstance(TrackingOptions options, FileSystem* fs,
                                   std::unique_ptr<FileLock> lock, std::unique_ptr<ChangeLog> log,
                                   std::unique_ptr<ConsumerGroups> groups)
    : options_(std::move(options)),
      fs_(fs),
      lock_(std::move(lock)),
      log_(std::move(log)),
      groups_(std::move(groups)) {}

TrackingInstance::~TrackingInstance() {
  Stop();
  groups_.reset();
  log_.reset();
  (void)fs_->UnlockFile(std::move(lock_));
}

Result<std::unique_ptr<TrackingInstance>> TrackingInstance::Open(FileSystem* fs,
                                                                 const std::string& dir,
                                                                 TrackingOptions options) {
  if (options.max_batch_records == 0) {
    return Fail(InvalidArgument("max_batch_records must be > 0"));
  }
  INFLOW_RETURN_IF_ERROR(fs->CreateDirs(dir));
  INFLOW_TRY(auto lock, LockDirectory(fs, dir));
  INFLOW_TRY(auto log, ChangeLog::Open(fs, JoinPath(dir, "log"), options.log));
  INFLOW_TRY(auto groups,
             ConsumerGroups::Open(fs, JoinPath(dir, "groups"), log.get(), options.groups));
  return std::unique_ptr<TrackingInstance>(new TrackingInstance(
      std::move(options), fs, std::move(lock), std::move(log), std::move(groups)));
}

capture::StartPosition TrackingInstance::ResumePosition(
    const capture::StartPosition& initial) const {
  if (std::optional<std::string> state = log_->SourceState()) {
    return capture::StartPosition::Resume(std::move(*state));
  }
  return initial;
}

Status TrackingInstance::Start(std::unique_ptr<capture::Source> source) {
  if (!source) return Fail(InvalidArgument("source: must not be null"));
  std::lock_guard lock(mu_);
  if (thread_.joinable()) {
    return Fail(ErrorCode::kFailedPrecondition, "the tracking instance is already capturing");
  }
  source_ = std::move(source);
  stop_ = false;
  state_ = TrackingState::kRunning;
  error_.clear();
  records_captured_ = 0;
  account_statements_skipped_ = 0;
  thread_ = std::thread([this] { Run(); });
  return Ok();
}

void TrackingInstance::Stop() {
  std::thread thread;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    if (source_) source_->Stop();
    thread = std::move(thread_);
  }
  if (thread.joinable()) thread.join();
  std::lock_guard lock(mu_);
  source_.reset();
  if (state_ == TrackingState::kRunning) state_ = TrackingState::kStopped;
}

Status TrackingInstance::Flush(std::vector<ChangeRecord>* pending,
                               const std::optional<SourcePosition>& position, int64_t commit_ms) {
  if (!position) return Ok();
  // ResumeState() describes the position right after the last transaction Next() returned,
  // which is exactly the last one in `pending`.
  std::string state = source_->ResumeState();
  INFLOW_RETURN_IF_ERROR(log_->Append(*pending, state));
  source_->Acknowledge(*position);
  std::lock_guard lock(mu_);
  records_captured_ += pending->size();
  acknowledged_ = *position;
  if (!pending->empty()) last_commit_ms_ = commit_ms;
  pending->clear();
  return Ok();
}

void TrackingInstance::Run() {
  std::vector<ChangeRecord> pending;
  std::optional<SourcePosition> position;  // of the last transaction not yet stored
  bool position_has_records = false;
  int64_t commit_ms = 0;
  auto last_state_save = std::chrono::steady_clock::now();
  auto last_retention = last_state_save;
  auto fail = [&](const Error& e) {
    std::lock_guard lock(mu_);
    if (stop_ && e.code() == ErrorCode::kCancelled) {
      state_ = TrackingState::kStopped;
    } else {
      state_ = TrackingState::kFailed;
      error_ = e.ToString();
    }
  };
  while (!stop_) {
    // While records wait, take only what is already there: latency stays one fdatasync.
    auto wait = pending.empty() ? options_.idle_wait : std::chrono::milliseconds(0);
    Result<std::optional<capture::SourceTransaction>> next = source_->Next(wait);
    if (!next) {
      // What is pending was fully returned by the Source; keep it before stopping.
      if (Status s = Flush(&pending, position, commit_ms); !s) return fail(s.error());
      return fail(next.error());
    }
    if (*next) {
      capture::SourceTransaction& txn = **next;
      for (ChangeRecord& r : txn.records) pending.push_back(std::move(r));
      position = txn.position;
      position_has_records = position_has_records || !txn.records.empty();
      commit_ms = txn.commit_timestamp_ms;
      {
        std::lock_guard lock(mu_);
        caught_up_ = false;
        account_statements_skipped_ += txn.account_statements_skipped;
      }
      if (pending.size() < options_.max_batch_records) continue;
    } else {
      {
        std::lock_guard lock(mu_);
        caught_up_ = true;
      }
      // Segments also roll and expire while nothing is appended; the log only checks on a roll.
      if (std::chrono::steady_clock::now() - last_retention >= options_.retention_interval) {
        (void)log_->ApplyRetention();  // a failure is retried at the next interval
        last_retention = std::chrono::steady_clock::now();
      }
    }
    // A batch is full or the Source is idle: store what we have. Position-only progress (all
    // transactions filtered out) is stored at most once per state_interval.
    auto now = std::chrono::steady_clock::now();
    if (!position) continue;
    if (!position_has_records && now - last_state_save < options_.state_interval) continue;
    if (Status s = Flush(&pending, position, commit_ms); !s) return fail(s.error());
    position.reset();
    position_has_records = false;
    last_state_save = now;
  }
  if (Status s = Flush(&pending, position, commit_ms); !s) return fail(s.error());
  std::lock_guard lock(mu_);
  state_ = TrackingState::kStopped;
}

TrackingStatus TrackingInstance::GetStatus() const {
  TrackingStatus st;
  LogStats ls = log_->Stats();
  st.range = log_->Range();
  st.start = ls.start;
  st.end = ls.end;
  st.log_bytes = ls.bytes;
  std::lock_guard lock(mu_);
  st.state = state_;
  st.error = error_;
  st.records_captured = records_captured_;
  st.account_statements_skipped = account_statements_skipped_;
  st.acknowledged = acknowledged_;
  if (!caught_up_ && last_commit_ms_ > 0) {
    st.lag_ms = std::max<int64_t>(0, SystemClock()->NowMs() - last_commit_ms_);
  }
  return st;
}

}  // namespace inflow::changelog
