#include "pipeline/task.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <thread>

#include "changelog/file_system.h"

namespace inflow::pipeline {
namespace {

using sink::SendOutcome;
using std::chrono::milliseconds;

// A sink that answers inline with whatever `decide` says for each message.
class FakeSink : public sink::Sink {
 public:
  using Decide = std::function<SendOutcome(const sink::Message&, int attempt)>;
  explicit FakeSink(Decide decide) : decide_(std::move(decide)) {}

  void Send(std::vector<sink::Message> messages, sink::SendCallback done) override {
    std::vector<SendOutcome> results;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& m : messages) {
        int attempt = ++attempts_[EventId(m)];
        SendOutcome r = decide_(m, attempt);
        if (r.ok()) delivered_.push_back(m);
        results.push_back(std::move(r));
      }
    }
    done(std::move(results));
  }
  void Shutdown() override {}

  static std::string EventId(const sink::Message& m) {
    for (const auto& [k, v] : m.properties) {
      if (k == "inflow_event_id") return v;
    }
    return "";
  }

  std::vector<sink::Message> delivered() {
    std::lock_guard<std::mutex> lock(mu_);
    return delivered_;
  }

 private:
  Decide decide_;
  std::mutex mu_;
  std::map<std::string, int> attempts_;
  std::vector<sink::Message> delivered_;
};

SendOutcome Ok() { return SendOutcome::Ok("msg-id"); }

class TaskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("inflow-task-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto log = changelog::ChangeLog::Open(changelog::PosixFileSystem(), (dir_ / "log").string());
    ASSERT_TRUE(log) << log.error().ToString();
    log_ = std::move(*log);
    changelog::GroupOptions go;
    go.scrypt.n = 1024;
    auto groups = changelog::ConsumerGroups::Open(changelog::PosixFileSystem(),
                                                  (dir_ / "groups").string(), log_.get(), go);
    ASSERT_TRUE(groups) << groups.error().ToString();
    groups_ = std::move(*groups);
    ASSERT_TRUE(groups_->Create("g1", "acct1", "Passw0rd!"));
  }
  void TearDown() override {
    task_.reset();
    groups_.reset();
    log_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Appends one row change per (table, id, status).
  void Append(const std::vector<std::tuple<std::string, int, std::string>>& rows) {
    std::vector<changelog::ChangeRecord> records;
    for (const auto& [table, id, status] : rows) {
      changelog::ChangeRecord r;
      r.op = changelog::Operation::kInsert;
      r.source_timestamp_ms = 1'764'061'200'000;
      r.database = "shop";
      r.table = table;
      r.columns = {{"id", "int", 3, true, false, false, ""},
                   {"status", "varchar(16)", 253, false, false, true, "utf8mb4"}};
      r.after_json = "{\"id\":" + std::to_string(id) + ",\"status\":\"" + status + "\"}";
      records.push_back(std::move(r));
    }
    ASSERT_TRUE(log_->Append(records));
  }

  nlohmann::json BaseConfig() {
    return nlohmann::json::parse(R"({
      "name": "t1",
      "source": {"tracking": "tr", "consumer_group": {"name": "g1", "account": "acct1",
                 "password": "Passw0rd!"}, "batch": {"max_events": 100, "interval_s": 0}},
      "sink": {"endpoint": "127.0.0.1:1", "topic": "out",
               "body": {"form": "JSONPATH", "value": "$.data.afterImage"},
               "keys": {"form": "JSONPATH", "value": "$.data.afterImage.id"}},
      "properties": {"retry": {"policy": "CUSTOM", "attempts": 3, "initial_ms": 1, "max_ms": 2}}
    })");
  }

  void StartTask(const nlohmann::json& doc, sink::Sink* sender, DeadLetterQueue* dlq = nullptr) {
    auto config = ParseTaskConfig(doc, TrackingForm::kReference);
    ASSERT_TRUE(config) << config.error().ToString();
    TaskDeps deps;
    deps.groups = groups_.get();
    deps.log = log_.get();
    deps.tracking = {"shop", "0123456789abcdef0123456789abcdef", "MariaDB", "10.11"};
    deps.sink = sender;
    deps.dead_letter = dlq;
    deps.client_id = "test-client";
    deps.seed = 1;
    auto task = Task::Create(std::move(*config), deps);
    ASSERT_TRUE(task) << task.error().ToString();
    task_ = std::move(*task);
    task_->Start();
  }

  // Waits until the task has committed everything in the log (record ids, and so offsets,
  // start at 1: the committed offset is the id of the next record needed).
  bool WaitAllCommitted(milliseconds timeout = milliseconds(10'000)) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      if (task_->metrics().committed_offset >= log_->EndOffset().value()) return true;
      std::this_thread::sleep_for(milliseconds(5));
    }
    return false;
  }

  bool WaitState(TaskState state, milliseconds timeout = milliseconds(10'000)) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      if (task_->state() == state) return true;
      std::this_thread::sleep_for(milliseconds(5));
    }
    return false;
  }

  std::filesystem::path dir_;
  std::unique_ptr<changelog::ChangeLog> log_;
  std::unique_ptr<changelog::ConsumerGroups> groups_;
  std::unique_ptr<Task> task_;
};

