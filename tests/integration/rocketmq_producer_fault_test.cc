// Our producer while its broker goes away and comes back (fixture rocketmq_fault: a private
// RocketMQ, so stopping its broker cannot disturb other tests). Sends keep flowing from a
// background thread; while the broker is down every message fails with a retryable error no
// later than the send timeout, nothing hangs, and sends succeed again once the broker is back.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sink/rocketmq/producer.h"
#include "support/java_tools.h"
#include "support/run_command.h"
#include "support/service_env.h"

namespace inflow::sink::rocketmq {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr milliseconds kSendTimeout{3000};
// Scheduling slack on a loaded 2-core machine, on top of the send timeout.
constexpr milliseconds kSlack{2000};

struct Outcome {
  Clock::time_point at;
  milliseconds took;
  bool ok;
  std::optional<Error> error;
};

TEST(RocketmqProducerFault, BrokerStopGivesRetryableErrorsThenSendsRecover) {
  auto env = inflow::testing::ServiceEnv("rocketmq_fault");
  ASSERT_FALSE(env.empty());
  std::string dir = inflow::testing::HarnessDir("INFLOW_BUILD_DIR") + "/services/rocketmq_fault";
  std::string script = inflow::testing::HarnessDir("INFLOW_SOURCE_DIR") + "/scripts/rocketmq";
  std::string topic = "producer_fault_" + std::to_string(getpid());
  ASSERT_TRUE(inflow::testing::CreateTopic(env, topic, 4));

  ProducerOptions options;
  options.namesrv = inflow::testing::EnvValue(env, "NAMESRV");
  options.send_timeout = kSendTimeout;
  // Refresh often so the test also covers a refresh while the broker is unregistered.
  options.route_refresh_interval = milliseconds(500);
  auto producer = Producer::Start(options);
  ASSERT_TRUE(producer) << producer.error().ToString();

  std::mutex mu;
  std::vector<Outcome> outcomes;
  std::atomic<bool> stop{false};
  std::thread sender([&] {
    int n = 0;
    while (!stop) {
      std::vector<Message> batch;
      for (int i = 0; i < 5; ++i) {
        Message m;
        m.topic = topic;
        m.body = "fault-" + std::to_string(n++);
        batch.push_back(std::move(m));
      }
      auto start = Clock::now();
      auto future = (*producer)->Send(std::move(batch));
      if (future.wait_for(kSendTimeout + kSlack + seconds(5)) != std::future_status::ready) {
        ADD_FAILURE() << "Send hung";
        return;
      }
      auto results = future.get();
      auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
      std::lock_guard<std::mutex> lock(mu);
      for (auto& r : results) {
        outcomes.push_back({Clock::now(), took, r.has_value(),
                            r ? std::nullopt : std::optional<Error>(r.error())});
      }
      if (results.empty() || !results[0]) std::this_thread::sleep_for(milliseconds(100));
    }
  });
  auto count = [&](bool ok, Clock::time_point after) {
    std::lock_guard<std::mutex> lock(mu);
    size_t n = 0;
    for (const auto& o : outcomes) n += (o.ok == ok && o.at >= after);
    return n;
  };
  auto wait_for = [&](bool ok, Clock::time_point after, seconds limit) {
    auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline && count(ok, after) == 0) {
      std::this_thread::sleep_for(milliseconds(100));
    }
    return count(ok, after) > 0;
  };

  ASSERT_TRUE(wait_for(true, Clock::now(), seconds(30))) << "no send succeeded before the fault";
  // The broker goes down while broker-stop runs, so failures may start before it returns.
  auto down_at = Clock::now();
  auto stopped = inflow::testing::RunCommand({script, "broker-stop", "--dir", dir});
  ASSERT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_TRUE(wait_for(false, down_at, seconds(20))) << "sends kept succeeding without a broker";
  std::this_thread::sleep_for(seconds(4));  // several timeouts' worth of failing sends

  auto started = inflow::testing::RunCommand({script, "broker-start", "--dir", dir}, [] {
    inflow::testing::CommandOptions o;
    o.timeout = seconds(180);
    return o;
  }());
  ASSERT_EQ(started.exit_code, 0) << started.err;
  auto up_at = Clock::now();
  EXPECT_TRUE(wait_for(true, up_at, seconds(90))) << "sends did not recover after broker-start";
  stop = true;
  sender.join();

  std::lock_guard<std::mutex> lock(mu);
  size_t failures = 0;
  for (const auto& o : outcomes) {
    EXPECT_LE(o.took, kSendTimeout + kSlack) << "a send outlived its timeout";
    if (o.ok) continue;
    ++failures;
    ASSERT_TRUE(o.error);
    EXPECT_TRUE(IsRetryable(o.error->code())) << o.error->ToString();
    EXPECT_TRUE(o.at >= down_at - kSendTimeout)
        << "failure before the broker stopped: " << o.error->ToString();
  }
  EXPECT_GT(failures, 0u);
  for (const auto& o : outcomes) {
    if (!o.ok) {
      std::cerr << "example failure while the broker was down: " << o.error->ToString() << "\n";
      break;
    }
  }
}

}  // namespace
}  // namespace inflow::sink::rocketmq
