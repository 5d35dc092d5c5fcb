#include "capture/mysql/protocol_messages.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "capture/mysql/packet_codec.h"
#include "common/hex.h"

namespace inflow::capture::mysql {

Result<Handshake> ParseHandshake(std::string_view payload) {
  ByteReader r(payload);
  Handshake h;
  if (IsErr(payload)) {
    INFLOW_TRY(ServerError e, ParseErr(payload));
    return Fail(ServerErrorToError(e, "server refused the connection"));
  }
  INFLOW_TRY(h.protocol_version, r.ReadU8("handshake protocol version"));
  if (h.protocol_version != 10) {
    return Fail(ErrorCode::kFailedPrecondition, "unsupported handshake protocol version " +
                                                    std::to_string(h.protocol_version) +
                                                    " (only v10 is supported)");
  }
  INFLOW_TRY(std::string_view version, r.ReadNulString("server version"));
  h.server_version = std::string(version);
  INFLOW_TRY(h.connection_id, r.ReadU32("connection id"));
  INFLOW_TRY(std::string_view part1, r.ReadBytes(8, "auth plugin data part 1"));
  h.scramble = std::string(part1);
  INFLOW_RETURN_IF_ERROR(r.Skip(1, "filler"));
  INFLOW_TRY(uint16_t caps_low, r.ReadU16("capability flags"));
  h.capabilities = caps_low;
  if (r.empty()) return h;  // pre-4.1 servers stop here
  INFLOW_TRY(h.charset, r.ReadU8("character set"));
  INFLOW_TRY(h.status, r.ReadU16("status flags"));
  INFLOW_TRY(uint16_t caps_high, r.ReadU16("capability flags (upper)"));
  h.capabilities |= static_cast<uint32_t>(caps_high) << 16;
  INFLOW_TRY(uint8_t auth_data_len, r.ReadU8("auth plugin data length"));
  INFLOW_RETURN_IF_ERROR(r.Skip(10, "reserved"));
  if (h.capabilities & kClientSecureConnection) {
    size_t n = std::max<int>(13, static_cast<int>(auth_data_len) - 8);
    n = std::min(n, r.remaining());
    INFLOW_TRY(std::string_view part2, r.ReadBytes(n, "auth plugin data part 2"));
    h.scramble.append(part2);
    // The second part is NUL-terminated on the wire; the NUL is not part of the scramble.
    if (!h.scramble.empty() && h.scramble.back() == '\0') h.scramble.pop_back();
  }
  if (h.capabilities & kClientPluginAuth) {
    if (!r.empty()) {
      // Some servers omit the final NUL.
      std::string_view rest = r.rest();
      size_t nul = rest.find('\0');
      h.auth_plugin = std::string(rest.substr(0, nul));
    }
  }
  if (h.auth_plugin.empty()) h.auth_plugin = "mysql_native_password";
  return h;
}

std::string EncodeSslRequest(uint32_t capabilities) {
  ByteWriter w;
  w.U32(capabilities | kClientSsl);
  w.U32(kMaxPacketPayload);
  w.U8(kCharsetUtf8mb4);
  w.Zeros(23);
  return w.Take();
}

std::string EncodeHandshakeResponse(const HandshakeResponse& r) {
  ByteWriter w;
  w.U32(r.capabilities);
  w.U32(kMaxPacketPayload);
  w.U8(kCharsetUtf8mb4);
  w.Zeros(23);
  w.NulString(r.user);
  if (r.capabilities & kClientPluginAuthLenencData) {
    w.LenencString(r.auth_response);
  } else {
    w.U8(static_cast<uint8_t>(r.auth_response.size()));
    w.Bytes(r.auth_response);
  }
  if (r.capabilities & kClientConnectWithDb) w.NulString(r.database);
  if (r.capabilities & kClientPluginAuth) w.NulString(r.auth_plugin);
  return w.Take();
}

Result<ServerError> ParseErr(std::string_view payload) {
  ByteReader r(payload);
  INFLOW_TRY(uint8_t marker, r.ReadU8("ERR marker"));
  if (marker != 0xFF) return Fail(ErrorCode::kDataLoss, "not an ERR packet");
  ServerError e;
  INFLOW_TRY(e.code, r.ReadU16("error code"));
  if (!r.empty() && r.rest()[0] == '#') {
    INFLOW_RETURN_IF_ERROR(r.Skip(1, "sql state marker"));
    INFLOW_TRY(std::string_view state,
               r.ReadBytes(std::min<size_t>(5, r.remaining()), "sql state"));
    e.sql_state = std::string(state);
  }
  e.message = std::string(r.rest());
  return e;
}

Result<OkPacket> ParseOk(std::string_view payload) {
  ByteReader r(payload);
  INFLOW_TRY(uint8_t marker, r.ReadU8("OK marker"));
  if (marker != 0x00 && marker != 0xFE) return Fail(ErrorCode::kDataLoss, "not an OK packet");
  OkPacket ok;
  INFLOW_TRY(ok.affected_rows, r.ReadLenenc("affected rows"));
  INFLOW_TRY(ok.last_insert_id, r.ReadLenenc("last insert id"));
  if (r.remaining() >= 4) {
    INFLOW_TRY(ok.status, r.ReadU16("status flags"));
    INFLOW_TRY(ok.warnings, r.ReadU16("warnings"));
  }
  return ok;
}

Error ServerErrorToError(const ServerError& e, std::string_view context) {
  ErrorCode code = ErrorCode::kFailedPrecondition;
  switch (e.code) {
    case 1045:  // ER_ACCESS_DENIED_ERROR
    case 1698:  // ER_ACCESS_DENIED_NO_PASSWORD_ERROR
      code = ErrorCode::kUnauthenticated;
      break;
    case 1044:  // ER_DBACCESS_DENIED_ERROR
    case 1142:  // ER_TABLEACCESS_DENIED_ERROR
    case 1143:  // ER_COLUMNACCESS_DENIED_ERROR
    case 1227:  // ER_SPECIFIC_ACCESS_DENIED_ERROR
      code = ErrorCode::kPermissionDenied;
      break;
    case 1236:  // ER_MASTER_FATAL_ERROR_READING_BINLOG: purged / unknown file or GTID
    case 1373:  // ER_UNKNOWN_TARGET_BINLOG
      code = ErrorCode::kOutOfRange;
      break;
    case 1040:  // ER_CON_COUNT_ERROR
    case 1053:  // ER_SERVER_SHUTDOWN
    case 1077:  // ER_NORMAL_SHUTDOWN
    case 1152:  // ER_ABORTING_CONNECTION
    case 1159:  // ER_NET_READ_INTERRUPTED
    case 1161:  // ER_NET_WRITE_INTERRUPTED
    case 1205:  // ER_LOCK_WAIT_TIMEOUT
    case 1213:  // ER_LOCK_DEADLOCK
    case 1927:  // ER_CONNECTION_KILLED (MariaDB)
      code = ErrorCode::kUnavailable;
      break;
    case 1064:  // ER_PARSE_ERROR
    case 1146:  // ER_NO_SUCH_TABLE
    case 1049:  // ER_BAD_DB_ERROR
      code = ErrorCode::kInvalidArgument;
      break;
    default:
      break;
  }
  std::string msg(context);
  msg += ": [";
  msg += std::to_string(e.code);
  if (!e.sql_state.empty()) msg += " " + e.sql_state;
  msg += "] " + e.message;
  return Error(code, std::move(msg));
}

std::optional<size_t> ResultSet::ColumnIndex(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].size() != name.size()) continue;
    bool same = true;
    for (size_t j = 0; j < name.size() && same; ++j) {
      same = std::tolower(static_cast<unsigned char>(columns[i][j])) ==
             std::tolower(static_cast<unsigned char>(name[j]));
    }
    if (same) return i;
  }
  return std::nullopt;
}

