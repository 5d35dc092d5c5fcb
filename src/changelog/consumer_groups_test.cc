#include "changelog/consumer_groups.h"

#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "changelog/cloudevent.h"
#include "changelog/fault_file_system.h"
#include "changelog/test_util.h"

namespace inflow::changelog {
namespace {

constexpr char kLogDir[] = "/inst/log";
constexpr char kGroupDir[] = "/inst/groups";
constexpr char kPassword[] = "Passw0rd!";
// 2025-11-25T09:00:00Z
constexpr int64_t kT0 = 1764061200000;

class ChangelogGroupsTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    groups_.reset();
    log_.reset();
    Restarted r = OpenAgain();
    log_ = std::move(r.log);
    groups_ = std::move(r.groups);
  }

  // The log and groups as a restarted process opens them (after fs_.Crash() the old objects
  // may stay alive: they stand for the dead process and are never used again).
  struct Restarted {
    std::unique_ptr<ChangeLog> log;
    std::unique_ptr<ConsumerGroups> groups;
  };
  Restarted OpenAgain() {
    Restarted r;
    LogOptions lo;
    lo.clock = &clock_;
    lo.segment_bytes = 4096;
    auto log = ChangeLog::Open(&fs_, kLogDir, lo);
    EXPECT_TRUE(log) << log.error().ToString();
    if (!log) return r;
    r.log = std::move(*log);
    GroupOptions go;
    go.clock = &clock_;
    go.lease_timeout_ms = 10'000;
    go.scrypt.n = 1024;  // fast in tests; the stored hash records its own parameters
    auto groups = ConsumerGroups::Open(&fs_, kGroupDir, r.log.get(), go);
    EXPECT_TRUE(groups) << groups.error().ToString();
    if (groups) r.groups = std::move(*groups);
    return r;
  }

  // Records at kT0, kT0 + 1 min, …, one per minute.
  void AppendMinutes(int n) {
    std::mt19937_64 rng(appended_ + 1);
    for (int i = 0; i < n; ++i) {
      ChangeRecord r = testing::RandomRecord(rng, kT0 + 60'000 * appended_);
      ASSERT_TRUE(log_->Append({{r}}));
      ++appended_;
    }
  }

  FaultInjectingFileSystem fs_;
  ManualClock clock_{kT0 + 3'600'000};
  std::unique_ptr<ChangeLog> log_;
  std::unique_ptr<ConsumerGroups> groups_;
  int appended_ = 0;
};

TEST_F(ChangelogGroupsTest, ValidatesCreateInput) {
  auto bad_account = groups_->Create("g1", "bad-account", kPassword);
  ASSERT_FALSE(bad_account);
  EXPECT_EQ(bad_account.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(bad_account.error().message().find("consumer_group.account"), std::string::npos);
  EXPECT_FALSE(groups_->Create("g1", "", kPassword));
  EXPECT_FALSE(groups_->Create("g1", "a23456789012345678", kPassword));
  EXPECT_TRUE(groups_->Create("g1", "a234567890123456", kPassword));
  auto weak = groups_->Create("g2", "acct", "password");
  ASSERT_FALSE(weak);
  EXPECT_NE(weak.error().message().find("at least two"), std::string::npos);
  EXPECT_FALSE(groups_->Create("g2", "acct", "Pa1"));
  EXPECT_FALSE(groups_->Create("g2", "acct", std::string(33, 'a') + "1"));
  EXPECT_TRUE(groups_->Create("g2", "acct", "password1"));
  auto dup = groups_->Create("g2", "acct", "password1");
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_FALSE(groups_->Create("../etc", "acct", kPassword));
}

TEST_F(ChangelogGroupsTest, CreateListDeleteUpToTwenty) {
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(groups_->Create("g" + std::to_string(i), "acct", kPassword));
  }
  auto over = groups_->Create("g20", "acct", kPassword);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code(), ErrorCode::kResourceExhausted);
  EXPECT_EQ(groups_->List().size(), 20u);
  ASSERT_TRUE(groups_->Delete("g7"));
  EXPECT_EQ(groups_->Delete("g7").error().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(groups_->Create("g20", "acct", kPassword));
  Open();
  auto list = groups_->List();
  ASSERT_EQ(list.size(), 20u);
  EXPECT_EQ(list[0].name, "g0");
  EXPECT_FALSE(groups_->Get("g7"));
  // Nothing secret is in the file but a salted hash.
  std::string file = fs_.Contents(std::string(kGroupDir) + "/g1.group");
  EXPECT_EQ(file.find(kPassword), std::string::npos);
  EXPECT_NE(file.find("scrypt$1024$8$1$"), std::string::npos);
}

TEST_F(ChangelogGroupsTest, WrongPasswordOrAccountIsRefused) {
  AppendMinutes(3);
  ASSERT_TRUE(groups_->Create("g1", "acct", kPassword));
  auto bad = groups_->Attach("g1", "acct", "Passw0rd?", "task-a");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), ErrorCode::kUnauthenticated);
  auto bad_account = groups_->Attach("g1", "other", kPassword, "task-a");
  ASSERT_FALSE(bad_account);
  EXPECT_EQ(bad_account.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(bad.error().message(), bad_account.error().message());
  EXPECT_EQ(groups_->Attach("nope", "acct", kPassword, "task-a").error().code(),
            ErrorCode::kNotFound);
  EXPECT_TRUE(groups_->Attach("g1", "acct", kPassword, "task-a"));
}

