#include "common/error.h"

#include <gtest/gtest.h>

#include "common/result.h"

namespace inflow {
namespace {

Result<int> Half(int v) {
  if (v % 2 != 0) return Fail(InvalidArgument("odd value " + std::to_string(v)));
  return v / 2;
}

Result<int> Quarter(int v) {
  INFLOW_TRY(int h, Half(v));
  INFLOW_TRY(int q, Half(h));
  return q;
}

TEST(Error, HttpStatusCoversEveryCode) {
  EXPECT_EQ(HttpStatus(ErrorCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatus(ErrorCode::kOutOfRange), 400);
  EXPECT_EQ(HttpStatus(ErrorCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatus(ErrorCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatus(ErrorCode::kNotFound), 404);
  EXPECT_EQ(HttpStatus(ErrorCode::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatus(ErrorCode::kAborted), 409);
  EXPECT_EQ(HttpStatus(ErrorCode::kFailedPrecondition), 412);
  EXPECT_EQ(HttpStatus(ErrorCode::kResourceExhausted), 413);
  EXPECT_EQ(HttpStatus(ErrorCode::kCancelled), 499);
  EXPECT_EQ(HttpStatus(ErrorCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatus(ErrorCode::kTimeout), 504);
  EXPECT_EQ(HttpStatus(ErrorCode::kDataLoss), 500);
  EXPECT_EQ(HttpStatus(ErrorCode::kInternal), 500);
  EXPECT_EQ(HttpStatus(ErrorCode::kIo), 500);
}

TEST(Error, OnlyTransientCodesAreRetryable) {
  EXPECT_TRUE(IsRetryable(ErrorCode::kUnavailable));
  EXPECT_TRUE(IsRetryable(ErrorCode::kTimeout));
  EXPECT_FALSE(IsRetryable(ErrorCode::kInvalidArgument));
  EXPECT_FALSE(IsRetryable(ErrorCode::kResourceExhausted));
  EXPECT_FALSE(IsRetryable(ErrorCode::kUnauthenticated));
}

TEST(Error, ContextIsPrepended) {
  Error e = NotFound("topic orders").WithContext("send");
  EXPECT_EQ(e.code(), ErrorCode::kNotFound);
  EXPECT_EQ(e.ToString(), "not_found: send: topic orders");
}

TEST(Result, TryPropagatesTheFirstError) {
  EXPECT_EQ(Quarter(8).value(), 2);
  auto r = Quarter(6);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "odd value 3");
}

}  // namespace
}  // namespace inflow
