// Connection: one client connection to a MySQL / MariaDB server that can run text queries and
// then turn into a binlog dump stream, as a replica does.
//
// Open() connects (with a timeout), negotiates TLS when asked or offered, and authenticates
// with mysql_native_password, caching_sha2_password (fast path; full path over TLS, with a
// configured RSA key or the key fetched from the server) or MariaDB's client_ed25519, following
// auth switch requests. Query() runs text-protocol statements (SHOW, SELECT, SET). After
// PrepareReplication() and one of the Start*Dump() calls, ReadEvent() yields the binlog events
// one at a time: header + body with the CRC32 trailer verified and removed. Heartbeats are
// asked of the server every `heartbeat` and every read times out after the read timeout, so a
// half-open connection surfaces as kTimeout instead of a silent hang.
//
// Blocking I/O on the caller's thread with poll() timeouts. Opening a connection makes the
// process ignore SIGPIPE (a peer that vanished must become an error value, not a signal).
//
// Thread safety: not synchronised; one thread uses a connection at a time. Close() may not be
// called concurrently with a read; to interrupt a blocked read, use Shutdown() from another
// thread (it only shuts the socket down, which the reader then reports as kCancelled).
#ifndef INFLOW_CAPTURE_MYSQL_CONNECTION_H_
#define INFLOW_CAPTURE_MYSQL_CONNECTION_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "capture/mysql/connection_options.h"
#include "capture/mysql/protocol_messages.h"
#include "common/result.h"

namespace inflow::capture::mysql {

class Connection {
 public:
  static Result<std::unique_ptr<Connection>> Open(const ConnectOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  const Handshake& handshake() const { return handshake_; }
  bool IsMariaDb() const { return handshake_.IsMariaDb(); }
  bool tls_active() const;
  // The plugin that finally authenticated us (after any auth switch).
  const std::string& auth_plugin() const { return auth_plugin_; }
  const ConnectOptions& options() const { return options_; }

  // Runs one statement; a statement without a result set gives an empty ResultSet.
  // Server errors keep the server's code and message (see ServerErrorToError).
  Result<ResultSet> Query(std::string_view sql);

  // Declares the session a checksum-aware replica with heartbeats (and, for MariaDB, GTID
  // capable). Reads @@global.binlog_checksum to know whether events carry a CRC32 trailer.
  Status PrepareReplication(std::string_view replica_uuid);
  // COM_REGISTER_SLAVE, so the replica shows in SHOW SLAVE HOSTS.
  Status RegisterReplica(uint32_t server_id);
  // COM_BINLOG_DUMP from file:pos.
  Status StartDump(std::string_view file, uint32_t position, uint32_t server_id);
  // MariaDB GTID start: @slave_connect_state = `gtid_state` ("0-1-42,1-2-7"; "" = from the
  // beginning of the oldest binlog), strict mode, then COM_BINLOG_DUMP without file / position.
  Status StartMariaDbGtidDump(std::string_view gtid_state, uint32_t server_id);
  // MySQL COM_BINLOG_DUMP_GTID: everything not in `gtid_set` ("uuid:1-5,...").
  Status StartMySQLGtidDump(std::string_view gtid_set, uint32_t server_id);

  // The next binlog event (header + body, checksum verified and stripped). The span is valid
  // until the next call. Errors: kTimeout (nothing, not even a heartbeat, for the read
  // timeout), kUnavailable (connection lost), kOutOfRange (purged / unknown position),
  // kDataLoss (CRC mismatch, malformed packet), kCancelled (Shutdown()).
  Result<std::span<const uint8_t>> ReadEvent();

  // True while a CRC32 trailer is expected on each event.
  bool checksums_on() const { return crc32_; }

  // Interrupts a blocked read from another thread.
  void Shutdown();

 private:
  class Transport;
  explicit Connection(ConnectOptions options);

  Status Handshake_();
  Status Authenticate(uint32_t capabilities);
  Result<std::string> PluginResponse(std::string_view plugin, std::string_view scramble);
  Result<std::string> CachingSha2FullAuth(std::string_view scramble);
  Status SendCommand(std::string_view payload);
  Status SendNext(std::string_view payload);
  Status Send(std::string_view payload);
  Result<std::string> Receive(std::chrono::milliseconds timeout);
  Status ExpectOk(std::string_view context);
  Status Execute(std::string_view sql);

  ConnectOptions options_;
  std::unique_ptr<Transport> transport_;
  Handshake handshake_;
  std::string auth_plugin_;
  bool crc32_ = false;  // for the stream: from binlog_checksum, then each FORMAT_DESCRIPTION
  bool streaming_ = false;
  std::string event_;  // the payload behind the span ReadEvent returned
  std::atomic<bool> shut_down_{false};
};

}  // namespace inflow::capture::mysql

#endif  // INFLOW_CAPTURE_MYSQL_CONNECTION_H_
