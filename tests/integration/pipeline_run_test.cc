// `inflow run` end to end: real MariaDB → inflow (capture, change log, task) → real RocketMQ,
// read back with the official Java consumer. Also: SIGKILL at random moments loses nothing.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "support/inflow_process.h"
#include "support/java_tools.h"
#include "support/mariadb_sql.h"

namespace inflow::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class PipelineRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mariadb_ = ServiceEnv("mariadb");
    rocketmq_ = ServiceEnv("rocketmq");
    ASSERT_FALSE(mariadb_.empty());
    ASSERT_FALSE(rocketmq_.empty());
    dir_ = FreshTestDir(std::string("pipeline-run-test/") +
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }

  std::string Sql(const std::string& sql) { return RunSql(mariadb_, sql); }

  std::string WriteTask(const std::string& db, const std::string& topic,
                        const std::string& extra_yaml,
                        const std::string& batch = "{max_events: 500, interval_s: 1}") {
    return WriteTaskFile(dir_ + "/" + db + ".yaml", db, EnvValue(mariadb_, "MYSQL_URL"),
                         EnvValue(rocketmq_, "NAMESRV"), topic, batch, extra_yaml);
  }

  EnvMap mariadb_;
  EnvMap rocketmq_;
  std::string dir_;
};

// The value of the metric line `name{task="<task>"...}` in a --metrics-file text; -1 if absent.
double Metric(const std::string& text, const std::string& name_and_labels) {
  size_t at = text.find("\n" + name_and_labels + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + name_and_labels.size() + 2));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Batching against the real servers, observed through --metrics-file: count-triggered
// (max_events 50, interval 15 s: 200 rows in one statement are four full batches, delivered
// long before 15 s), interval-triggered (max_events 10000, interval 3 s: 5 rows are one batch,
// not dispatched before the interval), and interval 0 (every row read is dispatched at once).
TEST_F(PipelineRunTest, BatchesDispatchOnCountOnIntervalAndAtOnce) {
  using Clock = std::chrono::steady_clock;
  struct Case {
    std::string name, batch;
  };
  const Case cases[] = {{"batch_count", "{max_events: 50, interval_s: 15}"},
                        {"batch_interval", "{max_events: 10000, interval_s: 3}"},
                        {"batch_zero", "{max_events: 10000, interval_s: 0}"}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ASSERT_TRUE(CreateTopic(rocketmq_, c.name + "_out", 4));
    Sql("CREATE DATABASE " + c.name + ";\nCREATE TABLE " + c.name +
        ".t (id INT PRIMARY KEY, v VARCHAR(8));\n");
    std::string task =
        WriteTask(c.name, c.name + "_out",
                  "  body: {form: JSONPATH, value: \"$.data.afterImage.id\"}\n", c.batch);
    const std::string metrics_file = dir_ + "/" + c.name + ".prom";
    InflowProcess inflow(task, dir_ + "/" + c.name, dir_ + "/inflow.log",
                         {"--metrics-file", metrics_file});
    ASSERT_TRUE(inflow.WaitStarted()) << inflow.Log();
    const std::string label = "{task=\"" + c.name + "-task\"}";
    auto delivered = [&] {
      return Metric(ReadFile(metrics_file), "inflow_task_messages_delivered_total" + label);
    };
    auto wait_delivered = [&](double n, std::chrono::seconds timeout) {
      auto end = Clock::now() + timeout;
      while (delivered() < n && Clock::now() < end) std::this_thread::sleep_for(milliseconds(50));
      return delivered() >= n;
    };
    const std::string hist = "inflow_task_batch_size";
    if (c.name == "batch_count") {
      std::string sql = "INSERT INTO " + c.name + ".t VALUES ";
      for (int id = 1; id <= 200; ++id)
        sql += (id == 1 ? "(" : ",(") + std::to_string(id) + ",'v')";
      auto t0 = Clock::now();
      Sql(sql + ";\n");
      ASSERT_TRUE(wait_delivered(200, seconds(60))) << inflow.Log();
      EXPECT_LT(Clock::now() - t0, seconds(12)) << "full batches waited for the 15 s interval";
      std::string m = ReadFile(metrics_file);
      EXPECT_EQ(Metric(m, hist + "_count" + label), 4) << m;
      EXPECT_EQ(Metric(m, hist + "_sum" + label), 200) << m;
      EXPECT_EQ(Metric(m, hist + "_bucket{task=\"" + c.name + "-task\",le=\"10\"}"), 0) << m;
    } else if (c.name == "batch_interval") {
      Sql("INSERT INTO " + c.name + ".t VALUES (1,'v');\nINSERT INTO " + c.name +
          ".t VALUES (2,'v'),(3,'v');\nINSERT INTO " + c.name + ".t VALUES (4,'v'),(5,'v');\n");
      // Capture reads the rows within milliseconds; the batch waits 3 s after its first event.
      std::this_thread::sleep_for(milliseconds(1500));
      EXPECT_EQ(delivered(), 0) << "dispatched before the interval";
      ASSERT_TRUE(wait_delivered(5, seconds(60))) << inflow.Log();
      std::string m = ReadFile(metrics_file);
      EXPECT_EQ(Metric(m, hist + "_count" + label), 1) << m;
      EXPECT_EQ(Metric(m, hist + "_sum" + label), 5) << m;
    } else {
      for (int id = 1; id <= 3; ++id) {
        auto t0 = Clock::now();
        Sql("INSERT INTO " + c.name + ".t VALUES (" + std::to_string(id) + ",'v');\n");
        ASSERT_TRUE(wait_delivered(id, seconds(60))) << inflow.Log();
        // Interval 0 never waits: far less than any non-zero interval (the smallest is 1 s).
        EXPECT_LT(Clock::now() - t0, milliseconds(2500));
      }
      std::string m = ReadFile(metrics_file);
      EXPECT_EQ(Metric(m, hist + "_count" + label), 3) << m;
      EXPECT_EQ(Metric(m, hist + "_sum" + label), 3) << m;
    }
    EXPECT_EQ(inflow.Kill(SIGTERM), 0) << inflow.Log();
  }
}

