// InflowProcess: the `inflow` binary of this build run in the background (`inflow run TASK
// --data DIR`), its stderr appended to a log file, for tests that kill and restart it.
//
// Thread safety: not thread-safe; one test thread owns an instance.
#ifndef INFLOW_TESTS_SUPPORT_INFLOW_PROCESS_H_
#define INFLOW_TESTS_SUPPORT_INFLOW_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace inflow::testing {

// $INFLOW_BUILD_DIR/src/server/inflow (the ctest environment sets INFLOW_BUILD_DIR).
std::string InflowBinary();

// Writes the task file `path` for `inflow run`: task "<db>-task" on every table of `db` (tracking
// instance `db` on `mysql_url`), consumer group g1 / acct1 from the earliest record, `batch`
// (a YAML flow map), and a sink to `topic` at `namesrv`; `tail` follows the sink's topic line
// (more sink fields, then filter / transform / properties). Returns `path`.
std::string WriteTaskFile(const std::string& path, const std::string& db,
                          const std::string& mysql_url, const std::string& namesrv,
                          const std::string& topic, const std::string& batch,
                          const std::string& tail);

class InflowProcess {
 public:
  // Starts `inflow run TASK_FILE --data DATA_DIR --drain-s 5 EXTRA_ARGS...`; a failure to
  // spawn is a test failure (ADD_FAILURE) and leaves the process not running.
  InflowProcess(const std::string& task_file, const std::string& data_dir,
                const std::string& log_file, const std::vector<std::string>& extra_args = {});
  ~InflowProcess();  // SIGKILL if still running

  InflowProcess(const InflowProcess&) = delete;
  InflowProcess& operator=(const InflowProcess&) = delete;

  // Waits for the "started" line of this run (the source is open, the task attached or
  // attaching); false when the process exits first or the timeout passes.
  bool WaitStarted(std::chrono::milliseconds timeout = std::chrono::milliseconds(60'000));

  // Sends `sig` and waits for the exit; returns the exit code (128+N for a signal).
  int Kill(int sig);
  // Sends `sig` without waiting (pair it with WaitExit).
  void Signal(int sig);

  // Waits for the process to exit by itself; its exit code (128+N for a signal), or -1 when it
  // is still running after `timeout`.
  int WaitExit(std::chrono::milliseconds timeout);

  // The process id; -1 once it has exited (or never started).
  pid_t pid() const { return pid_; }

  // The whole log file (earlier runs appended to the same file come first).
  std::string Log() const;
  // What this run appended to the log file.
  std::string RunLog() const;

 private:
  std::string log_file_;
  size_t log_start_;  // where this run's output begins in the log file
  pid_t pid_ = -1;
};

}  // namespace inflow::testing

#endif  // INFLOW_TESTS_SUPPORT_INFLOW_PROCESS_H_
