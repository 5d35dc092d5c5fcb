#include "capture/mysql/decoder.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "capture/mysql/json_binary.h"
#include "capture/mysql/value_decoder.h"

namespace inflow::capture::mysql {
namespace {

std::string TestData(const char* name) {
  const char* src = std::getenv("INFLOW_SOURCE_DIR");
  return std::string(src ? src : ".") + "/src/capture/mysql/testdata/" + name;
}

std::string Decode(uint8_t type, std::vector<uint8_t> meta, std::vector<uint8_t> value,
                   ValueKind kind = ValueKind::kDefault) {
  BinlogBuffer m(meta.data(), meta.size());
  auto codec = MakeColumnCodec(type, m);
  EXPECT_TRUE(codec.has_value());
  codec->kind = kind;
  codec->charset = CharsetByName("utf8mb4");
  BinlogBuffer in(value.data(), value.size());
  std::string out;
  auto s = DecodeValue(*codec, in, out);
  EXPECT_TRUE(s.has_value()) << s.error().ToString();
  return out;
}

TEST(BinlogValues, DecodesPackedDecimal) {
  // DECIMAL(10,2) 1234.56: 8 integer digits in 4 bytes, 2 fraction digits in 1, sign bit set.
  EXPECT_EQ(Decode(column_type::kNewDecimal, {10, 2}, {0x80, 0x00, 0x04, 0xD2, 0x38}),
            "\"1234.56\"");
  // The same negative: every byte inverted.
  EXPECT_EQ(Decode(column_type::kNewDecimal, {10, 2}, {0x7F, 0xFF, 0xFB, 0x2D, 0xC7}),
            "\"-1234.56\"");
}

TEST(BinlogValues, RendersIntegersBeyond53BitsAsStrings) {
  EXPECT_EQ(Decode(column_type::kLongLong, {}, {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF},
                   ValueKind::kUnsigned),
            "\"18446744073709551615\"");
  EXPECT_EQ(Decode(column_type::kLongLong, {}, {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}),
            "-1");
  EXPECT_EQ(Decode(column_type::kInt24, {}, {0x00, 0x00, 0x80}), "-8388608");
}

TEST(BinlogValues, DecodesTemporalTypes) {
  // TIME2(0) -00:00:01 and DATETIME2(0) 2020-02-29 12:34:56.
  EXPECT_EQ(Decode(column_type::kTime2, {0}, {0x7F, 0xFF, 0xFF}), "\"-00:00:01\"");
  uint64_t ym = 2020 * 13 + 2;
  uint64_t packed = ((ym << 5 | 29) << 17 | (12 << 12 | 34 << 6 | 56)) + 0x8000000000ULL;
  std::vector<uint8_t> dt;
  for (int i = 4; i >= 0; --i) dt.push_back(static_cast<uint8_t>(packed >> (8 * i)));
  EXPECT_EQ(Decode(column_type::kDatetime2, {0}, dt), "\"2020-02-29T12:34:56\"");
  EXPECT_EQ(Decode(column_type::kTimestamp2, {3}, {0x00, 0x00, 0x00, 0x01, 0x04, 0xCE}),
            "\"1970-01-01T00:00:01.123Z\"");
}

TEST(MySqlBinaryJson, RendersObjectsArraysAndScalars) {
  // {"a": [1, true]} as a small object holding a small array.
  std::vector<uint8_t> doc = {0x00,                          // small object
                              0x01, 0x00, 0x16, 0x00,        // 1 member, 22 bytes
                              0x0B, 0x00, 0x01, 0x00,        // key at 11, length 1
                              0x02, 0x0C, 0x00,              // value: small array at 12
                              'a',  0x02, 0x00, 0x0A, 0x00,  // array: 2 elements, 10 bytes
                              0x05, 0x01, 0x00,              // int16 1 inlined
                              0x04, 0x01, 0x00};             // literal true inlined
  std::string out;
  ASSERT_TRUE(AppendJsonFromBinary(doc, out).has_value());
  EXPECT_EQ(out, "{\"a\":[1,true]}");
  std::string bad;
  EXPECT_FALSE(AppendJsonFromBinary(std::vector<uint8_t>{0x00, 0x05, 0x00}, bad).has_value());
}

TEST(SchemaHistory, FollowsAlterAndRename) {
  SchemaHistory h;
  h.Apply("db", "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(5), b INT UNSIGNED)", "utf8mb4");
  h.Apply("db", "ALTER TABLE t ADD COLUMN c JSON AFTER id, DROP COLUMN a, MODIFY b BIGINT",
          "utf8mb4");
  h.Apply("db", "RENAME TABLE t TO u", "utf8mb4");
  ASSERT_EQ(h.Find("db", "t"), nullptr);
  const TableSchema* u = h.Find("db", "u");
  ASSERT_NE(u, nullptr);
  ASSERT_EQ(u->columns.size(), 3u);
  EXPECT_EQ(u->columns[0].name, "id");
  EXPECT_TRUE(u->columns[0].primary_key);
  EXPECT_EQ(u->columns[1].column_type, "json");
  EXPECT_EQ(u->columns[2].column_type, "bigint");
  auto back = SchemaHistory::Parse(h.Serialize());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, h);
}

TEST(BinlogDecoder, DecodesRecordedMariaDbFile) {
  auto txs = DecodeBinlogFiles({TestData("types.binlog")}, {});
  ASSERT_TRUE(txs.has_value()) << txs.error().ToString();
  bool found = false;
  for (const auto& tx : *txs) {
    for (const auto& r : tx.records) {
      if (r.table == "x" && r.after_json) {
        found = true;
        EXPECT_EQ(*r.after_json,
                  "{\"id\":1,\"a\":\"::1\",\"u\":\"123e4567-e89b-12d3-a456-426655440000\","
                  "\"j\":{\"a\":1},\"b\":\"AQAAAAAAAAAAAAAAAAAAAA==\",\"g\":"
                  "\"AAAAAAEBAAAAAAAAAAAA8D8AAAAAAAAAQA==\",\"e\":\"y\"}");
        EXPECT_EQ(tx.id, "0-1-3");
      }
    }
  }
  EXPECT_TRUE(found);
}

TEST(BinlogDecoder, DecodesMariaDbCompressedEvents) {
  auto txs = DecodeBinlogFiles({TestData("compressed.binlog")}, {});
  ASSERT_TRUE(txs.has_value()) << txs.error().ToString();
  std::vector<std::string> images;
  for (const auto& tx : *txs) {
    for (const auto& r : tx.records) {
      if (r.after_json) images.push_back(*r.after_json);
    }
  }
  ASSERT_EQ(images.size(), 3u);
  EXPECT_EQ(images[1], "{\"id\":2,\"s\":\"x\"}");
  EXPECT_EQ(images[2], "{\"id\":2,\"s\":\"y\"}");
}

TEST(BinlogDecoder, StateRoundTrips) {
  DecoderState s;
  s.position = {"mysql-bin.000002", 1234, "0-1-9", 0};
  s.schemas.Apply("d", "CREATE TABLE t (id INT)", "utf8mb4");
  auto back = DecoderState::Parse(s.Serialize());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, s);
  EXPECT_FALSE(DecoderState::Parse("garbage").has_value());
}

}  // namespace
}  // namespace inflow::capture::mysql
