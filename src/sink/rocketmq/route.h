// A topic's route as the NameServer reports it (GET_ROUTEINFO_BY_TOPIC), reduced to what a
// producer needs: the writable queues and each broker's master address.
//
// The parser is tolerant: name servers older than 4.9.4 write broker-id map keys unquoted
// ({0:"host:port"}), which is not JSON; those keys are quoted before parsing.
//
// Thread safety: value types and pure functions.
#ifndef INFLOW_SINK_ROCKETMQ_ROUTE_H_
#define INFLOW_SINK_ROCKETMQ_ROUTE_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace inflow::sink::rocketmq {

inline constexpr int kPermWrite = 2;
inline constexpr int kPermRead = 4;

struct PublishQueue {
  std::string broker_name;
  int32_t queue_id = 0;
  bool operator==(const PublishQueue&) const = default;
};

struct TopicRoute {
  std::string topic;
  // Writable queues in the Java client's order (brokers sorted by name, ids ascending), or the
  // order given by orderTopicConf.
  std::vector<PublishQueue> queues;
  // broker name -> master (broker id 0) address "host:port".
  std::map<std::string, std::string> master_addrs;
};

// Quotes integer object keys outside string literals: {0:"a",-1:"b"} -> {"0":"a","-1":"b"}.
std::string QuoteIntegerKeys(std::string_view json);

// More publish queues than any cluster has (brokers × queues per broker): a route that lists
// more is corrupt, and honouring it would let a few KB of body allocate without bound.
inline constexpr size_t kMaxPublishQueues = 65536;

// Parses a TopicRouteData body. Fails with kDataLoss on malformed JSON (naming the field) or
// more than kMaxPublishQueues writable queues, and with kNotFound when the topic has no writable
// queue on a broker with a master.
Result<TopicRoute> ParseTopicRoute(std::string_view topic, std::string_view body);

}  // namespace inflow::sink::rocketmq

#endif  // INFLOW_SINK_ROCKETMQ_ROUTE_H_
