#include "cli/run_command.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <thread>

#include "capture/mysql/mysql_source.h"
#include "changelog/file_system.h"
#include "changelog/tracking/tracking_instance.h"
#include "cli/command.h"
#include "common/config_json.h"
#include "common/json_text.h"
#include "pipeline/task.h"
#include "sink/open_sink.h"

namespace inflow::cli {
namespace {

struct RunFlags {
  std::string task_file;
  std::string data_dir = "./inflow-data";
  std::string client_id;
  std::string metrics_file;  // empty: none
  int drain_s = 10;
};

// The instance's 32-hex id, created once and kept in <dir>/id.
Result<std::string> TrackingId(const std::filesystem::path& dir) {
  auto path = (dir / "id").string();
  if (std::filesystem::exists(path)) {
    INFLOW_TRY(std::string id, changelog::ReadWholeFile(changelog::PosixFileSystem(), path));
    while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
    if (id.size() == 32) return id;
    return Fail(DataLoss(path + ": not a 32-hex tracking id"));
  }
  std::random_device rd;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 32; ++i) id += kHex[rd() % 16];
  INFLOW_RETURN_IF_ERROR(
      changelog::WriteFileAtomically(changelog::PosixFileSystem(), path, id + "\n"));
  return id;
}

void PrintStatus(const pipeline::Task& task, const changelog::TrackingStatus& tracking,
                 bool final_line) {
  const auto& m = task.metrics();
  std::fprintf(
      stderr,
      "\r%s  read=%llu delivered=%llu filtered=%llu failed=%llu dlq=%llu lag=%lld "
      "captured=%llu%s",
      pipeline::TaskStateName(task.state()), static_cast<unsigned long long>(m.events_read.load()),
      static_cast<unsigned long long>(m.messages_delivered.load()),
      static_cast<unsigned long long>(m.events_filtered.load()),
      static_cast<unsigned long long>(m.delivery_failures.load()),
      static_cast<unsigned long long>(m.dead_lettered.load()),
      static_cast<long long>(m.lag_records.load()),
      static_cast<unsigned long long>(tracking.records_captured), final_line ? "\n" : "\x1b[K");
  std::fflush(stderr);
}

// The task's Prometheus text plus the tracking instance's own gauges, for node_exporter's
// textfile collector (or a script) to read; replaced atomically so a reader never sees half.
Status WriteMetricsFile(const std::string& path, const std::string& task_name,
                        const pipeline::Task& task, const changelog::TrackingStatus& tracking) {
  std::string text;
  task.metrics().AppendPrometheus(task_name, pipeline::TaskStateName(task.state()), &text);
  std::string label = "{task=";
  AppendJsonString(&label, task_name);  // a JSON string is a valid Prometheus label value
  label += "} ";
  text += "# TYPE inflow_tracking_records_captured_total counter\n";
  text += "inflow_tracking_records_captured_total" + label +
          std::to_string(tracking.records_captured) + "\n";
  text += "# TYPE inflow_tracking_account_statements_skipped_total counter\n";
  text += "inflow_tracking_account_statements_skipped_total" + label +
          std::to_string(tracking.account_statements_skipped) + "\n";
  text += "# TYPE inflow_tracking_lag_ms gauge\n";
  text += "inflow_tracking_lag_ms" + label + std::to_string(tracking.lag_ms) + "\n";
  return changelog::WriteFileAtomically(changelog::PosixFileSystem(), path, text);
}

int Run(const RunFlags& flags) {
  auto text = ReadFileOrStdin(flags.task_file);
  if (!text) {
    std::fprintf(stderr, "inflow run: %s\n", text.error().message().c_str());
    return kExitBadInput;
  }
  auto doc = ParseConfigDocument(*text, "task");
  if (!doc) {
    std::fprintf(stderr, "inflow run: %s\n", doc.error().message().c_str());
    return kExitBadInput;
  }
  auto parsed = pipeline::ParseTaskConfig(*doc, pipeline::TrackingForm::kInline);
  // The flags' mistakes join the task's in one answer.
  Status metrics = flags.metrics_file.empty()
                       ? Ok()
                       : pipeline::CheckOutputFile(flags.metrics_file, "--metrics-file");
  if (!parsed || !metrics) {
    std::string message = parsed ? "" : parsed.error().message();
    if (!metrics) message += (message.empty() ? "" : "; ") + metrics.error().message();
    std::fprintf(stderr, "inflow run: invalid task: %s\n", message.c_str());
    return kExitBadInput;
  }
  pipeline::TaskConfig config = std::move(*parsed);
  const pipeline::TrackingSpec& ts = config.source.tracking;

  auto connection = capture::mysql::ParseSourceUrl(ts.source_url);
  auto initial = capture::StartPosition::Parse(ts.capture_from);
  auto tables = capture::TableFilter::Make(ts.tables, ts.exclude_tables);
  for (const auto* e : {connection ? nullptr : &connection.error(),
                        initial ? nullptr : &initial.error(), tables ? nullptr : &tables.error()}) {
    if (e != nullptr) {
      std::fprintf(stderr, "inflow run: source.tracking: %s\n", e->message().c_str());
      return kExitBadInput;
    }
  }

  auto instance_dir = changelog::TrackingInstanceDir(flags.data_dir, ts.name);
  if (!instance_dir) {
    std::fprintf(stderr, "inflow run: %s\n", instance_dir.error().message().c_str());
    return kExitBadInput;
  }
  std::filesystem::path dir = *instance_dir;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    std::fprintf(stderr, "inflow run: cannot create %s: %s\n", dir.c_str(), ec.message().c_str());
    return kExitFailure;
  }
  changelog::TrackingOptions topts;
  topts.log.retention_age_ms = int64_t{ts.retention_hours} * 3'600'000;
  auto instance =
      changelog::TrackingInstance::Open(changelog::PosixFileSystem(), dir.string(), topts);
  if (!instance) {
    // kFailedPrecondition: another process (or this one) holds the directory's LOCK.
    if (instance.error().code() == ErrorCode::kFailedPrecondition) {
      std::fprintf(stderr, "inflow run: %s\n", instance.error().message().c_str());
      return kExitBadInput;
    }
    std::fprintf(stderr, "inflow run: tracking instance %s: %s\n", ts.name.c_str(),
                 instance.error().ToString().c_str());
    return kExitFailure;
  }
  auto tracking_id = TrackingId(dir);  // read only under the instance's lock
  if (!tracking_id) {
    std::fprintf(stderr, "inflow run: %s\n", tracking_id.error().ToString().c_str());
    return kExitFailure;
  }