TEST_F(ChangelogGroupsTest, SecondClientIsRefusedNamingTheHolder) {
  AppendMinutes(3);
  ASSERT_TRUE(groups_->Create("g1", "acct", kPassword));
  auto a = groups_->Attach("g1", "acct", kPassword, "task-a");
  ASSERT_TRUE(a);
  auto b = groups_->Attach("g1", "acct", kPassword, "task-b");
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(b.error().message().find("'task-a'"), std::string::npos) << b.error().message();
  auto del = groups_->Delete("g1");
  ASSERT_FALSE(del);
  EXPECT_EQ(del.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(groups_->Get("g1")->holder, "task-a");
}

TEST_F(ChangelogGroupsTest, StartTimeOutsideTheDataRangeStatesTheRange) {
  ASSERT_TRUE(groups_->Create("g1", "acct", kPassword));
  auto empty = groups_->Attach("g1", "acct", kPassword, "t", StartPosition::At(kT0));
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code(), ErrorCode::kOutOfRange);
  AppendMinutes(61);  // data range [09:00, 10:00]
  auto early = groups_->Attach("g1", "acct", kPassword, "t",
                               StartPosition::At(kT0 - 86'400'000 + 3'600'000));
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(early.error().message(),
            "start_time 2025-11-24T10:00:00Z is outside the data range "
            "[2025-11-25T09:00:00Z, 2025-11-25T10:00:00Z]");
  auto late = groups_->Attach("g1", "acct", kPassword, "t", StartPosition::At(kT0 + 3'600'001));
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code(), ErrorCode::kOutOfRange);
  auto ok = groups_->Attach("g1", "acct", kPassword, "t", StartPosition::At(kT0 + 90'000));
  ASSERT_TRUE(ok) << ok.error().ToString();
  EXPECT_EQ(ok->position(), Offset(3));  // first record at or after 09:01:30 is 09:02
}

TEST_F(ChangelogGroupsTest, StartAppliesOnlyOnFirstAttachThenResumesFromCommit) {
  AppendMinutes(10);
  ASSERT_TRUE(groups_->Create("g1", "acct", kPassword));
  {
    auto c = groups_->Attach("g1", "acct", kPassword, "task-a", StartPosition::Latest());
    ASSERT_TRUE(c);
    EXPECT_EQ(c->position(), Offset(11));
  }
  AppendMinutes(5);
  {
    auto c = groups_->Attach("g1", "acct", kPassword, "task-a", StartPosition::Earliest());
    ASSERT_TRUE(c);
    EXPECT_EQ(c->position(), Offset(11));  // the start applied once, at the first attach
    auto recs = c->Next(3, std::chrono::milliseconds(0));
    ASSERT_TRUE(recs) << recs.error().ToString();
    ASSERT_EQ(recs->size(), 3u);
    EXPECT_EQ(recs->front().id, RecordId(11));
    ASSERT_TRUE(c->Commit(Offset(14)));
  }
  // Restart everything: the committed offset is durable.
  Open();
  auto c = groups_->Attach("g1", "acct", kPassword, "task-b", StartPosition::Earliest());
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->position(), Offset(14));
  auto recs = c->Next(100, std::chrono::milliseconds(0));
  ASSERT_TRUE(recs);
  ASSERT_EQ(recs->size(), 2u);
  EXPECT_EQ(recs->back().id, RecordId(15));
  EXPECT_EQ(groups_->Get("g1")->committed, Offset(14));
}

