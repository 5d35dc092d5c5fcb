// `inflow run` under faults, against the real MariaDB and RocketMQ (issue 6):
//   - a poison event (a Lua step fails on one row) goes to the dead-letter file under ALL, and
//     replaying that file with `inflow send --format envelope` delivers it;
//   - under NONE the task stops in RUNNING_FAILED with the reason and skips nothing;
//   - the broker down for 30 s mid-run loses nothing under ALL and under NONE;
//   - orderly delivery keeps each key's commit order across a broker restart.
// The broker tests use the private `rocketmq_fault` fixture, whose broker they stop and start.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/inflow_process.h"
#include "support/java_tools.h"
#include "support/mariadb_sql.h"
#include "support/run_command.h"
#include "transform/http_test_server.h"

namespace inflow::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Fails the batch when it holds a row whose note is POISON; the runtime then isolates the
// culprit by running the events one at a time.
constexpr char kPoisonLua[] = R"(  - lua:
      code: |
        function transform(events)
          for _, e in ipairs(events) do
            local row = e.data.afterImage
            if row ~= nil and row ~= json.null and row.note == "POISON" then
              error("poison row " .. row.id)
            end
          end
          return events
        end
)";

class PipelineFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mariadb_ = ServiceEnv("mariadb");
    ASSERT_FALSE(mariadb_.empty());
    dir_ = FreshTestDir(std::string("pipeline-fault-test/") +
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }

  std::string Sql(const std::string& sql) { return RunSql(mariadb_, sql); }

  // A fresh database `db` holding one table `t` with these column definitions.
  void CreateTable(const std::string& db, const std::string& columns) {
    Sql("DROP DATABASE IF EXISTS " + db + ";\nCREATE DATABASE " + db + ";\nCREATE TABLE " + db +
        ".t (" + columns + ");\n");
  }

  // A task on every table of `db`, delivering to `topic` on the broker of `rocketmq`; the body is
  // the row id unless `sink_yaml` says otherwise.
  std::string WriteTask(const std::string& db, const EnvMap& rocketmq, const std::string& topic,
                        const std::string& sink_yaml, const std::string& rest_yaml) {
    return WriteTaskFile(
        dir_ + "/task.yaml", db, EnvValue(mariadb_, "MYSQL_URL"), EnvValue(rocketmq, "NAMESRV"),
        topic, "{max_events: 100, interval_s: 1}",
        (sink_yaml.empty() ? "  body: {form: JSONPATH, value: \"$.data.afterImage.id\"}\n"
                           : sink_yaml) +
            rest_yaml);
  }

  // Stops or starts the rocketmq_fault fixture's broker (its NameServer stays up).
  void Broker(const std::string& verb) {
    CommandOptions o;
    o.timeout = seconds(180);
    auto r = RunCommand({HarnessDir("INFLOW_SOURCE_DIR") + "/scripts/rocketmq", verb, "--dir",
                         HarnessDir("INFLOW_BUILD_DIR") + "/services/rocketmq_fault"},
                        o);
    ASSERT_EQ(r.exit_code, 0) << verb << ": " << r.err;
  }

  // Inserts ids [from, to) into db.t, one autocommitted statement of `per_statement` rows each.
  void InsertRows(const std::string& db, int from, int to, int per_statement = 100) {
    std::string sql;
    for (int id = from; id < to; id += per_statement) {
      sql += "INSERT INTO " + db + ".t VALUES ";
      for (int k = id; k < std::min(to, id + per_statement); ++k) {
        sql += (k == id ? "" : ",") + ("(" + std::to_string(k) + ",'ok')");
      }
      sql += ";\n";
    }
    Sql(sql);
  }

  EnvMap mariadb_;
  std::string dir_;
};

