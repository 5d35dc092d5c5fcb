// How one message travels inside a RocketMQ send request: the properties string, the batch
// body, the client message id (UNIQ_KEY), zlib body compression and the checks the broker
// would otherwise reject late (topic names, reserved property names, size limits).
//
// Thread safety: free functions are pure. UniqKeyGenerator is not thread-safe: one per
// producer, used from its I/O thread.
#ifndef INFLOW_SINK_ROCKETMQ_MESSAGE_CODEC_H_
#define INFLOW_SINK_ROCKETMQ_MESSAGE_CODEC_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "sink/message.h"

namespace inflow::sink::rocketmq {

using Properties = std::vector<std::pair<std::string, std::string>>;

inline constexpr char kNameValueSeparator = '\x01';
inline constexpr char kPropertySeparator = '\x02';
// Stored as an int16 by the broker.
inline constexpr size_t kMaxPropertiesBytes = 32767;
inline constexpr size_t kMaxTopicLength = 127;

// sysFlag bits the producer sets.
inline constexpr int32_t kSysFlagCompressed = 0x1;
inline constexpr int32_t kSysFlagZlib = 0x300;

// Appends "name\x01value\x02".
void AppendProperty(std::string_view name, std::string_view value, std::string* out);
std::string EncodeProperties(const Properties& properties);
// Decodes like the Java client: segments shorter than 3 bytes, or with an empty name or value,
// are skipped; never fails.
Properties DecodeProperties(std::string_view encoded);

// True for names the broker or the Java client reserve (KEYS, TAGS, UNIQ_KEY, DELAY, ...).
bool IsReservedProperty(std::string_view name);

// Topic names: 1..127 bytes of [A-Za-z0-9_%|-]. The error names the topic.
Status ValidateTopic(std::string_view topic);

// Checks a message before encoding: topic, then ValidateMessageFields. The error names the field.
Status ValidateMessage(const Message& message);
// Everything ValidateMessage checks but the topic: non-empty body, tag, keys and unique key
// without separator characters, user property names non-empty and not reserved. The one rule
// for what RocketMQ accepts, shared by the producer, `inflow send` and `inflow transform test`.
Status ValidateMessageFields(const Message& message);

// The properties string of one message: user properties, KEYS, TAGS, WAIT=true and UNIQ_KEY
// (`uniq_key`: the message's unique_key when it has one, else a generated key).
// Fails with kResourceExhausted past kMaxPropertiesBytes.
Result<std::string> BuildProperties(const Message& message, std::string_view uniq_key);

// Appends one entry of a SEND_BATCH_MESSAGE body:
// [totalSize][magic 0][bodyCRC 0][flag][bodyLen][body][int16 propLen][properties].
void AppendBatchEntry(std::string_view body, std::string_view properties, int32_t flag,
                      std::string* out);
// The size AppendBatchEntry adds.
inline size_t BatchEntrySize(size_t body, size_t properties) { return 22 + body + properties; }

struct BatchEntryView {
  int32_t flag = 0;
  std::string_view body;
  std::string_view properties;
};
// Splits a batch body back into entries (used by tests and the fuzzer); errors name the offset.
Result<std::vector<BatchEntryView>> DecodeBatchBody(std::string_view body);

// zlib (RFC 1950) stream at the given level, as java.util.zip.Deflater writes it.
Result<std::string> ZlibCompress(std::string_view data, int level = 5);
// Inflates at most max_output bytes; larger output is kResourceExhausted.
Result<std::string> ZlibDecompress(std::string_view data, size_t max_output);

// Generates UNIQ_KEYs in the Java client's layout, 32 upper-case hex digits:
// [IPv4 4][pid low 16 bits 2][random 4][ms since the start of the month, local time 4][counter 2].
class UniqKeyGenerator {
 public:
  // Uses this host's first non-loopback IPv4 address (else 127.0.0.1), the pid and a random salt.
  UniqKeyGenerator();
  UniqKeyGenerator(std::array<uint8_t, 4> ip, uint16_t pid, uint32_t salt);

  std::string Next();
  std::string NextAt(std::chrono::system_clock::time_point now);

 private:
  std::string prefix_;  // hex of ip, pid and salt
  int64_t month_start_ms_ = 0;
  int64_t next_month_start_ms_ = 0;
  uint16_t counter_ = 0;
};

struct UniqKeyParts {
  std::array<uint8_t, 4> ip{};
  uint16_t pid = 0;
  uint32_t salt = 0;
  uint32_t ms_in_month = 0;
  uint16_t counter = 0;
};
Result<UniqKeyParts> ParseUniqKey(std::string_view key);

}  // namespace inflow::sink::rocketmq

#endif  // INFLOW_SINK_ROCKETMQ_MESSAGE_CODEC_H_
