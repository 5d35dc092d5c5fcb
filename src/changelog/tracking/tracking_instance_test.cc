#include "changelog/tracking/tracking_instance.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <thread>

#include "changelog/fault_file_system.h"
#include "changelog/test_util.h"

namespace inflow::changelog {
namespace {

// A scripted Source: replays `txns` from a resume index; ResumeState() is that index.
class ScriptedSource : public capture::Source {
 public:
  ScriptedSource(const std::vector<capture::SourceTransaction>* txns, size_t next)
      : txns_(txns), next_(next) {}

  Result<std::optional<capture::SourceTransaction>> Next(
      std::chrono::milliseconds timeout) override {
    if (stopped_) return Fail(ErrorCode::kCancelled, "stopped");
    if (next_ < txns_->size()) return std::optional<capture::SourceTransaction>((*txns_)[next_++]);
    std::this_thread::sleep_for(std::min(timeout, std::chrono::milliseconds(2)));
    return std::optional<capture::SourceTransaction>();
  }
  std::string ResumeState() const override { return std::to_string(next_); }
  void Acknowledge(const SourcePosition& p) override {
    std::lock_guard lock(mu_);
    acked_ = p;
  }
  SourcePosition acknowledged() const override {
    std::lock_guard lock(mu_);
    return acked_;
  }
  std::vector<std::string> warnings() const override { return {}; }
  void Stop() override { stopped_ = true; }