TEST_F(PipelineFaultTest, PoisonEventGoesToDeadLettersUnderAllAndItsReplayDelivers) {
  EnvMap rocketmq = ServiceEnv("rocketmq");
  ASSERT_FALSE(rocketmq.empty());
  const std::string db = "fault_poison_all";
  const std::string topic = "fault_poison_all_out";
  ASSERT_TRUE(CreateTopic(rocketmq, topic, 4));
  CreateTable(db, "id INT PRIMARY KEY, note VARCHAR(16)");
  const std::string dlq = dir_ + "/dlq.jsonl";
  std::string task = WriteTask(db, rocketmq, topic, "",
                               std::string("transform:\n") + kPoisonLua +
                                   "properties:\n  retry: {policy: BACKOFF_RETRY}\n"
                                   "  fault_tolerance: ALL\n  dead_letter: {file: " +
                                   dlq + "}\n");
  InflowProcess inflow(task, dir_ + "/data", dir_ + "/inflow.log");
  ASSERT_TRUE(inflow.WaitStarted()) << inflow.Log();
  Sql("INSERT INTO " + db + ".t VALUES (1,'ok'),(2,'ok'),(3,'POISON'),(4,'ok');\n" +
      "INSERT INTO " + db + ".t VALUES (5,'ok');\n");

  auto v = RunVerifier(rocketmq, topic, 4, 120);
  ASSERT_EQ(v.exit_code, 0) << v.err << "\n" << inflow.Log();
  std::set<std::string> bodies;
  for (const auto& m : v.messages) bodies.insert(m.body);
  EXPECT_EQ(bodies, (std::set<std::string>{"1", "2", "4", "5"}));
  EXPECT_EQ(inflow.Kill(SIGTERM), 0) << inflow.Log();

  // One dead letter: the original CloudEvent of row 3, addressed to the task's topic, with why.
  std::ifstream in(dlq);
  std::vector<nlohmann::json> letters;
  for (std::string line; std::getline(in, line);) letters.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(letters.size(), 1u);
  const auto& letter = letters[0];
  EXPECT_EQ(letter["topic"], topic);
  auto event = nlohmann::json::parse(letter["body"].get<std::string>());
  EXPECT_EQ(event["data"]["afterImage"]["id"], 3);
  EXPECT_NE(letter["properties"]["inflow_error_message"].get<std::string>().find("poison row 3"),
            std::string::npos)
      << letter.dump();
  EXPECT_EQ(letter["properties"]["inflow_task"], db + "-task");

  // Replay: the file as it is, through `inflow send --format envelope`.
  CommandOptions o;
  o.timeout = seconds(60);
  auto sent = RunCommand({InflowBinary(), "send", "--endpoint", EnvValue(rocketmq, "NAMESRV"),
                          "--format", "envelope", dlq},
                         o);
  ASSERT_EQ(sent.exit_code, 0) << sent.err;
  auto after = RunVerifier(rocketmq, topic, 5, 60);
  ASSERT_EQ(after.exit_code, 0) << after.err;
  int replayed = 0;
  for (const auto& m : after.messages) {
    if (m.body == letter["body"].get<std::string>()) {
      ++replayed;
      EXPECT_EQ(m.properties.at("inflow_error_code"), letter["properties"]["inflow_error_code"]);
    }
  }
  EXPECT_EQ(replayed, 1);
}

TEST_F(PipelineFaultTest, PoisonEventStopsTheTaskUnderNoneAndNothingIsSkipped) {
  EnvMap rocketmq = ServiceEnv("rocketmq");
  ASSERT_FALSE(rocketmq.empty());
  const std::string db = "fault_poison_none";
  const std::string topic = "fault_poison_none_out";
  ASSERT_TRUE(CreateTopic(rocketmq, topic, 4));
  CreateTable(db, "id INT PRIMARY KEY, note VARCHAR(16)");
  std::string task = WriteTask(db, rocketmq, topic, "",
                               std::string("transform:\n") + kPoisonLua +
                                   "properties:\n  retry: {policy: BACKOFF_RETRY}\n"
                                   "  fault_tolerance: NONE\n");
  for (int run = 1; run <= 2; ++run) {
    InflowProcess inflow(task, dir_ + "/data", dir_ + "/inflow.log");
    ASSERT_TRUE(inflow.WaitStarted()) << inflow.Log();
    if (run == 1) {
      // Each row its own transaction, so rows before the poison are committed before it.
      Sql("INSERT INTO " + db + ".t VALUES (1,'ok');\nINSERT INTO " + db +
          ".t VALUES (2,'ok');\nINSERT INTO " + db + ".t VALUES (3,'POISON');\nINSERT INTO " + db +
          ".t VALUES (4,'ok');\n");
    }
    // The task fails by itself: `inflow run` exits 1 naming the state and the reason.
    int rc = inflow.WaitExit(seconds(120));
    ASSERT_EQ(rc, 1) << inflow.Log();
    std::string log = inflow.RunLog();
    EXPECT_NE(log.find("RUNNING_FAILED"), std::string::npos) << log;
    EXPECT_NE(log.find("poison row 3"), std::string::npos) << log;
  }
  // The second run met the poison again: its offset was never committed past it. Row 3 was
  // never delivered.
  auto v = RunVerifier(rocketmq, topic, 2, 30);
  std::set<std::string> bodies;
  for (const auto& m : v.messages) bodies.insert(m.body);
  EXPECT_EQ(bodies.count("3"), 0u);
  EXPECT_EQ(bodies.count("1"), 1u);
  EXPECT_EQ(bodies.count("2"), 1u);
}