Result<std::string> ParseColumnName(std::string_view payload) {
  ByteReader r(payload);
  for (const char* field : {"catalog", "schema", "table", "org_table"}) {
    INFLOW_TRY(std::string_view ignored, r.ReadLenencString(field));
    (void)ignored;
  }
  INFLOW_TRY(std::string_view name, r.ReadLenencString("column name"));
  return std::string(name);
}

Result<std::vector<std::optional<std::string>>> ParseTextRow(std::string_view payload,
                                                             size_t columns) {
  ByteReader r(payload);
  std::vector<std::optional<std::string>> row;
  row.reserve(columns);
  for (size_t i = 0; i < columns; ++i) {
    INFLOW_TRY(auto v, r.ReadLenencNullableString("row value"));
    if (v) {
      row.emplace_back(std::string(*v));
    } else {
      row.emplace_back(std::nullopt);
    }
  }
  return row;
}

std::string EncodeQuery(std::string_view sql) {
  ByteWriter w;
  w.U8(kComQuery);
  w.Bytes(sql);
  return w.Take();
}

std::string EncodeRegisterSlave(const RegisterReplicaCommand& r) {
  ByteWriter w;
  w.U8(kComRegisterSlave);
  w.U32(r.server_id);
  auto short_string = [&w](std::string_view s) {
    s = s.substr(0, 255);
    w.U8(static_cast<uint8_t>(s.size()));
    w.Bytes(s);
  };
  short_string(r.host);
  short_string(r.user);
  short_string(r.password);
  w.U16(r.port);
  w.U32(0);  // replication rank, unused
  w.U32(0);  // master id, filled in by the server
  return w.Take();
}

