// How to reach a MySQL / MariaDB server as a replica: address, credentials, TLS, timeouts, and
// the parser of the source URL `mysql://user:password@host:port[?param=value&...]` (also
// `mariadb://`). URL parameters: tls=disabled|preferred|required|verify_ca|verify_identity,
// ca=PATH (CA bundle for verification), server_public_key=PATH (caching_sha2_password RSA key,
// PEM), server_id=N (our replica id), heartbeat_ms=N, read_timeout_ms=N, connect_timeout_ms=N.
// User and password are percent-decoded.
//
// Thread safety: value types.
#ifndef INFLOW_CAPTURE_MYSQL_CONNECTION_OPTIONS_H_
#define INFLOW_CAPTURE_MYSQL_CONNECTION_OPTIONS_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace inflow::capture::mysql {

enum class TlsMode : uint8_t {
  kDisabled,        // never
  kPreferred,       // when the server offers it, without certificate checks
  kRequired,        // fail unless TLS; no certificate checks
  kVerifyCa,        // TLS with the chain checked against `ca` (or the system store)
  kVerifyIdentity,  // kVerifyCa plus the host name / IP in the certificate
};

struct ConnectOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 3306;
  std::string user;
  std::string password;
  std::string database;  // optional default database
  TlsMode tls = TlsMode::kPreferred;
  std::string ca_file;
  std::string server_public_key_file;
  bool mariadb_scheme = false;  // the URL said mariadb:// (informational; the handshake decides)
  uint32_t server_id = 0;       // 0: derived from the process (see MysqlSource)
  std::chrono::milliseconds connect_timeout{10'000};
  // Heartbeat period asked of the server while streaming; reads time out after
  // read_timeout (default: 2 heartbeats + 5 s), which detects a half-open connection.
  std::chrono::milliseconds heartbeat{15'000};
  std::chrono::milliseconds read_timeout{0};  // 0 = derived from heartbeat
  // Timeout for ordinary queries.
  std::chrono::milliseconds query_timeout{30'000};

  std::chrono::milliseconds EffectiveReadTimeout() const {
    return read_timeout.count() > 0 ? read_timeout : heartbeat * 2 + std::chrono::seconds(5);
  }
  // "host:port", for messages.
  std::string Peer() const { return host + ":" + std::to_string(port); }
};

// Parses a source URL. kInvalidArgument names the offending part; the password never appears
// in messages.
Result<ConnectOptions> ParseSourceUrl(std::string_view url);

// The URL without its password, for logs and messages.
std::string RedactedUrl(const ConnectOptions& options);

}  // namespace inflow::capture::mysql

#endif  // INFLOW_CAPTURE_MYSQL_CONNECTION_OPTIONS_H_