class PipelineBrokerFaultTest : public PipelineFaultTest,
                                public ::testing::WithParamInterface<const char*> {};

// Functions failing on single rows, in the real runtime: a Lua step that loops forever (stopped
// by its time limit), an HTTP function that answers with something that is not JSON, and one
// that does not answer within its timeout. Under ALL each culprit goes to the dead letters with
// the reason, and the other rows are delivered as the function shaped them. A Lua script that
// tries to reach the OS is refused before the task starts.
TEST_F(PipelineFaultTest, FunctionTimeoutsAndBadOutputAreDeadLetteredAndEscapesRefused) {
  EnvMap rocketmq = ServiceEnv("rocketmq");
  ASSERT_FALSE(rocketmq.empty());
  const std::string db = "fault_functions";
  const std::string topic = "fault_functions_out";
  ASSERT_TRUE(CreateTopic(rocketmq, topic, 4));
  CreateTable(db, "id INT PRIMARY KEY, note VARCHAR(16)");

  // The function: {"fn": id} per event. "BAD" rows get an answer that is neither JSON nor
  // UTF-8 text; "SLOW" rows no answer within the step's 500 ms timeout; row 5, the first time
  // it is sent alone (while the runtime isolates the culprits), a 503 — a transient failure
  // that must be retried, not blamed on row 5.
  std::atomic<bool> row5_failed_once{false};
  transform::TestHttpServer server(
      [&](const std::string&, const std::string&, const std::string& body) {
        auto events = nlohmann::json::parse(body, nullptr, false);
        if (!events.is_array()) return transform::TestHttpServer::Reply{400, "not an array"};
        nlohmann::json out = nlohmann::json::array();
        for (const auto& e : events) {
          std::string note = e["data"]["afterImage"]["note"].get<std::string>();
          int id = e["data"]["afterImage"]["id"].get<int>();
          if (note == "BAD") return transform::TestHttpServer::Reply{200, "\xff\xfe not text"};
          if (note == "SLOW") std::this_thread::sleep_for(milliseconds(800));
          if (id == 5 && events.size() == 1 && !row5_failed_once.exchange(true)) {
            return transform::TestHttpServer::Reply{503, "busy"};
          }
          out.push_back({{"fn", id}});
        }
        return transform::TestHttpServer::Reply{200, out.dump()};
      });
  const std::string dlq = dir_ + "/dlq.jsonl";
  std::string task =
      WriteTask(db, rocketmq, topic, "  body: {form: JSONPATH, value: \"$.fn\"}\n",
                "filter: {data: {operationType: [INSERT]}}\n"
                "transform:\n"
                "  - lua:\n"
                "      timeout_ms: 200\n"
                "      code: |\n"
                "        function transform(events)\n"
                "          for _, e in ipairs(events) do\n"
                "            if e.data.afterImage.note == \"LOOP\" then while true do end end\n"
                "          end\n"
                "          return events\n"
                "        end\n"
                "  - http: {url: \"" +
                    server.url("/fn") +
                    "\", timeout_ms: 500}\n"
                    "properties:\n"
                    "  retry: {policy: CUSTOM, attempts: 3, initial_ms: 300, max_ms: 600}\n"
                    "  fault_tolerance: ALL\n"
                    "  dead_letter: {file: " +
                    dlq + "}\n");
  InflowProcess inflow(task, dir_ + "/data", dir_ + "/inflow.log");
  ASSERT_TRUE(inflow.WaitStarted()) << inflow.Log();
  Sql("INSERT INTO " + db + ".t VALUES (1,'ok'),(2,'LOOP'),(3,'BAD'),(4,'SLOW'),(5,'ok');\n");

  auto v = RunVerifier(rocketmq, topic, 2, 120);
  ASSERT_EQ(v.exit_code, 0) << v.err << "\n" << inflow.Log();
  std::set<std::string> bodies;
  for (const auto& m : v.messages) bodies.insert(m.body);
  EXPECT_EQ(bodies, (std::set<std::string>{"1", "5"}));

  // Wait for the three dead letters (the slow one takes its retries first).
  std::map<int, std::string> reasons;  // row id -> inflow_error_message
  auto deadline = std::chrono::steady_clock::now() + seconds(60);
  while (reasons.size() < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(200));
    reasons.clear();
    std::ifstream in(dlq);
    for (std::string line; std::getline(in, line);) {
      auto letter = nlohmann::json::parse(line);
      auto event = nlohmann::json::parse(letter["body"].get<std::string>());
      reasons[event["data"]["afterImage"]["id"].get<int>()] =
          letter["properties"]["inflow_error_message"].get<std::string>();
    }
  }
  ASSERT_EQ(reasons.size(), 3u) << inflow.Log();
  EXPECT_TRUE(row5_failed_once) << "the isolation never sent row 5 alone";
  EXPECT_NE(reasons[2].find("time"), std::string::npos) << reasons[2];
  EXPECT_NE(reasons[3].find("neither JSON nor UTF-8"), std::string::npos) << reasons[3];
  EXPECT_NE(reasons[4].find("time"), std::string::npos) << reasons[4];
  EXPECT_EQ(inflow.Kill(SIGTERM), 0) << inflow.Log();

  // A sandbox escape attempt: the script's top level runs when the step is built.
  const std::string marker = dir_ + "/escaped";
  std::string escape = WriteTask(db, rocketmq, topic, "",
                                 "transform:\n"
                                 "  - lua:\n"
                                 "      code: |\n"
                                 "        os.execute(\"touch " +
                                     marker +
                                     "\")\n"
                                     "        function transform(events) return events end\n");
  InflowProcess refused(escape, dir_ + "/data-escape", dir_ + "/escape.log");
  EXPECT_EQ(refused.WaitExit(seconds(60)), 2) << refused.Log();
  EXPECT_NE(refused.RunLog().find("transform[0].lua"), std::string::npos) << refused.RunLog();
  EXPECT_FALSE(std::filesystem::exists(marker));
}

