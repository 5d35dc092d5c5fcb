#include "cli/send_command.h"

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "common/file_text.h"
#include "common/json_parse.h"
#include "common/names.h"
#include "sink/rocketmq/message_codec.h"
#include "sink/rocketmq/producer.h"

namespace inflow::cli {
namespace {

namespace rmq = inflow::sink::rocketmq;
using Clock = std::chrono::steady_clock;

constexpr size_t kMaxReportedFailures = 10;

struct SendFlags {
  std::string endpoint;
  std::string topic;
  std::string tag;
  std::string keys;
  std::vector<std::string> properties;
  std::string access_key;
  std::string secret_key;
  std::string format = "raw";
  std::string input = "-";
  int timeout_ms = 3000;
  int batch_size = 256;
  int max_in_flight = 8;
  bool binary_header = false;
};

std::vector<std::string> SplitKeys(std::string_view s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t start = s.find_first_not_of(' ', pos);
    if (start == std::string_view::npos) break;
    size_t end = s.find(' ', start);
    if (end == std::string_view::npos) end = s.size();
    out.emplace_back(s.substr(start, end - start));
    pos = end;
  }
  return out;
}

std::string JsonText(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Counters shared between the reading thread and the producer's callbacks.
class Tally {
 public:
  explicit Tally(int max_in_flight) : max_in_flight_(max_in_flight) {}

  void WaitForSlot() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return in_flight_ < max_in_flight_; });
    ++in_flight_;
  }
  void WaitAll() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return in_flight_ == 0; });
  }
  void Finish(const std::vector<size_t>& lines, const std::vector<rmq::SendResult>& results) {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 0; i < results.size(); ++i) {
      if (results[i]) {
        ++sent_;
      } else {
        ReportLocked(lines[i], results[i].error());
      }
    }
    --in_flight_;
    cv_.notify_all();
  }
  void Fail(size_t line, const Error& error) {
    std::lock_guard<std::mutex> lock(mu_);
    ReportLocked(line, error);
  }
  std::pair<uint64_t, uint64_t> Counts() {
    std::lock_guard<std::mutex> lock(mu_);
    return {sent_, failed_};
  }

 private:
  void ReportLocked(size_t line, const Error& error) {
    ++failed_;
    if (failed_ <= kMaxReportedFailures) {
      std::fprintf(stderr, "\r\033[Kinflow send: line %zu: %s%s\n", line, error.ToString().c_str(),
                   IsRetryable(error.code()) ? " (retryable)" : "");
    } else if (failed_ == kMaxReportedFailures + 1) {
      std::fprintf(stderr, "\r\033[Kinflow send: further failures are only counted\n");
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  int in_flight_ = 0;
  const int max_in_flight_;
  uint64_t sent_ = 0;
  uint64_t failed_ = 0;
};

double Rate(uint64_t n, Clock::time_point start) {
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  return secs > 0 ? static_cast<double>(n) / secs : 0.0;
}

int RunSend(const SendFlags& flags) {
  bool envelope = flags.format == "envelope";
  if (flags.topic.empty() && !envelope) {
    std::fprintf(stderr, "inflow send: --topic is required with --format raw\n");
    return kExitBadInput;
  }
  // Checked before any line is read: a mistake here would otherwise fail every line.
  if (Status st = ValidateHostPortList(flags.endpoint, "--endpoint"); !st) {
    std::fprintf(stderr, "inflow send: %s\n", st.error().message().c_str());
    return kExitBadInput;
  }
  if (!flags.topic.empty()) {
    if (Status st = ValidateTopicName(flags.topic, "--topic"); !st) {
      std::fprintf(stderr, "inflow send: %s\n", st.error().message().c_str());
      return kExitBadInput;
    }
  }
  if (flags.access_key.empty() != flags.secret_key.empty()) {
    std::fprintf(stderr, "inflow send: --access-key and --secret-key go together\n");
    return kExitBadInput;
  }
  SendDefaults defaults;
  defaults.topic = flags.topic;
  if (!flags.tag.empty()) defaults.tag = flags.tag;
  defaults.keys = SplitKeys(flags.keys);
  for (const auto& p : flags.properties) {
    size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::fprintf(stderr, "inflow send: --property '%s': expected NAME=VALUE\n", p.c_str());
      return kExitBadInput;
    }
    defaults.properties.emplace_back(p.substr(0, eq), p.substr(eq + 1));
  }

  auto in = TextInput::Open(flags.input);
  if (!in) {
    std::fprintf(stderr, "inflow send: %s\n", in.error().message().c_str());
    return kExitBadInput;
  }

  rmq::ProducerOptions options;
  options.namesrv = flags.endpoint;
  options.credentials = {flags.access_key, flags.secret_key};
  options.send_timeout = std::chrono::milliseconds(flags.timeout_ms);
  options.serialize_type =
      flags.binary_header ? rmq::SerializeType::kRocketMq : rmq::SerializeType::kJson;
  auto producer = rmq::Producer::Start(options);
  if (!producer) {
    std::fprintf(stderr, "inflow send: %s\n", producer.error().ToString().c_str());
    return kExitBadInput;
  }

  const bool tty = isatty(STDERR_FILENO) == 1;
  Tally tally(flags.max_in_flight);
  auto start = Clock::now();
  auto last_progress = start;
  std::vector<sink::Message> batch;
  std::vector<size_t> lines;
  auto submit = [&] {
    if (batch.empty()) return;
    tally.WaitForSlot();
    (*producer)->Send(std::move(batch),
                      [&tally, lines = std::move(lines)](std::vector<rmq::SendResult> results) {
                        tally.Finish(lines, results);
                      });
    batch = {};
    lines = {};
    if (tty && Clock::now() - last_progress >= std::chrono::milliseconds(500)) {
      last_progress = Clock::now();
      auto [sent, failed] = tally.Counts();
      std::fprintf(stderr, "\r\033[Ksent=%llu failed=%llu msgs/s=%.0f",
                   static_cast<unsigned long long>(sent), static_cast<unsigned long long>(failed),
                   Rate(sent, start));
    }
  };

  std::string line;
  size_t line_no = 0;
  Status read_status;
  for (;;) {
    auto more = in->ReadLine(&line);
    if (!more) read_status = Fail(more.error());
    if (!more || !*more) break;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    auto message = ParseSendLine(line, envelope, defaults);
    if (!message) {
      tally.Fail(line_no, message.error());
      continue;
    }
    batch.push_back(std::move(*message));
    lines.push_back(line_no);
    if (batch.size() >= static_cast<size_t>(flags.batch_size)) submit();
  }
  submit();
  tally.WaitAll();
  (*producer)->Shutdown();

  auto [sent, failed] = tally.Counts();
  if (tty) std::fprintf(stderr, "\r\033[K");
  std::fprintf(stderr, "sent=%llu failed=%llu msgs/s=%.0f\n", static_cast<unsigned long long>(sent),
               static_cast<unsigned long long>(failed), Rate(sent, start));
  if (!read_status) {
    std::fprintf(stderr, "inflow send: %s\n", read_status.error().message().c_str());
    return kExitBadInput;
  }
  return failed == 0 ? kExitOk : kExitFailure;
}

}  // namespace