TEST_F(TaskTest, DeliversMatchingEventsRenderedAndCommits) {
  Append(
      {{"orders", 1, "paid"}, {"items", 2, "paid"}, {"orders", 3, "new"}, {"orders", 4, "paid"}});
  FakeSink sender([](const sink::Message&, int) { return Ok(); });
  nlohmann::json doc = BaseConfig();
  doc["filter"] = nlohmann::json::parse(
      R"({"data": {"schema": {"tableName": ["orders"]}, "afterImage": {"status": ["paid"]}}})");
  StartTask(doc, &sender);
  ASSERT_TRUE(WaitAllCommitted());
  EXPECT_EQ(task_->state(), TaskState::kRunning);
  auto out = sender.delivered();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].topic, "out");
  EXPECT_EQ(out[0].body, R"({"id":1,"status":"paid"})");
  EXPECT_EQ(out[0].keys, std::vector<std::string>{"1"});
  EXPECT_EQ(FakeSink::EventId(out[0]), "0123456789abcdef0123456789abcdef-1");
  EXPECT_EQ(out[1].body, R"({"id":4,"status":"paid"})");
  EXPECT_EQ(task_->metrics().events_read, 4u);
  EXPECT_EQ(task_->metrics().events_filtered, 2u);
  EXPECT_EQ(task_->metrics().messages_delivered, 2u);
  task_->Stop();
  EXPECT_EQ(groups_->Get("g1")->committed, Offset(5));  // ids 1..4 done
}

TEST_F(TaskTest, RetriesTransientFailuresOfThatMessageOnly) {
  Append({{"orders", 1, "a"}, {"orders", 2, "b"}});
  FakeSink sender([](const sink::Message& m, int attempt) -> SendOutcome {
    if (m.body.find("\"id\":1") != std::string::npos && attempt <= 2) {
      return SendOutcome::Retryable(Unavailable("broker busy"));
    }
    return Ok();
  });
  StartTask(BaseConfig(), &sender);
  ASSERT_TRUE(WaitAllCommitted());
  EXPECT_EQ(sender.delivered().size(), 2u);
  EXPECT_EQ(task_->metrics().retries, 2u);
  EXPECT_EQ(task_->metrics().delivery_failures, 2u);
}

// The sink classifies, not the error code: the task retries exactly what the sink calls
// retryable and never what it calls deterministic.
TEST_F(TaskTest, FollowsTheSinksClassificationNotTheErrorCode) {
  Append({{"orders", 1, "retry-me"}, {"orders", 2, "give-up"}});
  FakeSink sender([](const sink::Message& m, int attempt) -> SendOutcome {
    if (m.body.find("retry-me") != std::string::npos && attempt <= 2) {
      return SendOutcome::Retryable(InvalidArgument("the sink says: try again"));
    }
    if (m.body.find("give-up") != std::string::npos) {
      return SendOutcome::Deterministic(Unavailable("the sink says: for good"));
    }
    return Ok();
  });
  StartTask(BaseConfig(), &sender);
  ASSERT_TRUE(WaitAllCommitted());
  EXPECT_EQ(sender.delivered().size(), 1u);
  EXPECT_EQ(task_->metrics().retries, 2u);
  EXPECT_EQ(task_->metrics().delivery_failures, 3u);
  EXPECT_EQ(task_->metrics().dropped, 1u);
}

