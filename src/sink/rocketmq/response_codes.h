// Every RocketMQ remoting response code, classified once: what a send outcome means for the
// producer (done, stored with a warning, retry elsewhere, give up) and which inflow ErrorCode
// reports it. The producer and the CLI interpret codes only through this file.
//
// Thread safety: pure functions.
#ifndef INFLOW_SINK_ROCKETMQ_RESPONSE_CODES_H_
#define INFLOW_SINK_ROCKETMQ_RESPONSE_CODES_H_

#include <cstdint>
#include <string_view>

#include "common/error.h"

namespace inflow::sink::rocketmq {

enum class ResponseClass {
  kOk,           // SUCCESS
  kStoredNotOk,  // the message was stored, but flush or replication lagged (10, 11, 12)
  kRetryable,    // transient: retry, preferably on another broker
  kFatal,        // deterministic: retrying the same request cannot succeed
};

struct ResponseInfo {
  std::string_view name;  // the Java constant, "UNKNOWN" for codes we do not know
  ResponseClass cls;
  ErrorCode error;  // the code to report when this is (finally) a failure
};

ResponseInfo ClassifyResponse(int32_t code);

// The error for a failed response: the class refined by the remark (an authentication failure
// reported as NO_PERMISSION or SYSTEM_ERROR is kUnauthenticated; a size violation reported as
// MESSAGE_ILLEGAL is kResourceExhausted). The message names the code, the peer and the remark.
Error ResponseError(int32_t code, std::string_view remark, std::string_view peer);

// True when the error a response produced is worth retrying on another queue or broker.
bool IsRetryableResponse(int32_t code, std::string_view remark);

}  // namespace inflow::sink::rocketmq

#endif  // INFLOW_SINK_ROCKETMQ_RESPONSE_CODES_H_