Result<sink::Message> ParseSendLine(std::string_view line, bool envelope,
                                    const SendDefaults& defaults) {
  sink::Message m;
  m.topic = defaults.topic;
  m.tag = defaults.tag;
  m.keys = defaults.keys;
  m.properties = defaults.properties;
  if (!envelope) {
    m.body = std::string(line);
    INFLOW_RETURN_IF_ERROR(sink::rocketmq::ValidateMessage(m));
    return m;
  }
  auto parsed = ParseJson(line);
  if (!parsed) return Fail(ErrorCode::kInvalidArgument, "envelope: " + parsed.error().message());
  nlohmann::json j = std::move(*parsed);
  if (!j.is_object()) return Fail(ErrorCode::kInvalidArgument, "envelope: not a JSON object");
  auto body = j.find("body");
  if (body == j.end() || body->is_null()) {
    return Fail(ErrorCode::kInvalidArgument, "envelope.body: missing");
  }
  m.body = JsonText(*body);
  if (auto it = j.find("topic"); it != j.end() && !it->is_null()) {
    if (!it->is_string()) return Fail(ErrorCode::kInvalidArgument, "envelope.topic: not a string");
    m.topic = it->get<std::string>();
  }
  if (m.topic.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "envelope.topic: missing and no --topic given");
  }
  if (auto it = j.find("tag"); it != j.end() && !it->is_null()) {
    if (!it->is_string()) return Fail(ErrorCode::kInvalidArgument, "envelope.tag: not a string");
    m.tag = it->get<std::string>();
  }
  if (auto it = j.find("keys"); it != j.end() && !it->is_null()) {
    if (it->is_string()) {
      m.keys = SplitKeys(it->get_ref<const std::string&>());
    } else if (it->is_array()) {
      m.keys.clear();
      for (size_t i = 0; i < it->size(); ++i) {
        const auto& k = (*it)[i];
        if (!k.is_string()) {
          return Fail(ErrorCode::kInvalidArgument,
                      "envelope.keys[" + std::to_string(i) + "]: not a string");
        }
        m.keys.push_back(k.get<std::string>());
      }
    } else {
      return Fail(ErrorCode::kInvalidArgument, "envelope.keys: not a string or an array");
    }
  }
  if (auto it = j.find("properties"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) {
      return Fail(ErrorCode::kInvalidArgument, "envelope.properties: not an object");
    }
    for (const auto& [name, value] : it->items()) {
      if (value.is_null()) continue;
      auto existing = std::find_if(m.properties.begin(), m.properties.end(),
                                   [&](const auto& p) { return p.first == name; });
      if (existing != m.properties.end()) {
        existing->second = JsonText(value);
      } else {
        m.properties.emplace_back(name, JsonText(value));
      }
    }
  }
  // The producer's rule, checked per line here as `transform test` checks it per message.
  INFLOW_RETURN_IF_ERROR(sink::rocketmq::ValidateMessage(m));
  return m;
}

void AddSendCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<SendFlags>();
  CLI::App* cmd = app.add_subcommand(
      "send", "Send messages to RocketMQ, one per input line (raw body or JSON envelope)");
  cmd->add_option("--endpoint", flags->endpoint, "NameServer HOST:PORT (several: a;b)")->required();
  cmd->add_option("--topic", flags->topic, "topic (an envelope's \"topic\" overrides it)");
  cmd->add_option("--tag", flags->tag, "tag of every message");
  cmd->add_option("--keys", flags->keys, "space-separated keys of every message");
  // One value per occurrence: a vector option would otherwise swallow the positional FILE / -.
  cmd->add_option("--property", flags->properties, "user property NAME=VALUE (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--access-key", flags->access_key, "ACL access key");
  cmd->add_option("--secret-key", flags->secret_key, "ACL secret key");
  cmd->add_option("--format", flags->format, "raw: the line is the body; envelope: JSON")
      ->check(CLI::IsMember({"raw", "envelope"}));
  cmd->add_option("--timeout-ms", flags->timeout_ms, "per-message send budget, retries included")
      ->check(CLI::Range(1, 3600000));
  cmd->add_option("--batch-size", flags->batch_size, "messages handed to the producer at once")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--max-in-flight", flags->max_in_flight, "batches awaiting acknowledgement")
      ->check(CLI::Range(1, 1024));
  cmd->add_flag("--binary-header", flags->binary_header,
                "encode request headers in RocketMQ's binary form instead of JSON");
  cmd->add_option("input", flags->input, "FILE, or - for standard input (default)");
  cmd->callback([flags, exit_code] { *exit_code = RunSend(*flags); });
}

}  // namespace inflow::cli