// Mixed INSERT / UPDATE / DELETE over 3 tables; a pattern keeps 2 tables and one status; the
// body is a template, with keys and a tag. Every matching change arrives exactly as rendered —
// compared row by row with what the official consumer reads — and nothing else does.
TEST_F(PipelineRunTest, MatchingChangesArriveRenderedAndNothingElse) {
  const std::string db = "e2e_mixed";
  const std::string topic = "e2e_mixed_out";
  ASSERT_TRUE(CreateTopic(rocketmq_, topic, 4));
  Sql("CREATE DATABASE " + db + ";\n" + "CREATE TABLE " + db +
      ".orders (id INT PRIMARY KEY, status VARCHAR(16), note VARCHAR(64));\n" + "CREATE TABLE " +
      db + ".items (id INT PRIMARY KEY, status VARCHAR(16), note VARCHAR(64));\n" +
      "CREATE TABLE " + db +
      ".users (id INT PRIMARY KEY, status VARCHAR(16), note VARCHAR(64));\n");
  std::string task = WriteTask(db, topic, R"(  body:
    form: TEMPLATE
    value: '{"id":"$.data.afterImage.id","t":"$.data.schema.tableName","op":"$.data.operationType","note":"$.data.afterImage.note"}'
    template: '{"table":"${t}","id":${id},"op":"${op}","note":"${note}"}'
  keys: {form: JSONPATH, value: "$.data.afterImage.id"}
  tag: {form: JSONPATH, value: "$.data.schema.tableName"}
filter: {data: {operationType: [INSERT, UPDATE], schema: {tableName: [orders, items]}, afterImage: {status: [paid]}}}
)");
  const std::string metrics_file = dir_ + "/metrics.prom";
  InflowProcess inflow(task, dir_ + "/data", dir_ + "/inflow.log",
                       {"--metrics-file", metrics_file});
  ASSERT_TRUE(inflow.WaitStarted()) << inflow.Log();

  // A deterministic workload; the model says what must arrive.
  std::mt19937 rng(42);
  const char* tables[] = {"orders", "items", "users"};
  const char* statuses[] = {"new", "paid", "shipped"};
  std::vector<std::pair<std::string, int>> rows;  // live (table, id), in no particular order
  std::multiset<std::string> expected;            // "tag|key|body"
  std::string sql;
  int next_id = 1;
  const int kOps = 100'000;
  for (int i = 0; i < kOps; ++i) {
    std::string table = tables[rng() % 3];
    int op = rows.empty() ? 0 : static_cast<int>(rng() % 3);
    std::string status = statuses[rng() % 3];
    std::string note = "n" + std::to_string(i) + (i % 7 == 0 ? " \\\"quoted\\\" é" : "");
    std::string note_value = i % 7 == 0 ? "n" + std::to_string(i) + " \"quoted\" é" : note;
    auto pick = [&]() { return rows.begin() + static_cast<ptrdiff_t>(rng() % rows.size()); };
    if (op == 0) {
      int id = next_id++;
      rows.emplace_back(table, id);
      sql += "INSERT INTO " + db + "." + table + " VALUES (" + std::to_string(id) + ", '" + status +
             "', '" + note + "');\n";
      if (table != "users" && status == "paid") {
        nlohmann::ordered_json body = {
            {"table", table}, {"id", id}, {"op", "INSERT"}, {"note", note_value}};
        expected.insert(table + "|" + std::to_string(id) + "|" + body.dump());
      }
    } else if (op == 1) {
      auto it = pick();
      sql += "UPDATE " + db + "." + it->first + " SET status='" + status + "', note='" + note +
             "' WHERE id=" + std::to_string(it->second) + ";\n";
      if (it->first != "users" && status == "paid") {
        nlohmann::ordered_json body = {
            {"table", it->first}, {"id", it->second}, {"op", "UPDATE"}, {"note", note_value}};
        expected.insert(it->first + "|" + std::to_string(it->second) + "|" + body.dump());
      }
    } else {
      auto it = pick();
      sql +=
          "DELETE FROM " + db + "." + it->first + " WHERE id=" + std::to_string(it->second) + ";\n";
      *it = rows.back();
      rows.pop_back();
    }
  }
  Sql(sql);

  auto v = RunVerifier(rocketmq_, topic, static_cast<int>(expected.size()), 600);
  ASSERT_EQ(v.exit_code, 0) << v.err << "\ninflow log:\n" << inflow.Log();
  std::multiset<std::string> got;
  for (const auto& m : v.messages) {
    got.insert(m.tags.value_or("") + "|" + m.keys.value_or("") + "|" + m.body);
    EXPECT_TRUE(m.properties.count("inflow_event_id")) << m.body;
  }
  EXPECT_EQ(got, expected);
  EXPECT_EQ(inflow.Kill(SIGTERM), 0) << inflow.Log();

  // --metrics-file holds the final counters after a clean stop.
  std::string metrics = ReadFile(metrics_file);
  const std::string label = "{task=\"" + db + "-task\"} ";
  EXPECT_NE(metrics.find("inflow_task_messages_delivered_total" + label +
                         std::to_string(expected.size()) + "\n"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("inflow_task_events_read_total" + label + std::to_string(kOps) + "\n"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("inflow_tracking_records_captured_total" + label), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("inflow_tracking_account_statements_skipped_total" + label),
            std::string::npos)
      << metrics;
}

// inflow run killed with SIGKILL at random moments while rows are written: every row arrives;
// duplicates (from the in-flight window) carry the same inflow_event_id as the first copy.
TEST_F(PipelineRunTest, SigkillAtRandomMomentsLosesNothing) {
  const std::string db = "e2e_kill";
  const std::string topic = "e2e_kill_out";
  ASSERT_TRUE(CreateTopic(rocketmq_, topic, 4));
  Sql("CREATE DATABASE " + db + ";\nCREATE TABLE " + db +
      ".t (id INT PRIMARY KEY, v VARCHAR(32));\n");
  std::string task = WriteTask(db, topic, R"(  body: {form: JSONPATH, value: "$.data.afterImage.id"}
  keys: {form: JSONPATH, value: "$.data.afterImage.id"}
)");
  const int kRows = 100'000;
  const int kKills = 10;
  std::mt19937 rng(7);
  int written = 0;
  for (int round = 0; round <= kKills; ++round) {
    InflowProcess inflow(task, dir_ + "/data", dir_ + "/inflow.log");
    ASSERT_TRUE(inflow.WaitStarted()) << inflow.Log();
    int batch = round == kKills ? kRows - written : kRows / (kKills + 1);
    std::string sql;
    for (int i = 0; i < batch; ++i) {
      ++written;
      sql += "INSERT INTO " + db + ".t VALUES (" + std::to_string(written) + ", 'v');\n";
    }
    Sql(sql);
    if (round < kKills) {
      std::this_thread::sleep_for(milliseconds(200 + rng() % 2000));
      EXPECT_EQ(inflow.Kill(SIGKILL), 128 + SIGKILL);
    } else {
      // Let the last run finish, then stop it cleanly.
      std::set<std::string> ids;
      for (int attempt = 0; attempt < 60 && static_cast<int>(ids.size()) < kRows; ++attempt) {
        auto v = RunVerifierAtLeast(rocketmq_, topic, kRows, 5);
        ids.clear();
        for (const auto& m : v.messages) ids.insert(m.body);
      }
      EXPECT_EQ(inflow.Kill(SIGTERM), 0) << inflow.Log();
    }
  }
  auto v = RunVerifierAtLeast(rocketmq_, topic, kRows, 10);
  EXPECT_EQ(v.exit_code, 0) << v.err;
  std::map<std::string, std::set<std::string>> event_ids;  // row id -> inflow_event_ids seen
  for (const auto& m : v.messages) event_ids[m.body].insert(m.properties.at("inflow_event_id"));
  int missing = 0;
  for (int id = 1; id <= kRows; ++id) {
    if (!event_ids.count(std::to_string(id))) ++missing;
  }
  EXPECT_EQ(missing, 0) << "rows missing after " << kKills << " SIGKILLs";
  size_t duplicates = v.messages.size() - event_ids.size();
  for (const auto& [row, ids] : event_ids) {
    EXPECT_EQ(ids.size(), 1u) << "row " << row << " was delivered under different event ids";
  }
  std::fprintf(stderr, "SIGKILL x%d: %d rows, %zu messages, %zu duplicates\n", kKills, kRows,
               v.messages.size(), duplicates);
}

}  // namespace
}  // namespace inflow::testing
