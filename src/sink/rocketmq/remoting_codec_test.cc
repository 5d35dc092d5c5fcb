#include "sink/rocketmq/remoting_codec.h"

#include <gtest/gtest.h>

#include <string>

namespace inflow::sink::rocketmq {
namespace {

std::string Hex(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xF]);
  }
  return out;
}

RemotingCommand RouteRequest() {
  RemotingCommand cmd;
  cmd.code = kGetRouteInfoByTopic;
  cmd.version = 401;
  cmd.opaque = 7;
  cmd.ext_fields = {{"topic", "T1"}, {"acceptStandardJsonOnly", "true"}};
  return cmd;
}

TEST(RemotingCodec, EncodesJsonHeaderLikeTheReference) {
  std::string frame = EncodeFrame(RouteRequest(), SerializeType::kJson);
  std::string header = R"({"code":105,"language":"CPP","version":401,"opaque":7,"flag":0,)"
                       R"("extFields":{"topic":"T1","acceptStandardJsonOnly":"true"}})";
  ASSERT_EQ(header.size(), 0x7au);
  EXPECT_EQ(Hex(frame.substr(0, 8)), "0000007e0000007a");
  EXPECT_EQ(frame.substr(8), header);
}

TEST(RemotingCodec, EncodesBinaryHeaderLikeTheReference) {
  RemotingCommand cmd = RouteRequest();
  cmd.ext_fields = {{"topic", "T1"}};
  std::string frame = EncodeFrame(cmd, SerializeType::kRocketMq);
  EXPECT_EQ(Hex(frame),
            "00000026010000220069010191000000070000000000000000"
            "0000000d0005746f7069630000000254"
            "31");
}

TEST(RemotingCodec, RoundTripsBothHeaderTypes) {
  RemotingCommand cmd;
  cmd.code = 310;
  cmd.opaque = 123456;
  cmd.flag = kFlagOneway;
  cmd.remark = "r\xC3\xA9mark \"quoted\" \\ \x01";
  cmd.ext_fields = {
      {"a", "group"}, {"i", std::string("KEYS\x01k1 k2\x02TAGS\x01t\x02")}, {"empty", ""}};
  cmd.body = std::string("body\0with\xFFzero", 14);
  for (auto type : {SerializeType::kJson, SerializeType::kRocketMq}) {
    auto decoded = DecodeFrame(EncodeFrame(cmd, type));
    ASSERT_TRUE(decoded) << decoded.error().ToString();
    EXPECT_EQ(decoded->code, cmd.code);
    EXPECT_EQ(decoded->opaque, cmd.opaque);
    EXPECT_EQ(decoded->flag, cmd.flag);
    EXPECT_EQ(decoded->language, kLanguageCpp);
    EXPECT_EQ(decoded->version, kClientVersion);
    EXPECT_EQ(decoded->remark, cmd.remark);
    EXPECT_EQ(decoded->body, cmd.body);
    ASSERT_NE(decoded->Field("i"), nullptr);
    EXPECT_EQ(*decoded->Field("i"), cmd.ext_fields[1].second);
    EXPECT_EQ(*decoded->Field("empty"), "");
    EXPECT_TRUE(decoded->IsOneway());
    EXPECT_FALSE(decoded->IsResponse());
  }
}

TEST(RemotingCodec, EscapesControlCharactersInJson) {
  std::string out;
  AppendJsonString(std::string("a\x01\x02\n\"\\b", 7), &out);
  EXPECT_EQ(out, R"("a\u0001\u0002\n\"\\b")");
}

TEST(RemotingCodec, DecodesJavaJsonResponse) {
  std::string header =
      R"({"code":0,"extFields":{"queueId":"3","msgId":"7F00000100002A9F0000000000000000",)"
      R"("queueOffset":"42","transactionId":"ABC","MSG_REGION":"DefaultRegion","TRACE_ON":"true"},)"
      R"("flag":1,"language":"JAVA","opaque":9,"serializeTypeCurrentRPC":"JSON","version":479})";
  std::string frame;
  uint32_t total = static_cast<uint32_t>(4 + header.size());
  for (int s = 24; s >= 0; s -= 8) frame.push_back(static_cast<char>(total >> s));
  uint32_t hl = static_cast<uint32_t>(header.size());
  for (int s = 24; s >= 0; s -= 8) frame.push_back(static_cast<char>(hl >> s));
  frame += header;
  auto cmd = DecodeFrame(frame);
  ASSERT_TRUE(cmd) << cmd.error().ToString();
  EXPECT_TRUE(cmd->IsResponse());
  EXPECT_EQ(cmd->code, 0);
  EXPECT_EQ(cmd->opaque, 9);
  EXPECT_EQ(cmd->language, 0);  // JAVA
  EXPECT_EQ(cmd->version, 479);
  EXPECT_EQ(*cmd->Field("queueOffset"), "42");
  EXPECT_EQ(cmd->Field("missing"), nullptr);
  EXPECT_TRUE(cmd->body.empty());
}