std::string EncodeBinlogDump(uint32_t position, uint16_t flags, uint32_t server_id,
                             std::string_view file) {
  ByteWriter w;
  w.U8(kComBinlogDump);
  w.U32(position);
  w.U16(flags);
  w.U32(server_id);
  w.Bytes(file);
  return w.Take();
}

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

Result<int64_t> ParseGno(std::string_view s, std::string_view whole) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 1) {
    return Fail(ErrorCode::kInvalidArgument, "invalid GTID number '" + std::string(s) +
                                                 "' in GTID set '" + std::string(whole) + "'");
  }
  return v;
}

}  // namespace

Result<std::vector<MySQLGtidSid>> ParseMySQLGtidSet(std::string_view text) {
  std::vector<MySQLGtidSid> out;
  std::string_view rest = Trim(text);
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view item = Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (item.empty()) continue;
    size_t colon = item.find(':');
    if (colon == std::string_view::npos) {
      return Fail(ErrorCode::kInvalidArgument,
                  "GTID set item '" + std::string(item) + "' has no ':<interval>'");
    }
    MySQLGtidSid sid;
    std::string_view uuid = item.substr(0, colon);
    size_t nibble = 0;
    for (char c : uuid) {
      if (c == '-') continue;
      int v = HexDigitValue(c);
      if (v < 0 || nibble >= 32) {
        return Fail(ErrorCode::kInvalidArgument, "invalid server uuid '" + std::string(uuid) +
                                                     "' in GTID set '" + std::string(text) + "'");
      }
      sid.uuid[nibble / 2] =
          static_cast<uint8_t>(sid.uuid[nibble / 2] | (v << (nibble % 2 ? 0 : 4)));
      ++nibble;
    }
    if (nibble != 32) {
      return Fail(ErrorCode::kInvalidArgument, "invalid server uuid '" + std::string(uuid) +
                                                   "' in GTID set '" + std::string(text) + "'");
    }
    std::string_view intervals = item.substr(colon + 1);
    while (!intervals.empty()) {
      size_t next = intervals.find(':');
      std::string_view iv = intervals.substr(0, next);
      intervals = next == std::string_view::npos ? std::string_view() : intervals.substr(next + 1);
      size_t dash = iv.find('-');
      INFLOW_TRY(int64_t start, ParseGno(iv.substr(0, dash), text));
      int64_t last = start;
      if (dash != std::string_view::npos) {
        INFLOW_TRY(last, ParseGno(iv.substr(dash + 1), text));
      }
      if (last < start) {
        return Fail(ErrorCode::kInvalidArgument, "GTID interval '" + std::string(iv) +
                                                     "' ends before it starts in '" +
                                                     std::string(text) + "'");
      }
      sid.intervals.push_back({start, last + 1});
    }
    if (sid.intervals.empty()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "GTID set item '" + std::string(item) + "' has no interval");
    }
    out.push_back(std::move(sid));
  }
  return out;
}

std::string EncodeMySQLGtidSet(const std::vector<MySQLGtidSid>& set) {
  ByteWriter w;
  w.U64(set.size());
  for (const MySQLGtidSid& sid : set) {
    w.Bytes(std::string_view(reinterpret_cast<const char*>(sid.uuid.data()), sid.uuid.size()));
    w.U64(sid.intervals.size());
    for (const MySQLGtidInterval& iv : sid.intervals) {
      w.U64(static_cast<uint64_t>(iv.start));
      w.U64(static_cast<uint64_t>(iv.end));
    }
  }
  return w.Take();
}

std::string EncodeBinlogDumpGtid(uint16_t flags, uint32_t server_id, std::string_view file,
                                 uint64_t position, std::string_view encoded_gtid_set) {
  ByteWriter w;
  w.U8(kComBinlogDumpGtid);
  w.U16(flags);
  w.U32(server_id);
  w.U32(static_cast<uint32_t>(file.size()));
  w.Bytes(file);
  w.U64(position);
  if (flags & kBinlogThroughGtid) {
    w.U32(static_cast<uint32_t>(encoded_gtid_set.size()));
    w.Bytes(encoded_gtid_set);
  }
  return w.Take();
}

}  // namespace inflow::capture::mysql
