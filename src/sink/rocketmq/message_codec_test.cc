#include "sink/rocketmq/message_codec.h"

#include <gtest/gtest.h>

#include <ctime>

namespace inflow::sink::rocketmq {
namespace {

TEST(MessageCodec, EncodesPropertiesWithSeparators) {
  EXPECT_EQ(EncodeProperties({{"KEYS", "k1 k2"}, {"TAGS", "TagA"}}),
            std::string("KEYS\x01k1 k2\x02TAGS\x01TagA\x02"));
  EXPECT_EQ(EncodeProperties({}), "");
}

TEST(MessageCodec, DecodesPropertiesLikeJava) {
  std::string s(
      "a\x01"
      "1\x02\x02x\x02"
      "b\x01\x02\x01v\x02"
      "cc\x01"
      "3\x02"
      "d\x01"
      "4");
  Properties p = DecodeProperties(s);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0], (std::pair<std::string, std::string>{"a", "1"}));
  EXPECT_EQ(p[1], (std::pair<std::string, std::string>{"cc", "3"}));
  EXPECT_EQ(p[2], (std::pair<std::string, std::string>{"d", "4"}));
}

TEST(MessageCodec, BuildsMessageProperties) {
  Message m;
  m.topic = "T";
  m.body = "x";
  m.tag = "TagA";
  m.keys = {"k1", "k2"};
  m.properties = {{"color",
                   "r\xC3\xA9"
                   "d"}};
  auto props = BuildProperties(m, "0123456789ABCDEF0123456789ABCDEF");
  ASSERT_TRUE(props);
  EXPECT_EQ(*props, std::string("color\x01r\xC3\xA9"
                                "d\x02KEYS\x01k1 k2\x02TAGS\x01TagA\x02"
                                "WAIT\x01true\x02UNIQ_KEY\x01"
                                "0123456789ABCDEF0123456789ABCDEF\x02"));
  m.properties = {{"big", std::string(40000, 'v')}};
  EXPECT_EQ(BuildProperties(m, "X").error().code(), ErrorCode::kResourceExhausted);
}

TEST(MessageCodec, ValidatesTopicsAndMessages) {
  EXPECT_TRUE(ValidateTopic("orders_2024-x%y|z"));
  EXPECT_FALSE(ValidateTopic(""));
  EXPECT_FALSE(ValidateTopic(std::string(128, 'a')));
  auto bad = ValidateTopic("or ders");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("'or ders'"), std::string::npos);

  Message m;
  m.topic = "T";
  m.body = "b";
  EXPECT_TRUE(ValidateMessage(m));
  m.properties = {{"UNIQ_KEY", "x"}};
  auto reserved = ValidateMessage(m);
  ASSERT_FALSE(reserved);
  EXPECT_NE(reserved.error().message().find("properties.UNIQ_KEY"), std::string::npos);
  m.properties = {{"ok", std::string("a\x02", 2)}};
  EXPECT_FALSE(ValidateMessage(m));
  m.properties = {};
  m.body = "";
  EXPECT_FALSE(ValidateMessage(m));
  m.body = "b";
  m.tag = "";
  EXPECT_FALSE(ValidateMessage(m));
  EXPECT_TRUE(IsReservedProperty("__RMQ.TRANSIENT.X"));
  EXPECT_FALSE(IsReservedProperty("keys"));
}

TEST(MessageCodec, EncodesBatchBodyInJavaLayout) {
  std::string out;
  AppendBatchEntry("ab", std::string("K\x01v\x02", 4), 0, &out);
  std::string expected(
      "\x00\x00\x00\x1c"  // totalSize = 20 + 2 + 2 + 4
      "\x00\x00\x00\x00"  // magic
      "\x00\x00\x00\x00"  // body CRC
      "\x00\x00\x00\x00"  // flag
      "\x00\x00\x00\x02"  // body length
      "ab"
      "\x00\x04"  // properties length
      "K\x01v\x02",
      28);
  EXPECT_EQ(out, expected);
  AppendBatchEntry(std::string(300, 'z'), "", 5, &out);
  auto entries = DecodeBatchBody(out);
  ASSERT_TRUE(entries) << entries.error().ToString();
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].body, "ab");
  EXPECT_EQ((*entries)[1].body, std::string(300, 'z'));
  EXPECT_EQ((*entries)[1].flag, 5);
  EXPECT_FALSE(DecodeBatchBody(out.substr(0, out.size() - 1)));
}

