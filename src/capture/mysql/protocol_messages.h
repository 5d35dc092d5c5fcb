// The messages of the MySQL / MariaDB client protocol that the replication client exchanges:
// the v10 handshake, the handshake response and SSL request, OK / ERR packets, text result sets,
// and the replication commands COM_REGISTER_SLAVE, COM_BINLOG_DUMP and COM_BINLOG_DUMP_GTID
// (with MySQL's binary GTID set encoding). Encoders build payloads (framing is packet_codec.h);
// parsers take one payload and never read past it.
//
// Thread safety: pure functions and value types.
#ifndef INFLOW_CAPTURE_MYSQL_PROTOCOL_MESSAGES_H_
#define INFLOW_CAPTURE_MYSQL_PROTOCOL_MESSAGES_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace inflow::capture::mysql {

// Capability flags (the subset we use or inspect).
inline constexpr uint32_t kClientLongPassword = 0x00000001;
inline constexpr uint32_t kClientLongFlag = 0x00000004;
inline constexpr uint32_t kClientConnectWithDb = 0x00000008;
inline constexpr uint32_t kClientProtocol41 = 0x00000200;
inline constexpr uint32_t kClientSsl = 0x00000800;
inline constexpr uint32_t kClientTransactions = 0x00002000;
inline constexpr uint32_t kClientSecureConnection = 0x00008000;
inline constexpr uint32_t kClientMultiResults = 0x00020000;
inline constexpr uint32_t kClientPluginAuth = 0x00080000;
inline constexpr uint32_t kClientPluginAuthLenencData = 0x00200000;
inline constexpr uint32_t kClientDeprecateEof = 0x01000000;

// Command bytes.
inline constexpr uint8_t kComQuit = 0x01;
inline constexpr uint8_t kComQuery = 0x03;
inline constexpr uint8_t kComPing = 0x0E;
inline constexpr uint8_t kComBinlogDump = 0x12;
inline constexpr uint8_t kComRegisterSlave = 0x15;
inline constexpr uint8_t kComBinlogDumpGtid = 0x1E;

// utf8mb4_general_ci: the connection character set we ask for.
inline constexpr uint8_t kCharsetUtf8mb4 = 45;

struct Handshake {
  uint8_t protocol_version = 0;
  std::string server_version;  // e.g. "5.5.5-10.11.19-MariaDB-0+deb12u1"
  uint32_t connection_id = 0;
  uint32_t capabilities = 0;
  uint8_t charset = 0;
  uint16_t status = 0;
  std::string scramble;     // auth plugin data, both parts, without the trailing NUL
  std::string auth_plugin;  // mysql_native_password when the server names none

  bool IsMariaDb() const { return server_version.find("MariaDB") != std::string::npos; }
};

Result<Handshake> ParseHandshake(std::string_view payload);

struct HandshakeResponse {
  uint32_t capabilities = 0;  // already intersected with the server's
  std::string user;
  std::string auth_response;
  std::string database;  // sent only with kClientConnectWithDb
  std::string auth_plugin;
};

// The 32-byte SSL request that precedes the TLS handshake.
std::string EncodeSslRequest(uint32_t capabilities);
std::string EncodeHandshakeResponse(const HandshakeResponse& r);

// A server error (ERR packet).
struct ServerError {
  uint16_t code = 0;
  std::string sql_state;
  std::string message;
};

struct OkPacket {
  uint64_t affected_rows = 0;
  uint64_t last_insert_id = 0;
  uint16_t status = 0;
  uint16_t warnings = 0;
};

inline bool IsOk(std::string_view p) { return !p.empty() && static_cast<uint8_t>(p[0]) == 0x00; }
inline bool IsErr(std::string_view p) { return !p.empty() && static_cast<uint8_t>(p[0]) == 0xFF; }
// An EOF packet (0xFE and shorter than 9 bytes, which tells it from a length-encoded integer).
inline bool IsEof(std::string_view p) {
  return !p.empty() && static_cast<uint8_t>(p[0]) == 0xFE && p.size() < 9;
}

Result<ServerError> ParseErr(std::string_view payload);
Result<OkPacket> ParseOk(std::string_view payload);

// Maps a server error to our error codes (access denied → kUnauthenticated, a purged or missing
// binlog / GTID → kOutOfRange, missing privileges → kPermissionDenied, the rest → kUnavailable
// or kFailedPrecondition) with "context: [code] message".
Error ServerErrorToError(const ServerError& e, std::string_view context);

// A text-protocol result set: column names and rows of nullable strings.
struct ResultSet {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;

  // Index of a column by name (case-insensitive), or nullopt.
  std::optional<size_t> ColumnIndex(std::string_view name) const;
};

// Name of a column from a ColumnDefinition41 payload.
Result<std::string> ParseColumnName(std::string_view payload);
// One text row with `columns` values.
Result<std::vector<std::optional<std::string>>> ParseTextRow(std::string_view payload,
                                                             size_t columns);

std::string EncodeQuery(std::string_view sql);

struct RegisterReplicaCommand {
  uint32_t server_id = 0;
  std::string host;
  std::string user;
  std::string password;
  uint16_t port = 0;
};
std::string EncodeRegisterSlave(const RegisterReplicaCommand& r);

inline constexpr uint16_t kBinlogDumpNonBlock = 0x01;
inline constexpr uint16_t kBinlogThroughGtid = 0x04;

std::string EncodeBinlogDump(uint32_t position, uint16_t flags, uint32_t server_id,
                             std::string_view file);

// A MySQL GTID set, e.g. "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5:11,<uuid>:7".
struct MySQLGtidInterval {
  int64_t start = 0;  // inclusive
  int64_t end = 0;    // exclusive, as on the wire
};
struct MySQLGtidSid {
  std::array<uint8_t, 16> uuid{};
  std::vector<MySQLGtidInterval> intervals;
};
Result<std::vector<MySQLGtidSid>> ParseMySQLGtidSet(std::string_view text);
// n_sids u64, then per SID: uuid[16], n_intervals u64, {start i64, end i64 exclusive}.
std::string EncodeMySQLGtidSet(const std::vector<MySQLGtidSid>& set);

std::string EncodeBinlogDumpGtid(uint16_t flags, uint32_t server_id, std::string_view file,
                                 uint64_t position, std::string_view encoded_gtid_set);

}  // namespace inflow::capture::mysql

#endif  // INFLOW_CAPTURE_MYSQL_PROTOCOL_MESSAGES_H_
