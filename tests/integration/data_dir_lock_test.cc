// Two `inflow run` on one data directory (issue 11, defect 12): the second is refused with exit
// 2 naming the first's pid, before it reads or writes anything, while the first keeps capturing
// rows from the real MariaDB; afterwards the first's change log holds every inserted row,
// record for record, in order, with no gap, duplicate or damaged frame.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "changelog/change_log.h"
#include "changelog/file_system.h"
#include "support/inflow_process.h"
#include "support/java_tools.h"
#include "support/mariadb_sql.h"

namespace inflow::testing {
namespace {

using std::chrono::milliseconds;

constexpr char kDb[] = "datadir_lock";
constexpr char kTopic[] = "datadir_lock";
constexpr int kStatements = 40;
constexpr int kRowsPerStatement = 100;

std::string RowValue(int id) { return "row-" + std::to_string(id) + "-é"; }

TEST(DataDirLockTest, SecondRunIsRefusedAndTheFirstsLogStaysIntact) {
  EnvMap mariadb = ServiceEnv("mariadb");
  EnvMap rocketmq = ServiceEnv("rocketmq");
  ASSERT_FALSE(mariadb.empty());
  ASSERT_FALSE(rocketmq.empty());
  const std::string dir = FreshTestDir("data-dir-lock-test");
  RunSql(mariadb, std::string("DROP DATABASE IF EXISTS ") + kDb + ";\n");
  // Capture starts before the tables exist, so their schema comes from the binlog.
  const std::string from = MasterPosition(mariadb);
  RunSql(mariadb, std::string("CREATE DATABASE ") + kDb + " CHARACTER SET utf8mb4;\nCREATE TABLE " +
                      kDb + ".t (id INT PRIMARY KEY, v VARCHAR(40));\nCREATE TABLE " + kDb +
                      ".marker (id INT PRIMARY KEY);\n");
  ASSERT_TRUE(CreateTopic(rocketmq, kTopic, 4));

  // Only the marker row is delivered: when it arrives, every row before it is in the log.
  const std::string task = dir + "/task.yaml";
  {
    std::ofstream out(task);
    out << "name: datadir-lock\n"
        << "source:\n"
        << "  tracking: {name: " << kDb << ", source: \"" << EnvValue(mariadb, "MYSQL_URL")
        << "\", tables: [\"" << kDb << ".*\"], capture_from: \"" << from << "\"}\n"
        << "  consumer_group: {name: g1, account: acct1, password: \"Passw0rd!\"}\n"
        << "  start_time: earliest\n"
        << "  batch: {max_events: 100, interval_s: 1}\n"
        << "filter: {data: {schema: {tableName: [marker]}}}\n"
        << "sink:\n"
        << "  endpoint: \"" << EnvValue(rocketmq, "NAMESRV") << "\"\n"
        << "  topic: " << kTopic << "\n"
        << "  body: {form: JSONPATH, value: \"$.data.afterImage.id\"}\n";
    ASSERT_TRUE(out.good());
  }
  const std::string data = dir + "/data";
  const std::string instance_dir = data + "/tracking/" + kDb;

  InflowProcess first(task, data, dir + "/first.log");
  ASSERT_TRUE(first.WaitStarted()) << first.Log();
  const pid_t first_pid = first.pid();
  ASSERT_GT(first_pid, 0);
  auto id_before = changelog::ReadWholeFile(changelog::PosixFileSystem(), instance_dir + "/id");
  ASSERT_TRUE(id_before) << id_before.error().ToString();

  // Rows are written while the second process is tried, so the first is mid-append.
  std::atomic<bool> written{false};
  std::thread writer([&] {
    for (int s = 0; s < kStatements; ++s) {
      std::string sql = std::string("INSERT INTO ") + kDb + ".t VALUES ";
      for (int i = 0; i < kRowsPerStatement; ++i) {
        int id = s * kRowsPerStatement + i + 1;
        sql += std::string(i ? "," : "") + "(" + std::to_string(id) + ",'" + RowValue(id) + "')";
      }
      RunSql(mariadb, sql + ";\n");
      std::this_thread::sleep_for(milliseconds(25));
    }
    written = true;
  });
  const std::string refusal = "inflow run: data directory " + instance_dir +
                              " is in use by another inflow process (pid " +
                              std::to_string(first_pid) + ")";
  int attempts = 0;
  do {
    CommandOptions options;
    options.timeout = std::chrono::seconds(30);
    CommandResult second =
        RunCommand({InflowBinary(), "run", task, "--data", data, "--drain-s", "1"}, options);
    ++attempts;
    EXPECT_EQ(second.exit_code, 2) << second.err;
    EXPECT_NE(second.err.find(refusal), std::string::npos) << second.err;
    EXPECT_EQ(second.err.find("started"), std::string::npos) << second.err;
  } while (!written && attempts < 5 && !::testing::Test::HasFailure());
  const bool refused_while_writing = !written;
  writer.join();
  std::fprintf(stderr, "second run tried %d times%s\n", attempts,
               refused_while_writing ? ", all while rows were written" : "");
  // The refused process read and wrote nothing: the instance id is the first's.
  EXPECT_EQ(changelog::ReadWholeFile(changelog::PosixFileSystem(), instance_dir + "/id").value(),
            *id_before);

  RunSql(mariadb, std::string("INSERT INTO ") + kDb + ".marker VALUES (1);\n");
  auto v = RunVerifier(rocketmq, kTopic, 1, 300);
  ASSERT_EQ(v.exit_code, 0) << v.err << "\nfirst:\n" << first.Log();
  EXPECT_EQ(first.Kill(SIGTERM), 0) << first.Log();
  EXPECT_EQ(first.Log().find("data_loss"), std::string::npos) << first.Log();

  // Read the first's log back: every inserted row, in order, and nothing damaged.
  auto log = changelog::ChangeLog::Open(changelog::PosixFileSystem(), instance_dir + "/log");
  ASSERT_TRUE(log) << log.error().ToString();
  std::vector<changelog::StoredRecord> rows;
  uint64_t expected_id = (*log)->StartOffset().value();
  for (Offset next = (*log)->StartOffset();;) {
    auto batch = (*log)->Read(next, 1000);
    ASSERT_TRUE(batch) << batch.error().ToString();
    if (batch->empty()) break;
    for (auto& r : *batch) {
      ASSERT_EQ(r.id.value(), expected_id++);
      // The DDL that created the tables is in the captured range too.
      if (r.record.table == "t" && r.record.op != changelog::Operation::kDdl) {
        rows.push_back(std::move(r));
      }
    }
    next = Offset(batch->back().id.value() + 1);
  }
  ASSERT_EQ(rows.size(), static_cast<size_t>(kStatements * kRowsPerStatement));
  for (size_t i = 0; i < rows.size(); ++i) {
    const changelog::ChangeRecord& r = rows[i].record;
    SCOPED_TRACE("row record " + std::to_string(i) + " (id " + std::to_string(rows[i].id.value()) +
                 ")");
    ASSERT_EQ(r.op, changelog::Operation::kInsert);
    ASSERT_EQ(r.database, kDb);
    ASSERT_TRUE(r.after_json);
    nlohmann::json after = nlohmann::json::parse(*r.after_json);
    int id = static_cast<int>(i) + 1;
    ASSERT_EQ(after.at("id"), id);
    ASSERT_EQ(after.at("v"), RowValue(id));
  }
}

}  // namespace
}  // namespace inflow::testing