// Rows keep coming while the broker is down for 30 s; every row arrives once it is back.
TEST_P(PipelineBrokerFaultTest, BrokerDownThirtySecondsLosesNothing) {
  EnvMap rocketmq = ServiceEnv("rocketmq_fault");
  ASSERT_FALSE(rocketmq.empty());
  const std::string mode = GetParam();
  const std::string db = "fault_broker_" + mode;
  const std::string topic = "fault_broker_" + mode + "_out";
  ASSERT_TRUE(CreateTopic(rocketmq, topic, 4));
  CreateTable(db, "id INT PRIMARY KEY, note VARCHAR(16)");
  // No dead-letter queue: under ALL a message that ran out of retries would be dropped, i.e.
  // lost — exactly what this test must not see.
  std::string task = WriteTask(db, rocketmq, topic, "",
                               "properties:\n  retry: {policy: EXPONENTIAL_DECAY_RETRY}\n"
                               "  fault_tolerance: " +
                                   mode + "\n");
  InflowProcess inflow(task, dir_ + "/data", dir_ + "/inflow.log");
  ASSERT_TRUE(inflow.WaitStarted()) << inflow.Log();

  const int kRows = 3000;
  InsertRows(db, 1, 1001);
  std::this_thread::sleep_for(seconds(2));
  Broker("broker-stop");
  auto down_at = std::chrono::steady_clock::now();
  InsertRows(db, 1001, 2001);  // captured and read while the broker is down
  std::this_thread::sleep_for(seconds(30) - (std::chrono::steady_clock::now() - down_at));
  Broker("broker-start");
  InsertRows(db, 2001, kRows + 1);

  auto v = RunVerifierAtLeast(rocketmq, topic, kRows, 300);
  std::set<int> ids;
  for (const auto& m : v.messages) ids.insert(std::stoi(m.body));
  int missing = 0;
  for (int id = 1; id <= kRows; ++id) missing += ids.count(id) == 0;
  EXPECT_EQ(missing, 0) << "rows lost with the broker down for 30 s under " << mode << "\n"
                        << v.err << "\n"
                        << inflow.Log();
  std::string log = inflow.Log();
  EXPECT_EQ(log.find("RUNNING_FAILED"), std::string::npos) << log;
  EXPECT_EQ(inflow.Kill(SIGTERM), 0) << log;
  std::fprintf(stderr, "broker down 30 s under %s: %d rows, %zu messages, %d missing\n",
               mode.c_str(), kRows, v.messages.size(), missing);
}

