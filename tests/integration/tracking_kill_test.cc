// The change-tracking instance under SIGKILL (issue 5): `inflow run` captures a 100 000-row
// mixed workload from the real MariaDB while it is killed at random moments and restarted; its
// change log must equal, record for record (id, source timestamp, position, row images), the
// log of one uninterrupted run over the same binlog range — same order, no gap, no duplicate.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "changelog/change_log.h"
#include "changelog/file_system.h"
#include "support/inflow_process.h"
#include "support/java_tools.h"
#include "support/mariadb_sql.h"

namespace inflow::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kDb[] = "tracking_kill";

class TrackingKillTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mariadb_ = ServiceEnv("mariadb");
    rocketmq_ = ServiceEnv("rocketmq");
    ASSERT_FALSE(mariadb_.empty());
    ASSERT_FALSE(rocketmq_.empty());
    dir_ = FreshTestDir("tracking-kill-test");
  }

  std::string Sql(const std::string& sql) { return RunSql(mariadb_, sql); }

  // A task whose only message is the marker row's: when it arrives, every change before it is
  // in the log. The tracking instance starts at `from` (both runs read the same range).
  std::string WriteTask(const std::string& name, const std::string& from,
                        const std::string& topic) {
    std::string path = dir_ + "/" + name + ".yaml";
    std::ofstream out(path);
    out << "name: " << name << "\n"
        << "source:\n"
        << "  tracking: {name: " << kDb << ", source: \"" << EnvValue(mariadb_, "MYSQL_URL")
        << "\", tables: [\"" << kDb << ".*\"], capture_from: \"" << from << "\"}\n"
        << "  consumer_group: {name: g1, account: acct1, password: \"Passw0rd!\"}\n"
        << "  start_time: earliest\n"
        << "  batch: {max_events: 1000, interval_s: 1}\n"
        << "filter: {data: {schema: {tableName: [marker]}}}\n"
        << "sink:\n"
        << "  endpoint: \"" << EnvValue(rocketmq_, "NAMESRV") << "\"\n"
        << "  topic: " << topic << "\n"
        << "  body: {form: JSONPATH, value: \"$.data.afterImage.id\"}\n";
    return path;
  }

  // Waits until the marker row's message is in `topic`, then stops the run with SIGTERM.
  void FinishRun(InflowProcess& inflow, const std::string& topic) {
    auto v = RunVerifier(rocketmq_, topic, 1, 600);
    ASSERT_EQ(v.exit_code, 0) << v.err << "\ninflow log:\n" << inflow.Log();
    EXPECT_EQ(inflow.Kill(SIGTERM), 0) << inflow.Log();
  }

  std::vector<changelog::StoredRecord> ReadLog(const std::string& data_dir) {
    std::string dir = data_dir + "/tracking/" + kDb + "/log";
    auto log = changelog::ChangeLog::Open(changelog::PosixFileSystem(), dir);
    EXPECT_TRUE(log.has_value()) << dir << ": " << log.error().ToString();
    std::vector<changelog::StoredRecord> all;
    if (!log) return all;
    Offset next = (*log)->StartOffset();
    while (true) {
      auto batch = (*log)->Read(next, 10'000);
      EXPECT_TRUE(batch.has_value()) << batch.error().ToString();
      if (!batch || batch->empty()) break;
      next = batch->back().offset().Next();
      for (auto& r : *batch) all.push_back(std::move(r));
    }
    return all;
  }

  // How many records a killed run left, read from a copy of its log: opening the log itself
  // would recover it here, instead of in the next `inflow run`, whose recovery is under test.
  uint64_t DurableRecords(const std::string& data_dir) {
    std::string copy = dir_ + "/snapshot";
    std::filesystem::remove_all(copy);
    std::filesystem::copy(data_dir + "/tracking/" + kDb + "/log", copy);
    auto log = changelog::ChangeLog::Open(changelog::PosixFileSystem(), copy);
    EXPECT_TRUE(log.has_value()) << log.error().ToString();
    uint64_t n = log ? (*log)->EndOffset().value() - (*log)->StartOffset().value() : 0;
    log = {};
    std::filesystem::remove_all(copy);
    return n;
  }

  EnvMap mariadb_;
  EnvMap rocketmq_;
  std::string dir_;
};

// One round of the workload: 10 000 row changes — 5 000 inserts into `a` (100-row statements),
// 20 transactions each inserting 100 rows into `b` and updating 100 rows of `a`, and 1 000
// deletes from `a` (100-row statements); one element per statement or transaction.
std::vector<std::string> RoundSql(int round) {
  std::vector<std::string> units;
  std::string sql;
  const int base = round * 5'000;
  for (int s = 0; s < 50; ++s) {
    sql += std::string("INSERT INTO ") + kDb + ".a VALUES ";
    for (int i = 0; i < 100; ++i) {
      int id = base + s * 100 + i + 1;
      sql += (i ? "," : "") + ("(" + std::to_string(id) + ",'r" + std::to_string(round) + " é😀'," +
                               std::to_string(id * 7) + ")");
    }
    units.push_back(std::exchange(sql, {}) + ";\n");
  }
  for (int t = 0; t < 20; ++t) {
    sql += std::string("BEGIN;\nINSERT INTO ") + kDb + ".b VALUES ";
    for (int i = 0; i < 100; ++i) {
      int id = round * 2'000 + t * 100 + i + 1;
      sql += (i ? "," : "") +
             ("(" + std::to_string(id) + ", REPEAT('x', " + std::to_string(id % 300) + "))");
    }
    int from = base + t * 100 + 1;
    sql += std::string(";\nUPDATE ") + kDb + ".a SET n = n + 1 WHERE id BETWEEN " +
           std::to_string(from) + " AND " + std::to_string(from + 99) + ";\nCOMMIT;\n";
    units.push_back(std::exchange(sql, {}));
  }
  for (int s = 0; s < 10; ++s) {
    int from = base + 2'000 + s * 100 + 1;
    units.push_back(std::string("DELETE FROM ") + kDb + ".a WHERE id BETWEEN " +
                    std::to_string(from) + " AND " + std::to_string(from + 99) + ";\n");
  }
  return units;
}

