#include "capture/mysql/protocol_messages.h"

#include <gtest/gtest.h>

#include <string>

#include "capture/mysql/packet_codec.h"

namespace inflow::capture::mysql {
namespace {

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// The first packet payload MariaDB 10.11.19 (Debian 12) sent to a client, recorded from
// scripts/mariadb.
constexpr std::string_view kMariaDbHandshake =
    "0a352e352e352d31302e31312e31392d4d6172696144422d302b646562313275312d6c6f6700070000005434484b"
    "7e5b2c6700fef72d0200ff81150000000000001d00000043576c3c243e4a3d2f727264006d7973716c5f6e617469"
    "76655f70617373776f726400";

TEST(ProtocolHandshake, ParsesRecordedMariaDbHandshake) {
  auto h = ParseHandshake(Unhex(kMariaDbHandshake));
  ASSERT_TRUE(h.has_value()) << h.error().ToString();
  EXPECT_EQ(h->protocol_version, 10);
  EXPECT_EQ(h->server_version, "5.5.5-10.11.19-MariaDB-0+deb12u1-log");
  EXPECT_TRUE(h->IsMariaDb());
  EXPECT_EQ(h->connection_id, 7u);
  EXPECT_EQ(h->capabilities, 0x81fff7feu);
  EXPECT_EQ(h->charset, 45);
  EXPECT_EQ(h->status, 2);
  EXPECT_EQ(HexOf(h->scramble), "5434484b7e5b2c6743576c3c243e4a3d2f727264");
  EXPECT_EQ(h->auth_plugin, "mysql_native_password");
  EXPECT_FALSE(h->capabilities & kClientSsl);
}

TEST(ProtocolHandshake, ParsesMySql8StyleHandshakeWithCachingSha2) {
  ByteWriter w;
  w.U8(10);
  w.NulString("8.0.36");
  w.U32(42);
  w.Bytes("abcdefgh");
  w.U8(0);
  w.U16(0xffff);
  w.U8(255);
  w.U16(2);
  w.U16(0xdfff);
  w.U8(21);
  w.Zeros(10);
  w.Bytes("ijklmnopqrst");
  w.U8(0);
  w.NulString("caching_sha2_password");
  auto h = ParseHandshake(w.data());
  ASSERT_TRUE(h.has_value()) << h.error().ToString();
  EXPECT_FALSE(h->IsMariaDb());
  EXPECT_EQ(h->scramble, "abcdefghijklmnopqrst");
  EXPECT_EQ(h->auth_plugin, "caching_sha2_password");
  EXPECT_TRUE(h->capabilities & kClientSsl);
}

TEST(ProtocolHandshake, RejectsTruncationAndOtherVersions) {
  std::string full = Unhex(kMariaDbHandshake);
  for (size_t n : {0, 1, 10, 40, 45}) {
    auto h = ParseHandshake(full.substr(0, n));
    EXPECT_FALSE(h.has_value()) << n;
  }
  std::string v9 = full;
  v9[0] = 9;
  auto h = ParseHandshake(v9);
  ASSERT_FALSE(h.has_value());
  EXPECT_EQ(h.error().code(), ErrorCode::kFailedPrecondition);
}

TEST(ProtocolHandshake, ServerErrorInsteadOfHandshakeIsReported) {
  std::string err = Unhex("ff6a04") + "Host is blocked";
  auto h = ParseHandshake(err);
  ASSERT_FALSE(h.has_value());
  EXPECT_NE(h.error().message().find("[1130] Host is blocked"), std::string::npos);
}

TEST(ProtocolHandshake, EncodesResponseWithLenencAuthData) {
  HandshakeResponse r;
  r.capabilities =
      kClientProtocol41 | kClientSecureConnection | kClientPluginAuth | kClientPluginAuthLenencData;
  r.user = "inflow";
  r.auth_response = std::string(20, '\x11');
  r.auth_plugin = "mysql_native_password";
  std::string p = EncodeHandshakeResponse(r);
  ByteReader rd(p);
  EXPECT_EQ(*rd.ReadU32("caps"), r.capabilities);
  EXPECT_EQ(*rd.ReadU32("max packet"), kMaxPacketPayload);
  EXPECT_EQ(*rd.ReadU8("charset"), kCharsetUtf8mb4);
  ASSERT_TRUE(rd.Skip(23, "filler").has_value());
  EXPECT_EQ(*rd.ReadNulString("user"), "inflow");
  EXPECT_EQ(*rd.ReadLenencString("auth"), r.auth_response);
  EXPECT_EQ(*rd.ReadNulString("plugin"), "mysql_native_password");
  EXPECT_TRUE(rd.empty());
  EXPECT_EQ(EncodeSslRequest(r.capabilities).size(), 32u);
  EXPECT_EQ(p.substr(4, 28), EncodeSslRequest(r.capabilities).substr(4, 28));
}

TEST(ProtocolPackets, ParsesErrAndMapsCodes) {
  auto e = ParseErr(Unhex("ffd404") + "#HY000Could not find first log file name in binary log");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, 1236);
  EXPECT_EQ(e->sql_state, "HY000");
  Error mapped = ServerErrorToError(*e, "binlog dump from mariadb-bin.000001:4");
  EXPECT_EQ(mapped.code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(mapped.message(),
            "binlog dump from mariadb-bin.000001:4: [1236 HY000] Could not find first log file "
            "name in binary log");
  EXPECT_EQ(ServerErrorToError({1045, "28000", "Access denied"}, "x").code(),
            ErrorCode::kUnauthenticated);
  EXPECT_EQ(ServerErrorToError({1227, "42000", "need SUPER"}, "x").code(),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(ServerErrorToError({1053, "08S01", "shutdown"}, "x").code(), ErrorCode::kUnavailable);
}

TEST(ProtocolPackets, ParsesOkAndEofShapes) {
  auto ok = ParseOk(Unhex("00fc10270502000100"));
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->affected_rows, 10000u);
  EXPECT_EQ(ok->last_insert_id, 5u);
  EXPECT_EQ(ok->status, 2);
  EXPECT_EQ(ok->warnings, 1);
  EXPECT_TRUE(IsEof(Unhex("fe00000200")));
  // 0xFE as a length-encoded integer prefix in a 9+ byte row is not an EOF.
  EXPECT_FALSE(IsEof(Unhex("fe0100000000000000") + "x"));
}

TEST(ProtocolResultSet, ParsesColumnDefinitionAndTextRows) {
  ByteWriter def;
  for (std::string_view s :
       {"def", "information_schema", "COLUMNS", "COLUMNS", "COLUMN_NAME", "COLUMN_NAME"}) {
    def.LenencString(s);
  }
  def.Lenenc(0x0c);
  def.U16(45);
  def.U32(256);
  def.U8(253);
  def.U16(0);
  def.U8(0);
  def.U16(0);
  auto name = ParseColumnName(def.data());
  ASSERT_TRUE(name.has_value());
  EXPECT_EQ(*name, "COLUMN_NAME");

  ByteWriter row;
  row.LenencString("mariadb-bin.000001");
  row.U8(0xFB);
  row.LenencString("");
  auto values = ParseTextRow(row.data(), 3);
  ASSERT_TRUE(values.has_value());
  ASSERT_EQ(values->size(), 3u);
  EXPECT_EQ((*values)[0], "mariadb-bin.000001");
  EXPECT_FALSE((*values)[1].has_value());
  EXPECT_EQ((*values)[2], "");
  EXPECT_FALSE(ParseTextRow(row.data(), 4).has_value());

  ResultSet rs;
  rs.columns = {"Log_name", "File_size"};
  EXPECT_EQ(rs.ColumnIndex("file_size"), 1u);
  EXPECT_FALSE(rs.ColumnIndex("nope").has_value());
}

TEST(ProtocolReplication, EncodesRegisterSlaveAndBinlogDump) {
  RegisterReplicaCommand r;
  r.server_id = 0x01020304;
  r.host = "h";
  r.user = "u";
  r.port = 3306;
  EXPECT_EQ(HexOf(EncodeRegisterSlave(r)),
            "150403020101680175"
            "00"
            "ea0c"
            "00000000"
            "00000000");
  EXPECT_EQ(HexOf(EncodeBinlogDump(4, 0, 7, "b.000001")),
            "12"
            "04000000"
            "0000"
            "07000000" +
                HexOf("b.000001"));
}

TEST(ProtocolReplication, EncodesMySqlGtidSetPerDocumentedLayout) {
  auto set = ParseMySQLGtidSet("3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5:11");
  ASSERT_TRUE(set.has_value()) << set.error().ToString();
  std::string encoded = EncodeMySQLGtidSet(*set);
  EXPECT_EQ(HexOf(encoded),
            "0100000000000000"                  // n_sids (8 bytes)
            "3e11fa4771ca11e19e33c80aa9429562"  // sid
            "0200000000000000"                  // n_intervals
            "0100000000000000"
            "0600000000000000"  // [1, 6): end is exclusive
            "0b00000000000000"
            "0c00000000000000");  // [11, 12)
  std::string cmd = EncodeBinlogDumpGtid(kBinlogThroughGtid, 99, "", 4, encoded);
  EXPECT_EQ(HexOf(cmd.substr(0, 23)),
            "1e"
            "0400"
            "63000000"
            "00000000"
            "0400000000000000"
            "40000000");
  EXPECT_EQ(cmd.substr(23), encoded);

  auto two = ParseMySQLGtidSet(
      "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-3, "
      "00000000-0000-0000-0000-000000000001:7");
  ASSERT_TRUE(two.has_value());
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[1].uuid[15], 1);
  EXPECT_EQ((*two)[1].intervals[0].start, 7);
  EXPECT_EQ((*two)[1].intervals[0].end, 8);
  EXPECT_EQ(HexOf(EncodeMySQLGtidSet({})), "0000000000000000");
}

TEST(ProtocolReplication, RejectsMalformedGtidSets) {
  for (std::string_view bad :
       {"nouuid", "3E11FA47-71CA-11E1-9E33-C80AA942956:1", "3E11FA47-71CA-11E1-9E33-C80AA9429562:0",
        "3E11FA47-71CA-11E1-9E33-C80AA9429562:5-3", "3E11FA47-71CA-11E1-9E33-C80AA9429562:x",
        "3E11FA47-71CA-11E1-9E33-C80AA9429562:"}) {
    auto r = ParseMySQLGtidSet(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace inflow::capture::mysql
