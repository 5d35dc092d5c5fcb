#include "sink/rocketmq/response_codes.h"

#include <gtest/gtest.h>

namespace inflow::sink::rocketmq {
namespace {

TEST(ResponseCodes, ClassifiesSendOutcomes) {
  EXPECT_EQ(ClassifyResponse(0).cls, ResponseClass::kOk);
  for (int code : {10, 11, 12}) {
    EXPECT_EQ(ClassifyResponse(code).cls, ResponseClass::kStoredNotOk) << code;
  }
  // The Java producer's retryResponseCodes, minus NO_PERMISSION (deterministic ACL).
  for (int code : {1, 2, 14, 17, 204, 205, 1500, 215, 501}) {
    EXPECT_EQ(ClassifyResponse(code).cls, ResponseClass::kRetryable) << code;
  }
  for (int code : {3, 4, 13, 15, 16, 18, 29, 604, 3001, 3002}) {
    EXPECT_EQ(ClassifyResponse(code).cls, ResponseClass::kFatal) << code;
  }
  EXPECT_EQ(ClassifyResponse(12345).name, "UNKNOWN");
  EXPECT_EQ(ClassifyResponse(12345).cls, ResponseClass::kFatal);
}

TEST(ResponseCodes, NamesEveryKnownCode) {
  int known[] = {0,   1,   2,   3,   4,   10,  11,  12,  13,  14,  15,  16,  17,   18,   19,
                 20,  21,  22,  23,  24,  25,  26,  27,  28,  29,  200, 201, 202,  203,  204,
                 205, 206, 207, 208, 209, 210, 211, 212, 213, 215, 501, 604, 1500, 3001, 3002};
  for (int code : known) EXPECT_NE(ClassifyResponse(code).name, "UNKNOWN") << code;
  for (int code = 2000; code <= 2016; ++code) {
    EXPECT_NE(ClassifyResponse(code).name, "UNKNOWN") << code;
  }
}

TEST(ResponseCodes, MapsToInflowErrorCodes) {
  EXPECT_EQ(ResponseError(2, "[TIMEOUT_CLEAN_QUEUE]broker busy", "b:1").code(),
            ErrorCode::kUnavailable);
  EXPECT_TRUE(IsRetryable(ResponseError(14, "", "b:1").code()));
  EXPECT_EQ(ResponseError(17, "topic[X] not exist, apply first please!", "b:1").code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(ResponseError(13, "the message body size over max value, MAX: 4194304", "b:1").code(),
            ErrorCode::kResourceExhausted);
  EXPECT_EQ(ResponseError(13, "illegal tag", "b:1").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ResponseError(16, "check signature failed", "b:1").code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(ResponseError(16, "User:nobody is not found.", "b:1").code(),
            ErrorCode::kUnauthenticated);
  EXPECT_EQ(ResponseError(16, "topic T not allowed to pub", "b:1").code(),
            ErrorCode::kPermissionDenied);
  EXPECT_FALSE(IsRetryableResponse(1, "AuthenticationException: check signature failed"));
  EXPECT_TRUE(IsRetryableResponse(1, "store error"));
  Error e = ResponseError(2, "busy", "127.0.0.1:10911");
  EXPECT_EQ(e.message(), "broker 127.0.0.1:10911 answered SYSTEM_BUSY (2): busy");
}

}  // namespace
}  // namespace inflow::sink::rocketmq