  capture::mysql::MysqlSourceOptions sopts;
  sopts.connection = std::move(*connection);
  sopts.start = (*instance)->ResumePosition(*initial);
  sopts.tables = std::move(*tables);
  sopts.log = [](std::string_view line) {
    std::fprintf(stderr, "\ncapture: %.*s\n", static_cast<int>(line.size()), line.data());
  };
  auto source = capture::mysql::MysqlSource::Open(std::move(sopts));
  if (!source) {
    std::fprintf(stderr, "inflow run: source %s: %s\n", ts.name.c_str(),
                 source.error().ToString().c_str());
    return kExitFailure;
  }
  for (const auto& w : (*source)->warnings())
    std::fprintf(stderr, "capture warning: %s\n", w.c_str());
  changelog::TrackingInfo info{ts.name, *tracking_id, (*source)->database_type(),
                               (*source)->server_version()};
  if (auto st = (*instance)->Start(std::move(*source)); !st) {
    std::fprintf(stderr, "inflow run: %s\n", st.error().ToString().c_str());
    return kExitFailure;
  }

  auto& groups = (*instance)->groups();
  if (auto st = groups.Create(config.source.group, config.source.account, config.source.password);
      !st && st.error().code() != ErrorCode::kAlreadyExists) {
    std::fprintf(stderr, "inflow run: source.consumer_group: %s\n", st.error().message().c_str());
    return kExitBadInput;
  }

  auto task_sink = sink::OpenSink({config.sink.type, config.sink.version, config.sink.endpoint,
                                   config.sink.access_key, config.sink.secret_key});
  if (!task_sink) {
    std::fprintf(stderr, "inflow run: sink: %s\n", task_sink.error().ToString().c_str());
    return kExitBadInput;
  }
  std::unique_ptr<sink::Sink> dlq_sink;
  std::unique_ptr<pipeline::DeadLetterQueue> dlq;
  const auto& dl = config.dead_letter;
  if (dl.kind == pipeline::DeadLetterSpec::Kind::kFile) {
    auto q = pipeline::OpenFileDeadLetterQueue(dl.file);
    if (!q) {
      std::fprintf(stderr, "inflow run: properties.dead_letter.file: %s\n",
                   q.error().message().c_str());
      return kExitBadInput;
    }
    dlq = std::move(*q);
  } else if (dl.kind == pipeline::DeadLetterSpec::Kind::kRocketMQ) {
    auto p = sink::OpenSink({"rocketmq", "4.x", dl.endpoint, dl.access_key, dl.secret_key});
    if (!p) {
      std::fprintf(stderr, "inflow run: properties.dead_letter.rocketmq: %s\n",
                   p.error().message().c_str());
      return kExitBadInput;
    }
    dlq_sink = std::move(*p);
    dlq = pipeline::MakeSinkDeadLetterQueue(dlq_sink.get(), dl.topic, std::chrono::seconds(10));
  }