TEST_F(TaskTest, PoisonEventGoesToTheDeadLetterFileUnderAll) {
  Append({{"orders", 1, "ok"}, {"orders", 2, "poison"}, {"orders", 3, "ok"}});
  FakeSink sender([](const sink::Message& m, int) -> SendOutcome {
    if (m.body.find("poison") != std::string::npos) {
      return SendOutcome::Deterministic(
          Error(ErrorCode::kResourceExhausted, "message over the size limit"));
    }
    return Ok();
  });
  auto dlq_path = (dir_ / "dlq.jsonl").string();
  auto dlq = OpenFileDeadLetterQueue(dlq_path);
  ASSERT_TRUE(dlq);
  nlohmann::json doc = BaseConfig();
  doc["properties"]["dead_letter"] = {{"file", dlq_path}};
  StartTask(doc, &sender, dlq->get());
  ASSERT_TRUE(WaitAllCommitted());
  EXPECT_EQ(sender.delivered().size(), 2u);
  EXPECT_EQ(task_->metrics().dead_lettered, 1u);
  EXPECT_EQ(task_->metrics().retries, 0u);  // deterministic: no retries
  std::ifstream in(dlq_path);
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["topic"], "out");
  auto event = nlohmann::json::parse(j["body"].get<std::string>());
  EXPECT_EQ(event["type"], "dts:ConsumeMessage");  // the original CloudEvent
  EXPECT_EQ(event["data"]["afterImage"]["status"], "poison");
  EXPECT_EQ(j["properties"]["inflow_task"], "t1");
  EXPECT_EQ(j["properties"]["inflow_error_code"], "resource_exhausted");
  EXPECT_EQ(j["properties"]["inflow_attempts"], "1");
  EXPECT_EQ(j["properties"]["inflow_event_id"], "0123456789abcdef0123456789abcdef-2");
  EXPECT_FALSE(std::getline(in, line));
}

TEST_F(TaskTest, WithoutDeadLetterQueueAllDropsAndCounts) {
  Append({{"orders", 1, "poison"}, {"orders", 2, "ok"}});
  FakeSink sender([](const sink::Message& m, int) -> SendOutcome {
    if (m.body.find("poison") != std::string::npos)
      return SendOutcome::Deterministic(InvalidArgument("bad"));
    return Ok();
  });
  StartTask(BaseConfig(), &sender);
  ASSERT_TRUE(WaitAllCommitted());
  EXPECT_EQ(task_->metrics().dropped, 1u);
}

TEST_F(TaskTest, NoneBlocksInRunningFailedAndSkipsNothing) {
  Append({{"orders", 1, "ok"}});
  Append({{"orders", 2, "poison"}});
  Append({{"orders", 3, "ok"}});
  FakeSink sender([](const sink::Message& m, int) -> SendOutcome {
    if (m.body.find("poison") != std::string::npos)
      return SendOutcome::Retryable(Unavailable("always down"));
    return Ok();
  });
  nlohmann::json doc = BaseConfig();
  doc["properties"]["fault_tolerance"] = "NONE";
  doc["source"]["batch"]["max_events"] = 1;  // one event per batch
  StartTask(doc, &sender);
  ASSERT_TRUE(WaitState(TaskState::kRunningFailed));
  EXPECT_NE(task_->reason().find("always down"), std::string::npos) << task_->reason();
  EXPECT_NE(task_->reason().find("fault_tolerance is NONE"), std::string::npos);
  std::this_thread::sleep_for(milliseconds(100));
  task_->Stop();
  // Record 2 (the poison event) is never committed past.
  EXPECT_EQ(groups_->Get("g1")->committed, Offset(2));
  EXPECT_EQ(task_->metrics().retries, 3u);
}

