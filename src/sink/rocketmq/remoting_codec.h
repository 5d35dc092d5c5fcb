// The RocketMQ remoting wire format: one RemotingCommand per length-prefixed frame, with a JSON
// (serialize type 0) or a compact binary "ROCKETMQ" (type 1) header. Encoding picks one type;
// decoding accepts both, because a server answers in its own configured type, not the
// request's. FORMAT.md beside this file describes the bytes.
//
// Decoding is total: any byte string yields either a command or an error naming the field and
// offset, never a crash or an exception.
//
// Thread safety: free functions over value types.
#ifndef INFLOW_SINK_ROCKETMQ_REMOTING_CODEC_H_
#define INFLOW_SINK_ROCKETMQ_REMOTING_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace inflow::sink::rocketmq {

enum class SerializeType : uint8_t { kJson = 0, kRocketMq = 1 };

// Request codes used by the producer.
inline constexpr int32_t kGetRouteInfoByTopic = 105;
inline constexpr int32_t kSendMessageV2 = 310;
inline constexpr int32_t kSendBatchMessage = 320;
inline constexpr int32_t kRequestCodeNotSupported = 3;

// LanguageCode ordinal of C++ clients; the JSON header carries the name instead.
inline constexpr uint8_t kLanguageCpp = 1;
// The client version we announce: V5_3_3. >= 401 makes name servers answer route queries in
// standard JSON, > 477 lets a stopping server warn us with GO_AWAY.
inline constexpr int32_t kClientVersion = 479;
// The server's default frame limit (com.rocketmq.remoting.frameMaxLength).
inline constexpr size_t kDefaultMaxFrame = 16 * 1024 * 1024;

inline constexpr int32_t kFlagResponse = 1 << 0;
inline constexpr int32_t kFlagOneway = 1 << 1;

struct RemotingCommand {
  int32_t code = 0;
  uint8_t language = kLanguageCpp;
  int32_t version = kClientVersion;
  int32_t opaque = 0;
  int32_t flag = 0;
  std::optional<std::string> remark;
  // The "custom header": every value is text on the wire. Order is kept as given.
  std::vector<std::pair<std::string, std::string>> ext_fields;
  std::string body;

  bool IsResponse() const { return (flag & kFlagResponse) != 0; }
  bool IsOneway() const { return (flag & kFlagOneway) != 0; }
  // The value of an ext field, or nullptr when absent.
  const std::string* Field(std::string_view name) const;

  bool operator==(const RemotingCommand&) const = default;
};

// The JSON name of a LanguageCode ordinal ("CPP"), "OTHER" when out of range.
std::string_view LanguageName(uint8_t code);

// Appends one whole frame (length prefix included) to *out.
void AppendFrame(const RemotingCommand& cmd, SerializeType type, std::string* out);
std::string EncodeFrame(const RemotingCommand& cmd, SerializeType type);

// Looks at the start of a receive buffer. Returns the size of the first whole frame (length
// prefix included) when the buffer holds all of it, std::nullopt when more bytes are needed,
// or an error when the length field is impossible (< 4 or > max_frame).
Result<std::optional<size_t>> PeekFrameSize(std::string_view buffer,
                                            size_t max_frame = kDefaultMaxFrame);

// Decodes one frame without its 4-byte length prefix: [headerLenAndType][header][body].
Result<RemotingCommand> DecodeFrameContent(std::string_view content);

// Decodes one whole frame, length prefix included; the length must match the input exactly.
Result<RemotingCommand> DecodeFrame(std::string_view frame);

// Appends s as a JSON string literal (quotes included). Control characters become \u00XX;
// other bytes are copied, so UTF-8 passes through unchanged.
void AppendJsonString(std::string_view s, std::string* out);

}  // namespace inflow::sink::rocketmq

#endif  // INFLOW_SINK_ROCKETMQ_REMOTING_CODEC_H_