 private:
  const std::vector<capture::SourceTransaction>* txns_;
  size_t next_;
  std::atomic<bool> stopped_{false};
  mutable std::mutex mu_;
  SourcePosition acked_;
};

std::vector<capture::SourceTransaction> Script(size_t n) {
  std::mt19937_64 rng(42);
  std::vector<capture::SourceTransaction> txns(n);
  for (size_t i = 0; i < n; ++i) {
    capture::SourceTransaction& t = txns[i];
    t.position = {"mysql-bin.000001", 4 + i * 100, "0-1-" + std::to_string(i + 1), 0};
    t.commit_timestamp_ms = 1764061200000 + static_cast<int64_t>(i) * 10;
    t.transaction_id = t.position.gtid_set;
    size_t rows = i % 7 == 3 ? 0 : 1 + rng() % 3;  // some transactions touch no included table
    for (size_t k = 0; k < rows; ++k) {
      ChangeRecord r = testing::RandomRecord(rng, t.commit_timestamp_ms, 40);
      r.position = t.position;
      r.transaction_id = t.transaction_id;
      t.records.push_back(std::move(r));
    }
  }
  return txns;
}

std::unique_ptr<capture::Source> SourceAt(const std::vector<capture::SourceTransaction>* txns,
                                          const capture::StartPosition& start) {
  size_t next =
      start.kind == capture::StartPosition::Kind::kResume ? std::stoull(start.resume_state) : 0;
  return std::make_unique<ScriptedSource>(txns, next);
}

TrackingOptions Options() {
  TrackingOptions o;
  o.max_batch_records = 50;
  o.idle_wait = std::chrono::milliseconds(5);
  o.state_interval = std::chrono::milliseconds(0);
  o.groups.scrypt.n = 1024;
  return o;
}

void WaitForEnd(TrackingInstance& t, uint64_t end) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (t.log().EndOffset().value() < end && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

// Crashes (power cut through the filesystem seam) at several moments while capturing; after
// each restart capture resumes from the stored state. The final log must hold every record of
// the script exactly once, in order.
TEST(ChangelogTracking, CrashesAndRestartsLoseAndDuplicateNothing) {
  const auto txns = Script(3000);
  std::vector<ChangeRecord> expected;
  for (const auto& t : txns) expected.insert(expected.end(), t.records.begin(), t.records.end());
  FaultInjectingFileSystem fs;
  std::mt19937_64 rng(7);
  for (int round = 0; round < 6; ++round) {
    // Odd rounds leave syncing to the OS, so the crash tears batches at random bytes.
    TrackingOptions opts = Options();
    if (round % 2 == 1) opts.log.sync = SyncPolicy::kNever;
    auto inst = TrackingInstance::Open(&fs, "/inst", opts);
    ASSERT_TRUE(inst) << inst.error().ToString();
    auto start = (*inst)->ResumePosition(capture::StartPosition{});
    ASSERT_TRUE((*inst)->Start(SourceAt(&txns, start)));
    if (round < 5) {
      uint64_t target = (*inst)->log().EndOffset().value() + 200 + rng() % 800;
      WaitForEnd(**inst, target);
      fs.Crash(rng() % 3 == 0 ? 0 : rng() % 20000);  // the process dies here
      (*inst)->Stop();
    } else {
      WaitForEnd(**inst, expected.size() + 1);
      (*inst)->Stop();
      EXPECT_EQ((*inst)->GetStatus().state, TrackingState::kStopped);
    }
  }
  auto inst = TrackingInstance::Open(&fs, "/inst", Options());
  ASSERT_TRUE(inst);
  ChangeLog& log = (*inst)->log();
  ASSERT_EQ(log.EndOffset().value(), expected.size() + 1);
  Offset pos(1);
  size_t i = 0;
  while (pos < log.EndOffset()) {
    auto got = log.Read(pos, 500);
    ASSERT_TRUE(got) << got.error().ToString();
    for (const StoredRecord& s : *got) {
      ASSERT_EQ(s.record, expected[i]) << "record " << i;
      ++i;
    }
    pos = Offset(got->back().id.value() + 1);
  }
  EXPECT_EQ(log.SourceState(), std::to_string(txns.size()));
}

TEST(ChangelogTracking, AcknowledgesOnlyDurablePositionsAndReportsStatus) {
  auto txns = Script(100);
  // Transactions without records stand for dropped account-management statements here.
  uint64_t skipped = 0;
  for (auto& t : txns) {
    if (t.records.empty()) t.account_statements_skipped = 1;
    skipped += t.account_statements_skipped;
  }
  ASSERT_GT(skipped, 0u);
  FaultInjectingFileSystem fs;
  auto inst = TrackingInstance::Open(&fs, "/inst", Options());
  ASSERT_TRUE(inst);
  auto source = std::make_unique<ScriptedSource>(&txns, 0);
  ScriptedSource* raw = source.get();
  ASSERT_TRUE((*inst)->Start(std::move(source)));
  EXPECT_EQ((*inst)->Start(std::make_unique<ScriptedSource>(&txns, 0)).error().code(),
            ErrorCode::kFailedPrecondition);
  size_t total = 0;
  for (const auto& t : txns) total += t.records.size();
  WaitForEnd(**inst, total + 1);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (raw->acknowledged() != txns.back().position &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(raw->acknowledged(), txns.back().position);
  TrackingStatus st = (*inst)->GetStatus();
  EXPECT_EQ(st.state, TrackingState::kRunning);
  EXPECT_EQ(st.end.value(), total + 1);
  EXPECT_EQ(st.records_captured, total);
  EXPECT_EQ(st.account_statements_skipped, skipped);
  ASSERT_TRUE(st.range);
  EXPECT_EQ(st.range->earliest_ms, txns.front().commit_timestamp_ms);
  (*inst)->Stop();
  EXPECT_EQ((*inst)->GetStatus().state, TrackingState::kStopped);
  EXPECT_STREQ(TrackingStateName(TrackingState::kFailed), "FAILED");
}

TEST(ChangelogTracking, AppliesRetentionWhileIdle) {
  const auto txns = Script(300);
  size_t total = 0;
  for (const auto& t : txns) total += t.records.size();
  FaultInjectingFileSystem fs;
  ManualClock clock(1764061200000);
  TrackingOptions opts = Options();
  opts.log.clock = &clock;
  opts.log.segment_bytes = 4096;
  opts.log.retention_age_ms = 1000;
  opts.retention_interval = std::chrono::milliseconds(0);
  auto inst = TrackingInstance::Open(&fs, "/inst", opts);
  ASSERT_TRUE(inst);
  ASSERT_TRUE((*inst)->Start(std::make_unique<ScriptedSource>(&txns, 0)));
  WaitForEnd(**inst, total + 1);
  ASSERT_GT((*inst)->log().Stats().segments, 1u);
  clock.Advance(10'000);  // every sealed segment is now past the retention age
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while ((*inst)->log().Stats().segments > 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ((*inst)->log().Stats().segments, 1u);
  EXPECT_EQ((*inst)->log().EndOffset().value(), total + 1);
}

TEST(ChangelogTracking, FailsVisiblyWhenTheLogCannotWrite) {
  const auto txns = Script(100);
  FaultInjectingFileSystem fs;
  auto inst = TrackingInstance::Open(&fs, "/inst", Options());
  ASSERT_TRUE(inst);
  fs.FailSyncs(true);
  auto source = std::make_unique<ScriptedSource>(&txns, 0);
  ScriptedSource* raw = source.get();
  ASSERT_TRUE((*inst)->Start(std::move(source)));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while ((*inst)->GetStatus().state == TrackingState::kRunning &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  TrackingStatus st = (*inst)->GetStatus();
  EXPECT_EQ(st.state, TrackingState::kFailed);
  EXPECT_NE(st.error.find("fdatasync"), std::string::npos) << st.error;
  EXPECT_EQ(raw->acknowledged(), SourcePosition{});  // nothing was acknowledged
  EXPECT_EQ(st.end.value(), 1u);
}

// The instance owns its directory: a second Open — in this process or another — is refused
// before it reads anything, and the directory is free again once the instance is gone.
TEST(ChangelogTracking, SecondOpenOfTheDirectoryIsRefused) {
  std::string dir = (std::filesystem::temp_directory_path() /
                     ("inflow-tracking-lock-" + std::to_string(::getpid())))
                        .string();
  std::filesystem::remove_all(dir);
  auto inst = TrackingInstance::Open(PosixFileSystem(), dir, Options());
  ASSERT_TRUE(inst) << inst.error().ToString();
  auto second = TrackingInstance::Open(PosixFileSystem(), dir, Options());
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(second.error().message(), "data directory " + dir +
                                          " is already open in this process (pid " +
                                          std::to_string(::getpid()) + ")");
  // The log alone is locked as well: opening it would run recovery on a live log.
  auto log = ChangeLog::Open(PosixFileSystem(), JoinPath(dir, "log"));
  ASSERT_FALSE(log);
  EXPECT_EQ(log.error().code(), ErrorCode::kFailedPrecondition);
  // Another process: refused with this process's pid.
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t child = ::fork();
  if (child == 0) {
    ::close(fds[0]);
    auto other = TrackingInstance::Open(PosixFileSystem(), dir, Options());
    std::string answer = other ? "OK" : other.error().message();
    (void)!::write(fds[1], answer.data(), answer.size());
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string answer;
  char buf[256];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof(buf))) > 0;) {
    answer.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  ::waitpid(child, nullptr, 0);
  EXPECT_EQ(answer, "data directory " + dir + " is in use by another inflow process (pid " +
                        std::to_string(::getpid()) + ")");
  inst->reset();
  {
    auto reopened = TrackingInstance::Open(PosixFileSystem(), dir, Options());
    EXPECT_TRUE(reopened) << reopened.error().ToString();
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace inflow::changelog

namespace inflow::changelog {
namespace {

TEST(ChangelogTracking, InstanceDirectoriesComeOnlyFromValidNames) {
  auto dir = TrackingInstanceDir("/data", "shop_1-a");
  ASSERT_TRUE(dir) << dir.error().message();
  EXPECT_EQ(*dir, "/data/tracking/shop_1-a");
  for (std::string_view bad : {"..", ".", "", "../x", "a/b", "g 1", "a.b"}) {
    auto refused = TrackingInstanceDir("/data", bad);
    ASSERT_FALSE(refused) << bad;
    EXPECT_EQ(refused.error().code(), ErrorCode::kInvalidArgument);
  }
  EXPECT_FALSE(TrackingInstanceDir("/data", std::string(65, 'a')));
}

}  // namespace
}  // namespace inflow::changelog
