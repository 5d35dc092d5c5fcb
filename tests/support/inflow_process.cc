#include "support/inflow_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

extern char** environ;

namespace inflow::testing {
namespace {

size_t FileSize(const std::string& path) {
  std::error_code ec;
  auto n = std::filesystem::file_size(path, ec);
  return ec ? 0 : static_cast<size_t>(n);
}

}  // namespace

std::string InflowBinary() {
  const char* build = std::getenv("INFLOW_BUILD_DIR");
  return std::string(build ? build : ".") + "/src/server/inflow";
}

std::string WriteTaskFile(const std::string& path, const std::string& db,
                          const std::string& mysql_url, const std::string& namesrv,
                          const std::string& topic, const std::string& batch,
                          const std::string& tail) {
  std::ofstream out(path);
  out << "name: " << db << "-task\n"
      << "source:\n"
      << "  tracking: {name: " << db << ", source: \"" << mysql_url << "\", tables: [\"" << db
      << ".*\"]}\n"
      << "  consumer_group: {name: g1, account: acct1, password: \"Passw0rd!\"}\n"
      << "  start_time: earliest\n"
      << "  batch: " << batch << "\n"
      << "sink:\n"
      << "  endpoint: \"" << namesrv << "\"\n"
      << "  topic: " << topic << "\n"
      << tail;
  EXPECT_TRUE(out.good()) << "cannot write " << path;
  return path;
}

InflowProcess::InflowProcess(const std::string& task_file, const std::string& data_dir,
                             const std::string& log_file,
                             const std::vector<std::string>& extra_args)
    : log_file_(log_file), log_start_(FileSize(log_file)) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  std::string bin = InflowBinary();
  std::vector<std::string> args = {bin, "run", task_file, "--data", data_dir, "--drain-s", "5"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int rc = posix_spawn(&pid_, bin.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    ADD_FAILURE() << "cannot start " << bin << ": " << std::strerror(rc);
    pid_ = -1;
  }
}

InflowProcess::~InflowProcess() {
  if (pid_ > 0) Kill(SIGKILL);
}

bool InflowProcess::WaitStarted(std::chrono::milliseconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (Log().find("started", log_start_) != std::string::npos) return true;
    int status;
    if (pid_ > 0 && waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

int InflowProcess::Kill(int sig) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, sig);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void InflowProcess::Signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

int InflowProcess::WaitExit(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  auto end = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (std::chrono::steady_clock::now() >= end) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::string InflowProcess::Log() const {
  std::ifstream in(log_file_);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string InflowProcess::RunLog() const {
  std::string log = Log();
  return log.size() > log_start_ ? log.substr(log_start_) : std::string();
}

}  // namespace inflow::testing