TEST(RemotingCodec, DecodesJsonNumbersAndBooleansAsText) {
  std::string header = R"({"code":17,"opaque":1,"flag":1,"remark":"no topic",)"
                       R"("extFields":{"n":12,"b":true,"z":null}})";
  std::string content;
  uint32_t hl = static_cast<uint32_t>(header.size());
  for (int s = 24; s >= 0; s -= 8) content.push_back(static_cast<char>(hl >> s));
  content += header;
  auto cmd = DecodeFrameContent(content);
  ASSERT_TRUE(cmd) << cmd.error().ToString();
  EXPECT_EQ(*cmd->Field("n"), "12");
  EXPECT_EQ(*cmd->Field("b"), "true");
  EXPECT_EQ(cmd->Field("z"), nullptr);
  EXPECT_EQ(cmd->remark, "no topic");
}

TEST(RemotingCodec, PeeksFrameSizes) {
  std::string frame = EncodeFrame(RouteRequest(), SerializeType::kJson);
  auto partial = PeekFrameSize(std::string_view(frame).substr(0, 10));
  ASSERT_TRUE(partial);
  EXPECT_FALSE(partial->has_value());
  std::string two = frame + frame.substr(0, 3);
  auto whole = PeekFrameSize(two);
  ASSERT_TRUE(whole);
  ASSERT_TRUE(whole->has_value());
  EXPECT_EQ(**whole, frame.size());
  std::string huge("\x7f\xff\xff\xff", 4);
  EXPECT_EQ(PeekFrameSize(huge).error().code(), ErrorCode::kDataLoss);
  std::string tiny("\x00\x00\x00\x02", 4);
  EXPECT_FALSE(PeekFrameSize(tiny));
}

TEST(RemotingCodec, RejectsMalformedFramesWithoutCrashing) {
  std::string good = EncodeFrame(RouteRequest(), SerializeType::kRocketMq);
  // Every truncation is an error naming a field, never a crash: first of the frame, then of
  // the header itself with a matching header length.
  for (size_t n = 4; n < good.size(); ++n) {
    EXPECT_FALSE(DecodeFrameContent(good.substr(4, n - 4))) << n;
  }
  std::string header = good.substr(8);
  for (size_t k = 0; k < header.size(); ++k) {
    std::string content("\x01\x00\x00", 3);
    content.push_back(static_cast<char>(k));
    content += header.substr(0, k);
    auto r = DecodeFrameContent(content);
    ASSERT_FALSE(r) << k;
    EXPECT_NE(r.error().message().find("field '"), std::string::npos) << r.error().message();
  }
  std::string bad_type = good;
  bad_type[4] = 7;
  EXPECT_NE(DecodeFrame(bad_type).error().message().find("serialize type 7"), std::string::npos);
  std::string bad_json = EncodeFrame(RouteRequest(), SerializeType::kJson);
  bad_json[8] = '[';
  EXPECT_EQ(DecodeFrame(bad_json).error().code(), ErrorCode::kDataLoss);
  std::string bad_len = good;
  bad_len[3] = static_cast<char>(bad_len[3] + 1);
  EXPECT_FALSE(DecodeFrame(bad_len));
  // Header length beyond the frame.
  std::string over = good;
  over[7] = static_cast<char>(0x7f);
  EXPECT_NE(DecodeFrame(over).error().message().find("header length"), std::string::npos);
}

TEST(RemotingCodec, RejectsJsonHeaderWithWrongTypes) {
  for (std::string header :
       {R"({"opaque":1})", R"({"code":"x","opaque":1})", R"({"code":1,"opaque":1,"extFields":[1]})",
        R"({"code":99999999999,"opaque":1})"}) {
    std::string content;
    uint32_t hl = static_cast<uint32_t>(header.size());
    for (int s = 24; s >= 0; s -= 8) content.push_back(static_cast<char>(hl >> s));
    content += header;
    EXPECT_FALSE(DecodeFrameContent(content)) << header;
  }
}

}  // namespace
}  // namespace inflow::sink::rocketmq
