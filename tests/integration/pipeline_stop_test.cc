// `inflow run` and SIGTERM while a transform step does not return (issue 11), against the real
// MariaDB and RocketMQ:
//   - a Lua step spinning in a loop that catches its own time-limit error (timeout_ms 60 000):
//     the stop interrupts it and the process exits cleanly within the drain timeout;
//   - an http step waiting on a function that never answers (timeout_ms 600 000) cannot be
//     interrupted: the process still exits within the drain timeout, saying why.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "support/inflow_process.h"
#include "support/java_tools.h"
#include "support/mariadb_sql.h"
#include "support/run_command.h"
#include "support/service_env.h"

namespace inflow::testing {
namespace {

using std::chrono::seconds;

// InflowProcess runs with --drain-s 5; the margin covers process start-up of the shutdown path
// (producer shutdown, final status) on a loaded machine.
constexpr auto kDrain = seconds(5);
constexpr auto kMargin = seconds(5);

class PipelineStopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mariadb_ = ServiceEnv("mariadb");
    rocketmq_ = ServiceEnv("rocketmq");
    ASSERT_FALSE(mariadb_.empty());
    ASSERT_FALSE(rocketmq_.empty());
    dir_ = FreshTestDir(std::string("pipeline-stop-test/") +
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }

  // Runs a task on a fresh database `db` with `transform_yaml`, inserts a row so the step gets
  // a batch, waits for the step to be busy with it, sends SIGTERM and returns the exit code and
  // the seconds until the exit (-1 when it did not exit within kDrain + kMargin).
  std::pair<int, double> StopWhileStuck(const std::string& db, const std::string& transform_yaml,
                                        std::string* log) {
    RunSql(mariadb_, "DROP DATABASE IF EXISTS " + db + ";\nCREATE DATABASE " + db +
                         ";\nCREATE TABLE " + db + ".t (id INT PRIMARY KEY);\n");
    const std::string topic = db + "_out";
    EXPECT_TRUE(CreateTopic(rocketmq_, topic, 1));
    std::string task = WriteTaskFile(dir_ + "/task.yaml", db, EnvValue(mariadb_, "MYSQL_URL"),
                                     EnvValue(rocketmq_, "NAMESRV"), topic,
                                     "{max_events: 10, interval_s: 1}", transform_yaml);
    InflowProcess inflow(task, dir_ + "/data", dir_ + "/inflow.log");
    EXPECT_TRUE(inflow.WaitStarted()) << inflow.Log();
    RunSql(mariadb_, "INSERT INTO " + db + ".t VALUES (1);\n");
    std::this_thread::sleep_for(seconds(4));  // the batch (1 s) is in the step by now
    auto start = std::chrono::steady_clock::now();
    inflow.Signal(SIGTERM);
    int rc = inflow.WaitExit(kDrain + kMargin);
    double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    *log = inflow.Log();
    return {rc, rc == -1 ? -1.0 : took};
  }

  EnvMap mariadb_;
  EnvMap rocketmq_;
  std::string dir_;
};

TEST_F(PipelineStopTest, SigtermInterruptsALuaStepThatCatchesItsTimeLimit) {
  std::string log;
  auto [rc, took] = StopWhileStuck("stop_stuck_lua",
                                   "transform:\n"
                                   "  - lua:\n"
                                   "      timeout_ms: 60000\n"
                                   "      code: |\n"
                                   "        function transform(events)\n"
                                   "          while true do pcall(function() while true do end "
                                   "end) end\n"
                                   "        end\n",
                                   &log);
  ASSERT_NE(rc, -1) << "no exit within the drain timeout after SIGTERM\n" << log;
  EXPECT_EQ(rc, 0) << log;
  EXPECT_LE(took, std::chrono::duration<double>(kDrain + kMargin).count()) << log;
}

TEST_F(PipelineStopTest, SigtermExitsWhenAStepCannotBeInterrupted) {
  // A function endpoint that takes the connection (the kernel's backlog) and never answers.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 16), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  std::string url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/f";

  std::string log;
  auto [rc, took] = StopWhileStuck("stop_stuck_http",
                                   "transform:\n"
                                   "  - http:\n"
                                   "      url: " +
                                       url + "\n      timeout_ms: 600000\n",
                                   &log);
  ::close(fd);
  ASSERT_NE(rc, -1) << "no exit within the drain timeout after SIGTERM\n" << log;
  EXPECT_EQ(rc, 1) << log;
  EXPECT_NE(log.find("did not stop within the drain timeout"), std::string::npos) << log;
}

}  // namespace
}  // namespace inflow::testing