TEST_F(TaskTest, OrderlyHoldsBackOnlyTheFailingKey) {
  // Key 1: a, b, c; key 2: x, y. The first send of key 1 fails twice.
  Append({{"orders", 1, "a"},
          {"orders", 2, "x"},
          {"orders", 1, "b"},
          {"orders", 2, "y"},
          {"orders", 1, "c"}});
  FakeSink sender([](const sink::Message& m, int attempt) -> SendOutcome {
    if (m.body.find("\"a\"") != std::string::npos && attempt <= 2) {
      return SendOutcome::Retryable(Unavailable("queue busy"));
    }
    return Ok();
  });
  nlohmann::json doc = BaseConfig();
  doc["sink"]["delivery_order"] = "orderly";
  StartTask(doc, &sender);
  ASSERT_TRUE(WaitAllCommitted());
  std::vector<std::string> order;
  for (const auto& m : sender.delivered()) {
    auto j = nlohmann::json::parse(m.body);
    order.push_back(j["status"]);
    EXPECT_EQ(m.sharding_key, "[" + std::to_string(j["id"].get<int>()) + "]");  // default: the PK
  }
  // Key 2 went through while key 1 waited; within each key, source order.
  EXPECT_EQ(order, (std::vector<std::string>{"x", "y", "a", "b", "c"}));
}

TEST_F(TaskTest, TransformErrorsAreIsolatedPerEvent) {
  Append({{"orders", 1, "ok"}, {"orders", 2, "boom"}, {"orders", 3, "ok"}});
  FakeSink sender([](const sink::Message&, int) { return Ok(); });
  nlohmann::json doc = BaseConfig();
  doc["transform"] = nlohmann::json::parse(R"([{"lua": {"code":
      "function transform(events) for _, e in ipairs(events) do if e.data.afterImage.status == 'boom' then error('no') end end return events end"}}])");
  StartTask(doc, &sender);
  ASSERT_TRUE(WaitAllCommitted());
  EXPECT_EQ(sender.delivered().size(), 2u);
  EXPECT_EQ(task_->metrics().dropped, 1u);
  EXPECT_EQ(task_->metrics().events_transformed, 2u);
}

TEST_F(TaskTest, CountTriggeredAndIntervalTriggeredBatches) {
  FakeSink sender([](const sink::Message&, int) { return Ok(); });
  nlohmann::json doc = BaseConfig();
  doc["source"]["batch"] = {{"max_events", 3}, {"interval_s", 1}};
  StartTask(doc, &sender);
  ASSERT_TRUE(WaitState(TaskState::kRunning));
  auto t0 = std::chrono::steady_clock::now();
  Append({{"orders", 1, "a"}, {"orders", 2, "b"}, {"orders", 3, "c"}});
  ASSERT_TRUE(WaitAllCommitted());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, milliseconds(900));  // by count, not time
  Append({{"orders", 4, "d"}});
  t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(WaitAllCommitted());
  EXPECT_GE(std::chrono::steady_clock::now() - t0, milliseconds(800));  // waited for interval
  auto sizes = task_->metrics().batch_size.Read();
  EXPECT_EQ(sizes.count, 2u);
}

TEST_F(TaskTest, WrongPasswordIsStartingFailed) {
  FakeSink sender([](const sink::Message&, int) { return Ok(); });
  nlohmann::json doc = BaseConfig();
  doc["source"]["consumer_group"]["password"] = "Wrong0ne!";
  StartTask(doc, &sender);
  ASSERT_TRUE(WaitState(TaskState::kStartingFailed));
  EXPECT_NE(task_->reason().find("g1"), std::string::npos);
}

TEST_F(TaskTest, RestartResumesFromTheCommittedOffset) {
  Append({{"orders", 1, "a"}, {"orders", 2, "b"}});
  FakeSink sender([](const sink::Message&, int) { return Ok(); });
  StartTask(BaseConfig(), &sender);
  ASSERT_TRUE(WaitAllCommitted());
  task_->Stop();
  Append({{"orders", 3, "c"}});
  FakeSink second([](const sink::Message&, int) { return Ok(); });
  StartTask(BaseConfig(), &second);
  ASSERT_TRUE(WaitAllCommitted());
  ASSERT_EQ(second.delivered().size(), 1u);
  EXPECT_EQ(second.delivered()[0].body, R"({"id":3,"status":"c"})");
}

}  // namespace
}  // namespace inflow::pipeline