INSTANTIATE_TEST_SUITE_P(FaultTolerance, PipelineBrokerFaultTest, ::testing::Values("ALL", "NONE"));

// 10 000 updates over 100 keys with orderly delivery; the broker restarts in the middle. Per
// key, the values read back (after collapsing the consecutive duplicates a resend may add) are
// exactly 1..100 in commit order, all in one queue.
TEST_F(PipelineFaultTest, OrderlyKeepsPerKeyOrderAcrossABrokerRestart) {
  EnvMap rocketmq = ServiceEnv("rocketmq_fault");
  ASSERT_FALSE(rocketmq.empty());
  const std::string db = "fault_orderly";
  const std::string topic = "fault_orderly_out";
  ASSERT_TRUE(CreateTopic(rocketmq, topic, 8));
  CreateTable(db, "id INT PRIMARY KEY, v INT");
  std::string task = WriteTask(db, rocketmq, topic, R"(  body:
    form: TEMPLATE
    value: '{"id":"$.data.afterImage.id","v":"$.data.afterImage.v"}'
    template: '${id}:${v}'
  delivery_order: orderly
  sharding_key: {form: JSONPATH, value: "$.data.afterImage.id"}
filter: {data: {operationType: [UPDATE]}}
)",
                               "properties:\n  retry: {policy: EXPONENTIAL_DECAY_RETRY}\n"
                               "  fault_tolerance: NONE\n");
  std::string insert = "INSERT INTO " + db + ".t VALUES ";
  for (int id = 1; id <= 100; ++id) insert += (id == 1 ? "(" : ",(") + std::to_string(id) + ",0)";
  Sql(insert + ";\n");

  InflowProcess inflow(task, dir_ + "/data", dir_ + "/inflow.log");
  ASSERT_TRUE(inflow.WaitStarted()) << inflow.Log();
  // 100 statements, each updating every key once: 10 000 updates, key order within each.
  auto updates = [&](int rounds) {
    std::string sql;
    for (int r = 0; r < rounds; ++r) sql += "UPDATE " + db + ".t SET v = v + 1;\n";
    Sql(sql);
  };
  updates(50);
  std::this_thread::sleep_for(seconds(1));  // some of it in flight when the broker goes
  Broker("broker-stop");
  updates(25);
  std::this_thread::sleep_for(seconds(5));
  Broker("broker-start");
  updates(25);

  // Resends after the restart are new broker messages (same inflow_event_id), so the Verifier's
  // count of distinct messages can reach 10 000 before the last updates are in: read until
  // every key has its final value.
  std::map<int, std::vector<int>> values;  // key -> values in queue order
  std::map<int, std::set<int>> queues;     // key -> queues it was found in
  size_t read = 0;
  std::string verifier_err;
  auto deadline = std::chrono::steady_clock::now() + seconds(300);
  while (true) {
    auto v = RunVerifier(rocketmq, topic, 10'000, 60);
    values.clear();
    queues.clear();
    read = v.messages.size();
    verifier_err = v.err;
    for (const auto& m : v.messages) {
      size_t colon = m.body.find(':');
      ASSERT_NE(colon, std::string::npos) << m.body;
      int id = std::stoi(m.body.substr(0, colon));
      int value = std::stoi(m.body.substr(colon + 1));
      queues[id].insert(m.queue_id);
      if (!values[id].empty() && values[id].back() == value) continue;  // a resend
      values[id].push_back(value);
    }
    int complete = 0;
    for (const auto& [id, seq] : values) complete += !seq.empty() && seq.back() == 100;
    if (complete == 100 || std::chrono::steady_clock::now() >= deadline) break;
  }
  std::vector<int> expected(100);
  for (int k = 0; k < 100; ++k) expected[k] = k + 1;
  ASSERT_EQ(values.size(), 100u) << verifier_err << "\n" << inflow.Log();
  int out_of_order = 0;
  for (const auto& [id, seq] : values) {
    if (seq != expected && ++out_of_order <= 3) {
      std::string got;
      for (int x : seq) got += std::to_string(x) + " ";
      ADD_FAILURE() << "key " << id << " arrived as: " << got;
    }
    EXPECT_EQ(queues[id].size(), 1u) << "key " << id << " spread over queues";
  }
  EXPECT_EQ(out_of_order, 0);
  EXPECT_EQ(inflow.Kill(SIGTERM), 0) << inflow.Log();
  std::fprintf(stderr, "orderly across a broker restart: %zu messages for 10000 updates\n", read);
}

}  // namespace
}  // namespace inflow::testing
