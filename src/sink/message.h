// Message: one RocketMQ message as the sink will send it — the output of message rendering
// (sink/render.h) and the input of a producer (sink/rocketmq/producer.h).
//
// Thread safety: a value type.
#ifndef INFLOW_SINK_MESSAGE_H_
#define INFLOW_SINK_MESSAGE_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace inflow::sink {

struct Message {
  std::string topic;
  std::string body;  // bytes, sent as is (the producer may compress on the wire)
  std::optional<std::string> tag;
  std::vector<std::string> keys;  // sent as the KEYS property, joined by a single space
  // User properties, in order. Names reserved by RocketMQ (KEYS, TAGS, UNIQ_KEY, …) are refused
  // by the producer with an error naming the property.
  std::vector<std::pair<std::string, std::string>> properties;
  // With orderly delivery: messages with equal sharding keys go to one queue, in order.
  std::optional<std::string> sharding_key;
  // The message's unique key — RocketMQ's UNIQ_KEY property, the broker's message-id index and
  // the id consumers see (MessageExt.getMsgId()). Unset: the producer generates one, as the Java
  // client does. Set by a properties template member named UNIQ_KEY (sink/render.h).
  std::optional<std::string> unique_key;

  bool operator==(const Message&) const = default;
};

}  // namespace inflow::sink

#endif  // INFLOW_SINK_MESSAGE_H_