TEST_F(ChangelogGroupsTest, CrashedHoldersLeaseExpires) {
  AppendMinutes(2);
  ASSERT_TRUE(groups_->Create("g1", "acct", kPassword));
  auto a = groups_->Attach("g1", "acct", kPassword, "task-a");
  ASSERT_TRUE(a);
  clock_.Advance(9'999);
  EXPECT_FALSE(groups_->Attach("g1", "acct", kPassword, "task-b"));
  ASSERT_TRUE(a->Renew());
  clock_.Advance(9'999);
  EXPECT_FALSE(groups_->Attach("g1", "acct", kPassword, "task-b"));
  clock_.Advance(2);  // task-a stopped renewing: its lease is over
  auto b = groups_->Attach("g1", "acct", kPassword, "task-b");
  ASSERT_TRUE(b) << b.error().ToString();
  EXPECT_GT(b->fencing_token(), a->fencing_token());
  EXPECT_EQ(groups_->Get("g1")->holder, "task-b");
}

TEST_F(ChangelogGroupsTest, FencedOffClientCannotCommitOrRead) {
  AppendMinutes(5);
  ASSERT_TRUE(groups_->Create("g1", "acct", kPassword));
  auto a = groups_->Attach("g1", "acct", kPassword, "task-a");
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->Commit(Offset(2)));
  clock_.Advance(20'000);
  auto b = groups_->Attach("g1", "acct", kPassword, "task-b");
  ASSERT_TRUE(b);
  auto stale = a->Commit(Offset(5));
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code(), ErrorCode::kAborted);
  EXPECT_NE(stale.error().message().find("task-b"), std::string::npos) << stale.error().message();
  auto stale_read = a->Next(10, std::chrono::milliseconds(0));
  ASSERT_FALSE(stale_read);
  EXPECT_EQ(stale_read.error().code(), ErrorCode::kAborted);
  EXPECT_EQ(groups_->Commit("g1", Offset(5), b->fencing_token() + 1).error().code(),
            ErrorCode::kAborted);
  EXPECT_EQ(groups_->Get("g1")->committed, Offset(2));
  ASSERT_TRUE(b->Commit(Offset(4)));
  // Destroying the fenced cursor must not release task-b's lease.
  a = Fail(Internal("dropped"));
  EXPECT_EQ(groups_->Get("g1")->holder, "task-b");
}

TEST_F(ChangelogGroupsTest, CommitIsCheckedAgainstTheLog) {
  AppendMinutes(5);
  ASSERT_TRUE(groups_->Create("g1", "acct", kPassword));
  auto a = groups_->Attach("g1", "acct", kPassword, "task-a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->Commit(Offset(7)).error().code(), ErrorCode::kOutOfRange);
  ASSERT_TRUE(a->Commit(Offset(6)));
  EXPECT_EQ(a->Commit(Offset(3)).error().code(), ErrorCode::kInvalidArgument);
}

TEST_F(ChangelogGroupsTest, SameClientIdTakesOverAtOnce) {
  AppendMinutes(2);
  ASSERT_TRUE(groups_->Create("g1", "acct", kPassword));
  auto first = groups_->Attach("g1", "acct", kPassword, "task-a");
  ASSERT_TRUE(first);
  auto second = groups_->Attach("g1", "acct", kPassword, "task-a");
  ASSERT_TRUE(second);
  EXPECT_EQ(first->Commit(Offset(2)).error().code(), ErrorCode::kAborted);
  EXPECT_TRUE(second->Commit(Offset(2)));
}

TEST_F(ChangelogGroupsTest, NextWaitsForAppendsAndCancelWakesIt) {
  ASSERT_TRUE(groups_->Create("g1", "acct", kPassword));
  auto c = groups_->Attach("g1", "acct", kPassword, "task-a");
  ASSERT_TRUE(c);
  auto empty = c->Next(10, std::chrono::milliseconds(20));
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    AppendMinutes(1);
  });
  auto start = std::chrono::steady_clock::now();
  auto got = c->Next(10, std::chrono::seconds(30));
  writer.join();
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 1u);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    c->Cancel();
  });
  start = std::chrono::steady_clock::now();
  auto cancelled = c->Next(10, std::chrono::seconds(30));
  canceller.join();
  ASSERT_FALSE(cancelled);
  EXPECT_EQ(cancelled.error().code(), ErrorCode::kCancelled);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST_F(ChangelogGroupsTest, CommittedOffsetRemovedByRetentionIsReported) {
  AppendMinutes(1);
  ASSERT_TRUE(groups_->Create("g1", "acct", kPassword));
  { ASSERT_TRUE(groups_->Attach("g1", "acct", kPassword, "task-a", StartPosition::Earliest())); }
  LogOptions lo;
  lo.clock = &clock_;
  lo.segment_bytes = 4096;
  lo.retention_bytes = 4096;
  groups_.reset();
  log_.reset();
  log_ = std::move(*ChangeLog::Open(&fs_, kLogDir, lo));
  std::mt19937_64 rng(3);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(log_->Append({{testing::RandomRecord(rng, kT0, 200)}}));
  ASSERT_GT(log_->StartOffset().value(), 1u);
  GroupOptions go;
  go.clock = &clock_;
  groups_ = std::move(*ConsumerGroups::Open(&fs_, kGroupDir, log_.get(), go));
  auto c = groups_->Attach("g1", "acct", kPassword, "task-a");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code(), ErrorCode::kOutOfRange);
  EXPECT_NE(c.error().message().find("removed by retention"), std::string::npos);
}

