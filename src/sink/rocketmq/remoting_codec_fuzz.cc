// Fuzzes everything the producer decodes from the network: frame splitting, both header types,
// route JSON, properties and batch bodies. Any input must yield a value or an error.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sink/rocketmq/message_codec.h"
#include "sink/rocketmq/remoting_codec.h"
#include "sink/rocketmq/route.h"

using namespace inflow::sink::rocketmq;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  // As a byte stream from a broker: split into frames, decode each.
  std::string_view rest = in;
  while (true) {
    auto frame_size = PeekFrameSize(rest, 1 << 20);
    if (!frame_size || !*frame_size) break;
    auto cmd = DecodeFrameContent(rest.substr(4, **frame_size - 4));
    if (cmd) {
      (void)cmd->Field("msgId");
      (void)ParseTopicRoute("T", cmd->body);
      (void)EncodeFrame(*cmd, SerializeType::kRocketMq);
    }
    rest.remove_prefix(**frame_size);
  }
  (void)DecodeFrameContent(in);
  (void)ParseTopicRoute("T", in);
  (void)DecodeProperties(in);
  (void)DecodeBatchBody(in);
  return 0;
}
