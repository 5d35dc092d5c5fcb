#include "changelog/change_log.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <thread>

#include "changelog/crc32c.h"
#include "changelog/fault_file_system.h"
#include "changelog/record_codec.h"
#include "changelog/test_util.h"

namespace inflow::changelog {
namespace {

constexpr char kDir[] = "/inst/log";

std::string FirstSegmentPath() { return std::string(kDir) + "/00000000000000000001.log"; }

// The simple model the log is checked against: every record ever appended, by id.
struct Model {
  std::vector<ChangeRecord> records;  // records[i] has id i + 1
  std::optional<std::string> state;

  uint64_t end() const { return records.size() + 1; }
  uint64_t Seek(uint64_t start, int64_t t) const {
    for (uint64_t id = start; id < end(); ++id) {
      if (records[id - 1].source_timestamp_ms >= t) return id;
    }
    return end();
  }
};

void ExpectMatchesModel(const ChangeLog& log, const Model& m) {
  ASSERT_EQ(log.EndOffset().value(), m.end());
  uint64_t start = log.StartOffset().value();
  ASSERT_LE(start, m.end());
  uint64_t id = start;
  while (id < m.end()) {
    auto got = log.Read(Offset(id), 1000);
    ASSERT_TRUE(got) << got.error().ToString();
    ASSERT_FALSE(got->empty()) << "no record at " << id;
    for (const StoredRecord& s : *got) {
      ASSERT_EQ(s.id.value(), id);
      ASSERT_EQ(s.record, m.records[id - 1]) << "record " << id;
      ++id;
    }
  }
  EXPECT_EQ(log.SourceState(), m.state);
  auto range = log.Range();
  if (start == m.end()) {
    EXPECT_FALSE(range);
  } else {
    ASSERT_TRUE(range);
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (uint64_t i = start; i < m.end(); ++i) {
      lo = std::min(lo, m.records[i - 1].source_timestamp_ms);
      hi = std::max(hi, m.records[i - 1].source_timestamp_ms);
    }
    EXPECT_EQ(range->earliest_ms, lo);
    EXPECT_EQ(range->latest_ms, hi);
  }
}

LogOptions SmallOptions(Clock* clock) {
  LogOptions o;
  o.segment_bytes = 4096;
  o.index_interval_bytes = 512;
  o.clock = clock;
  return o;
}

// The bytes on disk are little-endian whatever the host (FORMAT.md): a segment written from a
// known batch equals the layout built here byte by byte.
std::string Le(uint64_t v, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  return s;
}

std::string ExpectedFrame(uint8_t type, uint64_t id, int64_t ts, const std::string& payload) {
  std::string body = std::string(1, static_cast<char>(type)) + Le(id, 8) +
                     Le(static_cast<uint64_t>(ts), 8) + payload;
  std::string len = Le(payload.size(), 4);
  uint32_t crc = crc32c::Extend(crc32c::Value(len.data(), 4), body.data(), body.size());
  return len + Le(crc32c::Mask(crc), 4) + body;
}

TEST(ChangelogLog, SegmentBytesAreLittleEndian) {
  FaultInjectingFileSystem fs;
  ManualClock clock(0x0102030405);
  ChangeRecord r;
  r.op = Operation::kInsert;
  r.source_timestamp_ms = 0x1122334455;
  r.position = {"mysql-bin.000001", 4, "0-1-1", 0};
  r.database = "shop";
  r.table = "orders";
  r.columns = {{"id", "bigint(20)", 8, true, false, false, ""}};
  r.after_json = "{\"id\":1}";
  {
    auto log = ChangeLog::Open(&fs, kDir, SmallOptions(&clock));
    ASSERT_TRUE(log) << log.error().ToString();
    ASSERT_TRUE((*log)->Append({&r, 1}, "gtid-1"));
  }
  std::string payload;
  EncodeChangeRecord(r, &payload);
  std::string file_header = std::string("INFLOWCL\x01\0\0\0\0\0\0\0", 16);
  ASSERT_EQ(file_header.size(), 16u);
  std::string expected = file_header + ExpectedFrame(3, 1, 0x0102030405, "") +
                         ExpectedFrame(1, 1, 0x1122334455, payload) +
                         ExpectedFrame(2, 2, 0x0102030405, "gtid-1");
  EXPECT_EQ(fs.Contents(FirstSegmentPath()), expected);
  // The first frame in full as literal bytes (its masked CRC32C computed outside inflow): a
  // commit frame, empty payload, next record 1, written at the clock's time.
  std::string want_first(
      "\0\0\0\0"                     // payload length
      "\x9b\xfb\xe1\xbc"             // masked crc32c
      "\x03"                         // kCommitFrame
      "\x01\0\0\0\0\0\0\0"           // id
      "\x05\x04\x03\x02\x01\0\0\0",  // timestamp
      25);
  EXPECT_EQ(fs.Contents(FirstSegmentPath()).substr(16, 25), want_first);
}

TEST(ChangelogLog, AppendsAndReadsBack) {
  FaultInjectingFileSystem fs;
  ManualClock clock(1'000'000);
  auto log = ChangeLog::Open(&fs, kDir, SmallOptions(&clock));
  ASSERT_TRUE(log) << log.error().ToString();
  EXPECT_EQ((*log)->EndOffset(), Offset(1));
  EXPECT_FALSE((*log)->Range());
  std::mt19937_64 rng(1);
  Model m;
  for (int b = 0; b < 50; ++b) {
    std::vector<ChangeRecord> batch;
    for (int i = 0; i < 5; ++i) batch.push_back(testing::RandomRecord(rng, 1000 * (b * 5 + i)));
    m.state = "pos-" + std::to_string(b);
    auto last = (*log)->Append(batch, *m.state);
    ASSERT_TRUE(last) << last.error().ToString();
    m.records.insert(m.records.end(), batch.begin(), batch.end());
    EXPECT_EQ(last->value(), m.records.size());
  }
  ExpectMatchesModel(**log, m);
  EXPECT_GT((*log)->Stats().segments, 3u);
  log->reset();
  auto reopened = ChangeLog::Open(&fs, kDir, SmallOptions(&clock));
  ASSERT_TRUE(reopened) << reopened.error().ToString();
  ExpectMatchesModel(**reopened, m);
}

TEST(ChangelogLog, ReadIntoReusesRecordsAndMatchesRead) {
  FaultInjectingFileSystem fs;
  ManualClock clock(1'000'000);
  auto log = ChangeLog::Open(&fs, kDir, SmallOptions(&clock));
  ASSERT_TRUE(log);
  std::mt19937_64 rng(3);
  std::vector<ChangeRecord> all;
  for (int i = 0; i < 200; ++i) all.push_back(testing::RandomRecord(rng, i, 100));
  ASSERT_TRUE((*log)->Append(all));
  std::vector<StoredRecord> buffer;
  for (uint64_t from = 1; from <= 200; from += 7) {
    ASSERT_TRUE((*log)->ReadInto(Offset(from), 13, &buffer));
    auto fresh = (*log)->Read(Offset(from), 13);
    ASSERT_TRUE(fresh);
    ASSERT_EQ(buffer, *fresh) << "from " << from;
  }
  ASSERT_TRUE((*log)->ReadInto(Offset(201), 13, &buffer));
  EXPECT_TRUE(buffer.empty());
}

// Random appends, reads, seeks, retention and reopens, checked against the model.
TEST(ChangelogLog, RandomOperationsMatchModel) {
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    FaultInjectingFileSystem fs;
    ManualClock clock(10'000'000);
    LogOptions opts = SmallOptions(&clock);
    opts.retention_age_ms = 60'000;
    opts.retention_bytes = seed % 2 ? 30'000 : 0;
    auto opened = ChangeLog::Open(&fs, kDir, opts);
    ASSERT_TRUE(opened);
    std::unique_ptr<ChangeLog> log = std::move(*opened);
    Model m;
    int64_t ts = 5'000'000;
    uint64_t start = 1;
    for (int step = 0; step < 300; ++step) {
      int op = static_cast<int>(rng() % 10);
      if (op < 5) {
        std::vector<ChangeRecord> batch;
        size_t n = rng() % 6;
        for (size_t i = 0; i < n; ++i) {
          // Source timestamps mostly grow but may step back, as binlog times can.
          ts += static_cast<int64_t>(rng() % 2000) - 300;
          batch.push_back(testing::RandomRecord(rng, ts, 200));
        }
        std::optional<std::string> state;
        if (rng() % 3 != 0) state = "state-" + std::to_string(step);
        auto r = log->Append(batch, state ? std::optional<std::string_view>(*state) : std::nullopt);
        ASSERT_TRUE(r) << r.error().ToString();
        m.records.insert(m.records.end(), batch.begin(), batch.end());
        if (state) m.state = state;
        clock.Advance(static_cast<int64_t>(rng() % 3000));
      } else if (op < 7) {
        uint64_t from = start + rng() % (m.end() - start + 1);
        size_t max = 1 + rng() % 20;
        auto got = log->Read(Offset(from), max);
        ASSERT_TRUE(got) << got.error().ToString();
        ASSERT_EQ(got->size(), std::min<uint64_t>(max, m.end() - from));
        for (size_t i = 0; i < got->size(); ++i) {
          ASSERT_EQ((*got)[i].id.value(), from + i);
          ASSERT_EQ((*got)[i].record, m.records[from + i - 1]);
        }
      } else if (op < 9) {
        int64_t t = ts - static_cast<int64_t>(rng() % 400'000) + 1000;
        auto got = log->SeekTime(t);
        ASSERT_TRUE(got) << got.error().ToString();
        EXPECT_EQ(got->value(), m.Seek(start, t)) << "seek " << t;
      } else if (rng() % 2) {
        clock.Advance(static_cast<int64_t>(rng() % 40'000));
        ASSERT_TRUE(log->ApplyRetention());
      } else {
        log.reset();
        auto again = ChangeLog::Open(&fs, kDir, opts);
        ASSERT_TRUE(again) << again.error().ToString();
        log = std::move(*again);
      }
      uint64_t new_start = log->StartOffset().value();
      ASSERT_GE(new_start, start);
      start = new_start;
      if (start > 1) {
        auto gone = log->Read(Offset(start - 1), 1);
        ASSERT_FALSE(gone);
        EXPECT_EQ(gone.error().code(), ErrorCode::kOutOfRange);
      }
    }
    ExpectMatchesModel(*log, m);
    if (opts.retention_bytes > 0) {
      LogStats st = log->Stats();
      EXPECT_TRUE(st.bytes <= opts.retention_bytes + opts.segment_bytes * 2 || st.segments == 1);
    }
  }
}

// Appends `batches` batches of 3 records each with a state, all durable.
Model FillLog(FileSystem* fs, Clock* clock, int batches, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Model m;
  auto log = ChangeLog::Open(fs, kDir, SmallOptions(clock));
  EXPECT_TRUE(log);
  for (int b = 0; b < batches; ++b) {
    std::vector<ChangeRecord> batch;
    for (int i = 0; i < 3; ++i) batch.push_back(testing::RandomRecord(rng, 1000 * b + i, 40));
    m.state = "gtid-" + std::to_string(b);
    EXPECT_TRUE((*log)->Append(batch, *m.state));
    m.records.insert(m.records.end(), batch.begin(), batch.end());
  }
  return m;
}

// The last batch torn at EVERY byte offset: recovery drops exactly that batch (records and
// state together) and the log accepts appends again.
TEST(ChangelogLog, RecoversFromTailTornAtEveryByte) {
  ManualClock clock(1'000'000);
  FaultInjectingFileSystem base_fs;
  Model before = FillLog(&base_fs, &clock, 4, 7);
  std::string durable = base_fs.Contents(FirstSegmentPath());
  ASSERT_FALSE(durable.empty());
  std::mt19937_64 rng(99);
  std::vector<ChangeRecord> last_batch = {testing::RandomRecord(rng, 90'000, 30),
                                          testing::RandomRecord(rng, 90'001, 30)};
  {
    auto log = ChangeLog::Open(&base_fs, kDir, SmallOptions(&clock));
    ASSERT_TRUE(log);
    ASSERT_TRUE((*log)->Append(last_batch, "gtid-last"));
  }
  std::string full = base_fs.Contents(FirstSegmentPath());
  ASSERT_GT(full.size(), durable.size());
  for (size_t cut = durable.size(); cut < full.size(); ++cut) {
    SCOPED_TRACE("cut at byte " + std::to_string(cut));
    FaultInjectingFileSystem fs;
    ASSERT_TRUE(fs.CreateDirs(kDir));
    fs.SetContents(FirstSegmentPath(), full.substr(0, cut));
    auto log = ChangeLog::Open(&fs, kDir, SmallOptions(&clock));
    ASSERT_TRUE(log) << log.error().ToString();
    ExpectMatchesModel(**log, before);
    EXPECT_EQ(fs.Contents(FirstSegmentPath()), durable);
    Model after = before;
    after.records.insert(after.records.end(), last_batch.begin(), last_batch.end());
    after.state = "again";
    ASSERT_TRUE((*log)->Append(last_batch, "again"));
    log->reset();
    auto reopened = ChangeLog::Open(&fs, kDir, SmallOptions(&clock));
    ASSERT_TRUE(reopened);
    ExpectMatchesModel(**reopened, after);
  }
  // The complete file recovers everything.
  FaultInjectingFileSystem fs;
  ASSERT_TRUE(fs.CreateDirs(kDir));
  fs.SetContents(FirstSegmentPath(), full);
  auto log = ChangeLog::Open(&fs, kDir, SmallOptions(&clock));
  ASSERT_TRUE(log);
  Model all = before;
  all.records.insert(all.records.end(), last_batch.begin(), last_batch.end());
  all.state = "gtid-last";
  ExpectMatchesModel(**log, all);
}

// A flipped byte anywhere in the last batch is caught by the CRC and that batch dropped.
TEST(ChangelogLog, DropsCorruptTailBatchAtEveryByte) {
  ManualClock clock(1'000'000);
  FaultInjectingFileSystem base_fs;
  Model before = FillLog(&base_fs, &clock, 3, 8);
  std::string durable = base_fs.Contents(FirstSegmentPath());
  std::mt19937_64 rng(5);
  {
    auto log = ChangeLog::Open(&base_fs, kDir, SmallOptions(&clock));
    ASSERT_TRUE(log);
    ASSERT_TRUE((*log)->Append({{testing::RandomRecord(rng, 5, 20)}}, "s"));
  }
  std::string full = base_fs.Contents(FirstSegmentPath());
  for (size_t i = durable.size(); i < full.size(); ++i) {
    SCOPED_TRACE("flipped byte " + std::to_string(i));
    FaultInjectingFileSystem fs;
    ASSERT_TRUE(fs.CreateDirs(kDir));
    std::string bad = full;
    bad[i] = static_cast<char>(bad[i] ^ 0x20);
    fs.SetContents(FirstSegmentPath(), bad);
    auto log = ChangeLog::Open(&fs, kDir, SmallOptions(&clock));
    ASSERT_TRUE(log) << log.error().ToString();
    ExpectMatchesModel(**log, before);
  }
}

TEST(ChangelogLog, DamagedSealedSegmentIsDataLossNotServed) {
  ManualClock clock(1'000'000);
  FaultInjectingFileSystem fs;
  Model m = FillLog(&fs, &clock, 40, 9);
  std::string seg = fs.Contents(FirstSegmentPath());
  seg[seg.size() / 2] ^= 1;
  fs.SetContents(FirstSegmentPath(), seg);
  auto log = ChangeLog::Open(&fs, kDir, SmallOptions(&clock));
  ASSERT_FALSE(log);
  EXPECT_EQ(log.error().code(), ErrorCode::kDataLoss);
  EXPECT_NE(log.error().message().find("00000000000000000001.log"), std::string::npos);
}

TEST(ChangelogLog, CrashKeepsOnlyWholeSyncedBatches) {
  ManualClock clock(1'000'000);
  for (uint64_t keep : {0u, 10u, 100u, 1000u, 100000u}) {
    SCOPED_TRACE("keep " + std::to_string(keep));
    FaultInjectingFileSystem fs;
    Model m = FillLog(&fs, &clock, 3, 10);
    LogOptions opts = SmallOptions(&clock);
    opts.sync = SyncPolicy::kNever;
    std::mt19937_64 rng(11);
    {
      auto log = ChangeLog::Open(&fs, kDir, opts);
      ASSERT_TRUE(log);
      for (int b = 0; b < 5; ++b) {
        ASSERT_TRUE((*log)->Append({{testing::RandomRecord(rng, 1, 100)}}, "unsynced"));
      }
    }
    fs.Crash(keep);
    auto log = ChangeLog::Open(&fs, kDir, SmallOptions(&clock));
    ASSERT_TRUE(log) << log.error().ToString();
    uint64_t end = (*log)->EndOffset().value();
    ASSERT_GE(end, m.end());
    ASSERT_LE(end, m.end() + 5);
    // Whatever survived is a prefix of whole batches, with the state of the last one.
    if (end > m.end()) {
      EXPECT_EQ((*log)->SourceState(), "unsynced");
    } else {
      EXPECT_EQ((*log)->SourceState(), m.state);
    }
  }
}

TEST(ChangelogLog, WriteFailureIsStickyAndRecoverable) {
  ManualClock clock(1'000'000);
  FaultInjectingFileSystem fs;
  Model m = FillLog(&fs, &clock, 2, 12);
  std::mt19937_64 rng(13);
  auto log = ChangeLog::Open(&fs, kDir, SmallOptions(&clock));
  ASSERT_TRUE(log);
  fs.FailAppendsAfter(50);
  auto r = (*log)->Append({{testing::RandomRecord(rng, 1, 100)}}, "torn");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kIo);
  fs.FailAppendsAfter(-1);
  auto again = (*log)->Append({{testing::RandomRecord(rng, 1, 100)}}, "refused");
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message().find("refused until reopen"), std::string::npos);
  ExpectMatchesModel(**log, m);  // readers never saw the torn batch
  log->reset();
  fs.Crash(1 << 20);
  auto reopened = ChangeLog::Open(&fs, kDir, SmallOptions(&clock));
  ASSERT_TRUE(reopened) << reopened.error().ToString();
  ExpectMatchesModel(**reopened, m);
}

TEST(ChangelogLog, SyncFailureIsNotAcknowledgedNorVisible) {
  ManualClock clock(1'000'000);
  FaultInjectingFileSystem fs;
  Model m = FillLog(&fs, &clock, 2, 14);
  std::mt19937_64 rng(15);
  auto log = ChangeLog::Open(&fs, kDir, SmallOptions(&clock));
  ASSERT_TRUE(log);
  fs.FailSyncs(true);
  auto r = (*log)->Append({{testing::RandomRecord(rng, 1, 10)}}, "x");
  ASSERT_FALSE(r);
  EXPECT_EQ((*log)->EndOffset().value(), m.end());
}

TEST(ChangelogLog, StateSurvivesRetentionOfItsSegment) {
  ManualClock clock(1'000'000);
  FaultInjectingFileSystem fs;
  LogOptions opts = SmallOptions(&clock);
  opts.retention_bytes = 8192;
  std::mt19937_64 rng(16);
  {
    auto log = ChangeLog::Open(&fs, kDir, opts);
    ASSERT_TRUE(log);
    ASSERT_TRUE((*log)->Append({{testing::RandomRecord(rng, 1, 10)}}, "the-state"));
    for (int i = 0; i < 200; ++i) {
      ASSERT_TRUE((*log)->Append({{testing::RandomRecord(rng, 2 + i, 200)}}));
    }
    EXPECT_GT((*log)->StartOffset().value(), 1u);
    EXPECT_EQ((*log)->SourceState(), "the-state");
  }
  auto log = ChangeLog::Open(&fs, kDir, opts);
  ASSERT_TRUE(log);
  EXPECT_EQ((*log)->SourceState(), "the-state");
  EXPECT_EQ((*log)->EndOffset().value(), 202u);
}

TEST(ChangelogLog, RetentionByAgeKeepsActiveSegment) {
  ManualClock clock(1'000'000);
  FaultInjectingFileSystem fs;
  LogOptions opts = SmallOptions(&clock);
  opts.retention_age_ms = 10'000;
  std::mt19937_64 rng(17);
  auto log = ChangeLog::Open(&fs, kDir, opts);
  ASSERT_TRUE(log);
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE((*log)->Append({{testing::RandomRecord(rng, i, 200)}}));
  }
  size_t segments = (*log)->Stats().segments;
  ASSERT_GT(segments, 2u);
  ASSERT_TRUE((*log)->ApplyRetention());
  EXPECT_EQ((*log)->Stats().segments, segments);
  clock.Advance(20'000);
  ASSERT_TRUE((*log)->ApplyRetention());
  EXPECT_EQ((*log)->Stats().segments, 1u);
  EXPECT_EQ((*log)->EndOffset().value(), 101u);
  auto range = (*log)->Range();
  ASSERT_TRUE(range);
  EXPECT_EQ(range->latest_ms, 99);
}

TEST(ChangelogLog, RefusesOversizedRecordButKeepsOthersInTheGroup) {
  ManualClock clock(1'000'000);
  FaultInjectingFileSystem fs;
  LogOptions opts = SmallOptions(&clock);
  opts.max_record_bytes = 1000;
  auto log = ChangeLog::Open(&fs, kDir, opts);
  ASSERT_TRUE(log);
  auto big = (*log)->Append({{testing::SizedRecord(1, 5000, 1)}}, "big");
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code(), ErrorCode::kResourceExhausted);
  EXPECT_NE(big.error().message().find("shop.orders"), std::string::npos);
  EXPECT_FALSE((*log)->SourceState());
  ASSERT_TRUE((*log)->Append({{testing::SizedRecord(1, 300, 2)}}, "small"));
  EXPECT_EQ((*log)->EndOffset().value(), 2u);
}

TEST(ChangelogLog, ReaderWakesOnAppend) {
  ManualClock clock(1'000'000);
  FaultInjectingFileSystem fs;
  auto log = ChangeLog::Open(&fs, kDir, SmallOptions(&clock));
  ASSERT_TRUE(log);
  auto start = std::chrono::steady_clock::now();
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::mt19937_64 rng(1);
    ASSERT_TRUE((*log)->Append({{testing::RandomRecord(rng, 1)}}));
  });
  bool got = (*log)->WaitForRecords(Offset(1), start + std::chrono::seconds(20));
  writer.join();
  EXPECT_TRUE(got);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_FALSE((*log)->WaitForRecords(
      Offset(2), std::chrono::steady_clock::now() + std::chrono::milliseconds(20)));
}

// Concurrent appenders on the real filesystem: ids are dense, each batch contiguous, and
// group commit merges batches (fewer syncs than appends).
TEST(ChangelogLog, GroupCommitsConcurrentAppends) {
  auto dir =
      std::filesystem::temp_directory_path() / ("changelog_gc_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  LogOptions opts;
  opts.segment_bytes = 1 << 20;
  auto log = ChangeLog::Open(PosixFileSystem(), dir.string(), opts);
  ASSERT_TRUE(log) << log.error().ToString();
  constexpr int kThreads = 4, kAppends = 150, kBatch = 4;
  std::vector<std::vector<uint64_t>> last_ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int a = 0; a < kAppends; ++a) {
        std::vector<ChangeRecord> batch;
        for (int i = 0; i < kBatch; ++i) {
          batch.push_back(testing::SizedRecord(t, 200, static_cast<uint64_t>(a * kBatch + i)));
        }
        auto r = (*log)->Append(batch);
        ASSERT_TRUE(r) << r.error().ToString();
        last_ids[t].push_back(r->value());
      }
    });
  }
  for (auto& th : threads) th.join();
  const uint64_t total = kThreads * kAppends * kBatch;
  EXPECT_EQ((*log)->EndOffset().value(), total + 1);
  for (int t = 0; t < kThreads; ++t) {
    for (size_t a = 0; a < last_ids[t].size(); ++a) {
      uint64_t last = last_ids[t][a];
      auto recs = (*log)->Read(Offset(last - kBatch + 1), kBatch);
      ASSERT_TRUE(recs);
      ASSERT_EQ(recs->size(), static_cast<size_t>(kBatch));
      for (int i = 0; i < kBatch; ++i) {
        EXPECT_EQ((*recs)[i].record.source_timestamp_ms, t);
        EXPECT_EQ((*recs)[i].record.position.gtid_set, "0-1-" + std::to_string(a * kBatch + i));
      }
    }
  }
  LogStats st = (*log)->Stats();
  EXPECT_LE(st.group_commits, static_cast<uint64_t>(kThreads * kAppends));
  log->reset();
  auto reopened = ChangeLog::Open(PosixFileSystem(), dir.string(), opts);
  ASSERT_TRUE(reopened);
  EXPECT_EQ((*reopened)->EndOffset().value(), total + 1);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace inflow::changelog