std::string Where(const changelog::StoredRecord& r) {
  return r.record.position.file + ":" + std::to_string(r.record.position.pos) + " " +
         r.record.database + "." + r.record.table;
}

TEST_F(TrackingKillTest, LogAfterSigkillsEqualsUninterruptedRun) {
  const int kRounds = 10;  // 10 x 10 000 row changes, a SIGKILL during each
  Sql(std::string("DROP DATABASE IF EXISTS ") + kDb + ";\nCREATE DATABASE " + kDb +
      " CHARACTER SET utf8mb4;\n" + "CREATE TABLE " + kDb +
      ".a (id INT PRIMARY KEY, v VARCHAR(32), n BIGINT);\n" + "CREATE TABLE " + kDb +
      ".b (id INT PRIMARY KEY, payload TEXT);\n" + "CREATE TABLE " + kDb +
      ".marker (id INT PRIMARY KEY);\n");
  const std::string from = MasterPosition(mariadb_);
  ASSERT_TRUE(CreateTopic(rocketmq_, "tracking_kill_killed", 4));
  ASSERT_TRUE(CreateTopic(rocketmq_, "tracking_kill_clean", 4));

  // The killed run: rows are written while it captures; each round ends with a SIGKILL at a
  // random moment (while capture is behind, mid-append, or idle).
  const std::string killed_data = dir_ + "/killed";
  const std::string killed_task = WriteTask("killed", from, "tracking_kill_killed");
  std::mt19937 rng(20261125);
  int64_t last_write_ms = 800;
  int mid_stream_kills = 0;  // kills before the round's rows were all in the log
  for (int round = 0; round <= kRounds; ++round) {
    InflowProcess inflow(killed_task, killed_data, dir_ + "/killed.log");
    ASSERT_TRUE(inflow.WaitStarted()) << inflow.Log();
    if (round < kRounds) {
      std::atomic<int64_t> write_ms{-1};
      std::thread writer([&, round] {
        auto t0 = std::chrono::steady_clock::now();
        // In 10 client calls 50 ms apart: the server alone writes a round in ~100 ms, too
        // fast for a random kill to land mid-round often.
        std::vector<std::string> units = RoundSql(round);
        for (size_t chunk = 0; chunk < 10; ++chunk) {
          std::string sql;
          for (size_t k = chunk * 8; k < (chunk + 1) * 8; ++k) sql += units[k];
          Sql(sql);
          std::this_thread::sleep_for(milliseconds(50));
        }
        write_ms =
            std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - t0).count();
      });
      // A random moment within the time the previous round took to write, so that most kills
      // land while capture is reading and appending the round.
      int64_t kill_after_ms = static_cast<int64_t>(rng() % (last_write_ms + 1));
      std::this_thread::sleep_for(milliseconds(kill_after_ms));
      EXPECT_EQ(inflow.Kill(SIGKILL), 128 + SIGKILL);
      uint64_t durable = DurableRecords(killed_data);
      if (durable % 10'000 != 0) ++mid_stream_kills;
      std::fprintf(stderr, "kill %d after %lld ms: %llu records durable of %d written\n", round + 1,
                   static_cast<long long>(kill_after_ms), static_cast<unsigned long long>(durable),
                   (round + 1) * 10'000);
      writer.join();
      std::fprintf(stderr, "round %d written in %lld ms\n", round + 1,
                   static_cast<long long>(write_ms.load()));
      last_write_ms = write_ms;
    } else {
      Sql(std::string("INSERT INTO ") + kDb + ".marker VALUES (1);\n");
      FinishRun(inflow, "tracking_kill_killed");
    }
  }

  // The uninterrupted run over the same binlog range, into a fresh data directory.
  const std::string clean_data = dir_ + "/clean";
  {
    InflowProcess inflow(WriteTask("clean", from, "tracking_kill_clean"), clean_data,
                         dir_ + "/clean.log");
    ASSERT_TRUE(inflow.WaitStarted()) << inflow.Log();
    FinishRun(inflow, "tracking_kill_clean");
  }

  auto killed = ReadLog(killed_data);
  auto clean = ReadLog(clean_data);
  // 100 000 row changes and the marker row.
  EXPECT_EQ(clean.size(), kRounds * 10'000u + 1);
  ASSERT_EQ(killed.size(), clean.size());
  size_t differing = 0;
  for (size_t i = 0; i < clean.size(); ++i) {
    if (killed[i] == clean[i]) continue;
    if (++differing <= 5) {
      ADD_FAILURE() << "record " << i << " differs: killed run id " << killed[i].id.value()
                    << " at " << Where(killed[i]) << ", uninterrupted run id "
                    << clean[i].id.value() << " at " << Where(clean[i]);
    }
  }
  EXPECT_EQ(differing, 0u);
  // The kill times are random within about the time a round takes to write; a run where no kill
  // caught the capture behind the writer would not have tested recovery mid-stream.
  EXPECT_GE(mid_stream_kills, 3);
  std::fprintf(stderr,
               "tracking SIGKILL x%d (%d mid-stream): %zu records in both logs, %zu differ\n",
               kRounds, mid_stream_kills, clean.size(), differing);
}

}  // namespace
}  // namespace inflow::testing