TEST(MessageCodec, CompressesWithZlibStream) {
  std::string body(10000, 'a');
  auto z = ZlibCompress(body, 5);
  ASSERT_TRUE(z);
  ASSERT_GE(z->size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>((*z)[0]), 0x78);  // zlib header, not gzip
  EXPECT_LT(z->size(), body.size());
  auto back = ZlibDecompress(*z, 1 << 20);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, body);
  EXPECT_EQ(ZlibDecompress(*z, 100).error().code(), ErrorCode::kResourceExhausted);
  EXPECT_FALSE(ZlibDecompress("not zlib", 100));
}

TEST(MessageCodec, GeneratesUniqKeysInJavaLayout) {
  UniqKeyGenerator gen({10, 0, 0, 7}, 0x1234, 0xCAFEBABE);
  // 2026-11-25 14:00:00.250 local time: ms since the start of November.
  tm t{};
  t.tm_year = 126;
  t.tm_mon = 10;
  t.tm_mday = 25;
  t.tm_hour = 14;
  t.tm_isdst = -1;
  time_t secs = mktime(&t);
  auto now = std::chrono::system_clock::from_time_t(secs) + std::chrono::milliseconds(250);
  std::string k1 = gen.NextAt(now);
  std::string k2 = gen.NextAt(now);
  ASSERT_EQ(k1.size(), 32u);
  EXPECT_EQ(k1.substr(0, 20), "0A0000071234CAFEBABE");
  for (char c : k1) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')) << k1;
  auto p1 = ParseUniqKey(k1);
  auto p2 = ParseUniqKey(k2);
  ASSERT_TRUE(p1 && p2);
  EXPECT_EQ(p1->ip, (std::array<uint8_t, 4>{10, 0, 0, 7}));
  EXPECT_EQ(p1->pid, 0x1234);
  EXPECT_EQ(p1->salt, 0xCAFEBABEu);
  uint32_t expected_ms = ((24u * 24 + 14) * 3600) * 1000 + 250;
  // A DST change inside the month shifts wall-clock arithmetic by an hour.
  EXPECT_LE(std::abs(static_cast<int64_t>(p1->ms_in_month) - expected_ms), 3600 * 1000);
  EXPECT_EQ(p2->ms_in_month, p1->ms_in_month);
  EXPECT_EQ(static_cast<uint16_t>(p1->counter + 1), p2->counter);
  EXPECT_NE(k1, k2);
  EXPECT_FALSE(ParseUniqKey("XYZ"));
}

TEST(MessageCodec, UniqKeysRestartAtMonthBoundary) {
  UniqKeyGenerator gen({127, 0, 0, 1}, 1, 2);
  tm t{};
  t.tm_year = 126;
  t.tm_mon = 11;
  t.tm_mday = 1;
  t.tm_isdst = -1;
  auto start = std::chrono::system_clock::from_time_t(mktime(&t));
  auto k = ParseUniqKey(gen.NextAt(start + std::chrono::milliseconds(5)));
  ASSERT_TRUE(k);
  EXPECT_EQ(k->ms_in_month, 5u);
  auto before = ParseUniqKey(gen.NextAt(start - std::chrono::milliseconds(1)));
  ASSERT_TRUE(before);
  EXPECT_GT(before->ms_in_month, 27u * 24 * 3600 * 1000);
}

}  // namespace
}  // namespace inflow::sink::rocketmq
