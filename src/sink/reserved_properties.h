// The user-property names RocketMQ keeps for itself: MessageConst (5.x) names the broker or the
// client interpret (ref-rocketmq.md §2.2), plus __SHARDINGKEY and the __RMQ.TRANSIENT.* prefix.
// A message carrying one as a user property would change how RocketMQ treats it, so both the
// renderer (sink section validation) and the producer refuse them. Internal to the sink module.
//
// Thread safety: constants and a pure function.
#ifndef INFLOW_SINK_RESERVED_PROPERTIES_H_
#define INFLOW_SINK_RESERVED_PROPERTIES_H_

#include <algorithm>
#include <iterator>
#include <string_view>

namespace inflow::sink {

// Names from MessageConst (5.x) that the broker or the client interpret, plus __SHARDINGKEY
// (a 5.x FIFO group marker that would silently change the message type).
inline constexpr std::string_view kRocketMqReservedProperties[] = {"KEYS",
                                                                   "TAGS",
                                                                   "WAIT",
                                                                   "DELAY",
                                                                   "RETRY_TOPIC",
                                                                   "REAL_TOPIC",
                                                                   "REAL_QID",
                                                                   "TRAN_MSG",
                                                                   "PGROUP",
                                                                   "MIN_OFFSET",
                                                                   "MAX_OFFSET",
                                                                   "BUYER_ID",
                                                                   "ORIGIN_MESSAGE_ID",
                                                                   "TRANSFER_FLAG",
                                                                   "CORRECTION_FLAG",
                                                                   "MQ2_FLAG",
                                                                   "RECONSUME_TIME",
                                                                   "MSG_REGION",
                                                                   "TRACE_ON",
                                                                   "UNIQ_KEY",
                                                                   "MAX_RECONSUME_TIMES",
                                                                   "CONSUME_START_TIME",
                                                                   "POP_CK",
                                                                   "POP_CK_OFFSET",
                                                                   "1ST_POP_TIME",
                                                                   "TRAN_PREPARED_QUEUE_OFFSET",
                                                                   "DUP_INFO",
                                                                   "EXTEND_UNIQ_INFO",
                                                                   "INSTANCE_ID",
                                                                   "CORRELATION_ID",
                                                                   "REPLY_TO_CLIENT",
                                                                   "TTL",
                                                                   "ARRIVE_TIME",
                                                                   "PUSH_REPLY_TIME",
                                                                   "CLUSTER",
                                                                   "MSG_TYPE",
                                                                   "INNER_MULTI_QUEUE_OFFSET",
                                                                   "INNER_MULTI_DISPATCH",
                                                                   "_CATCHUP_DEADLINE_",
                                                                   "TIMER_OUT_MS",
                                                                   "TIMER_ENQUEUE_MS",
                                                                   "TIMER_DEQUEUE_MS",
                                                                   "TIMER_ROLL_TIMES",
                                                                   "TIMER_DELETE_UNIQKEY",
                                                                   "TIMER_DELAY_LEVEL",
                                                                   "TIMER_DELIVER_MS",
                                                                   "TIMER_DELAY_SEC",
                                                                   "TIMER_DELAY_MS",
                                                                   "__BORNHOST",
                                                                   "BORN_TIMESTAMP",
                                                                   "TRACE_CONTEXT",
                                                                   "__CRC32#",
                                                                   "DLQ_ORIGIN_TOPIC",
                                                                   "DLQ_ORIGIN_MESSAGE_ID",
                                                                   "__transactionId__",
                                                                   "TRANSACTION_CHECK_TIMES",
                                                                   "CHECK_IMMUNITY_TIME_IN_SECONDS",
                                                                   "INNER_NUM",
                                                                   "INNER_BASE",
                                                                   "__SHARDINGKEY",
                                                                   "__RMQ.TRANSIENT."};

inline bool IsRocketMqReservedProperty(std::string_view name) {
  if (name.starts_with("__RMQ.TRANSIENT.")) return true;
  return std::find(std::begin(kRocketMqReservedProperties), std::end(kRocketMqReservedProperties),
                   name) != std::end(kRocketMqReservedProperties);
}

}  // namespace inflow::sink

#endif  // INFLOW_SINK_RESERVED_PROPERTIES_H_
