#include "sink/rocketmq/response_codes.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace inflow::sink::rocketmq {
namespace {

using C = ResponseClass;
using E = ErrorCode;

bool ContainsNoCase(std::string_view haystack, std::string_view needle) {
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                        [](char a, char b) {
                          return std::tolower(static_cast<unsigned char>(a)) ==
                                 std::tolower(static_cast<unsigned char>(b));
                        });
  return it != haystack.end();
}

bool LooksLikeAuthFailure(std::string_view remark) {
  return ContainsNoCase(remark, "authentication") || ContainsNoCase(remark, "signature") ||
         ContainsNoCase(remark, "accesskey") || ContainsNoCase(remark, "access key") ||
         ContainsNoCase(remark, "user not exist") || ContainsNoCase(remark, "username") ||
         // ACL 2.0: "User:nobody is not found."
         (ContainsNoCase(remark, "user") && ContainsNoCase(remark, "not found"));
}

bool LooksLikeSizeLimit(std::string_view remark) {
  return ContainsNoCase(remark, "size") || ContainsNoCase(remark, "too long") ||
         ContainsNoCase(remark, "length") || ContainsNoCase(remark, "exceed");
}

}  // namespace

ResponseInfo ClassifyResponse(int32_t code) {
  switch (code) {
    case 0:
      return {"SUCCESS", C::kOk, E::kInternal};
    case 1:
      return {"SYSTEM_ERROR", C::kRetryable, E::kUnavailable};
    case 2:
      return {"SYSTEM_BUSY", C::kRetryable, E::kUnavailable};
    case 3:
      return {"REQUEST_CODE_NOT_SUPPORTED", C::kFatal, E::kFailedPrecondition};
    case 4:
      return {"TRANSACTION_FAILED", C::kFatal, E::kAborted};
    case 10:
      return {"FLUSH_DISK_TIMEOUT", C::kStoredNotOk, E::kTimeout};
    case 11:
      return {"SLAVE_NOT_AVAILABLE", C::kStoredNotOk, E::kUnavailable};
    case 12:
      return {"FLUSH_SLAVE_TIMEOUT", C::kStoredNotOk, E::kTimeout};
    case 13:
      return {"MESSAGE_ILLEGAL", C::kFatal, E::kInvalidArgument};
    case 14:
      return {"SERVICE_NOT_AVAILABLE", C::kRetryable, E::kUnavailable};
    case 15:
      return {"VERSION_NOT_SUPPORTED", C::kFatal, E::kFailedPrecondition};
    // The Java client retries 16 on another broker; a permission is a deterministic setting of
    // the broker, and retrying only delays the clear answer.
    case 16:
      return {"NO_PERMISSION", C::kFatal, E::kPermissionDenied};
    // A broker that lost the topic while our route still lists it: another broker may have it.
    // If every attempt says so, the topic does not exist: kNotFound.
    case 17:
      return {"TOPIC_NOT_EXIST", C::kRetryable, E::kNotFound};
    case 18:
      return {"TOPIC_EXIST_ALREADY", C::kFatal, E::kAlreadyExists};
    case 19:
      return {"PULL_NOT_FOUND", C::kFatal, E::kNotFound};
    case 20:
      return {"PULL_RETRY_IMMEDIATELY", C::kRetryable, E::kUnavailable};
    case 21:
      return {"PULL_OFFSET_MOVED", C::kFatal, E::kOutOfRange};
    case 22:
      return {"QUERY_NOT_FOUND", C::kFatal, E::kNotFound};
    case 23:
      return {"SUBSCRIPTION_PARSE_FAILED", C::kFatal, E::kInvalidArgument};
    case 24:
      return {"SUBSCRIPTION_NOT_EXIST", C::kFatal, E::kNotFound};
    case 25:
      return {"SUBSCRIPTION_NOT_LATEST", C::kRetryable, E::kUnavailable};
    case 26:
      return {"SUBSCRIPTION_GROUP_NOT_EXIST", C::kFatal, E::kNotFound};
    case 27:
      return {"FILTER_DATA_NOT_EXIST", C::kFatal, E::kNotFound};
    case 28:
      return {"FILTER_DATA_NOT_LATEST", C::kRetryable, E::kUnavailable};
    case 29:
      return {"INVALID_PARAMETER", C::kFatal, E::kInvalidArgument};
    case 200:
      return {"TRANSACTION_SHOULD_COMMIT", C::kFatal, E::kFailedPrecondition};
    case 201:
      return {"TRANSACTION_SHOULD_ROLLBACK", C::kFatal, E::kAborted};
    case 202:
      return {"TRANSACTION_STATE_UNKNOW", C::kFatal, E::kFailedPrecondition};
    case 203:
      return {"TRANSACTION_STATE_GROUP_WRONG", C::kFatal, E::kFailedPrecondition};
    case 204:
      return {"NO_BUYER_ID", C::kRetryable, E::kUnavailable};
    case 205:
      return {"NOT_IN_CURRENT_UNIT", C::kRetryable, E::kUnavailable};
    case 206:
      return {"CONSUMER_NOT_ONLINE", C::kFatal, E::kFailedPrecondition};
    case 207:
      return {"CONSUME_MSG_TIMEOUT", C::kRetryable, E::kTimeout};
    case 208:
      return {"NO_MESSAGE", C::kFatal, E::kNotFound};
    case 209:
      return {"POLLING_FULL", C::kRetryable, E::kUnavailable};
    case 210:
      return {"POLLING_TIMEOUT", C::kRetryable, E::kTimeout};
    case 211:
      return {"BROKER_NOT_EXIST", C::kRetryable, E::kUnavailable};
    case 212:
      return {"BROKER_DISPATCH_NOT_COMPLETE", C::kRetryable, E::kUnavailable};
    case 213:
      return {"BROADCAST_CONSUMPTION", C::kFatal, E::kFailedPrecondition};
    case 215:
      return {"FLOW_CONTROL", C::kRetryable, E::kUnavailable};
    case 501:
      return {"NOT_LEADER_FOR_QUEUE", C::kRetryable, E::kUnavailable};
    case 604:
      return {"ILLEGAL_OPERATION", C::kFatal, E::kFailedPrecondition};
    // Client-side pseudo codes of the Java client, should a proxy forward them.
    case -1000:
      return {"RPC_UNKNOWN", C::kRetryable, E::kUnavailable};
    case -1002:
      return {"RPC_ADDR_IS_NULL", C::kRetryable, E::kUnavailable};
    case -1004:
      return {"RPC_SEND_TO_CHANNEL_FAILED", C::kRetryable, E::kUnavailable};
    case -1006:
      return {"RPC_TIME_OUT", C::kRetryable, E::kTimeout};
    case 1500:
      return {"GO_AWAY", C::kRetryable, E::kUnavailable};
    // Controller codes: leadership and replica changes in progress.
    case 2000:
      return {"CONTROLLER_FENCED_MASTER_EPOCH", C::kRetryable, E::kUnavailable};
    case 2001:
      return {"CONTROLLER_FENCED_SYNC_STATE_SET_EPOCH", C::kRetryable, E::kUnavailable};
    case 2002:
      return {"CONTROLLER_INVALID_MASTER", C::kRetryable, E::kUnavailable};
    case 2003:
      return {"CONTROLLER_INVALID_REPLICAS", C::kRetryable, E::kUnavailable};
    case 2004:
      return {"CONTROLLER_MASTER_NOT_AVAILABLE", C::kRetryable, E::kUnavailable};
    case 2005:
      return {"CONTROLLER_INVALID_REQUEST", C::kFatal, E::kInvalidArgument};
    case 2006:
      return {"CONTROLLER_BROKER_NOT_ALIVE", C::kRetryable, E::kUnavailable};
    case 2007:
      return {"CONTROLLER_NOT_LEADER", C::kRetryable, E::kUnavailable};
    case 2008:
      return {"CONTROLLER_BROKER_METADATA_NOT_EXIST", C::kFatal, E::kNotFound};
    case 2009:
      return {"CONTROLLER_INVALID_CLEAN_BROKER_METADATA", C::kFatal, E::kInvalidArgument};
    case 2010:
      return {"CONTROLLER_BROKER_NEED_TO_BE_REGISTERED", C::kRetryable, E::kUnavailable};
    case 2011:
      return {"CONTROLLER_MASTER_STILL_EXIST", C::kRetryable, E::kUnavailable};
    case 2012:
      return {"CONTROLLER_ELECT_MASTER_FAILED", C::kRetryable, E::kUnavailable};
    case 2013:
      return {"CONTROLLER_ALTER_SYNC_STATE_SET_FAILED", C::kRetryable, E::kUnavailable};
    case 2014:
      return {"CONTROLLER_BROKER_ID_INVALID", C::kFatal, E::kInvalidArgument};
    case 2015:
      return {"CONTROLLER_JRAFT_INTERNAL_ERROR", C::kRetryable, E::kUnavailable};
    case 2016:
      return {"CONTROLLER_BROKER_LIVE_INFO_NOT_EXISTS", C::kRetryable, E::kUnavailable};
    case 3001:
      return {"USER_NOT_EXIST", C::kFatal, E::kUnauthenticated};
    case 3002:
      return {"POLICY_NOT_EXIST", C::kFatal, E::kPermissionDenied};
  }
  // A code this client does not know: never guess that repeating it helps.
  return {"UNKNOWN", C::kFatal, E::kInternal};
}

Error ResponseError(int32_t code, std::string_view remark, std::string_view peer) {
  ResponseInfo info = ClassifyResponse(code);
  ErrorCode ec = info.error;
  if ((code == 16 || code == 1 || code == 3001) && LooksLikeAuthFailure(remark)) {
    ec = ErrorCode::kUnauthenticated;
  } else if (code == 13 && LooksLikeSizeLimit(remark)) {
    ec = ErrorCode::kResourceExhausted;
  }
  std::string message = "broker " + std::string(peer) + " answered " + std::string(info.name) +
                        " (" + std::to_string(code) + ")";
  if (!remark.empty()) {
    message += ": ";
    message += remark;
  }
  return Error(ec, std::move(message));
}

bool IsRetryableResponse(int32_t code, std::string_view remark) {
  if (code == 1 && LooksLikeAuthFailure(remark)) return false;
  return ClassifyResponse(code).cls == ResponseClass::kRetryable;
}

}  // namespace inflow::sink::rocketmq
