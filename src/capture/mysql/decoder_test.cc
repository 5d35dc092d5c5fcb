#include "capture/mysql/decoder.h"

#include <gtest/gtest.h>
#include <zstd.h>

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
  h.Apply("db", "CREATE DATABASE IF NOT EXISTS d2 DEFAULT CHARACTER SET = latin1", "utf8mb4");
  h.Apply("db", "CREATE TABLE d2.x (a TEXT, b VARCHAR(3) CHARACTER SET ascii, c BLOB)", "utf8mb4");
  ASSERT_NE(h.Find("d2", "x"), nullptr);
  EXPECT_EQ(h.Find("d2", "x")->columns[0].charset, "latin1");
  EXPECT_EQ(h.Find("d2", "x")->columns[1].charset, "ascii");
  EXPECT_EQ(h.Find("d2", "x")->columns[2].charset, "");
  auto back = SchemaHistory::Parse(h.Serialize());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, h);
}

// A column's type is spelled the same whether information_schema or DDL described it, so
// capture from `now` equals capture from `earliest` (issue 11).
TEST(SchemaHistory, SpellsTypesLikeInformationSchemaWithoutDisplayWidths) {
  EXPECT_EQ(ColumnFromInformationSchema("a", "int(11)", "", "YES", "", "0").column_type, "int");
  EXPECT_EQ(ColumnFromInformationSchema("a", "BIGINT(20) UNSIGNED ZEROFILL", "", "NO", "PRI", "0")
                .column_type,
            "bigint unsigned zerofill");
  EXPECT_EQ(ColumnFromInformationSchema("a", "year(4)", "", "YES", "", "0").column_type, "year");
  EXPECT_EQ(ColumnFromInformationSchema("a", "tinyint(1)", "", "YES", "", "0").column_type,
            "tinyint");
  EXPECT_EQ(ColumnFromInformationSchema("a", "decimal(10,2)", "", "YES", "", "0").column_type,
            "decimal(10,2)");
  EXPECT_EQ(ColumnFromInformationSchema("a", "bit(12)", "", "YES", "", "0").column_type, "bit(12)");
  EXPECT_EQ(ColumnFromInformationSchema("a", "varchar(20)", "utf8mb4", "YES", "", "0").column_type,
            "varchar(20)");
  SchemaHistory h;
  h.Apply("db", "CREATE TABLE t (a INT(11), b BIGINT(20) UNSIGNED, c YEAR(4), d SMALLINT)",
          "utf8mb4");
  const TableSchema* t = h.Find("db", "t");
  ASSERT_NE(t, nullptr);
  ASSERT_EQ(t->columns.size(), 4u);
  EXPECT_EQ(t->columns[0].column_type, "int");
  EXPECT_EQ(t->columns[1].column_type, "bigint unsigned");
  EXPECT_EQ(t->columns[2].column_type, "year");
  EXPECT_EQ(t->columns[3].column_type, "smallint");
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

namespace inflow::capture::mysql {
namespace {

// Builders for MySQL 8 events from the documented layouts (no MySQL server in Debian).
using Bytes = std::vector<uint8_t>;

void Put(Bytes& b, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void PutStr(Bytes& b, std::string_view s) { b.insert(b.end(), s.begin(), s.end()); }

Bytes Event(uint8_t type, const Bytes& body) {
  Bytes e;
  Put(e, 1700000000, 4);
  e.push_back(type);
  Put(e, 1, 4);
  Put(e, 19 + body.size(), 4);
  Put(e, 0, 4);
  Put(e, 0, 2);
  e.insert(e.end(), body.begin(), body.end());
  return e;
}

const uint8_t kSid[16] = {0x3e, 0x11, 0xfa, 0x47, 0x71, 0xca, 0x11, 0xe1,
                          0x9e, 0x33, 0xc8, 0x0a, 0xa9, 0x42, 0x95, 0x62};
constexpr const char* kSidText = "3e11fa47-71ca-11e1-9e33-c80aa9429562";

Bytes MySqlFormatDescription() {
  Bytes b;
  Put(b, 4, 2);
  std::string version = "8.0.36";
  version.resize(50, '\0');
  PutStr(b, version);
  Put(b, 0, 4);
  b.push_back(19);
  Bytes post(41, 0);
  post[2 - 1] = 13;   // QUERY
  post[19 - 1] = 8;   // TABLE_MAP: 6-byte table id
  post[30 - 1] = 10;  // WRITE_ROWS v2
  b.insert(b.end(), post.begin(), post.end());
  b.push_back(0);  // checksum_alg (the trailer is stripped by the caller)
  return Event(15, b);
}

Bytes InnerTransaction() {
  Bytes begin;
  Put(begin, 1, 4);
  Put(begin, 0, 4);
  begin.push_back(0);
  Put(begin, 0, 2);
  Put(begin, 0, 2);
  begin.push_back(0);
  PutStr(begin, "BEGIN");
  Bytes map;
  Put(map, 77, 6);
  Put(map, 0, 2);
  map.push_back(2);
  PutStr(map, std::string_view("db\0", 3));
  map.push_back(1);
  PutStr(map, std::string_view("t\0", 2));
  map.push_back(2);                           // columns
  map.push_back(3);                           // LONG
  map.push_back(15);                          // VARCHAR
  map.push_back(2);                           // metadata length
  Put(map, 80, 2);                            // VARCHAR(80) bytes
  map.push_back(0x02);                        // nullable: s
  Bytes opt = {1, 1, 0x80,                    // SIGNEDNESS: id unsigned
               3, 1, 45,                      // COLUMN_CHARSET: utf8mb4
               4, 5, 2,    'i', 'd', 1, 's',  // COLUMN_NAME
               8, 1, 0};                      // SIMPLE_PRIMARY_KEY: column 0
  map.insert(map.end(), opt.begin(), opt.end());
  Bytes rows;
  Put(rows, 77, 6);
  Put(rows, 1, 2);
  Put(rows, 2, 2);  // extra data length (itself)
  rows.push_back(2);
  rows.push_back(0x03);
  rows.push_back(0x00);  // null bitmap
  Put(rows, 4294967295u, 4);
  rows.push_back(2);
  PutStr(rows, "hi");
  Bytes xid;
  Put(xid, 99, 8);
  Bytes all;
  for (const auto& e : {Event(2, begin), Event(19, map), Event(30, rows), Event(16, xid)}) {
    all.insert(all.end(), e.begin(), e.end());
  }
  return all;
}

TEST(BinlogDecoder, DecodesMySqlGtidAndZstdTransactionPayload) {
  BinlogDecoder decoder(BinlogDecoder::Options{});
  ASSERT_TRUE(decoder.Feed(MySqlFormatDescription()).has_value());

  Bytes previous;
  Put(previous, 1, 8);
  previous.insert(previous.end(), kSid, kSid + 16);
  Put(previous, 1, 8);
  Put(previous, 1, 8);
  Put(previous, 7, 8);  // [1, 7): 1-6
  ASSERT_TRUE(decoder.Feed(Event(35, previous)).has_value());
  EXPECT_EQ(decoder.state().position.gtid_set, std::string(kSidText) + ":1-6");

  Bytes gtid = {1};
  gtid.insert(gtid.end(), kSid, kSid + 16);
  Put(gtid, 7, 8);
  gtid.push_back(2);
  Put(gtid, 6, 8);
  Put(gtid, 7, 8);
  Put(gtid, 1700000000123456ULL, 7);
  ASSERT_TRUE(decoder.Feed(Event(33, gtid)).has_value());

  Bytes inner = InnerTransaction();
  Bytes compressed(ZSTD_compressBound(inner.size()));
  compressed.resize(
      ZSTD_compress(compressed.data(), compressed.size(), inner.data(), inner.size(), 3));
  Bytes payload = {2, 1, 0,      // compression: zstd
                   3, 3, 0xfc};  // uncompressed size
  Put(payload, inner.size(), 2);
  payload.insert(payload.end(), {1, 3, 0xfc});  // payload size
  Put(payload, compressed.size(), 2);
  payload.push_back(0);  // end of header
  payload.insert(payload.end(), compressed.begin(), compressed.end());
  auto tx = decoder.Feed(Event(40, payload));
  ASSERT_TRUE(tx.has_value()) << tx.error().ToString();
  ASSERT_TRUE(tx->has_value());
  const Transaction& t = **tx;
  EXPECT_EQ(t.id, std::string(kSidText) + ":7");
  EXPECT_EQ(t.commit_timestamp_ms, 1700000000123);
  EXPECT_EQ(t.end.gtid_set, std::string(kSidText) + ":1-7");
  ASSERT_EQ(t.records.size(), 1u);
  EXPECT_EQ(t.records[0].after_json, "{\"id\":4294967295,\"s\":\"hi\"}");
  EXPECT_TRUE(t.records[0].columns[0].primary_key);
  EXPECT_EQ(t.records[0].columns[0].type, "int unsigned");

  // A corrupted frame is an error, not a crash.
  payload[payload.size() - 3] ^= 0xff;
  BinlogDecoder again(BinlogDecoder::Options{});
  ASSERT_TRUE(again.Feed(MySqlFormatDescription()).has_value());
  EXPECT_FALSE(again.Feed(Event(40, payload)).has_value());
}

Bytes QueryEvent(std::string_view db, std::string_view sql) {
  Bytes q;
  Put(q, 1, 4);  // thread id
  Put(q, 0, 4);  // exec time
  q.push_back(static_cast<uint8_t>(db.size()));
  Put(q, 0, 2);  // error code
  Put(q, 0, 2);  // status variables length
  PutStr(q, db);
  q.push_back(0);
  PutStr(q, sql);
  return Event(2, q);
}

TEST(StatementTarget, RecognisesAccountManagementHoweverWritten) {
  for (std::string_view sql : {
           "CREATE USER 'u'@'%' IDENTIFIED BY 'pw'",
           "create user u",
           "CREATE OR REPLACE USER 'u'@'localhost' IDENTIFIED BY 'pw'",
           "CREATE USER IF NOT EXISTS u@localhost IDENTIFIED VIA ed25519 USING PASSWORD('pw')",
           "  /* leading */ -- a line comment\n  # another\n\tAlTeR UsEr 'u' IDENTIFIED BY 'pw'",
           "/*!80000 CREATE USER 'u' IDENTIFIED BY 'pw' */",
           "/*M!100100 DROP USER IF EXISTS 'u' */",
           "/*!*/ drop user u",
           "RENAME USER 'a'@'%' TO 'b'@'%'",
           "CREATE ROLE r",
           "CREATE OR REPLACE ROLE IF NOT EXISTS r WITH ADMIN CURRENT_USER",
           "ALTER ROLE r",
           "DROP ROLE IF EXISTS r",
           "GRANT SELECT ON shop.* TO 'u'@'%' IDENTIFIED BY 'pw'",
           "grant r to u",
           "REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'u'@'%'",
           "SET PASSWORD FOR 'u'@'%' = PASSWORD('pw')",
           "set password = 'hash'",
           "SET DEFAULT ROLE r FOR u",
           "SET STATEMENT max_statement_time=10 FOR CREATE USER u IDENTIFIED BY 'pw'",
           "CREATE SERVER s FOREIGN DATA WRAPPER mysql OPTIONS (USER 'u', PASSWORD 'pw')",
           "CREATE DEFINER=`root`@`%` PROCEDURE shop.p() BEGIN CREATE USER x IDENTIFIED BY "
           "'pw'; END",
       }) {
    EXPECT_TRUE(ClassifyStatement("shop", sql).account_management) << sql;
  }
  for (std::string_view sql : {
           "CREATE TABLE users (id INT, identified INT)",
           "CREATE TABLE t (password VARCHAR(20), `user` INT)",
           "ALTER TABLE user ADD c INT",
           "DROP TABLE role",
           "CREATE DATABASE grants",
           "/* CREATE USER u */ CREATE TABLE t (id INT)",
           "CREATE TABLE t (c VARCHAR(10) DEFAULT 'GRANT ALL')",
       }) {
    EXPECT_FALSE(ClassifyStatement("shop", sql).account_management) << sql;
  }
}

TEST(StatementTarget, NamesTheDatabaseAndTablesTheStatementAppliesTo) {
  using Tables = std::vector<std::pair<std::string, std::string>>;
  struct Case {
    std::string_view default_db, sql, database;
    Tables tables;
  };
  const Case cases[] = {
      {"", "CREATE DATABASE shop", "shop", {}},
      {"shop",
       "CREATE DATABASE /*!32312 IF NOT EXISTS*/ `other` /*!40100 DEFAULT CHARSET latin1 */",
       "other",
       {}},
      {"shop", "DROP SCHEMA IF EXISTS other", "other", {}},
      {"shop", "ALTER DATABASE CHARACTER SET utf8mb4", "shop", {}},
      {"shop", "ALTER DATABASE other CHARACTER SET utf8mb4", "other", {}},
      {"x", "CREATE TABLE shop.t (id INT)", "shop", {{"shop", "t"}}},
      {"shop", "CREATE OR REPLACE TABLE IF NOT EXISTS t LIKE other.s", "shop", {{"shop", "t"}}},
      {"shop", "ALTER TABLE other.t ADD c INT", "other", {{"other", "t"}}},
      {"shop",
       "ALTER ONLINE IGNORE TABLE t RENAME TO other.u",
       "shop",
       {{"shop", "t"}, {"other", "u"}}},
      {"shop", "ALTER TABLE t RENAME COLUMN a TO b", "shop", {{"shop", "t"}}},
      {"shop",
       "DROP TABLE IF EXISTS `a`, other.b /* generated by server */",
       "shop",
       {{"shop", "a"}, {"other", "b"}}},
      {"x",
       "RENAME TABLE a.x TO b.y, c TO d",
       "a",
       {{"a", "x"}, {"b", "y"}, {"x", "c"}, {"x", "d"}}},
      {"shop", "TRUNCATE TABLE other.t", "other", {{"other", "t"}}},
      {"shop",
       "CREATE UNIQUE INDEX IF NOT EXISTS i USING BTREE ON other.t (a)",
       "other",
       {{"other", "t"}}},
      {"shop", "DROP INDEX `i` ON t", "shop", {{"shop", "t"}}},
      {"x",
       "CREATE ALGORITHM=MERGE DEFINER=`root`@`localhost` SQL SECURITY DEFINER VIEW shop.v "
       "AS SELECT 1",
       "shop",
       {{"shop", "v"}}},
      {"x", "DROP VIEW IF EXISTS shop.v, w", "shop", {{"shop", "v"}, {"x", "w"}}},
      {"x",
       "CREATE DEFINER=CURRENT_USER() TRIGGER trg BEFORE INSERT ON shop.orders FOR EACH ROW "
       "SET NEW.a = 1",
       "shop",
       {{"shop", "orders"}}},
      {"x",
       "CREATE TRIGGER shop.trg AFTER UPDATE ON orders FOR EACH ROW SET @a = 1",
       "shop",
       {{"shop", "orders"}}},
      {"x", "DROP TRIGGER IF EXISTS shop.trg", "shop", {}},
      {"x", "CREATE DEFINER=`u`@`%` PROCEDURE shop.p() SELECT 1", "shop", {}},
      {"x", "DROP FUNCTION IF EXISTS f", "x", {}},
      {"x", "CREATE EVENT other.e ON SCHEDULE EVERY 1 DAY DO SELECT 1", "other", {}},
      {"x", "CREATE SEQUENCE shop.s", "shop", {{"shop", "s"}}},
      {"x", "OPTIMIZE NO_WRITE_TO_BINLOG TABLE shop.a, b", "shop", {{"shop", "a"}, {"x", "b"}}},
      {"x", "FLUSH PRIVILEGES", "x", {}},
      {"", "FLUSH PRIVILEGES", "", {}},
  };
  for (const Case& c : cases) {
    StatementTarget t = ClassifyStatement(c.default_db, c.sql);
    EXPECT_FALSE(t.account_management) << c.sql;
    EXPECT_EQ(t.database, c.database) << c.sql;
    EXPECT_EQ(t.tables, c.tables) << c.sql;
  }
}

// DDL outside the filter does not pass, DDL carries what it applies to, account statements
// are dropped and counted (issue 11).
TEST(BinlogDecoder, FiltersDdlByWhatItNamesAndDropsAccountStatements) {
  BinlogDecoder::Options options;
  options.include_table = [](std::string_view db, std::string_view) { return db == "shop"; };
  options.include_database = [](std::string_view db) { return db == "shop"; };
  BinlogDecoder decoder(std::move(options));
  ASSERT_TRUE(decoder.Feed(MySqlFormatDescription()).has_value());
  struct Case {
    std::string_view db, sql;
    bool emitted;
    std::string_view database, table;
  };
  const Case cases[] = {
      {"shop", "CREATE USER 'u'@'%' IDENTIFIED BY 'Secr3tPw'", false, "", ""},
      {"shop", "/*!80000 GRANT ALL ON shop.* TO u IDENTIFIED BY 'Secr3tPw' */", false, "", ""},
      {"shop", "SET PASSWORD FOR u = PASSWORD('Secr3tPw')", false, "", ""},
      {"shop", "CREATE DATABASE other", false, "", ""},
      {"", "CREATE DATABASE shop", true, "shop", ""},
      {"other", "CREATE TRIGGER trg BEFORE INSERT ON shop.orders FOR EACH ROW SET NEW.a = 1", true,
       "shop", "orders"},
      {"shop", "ALTER TABLE other.t ADD c INT", false, "", ""},
      {"other", "RENAME TABLE other.x TO shop.y", true, "shop", "y"},
      {"other", "CREATE TABLE shop.t (id INT)", true, "shop", "t"},
      {"shop", "FLUSH PRIVILEGES", true, "shop", ""},
      {"", "FLUSH PRIVILEGES", false, "", ""},
  };
  uint64_t skipped = 0;
  for (const Case& c : cases) {
    auto tx = decoder.Feed(QueryEvent(c.db, c.sql));
    ASSERT_TRUE(tx.has_value()) << c.sql << ": " << tx.error().ToString();
    ASSERT_TRUE(tx->has_value()) << c.sql;
    const Transaction& t = **tx;
    bool account = c.sql.find("Secr3tPw") != std::string_view::npos;
    if (account) ++skipped;
    EXPECT_EQ(t.account_statements_skipped, account ? 1u : 0u) << c.sql;
    ASSERT_EQ(t.records.size(), c.emitted ? 1u : 0u) << c.sql;
    if (!c.emitted) continue;
    EXPECT_EQ(t.records[0].op, changelog::Operation::kDdl);
    EXPECT_EQ(t.records[0].database, c.database) << c.sql;
    EXPECT_EQ(t.records[0].table, c.table) << c.sql;
    EXPECT_EQ(t.records[0].ddl, c.sql);
  }
  EXPECT_EQ(decoder.account_statements_skipped(), skipped);
  EXPECT_EQ(skipped, 3u);
}

}  // namespace
}  // namespace inflow::capture::mysql
