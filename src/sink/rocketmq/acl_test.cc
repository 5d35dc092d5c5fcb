#include "sink/rocketmq/acl.h"

#include <gtest/gtest.h>

namespace inflow::sink::rocketmq {
namespace {

TEST(Acl, SignsTheReferenceVector) {
  // ref-rocketmq.md §3.6: {AccessKey:"ak", topic:"T1"}, secret "sk", empty body.
  RemotingCommand cmd;
  cmd.ext_fields = {{"topic", "T1"}};
  SignRequest({"ak", "sk"}, &cmd);
  ASSERT_EQ(cmd.ext_fields.size(), 3u);
  EXPECT_EQ(*cmd.Field("AccessKey"), "ak");
  EXPECT_EQ(*cmd.Field("Signature"), "9VPuTHRkgwQkbcY5/m5xrQF1GFI=");
}

TEST(Acl, SignsSortedValuesAndBody) {
  // Computed with Python hmac: HMAC-SHA1("secret", "AK" "g" "T" "body") in base64; the fields are
  // given out of order and the old Signature must be ignored.
  RemotingCommand a;
  a.ext_fields = {{"b", "T"}, {"a", "g"}, {"Signature", "stale"}, {"AccessKey", "AK"}};
  a.body = "body";
  RemotingCommand b;
  b.ext_fields = {{"AccessKey", "AK"}, {"a", "g"}, {"b", "T"}};
  b.body = "body";
  EXPECT_EQ(AclSignature(a, "secret"), AclSignature(b, "secret"));
  EXPECT_EQ(AclSignature(b, "secret"), "C0FhQb4Rx2eM9A6yGn7ono149Co=");
  b.body = "bodz";
  EXPECT_NE(AclSignature(b, "secret"), "C0FhQb4Rx2eM9A6yGn7ono149Co=");
}

}  // namespace
}  // namespace inflow::sink::rocketmq