  pipeline::TaskDeps deps;
  deps.groups = &groups;
  deps.log = &(*instance)->log();
  deps.tracking = info;
  deps.sink = task_sink->get();
  deps.dead_letter = dlq.get();
  deps.client_id = flags.client_id.empty() ? "inflow-run-" + config.name : flags.client_id;
  std::string task_name = config.name;
  std::string tracking_name = ts.name;  // `ts` refers into `config`, which the task takes
  auto task = pipeline::Task::Create(std::move(config), deps);
  if (!task) {
    std::fprintf(stderr, "inflow run: %s\n", task.error().ToString().c_str());
    return kExitBadInput;
  }

  // SIGINT / SIGTERM are taken synchronously by this thread; every other thread blocks them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  (*task)->Start();
  std::fprintf(stderr, "inflow run: task %s started (tracking %s, id %s)\n", task_name.c_str(),
               tracking_name.c_str(), tracking_id->c_str());
  bool tty = ::isatty(STDERR_FILENO) != 0;
  int rc = kExitOk;
  for (;;) {
    timespec tick{0, 500'000'000};
    int sig = sigtimedwait(&signals, nullptr, &tick);
    if (sig == SIGINT || sig == SIGTERM) break;
    auto status = (*instance)->GetStatus();
    if (tty) PrintStatus(**task, status, false);
    if (!flags.metrics_file.empty()) {
      Status written = WriteMetricsFile(flags.metrics_file, task_name, **task, status);
      if (!written) {
        std::fprintf(stderr, "\ninflow run: --metrics-file: %s\n",
                     written.error().message().c_str());
        rc = kExitFailure;
        break;
      }
    }
    pipeline::TaskState state = (*task)->state();
    if (state == pipeline::TaskState::kStartingFailed ||
        state == pipeline::TaskState::kRunningFailed) {
      std::fprintf(stderr, "\ninflow run: task %s: %s\n", pipeline::TaskStateName(state),
                   (*task)->reason().c_str());
      rc = kExitFailure;
      break;
    }
    if (status.state == changelog::TrackingState::kFailed) {
      std::fprintf(stderr, "\ninflow run: capture failed: %s\n", status.error.c_str());
      rc = kExitFailure;
      break;
    }
  }
  if (!(*task)->Stop(std::chrono::seconds(flags.drain_s))) {
    // A transform step ignored the interrupt; waiting longer would ignore the signal.
    std::fprintf(stderr,
                 "\ninflow run: task %s did not stop within the drain timeout of %d s (a "
                 "transform step does not return); exiting now, uncommitted events are read "
                 "again on the next start\n",
                 task_name.c_str(), flags.drain_s);
    std::fflush(stderr);
    std::_Exit(kExitFailure);
  }
  (*instance)->Stop();
  const changelog::TrackingStatus final_status = (*instance)->GetStatus();
  PrintStatus(**task, final_status, true);
  if (!flags.metrics_file.empty()) {
    Status written = WriteMetricsFile(flags.metrics_file, task_name, **task, final_status);
    if (!written) {
      std::fprintf(stderr, "inflow run: --metrics-file: %s\n", written.error().message().c_str());
      rc = kExitFailure;
    }
  }
  (*task_sink)->Shutdown();
  if (dlq_sink) dlq_sink->Shutdown();
  return rc;
}

}  // namespace

void AddRunCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* cmd = app.add_subcommand(
      "run", "Run a task file's tracking instance and task in the foreground (Ctrl-C stops)");
  cmd->add_option("task", flags->task_file, "task file (YAML or JSON), or - for stdin")->required();
  cmd->add_option("--data", flags->data_dir, "data directory (change logs, consumer groups)");
  cmd->add_option("--client-id", flags->client_id,
                  "consumer-group client id (default: inflow-run-<task name>)");
  cmd->add_option(
      "--metrics-file", flags->metrics_file,
      "write the task's metrics (Prometheus text) to this file every 0.5 s and at exit");
  cmd->add_option("--drain-s", flags->drain_s, "seconds to wait for in-flight messages on stop")
      ->check(CLI::Range(0, 600));
  cmd->callback([flags, exit_code] {
    // Block the stop signals before any thread starts, so only sigtimedwait sees them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    *exit_code = Run(*flags);
  });
}

}  // namespace inflow::cli
