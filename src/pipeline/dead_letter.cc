#include "pipeline/dead_letter.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <future>
#include <memory>

#include "changelog/cloudevent.h"
#include "common/json_text.h"

namespace inflow::pipeline {

sink::Message DeadLetterMessage(const DeadLetter& letter, const std::string& topic) {
  sink::Message m;
  m.topic = topic;
  m.body = letter.original_event;
  m.properties = {
      {"inflow_task", letter.task},
      {"inflow_event_id", letter.event_id},
      {"inflow_error_code", std::string(ErrorCodeName(letter.error.code()))},
      {"inflow_error_message", letter.error.message()},
      {"inflow_attempts", std::to_string(letter.attempts)},
      {"inflow_first_failure_time", changelog::FormatRfc3339(letter.first_failure_ms)},
  };
  return m;
}

std::string EncodeEnvelope(const sink::Message& message) {
  std::string out = "{\"topic\":";
  AppendJsonString(&out, message.topic);
  out += ",\"body\":";
  AppendJsonString(&out, message.body);
  if (message.tag) {
    out += ",\"tag\":";
    AppendJsonString(&out, *message.tag);
  }
  if (!message.keys.empty()) {
    out += ",\"keys\":[";
    for (size_t i = 0; i < message.keys.size(); ++i) {
      if (i > 0) out += ',';
      AppendJsonString(&out, message.keys[i]);
    }
    out += ']';
  }
  if (!message.properties.empty()) {
    out += ",\"properties\":{";
    for (size_t i = 0; i < message.properties.size(); ++i) {
      if (i > 0) out += ',';
      AppendJsonString(&out, message.properties[i].first);
      out += ':';
      AppendJsonString(&out, message.properties[i].second);
    }
    out += '}';
  }
  out += '}';
  return out;
}

namespace {

class FileQueue : public DeadLetterQueue {
 public:
  FileQueue(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~FileQueue() override { ::close(fd_); }

  Status Write(const DeadLetter& letter) override {
    std::string line = EncodeEnvelope(DeadLetterMessage(letter, letter.topic));
    if (!IsValidUtf8(line)) {
      // A body that is not UTF-8 cannot be a JSON string; the CloudEvent always is.
      return Fail(InvalidArgument("dead letter for " + letter.event_id + " is not UTF-8"));
    }
    line += '\n';
    const char* p = line.data();
    size_t left = line.size();
    while (left > 0) {
      ssize_t n = ::write(fd_, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Fail(IoError("dead-letter file " + path_ + ": " + std::strerror(errno)));
      p += n;
      left -= static_cast<size_t>(n);
    }
    if (::fdatasync(fd_) != 0) {
      return Fail(IoError("dead-letter file " + path_ + ": fdatasync: " + std::strerror(errno)));
    }
    return Ok();
  }

 private:
  std::string path_;
  int fd_;
};

class SinkQueue : public DeadLetterQueue {
 public:
  SinkQueue(sink::Sink* sink, std::string topic, std::chrono::milliseconds timeout)
      : sink_(sink), topic_(std::move(topic)), timeout_(timeout) {}

  Status Write(const DeadLetter& letter) override {
    // Shared with the callback, which may run after a timed-out Write has returned.
    auto promise = std::make_shared<std::promise<std::vector<sink::SendOutcome>>>();
    auto future = promise->get_future();
    sink_->Send({DeadLetterMessage(letter, topic_)},
                [promise](std::vector<sink::SendOutcome> outcomes) {
                  promise->set_value(std::move(outcomes));
                });
    if (future.wait_for(timeout_) != std::future_status::ready) {
      return Fail(ErrorCode::kTimeout, "dead-letter topic " + topic_ + ": no acknowledgement");
    }
    std::vector<sink::SendOutcome> results = future.get();
    if (results.size() != 1) return Fail(Internal("dead-letter send returned no result"));
    if (!results[0].ok()) {
      return Fail(results[0].error().WithContext("dead-letter topic " + topic_));
    }
    return Ok();
  }

 private:
  sink::Sink* sink_;
  std::string topic_;
  std::chrono::milliseconds timeout_;
};

}  // namespace

Result<std::unique_ptr<DeadLetterQueue>> OpenFileDeadLetterQueue(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Fail(IoError("dead-letter file " + path + ": " + std::strerror(errno)));
  }
  return std::unique_ptr<DeadLetterQueue>(new FileQueue(path, fd));
}

std::unique_ptr<DeadLetterQueue> MakeSinkDeadLetterQueue(sink::Sink* sink, std::string topic,
                                                         std::chrono::milliseconds timeout) {
  return std::make_unique<SinkQueue>(sink, std::move(topic), timeout);
}

}  // namespace inflow::pipeline