// The lease is stored with the group: a process that opens the directory after its holder
// crashed sees the lease (in Get too) and waits for its expiry, unless it is the holder's own
// client id coming back.
TEST_F(ChangelogGroupsTest, LeaseOfACrashedHolderIsSeenAfterRestart) {
  AppendMinutes(3);
  ASSERT_TRUE(groups_->Create("g1", "acct", kPassword));
  auto a = groups_->Attach("g1", "acct", kPassword, "task-a");
  ASSERT_TRUE(a);
  const int64_t attached = clock_.NowMs();
  clock_.Advance(6'000);  // past half the 10 s timeout: the renewal is stored
  ASSERT_TRUE(a->Renew());
  fs_.Crash();  // the holder's process dies without releasing
  Restarted r = OpenAgain();
  ASSERT_TRUE(r.groups);
  auto info = r.groups->Get("g1");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->holder, "task-a");
  EXPECT_EQ(info->lease_expires_ms, attached + 16'000);
  clock_.Advance(6'000);  // past the expiry of the attach, not of the stored renewal
  auto b = r.groups->Attach("g1", "acct", kPassword, "task-b");
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(b.error().message().find("held by client 'task-a'"), std::string::npos);
  EXPECT_EQ(r.groups->Delete("g1").error().code(), ErrorCode::kFailedPrecondition);
  clock_.Advance(4'001);
  auto late = r.groups->Attach("g1", "acct", kPassword, "task-b");
  ASSERT_TRUE(late) << late.error().ToString();
  EXPECT_EQ(r.groups->Get("g1")->holder, "task-b");
}

TEST_F(ChangelogGroupsTest, RestartedHolderTakesItsLeaseBackAtOnce) {
  AppendMinutes(3);
  ASSERT_TRUE(groups_->Create("g1", "acct", kPassword));
  auto a = groups_->Attach("g1", "acct", kPassword, "task-a");
  ASSERT_TRUE(a);
  fs_.Crash();
  Restarted r = OpenAgain();
  ASSERT_TRUE(r.groups);
  auto again = r.groups->Attach("g1", "acct", kPassword, "task-a");
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_GT(again->fencing_token(), a->fencing_token());
}

TEST_F(ChangelogGroupsTest, ReleasedLeaseIsStoredAsFree) {
  AppendMinutes(3);
  ASSERT_TRUE(groups_->Create("g1", "acct", kPassword));
  {
    auto a = groups_->Attach("g1", "acct", kPassword, "task-a");
    ASSERT_TRUE(a);
  }  // released
  fs_.Crash();
  Open();
  EXPECT_EQ(groups_->Get("g1")->holder, "");
  EXPECT_EQ(groups_->Get("g1")->lease_expires_ms, 0);
  auto b = groups_->Attach("g1", "acct", kPassword, "task-b");
  ASSERT_TRUE(b) << b.error().ToString();
}

// Steady reading does not rewrite the group file on every Next: only when the stored expiry has
// less than half the timeout left.
TEST_F(ChangelogGroupsTest, RenewalsAreStoredAboutTwicePerTimeout) {
  AppendMinutes(3);
  ASSERT_TRUE(groups_->Create("g1", "acct", kPassword));
  auto a = groups_->Attach("g1", "acct", kPassword, "task-a");
  ASSERT_TRUE(a);
  int64_t syncs = fs_.sync_count();
  for (int i = 0; i < 100; ++i) {
    clock_.Advance(100);  // 10 s of reading = one lease timeout
    ASSERT_TRUE(a->Next(1, std::chrono::milliseconds(0)));
  }
  int64_t writes = (fs_.sync_count() - syncs) / 2;  // each atomic write: fdatasync + dir fsync
  EXPECT_GE(writes, 1);
  EXPECT_LE(writes, 2);
}

TEST_F(ChangelogGroupsTest, CommitSurvivesCrashOfTheGroupFile) {
  AppendMinutes(5);
  ASSERT_TRUE(groups_->Create("g1", "acct", kPassword));
  {
    auto a = groups_->Attach("g1", "acct", kPassword, "task-a");
    ASSERT_TRUE(a);
    ASSERT_TRUE(a->Commit(Offset(4)));
  }
  fs_.Crash();
  Open();
  EXPECT_EQ(groups_->Get("g1")->committed, Offset(4));
}

TEST(ChangelogPassword, HashesAreSaltedAndVerified) {
  auto h1 = HashPassword(kPassword);
  auto h2 = HashPassword(kPassword);
  ASSERT_TRUE(h1 && h2);
  EXPECT_NE(*h1, *h2);
  EXPECT_TRUE(VerifyPassword(kPassword, *h1));
  EXPECT_FALSE(VerifyPassword("Passw0rd?", *h1));
  EXPECT_FALSE(VerifyPassword(kPassword, "scrypt$1$2$3$zz$00"));
  EXPECT_FALSE(VerifyPassword(kPassword, ""));
}

TEST(ChangelogStartPosition, Parses) {
  EXPECT_EQ(ParseStartPosition("earliest")->kind, StartPosition::Kind::kEarliest);
  EXPECT_EQ(ParseStartPosition("latest")->kind, StartPosition::Kind::kLatest);
  EXPECT_EQ(ParseStartPosition("2025-11-25T09:00:00Z")->time_ms, kT0);
  EXPECT_EQ(ParseStartPosition("2025-11-25T10:30:00.5+01:30")->time_ms, kT0 + 500);
  EXPECT_EQ(ParseStartPosition("1764061200")->time_ms, kT0);
  EXPECT_FALSE(ParseStartPosition("2025-13-25T09:00:00Z"));
  EXPECT_FALSE(ParseStartPosition("yesterday"));
  EXPECT_FALSE(ParseStartPosition("2025-11-25T09:00:00"));
}

}  // namespace
}  // namespace inflow::changelog
