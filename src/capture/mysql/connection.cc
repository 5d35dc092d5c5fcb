#include "capture/mysql/connection.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <iterator>
#include <mutex>

#include "capture/mysql/auth_plugins.h"
#include "capture/mysql/packet_codec.h"
#include "capture/mysql/sql_quote.h"
#include "common/coding.h"
#include "common/file_text.h"

namespace inflow::capture::mysql {
namespace {

using std::chrono::milliseconds;

constexpr size_t kEventHeaderLen = 19;
constexpr uint8_t kFormatDescriptionEvent = 15;

std::string SslErrorText() {
  unsigned long e = ERR_get_error();
  if (e == 0) return std::strerror(errno);
  char buf[256];
  ERR_error_string_n(e, buf, sizeof(buf));
  ERR_clear_error();
  return buf;
}

int PollMs(milliseconds timeout) {
  if (timeout.count() <= 0) return 0;
  return timeout.count() > 0x7FFFFFFF ? 0x7FFFFFFF : static_cast<int>(timeout.count());
}

}  // namespace

// A TCP socket, optionally wrapped in TLS, with timeouts on every read and write.
class Connection::Transport {
 public:
  Transport(std::string peer, int fd) : peer_(std::move(peer)), fd_(fd) {}
  ~Transport() {
    if (ssl_) {
      SSL_shutdown(ssl_);
      SSL_free(ssl_);
    }
    if (ctx_) SSL_CTX_free(ctx_);
    if (fd_ >= 0) ::close(fd_);
  }

  static Result<std::unique_ptr<Transport>> Connect(const ConnectOptions& o) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    std::string port = std::to_string(o.port);
    int rc = getaddrinfo(o.host.c_str(), port.c_str(), &hints, &res);
    if (rc != 0) {
      return Fail(ErrorCode::kUnavailable, "cannot resolve " + o.Peer() + ": " + gai_strerror(rc));
    }
    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(res, freeaddrinfo);
    std::string last_error = "no address";
    for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
      int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
      if (fd < 0) {
        last_error = std::strerror(errno);
        continue;
      }
      int flags = fcntl(fd, F_GETFL, 0);
      fcntl(fd, F_SETFL, flags | O_NONBLOCK);
      int r = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
      if (r != 0 && errno == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        r = ::poll(&p, 1, PollMs(o.connect_timeout));
        if (r == 0) {
          last_error = "timed out after " + std::to_string(o.connect_timeout.count()) + " ms";
          ::close(fd);
          continue;
        }
        int err = 0;
        socklen_t len = sizeof(err);
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        r = err == 0 ? 0 : -1;
        errno = err;
      }
      if (r != 0) {
        last_error = std::strerror(errno);
        ::close(fd);
        continue;
      }
      fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
      return std::make_unique<Transport>(o.Peer(), fd);
    }
    return Fail(ErrorCode::kUnavailable, "cannot connect to " + o.Peer() + ": " + last_error);
  }

  Status StartTls(const ConnectOptions& o, milliseconds timeout) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    if (!ctx_) return Fail(ErrorCode::kInternal, "TLS: " + SslErrorText());
    SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
    bool verify = o.tls == TlsMode::kVerifyCa || o.tls == TlsMode::kVerifyIdentity;
    if (verify) {
      SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
      int ok = o.ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx_)
                                 : SSL_CTX_load_verify_locations(ctx_, o.ca_file.c_str(), nullptr);
      if (ok != 1) {
        return Fail(ErrorCode::kInvalidArgument,
                    "TLS: cannot load CA '" + o.ca_file + "': " + SslErrorText());
      }
    }
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    in6_addr ip6;
    in_addr ip4;
    bool is_ip = inet_pton(AF_INET, o.host.c_str(), &ip4) == 1 ||
                 inet_pton(AF_INET6, o.host.c_str(), &ip6) == 1;
    if (!is_ip) SSL_set_tlsext_host_name(ssl_, o.host.c_str());
    if (o.tls == TlsMode::kVerifyIdentity) {
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
      if (is_ip) {
        X509_VERIFY_PARAM_set1_ip_asc(param, o.host.c_str());
      } else {
        SSL_set1_host(ssl_, o.host.c_str());
      }
    }
    SetSocketTimeout(timeout);
    if (SSL_connect(ssl_) != 1) {
      long vr = SSL_get_verify_result(ssl_);
      std::string why = vr != X509_V_OK ? X509_verify_cert_error_string(vr) : SslErrorText();
      return Fail(verify && vr != X509_V_OK ? ErrorCode::kUnauthenticated : ErrorCode::kUnavailable,
                  "TLS handshake with " + peer_ + " failed: " + why);
    }
    return Ok();
  }

  bool tls() const { return ssl_ != nullptr; }

  Status WriteAll(std::string_view data, milliseconds timeout) {
    SetSocketTimeout(timeout);
    size_t off = 0;
    while (off < data.size()) {
      ssize_t n;
      if (ssl_) {
        n = SSL_write(ssl_, data.data() + off, static_cast<int>(data.size() - off));
        if (n <= 0) {
          return Fail(ErrorCode::kUnavailable, "TLS write to " + peer_ + ": " + SslErrorText());
        }
      } else {
        n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
        if (n < 0) {
          if (errno == EINTR) continue;
          if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return Fail(ErrorCode::kTimeout, "write to " + peer_ + " timed out");
          }
          return Fail(ErrorCode::kUnavailable, "write to " + peer_ + ": " + std::strerror(errno));
        }
      }
      off += static_cast<size_t>(n);
    }
    return Ok();
  }

  // Reads whatever is available (at least one byte) within `timeout`.
  Result<size_t> ReadSome(char* buf, size_t cap, milliseconds timeout) {
    if (!(ssl_ && SSL_pending(ssl_) > 0)) {
      pollfd p{fd_, POLLIN, 0};
      int r;
      do {
        r = ::poll(&p, 1, PollMs(timeout));
      } while (r < 0 && errno == EINTR);
      if (r == 0) {
        return Fail(ErrorCode::kTimeout,
                    "no data from " + peer_ + " for " + std::to_string(timeout.count()) + " ms");
      }
      if (r < 0) {
        return Fail(ErrorCode::kUnavailable, "poll on " + peer_ + ": " + std::strerror(errno));
      }
    }
    SetSocketTimeout(timeout);
    while (true) {
      ssize_t n;
      if (ssl_) {
        n = SSL_read(ssl_, buf, static_cast<int>(cap));
        if (n <= 0) {
          int err = SSL_get_error(ssl_, static_cast<int>(n));
          if (err == SSL_ERROR_ZERO_RETURN) {
            return Fail(ErrorCode::kUnavailable, peer_ + " closed the connection");
          }
          return Fail(ErrorCode::kUnavailable, "TLS read from " + peer_ + ": " + SslErrorText());
        }
      } else {
        n = ::recv(fd_, buf, cap, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
          if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return Fail(ErrorCode::kTimeout, "read from " + peer_ + " timed out");
          }
          return Fail(ErrorCode::kUnavailable, "read from " + peer_ + ": " + std::strerror(errno));
        }
        if (n == 0) return Fail(ErrorCode::kUnavailable, peer_ + " closed the connection");
      }
      return static_cast<size_t>(n);
    }
  }

  void Shutdown() { ::shutdown(fd_, SHUT_RDWR); }

 private:
  void SetSocketTimeout(milliseconds timeout) {
    timeval tv{};
    tv.tv_sec = timeout.count() / 1000;
    tv.tv_usec = (timeout.count() % 1000) * 1000;
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  }

  std::string peer_;
  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;

 public:
  PacketAssembler assembler;
  uint8_t write_sequence = 0;
};

Connection::Connection(ConnectOptions options) : options_(std::move(options)) {}
Connection::~Connection() = default;

bool Connection::tls_active() const { return transport_ && transport_->tls(); }

void Connection::Shutdown() {
  shut_down_ = true;
  if (transport_) transport_->Shutdown();
}

Result<std::unique_ptr<Connection>> Connection::Open(const ConnectOptions& options) {
  static std::once_flag ignore_sigpipe;
  std::call_once(ignore_sigpipe, [] { std::signal(SIGPIPE, SIG_IGN); });
  std::unique_ptr<Connection> c(new Connection(options));
  INFLOW_TRY(c->transport_, Transport::Connect(options));
  Status s = c->Handshake_();
  if (!s) return Fail(s.error().WithContext("connecting to " + RedactedUrl(options)));
  return c;
}

Result<std::string> Connection::Receive(milliseconds timeout) {
  char buf[64 * 1024];
  while (true) {
    INFLOW_TRY(std::optional<std::string> payload, transport_->assembler.Next());
    if (payload) return std::move(*payload);
    auto n = transport_->ReadSome(buf, sizeof(buf), timeout);
    if (!n) {
      if (shut_down_) return Fail(ErrorCode::kCancelled, "connection shut down");
      return Fail(n.error());
    }
    transport_->assembler.Feed(std::string_view(buf, *n));
  }
}

Status Connection::SendCommand(std::string_view payload) {
  transport_->write_sequence = 0;
  return Send(payload);
}

Status Connection::SendNext(std::string_view payload) {
  // Inside an exchange (handshake, auth) each side numbers on from the last packet it received.
  transport_->write_sequence = transport_->assembler.next_sequence();
  return Send(payload);
}

Status Connection::Send(std::string_view payload) {
  std::string framed = FramePayload(payload, &transport_->write_sequence);
  INFLOW_RETURN_IF_ERROR(transport_->WriteAll(framed, options_.query_timeout));
  transport_->assembler.Reset(transport_->write_sequence);
  return Ok();
}

Status Connection::ExpectOk(std::string_view context) {
  INFLOW_TRY(std::string p, Receive(options_.query_timeout));
  if (IsErr(p)) {
    INFLOW_TRY(ServerError e, ParseErr(p));
    return Fail(ServerErrorToError(e, context));
  }
  if (!IsOk(p)) {
    return Fail(ErrorCode::kDataLoss,
                std::string(context) + ": expected OK, got packet 0x" + HexOf(p.substr(0, 1)));
  }
  return Ok();
}

Status Connection::Handshake_() {
  transport_->assembler.Reset(0);
  INFLOW_TRY(std::string hello, Receive(options_.connect_timeout));
  INFLOW_TRY(handshake_, ParseHandshake(hello));
  if (!(handshake_.capabilities & kClientProtocol41)) {
    return Fail(ErrorCode::kFailedPrecondition,
                "server " + handshake_.server_version + " does not speak protocol 4.1");
  }
  uint32_t wanted = kClientLongPassword | kClientLongFlag | kClientProtocol41 |
                    kClientTransactions | kClientSecureConnection | kClientMultiResults |
                    kClientPluginAuth | kClientPluginAuthLenencData;
  if (!options_.database.empty()) wanted |= kClientConnectWithDb;
  uint32_t caps = wanted & handshake_.capabilities;
  bool server_tls = handshake_.capabilities & kClientSsl;
  if (options_.tls != TlsMode::kDisabled) {
    if (server_tls) {
      caps |= kClientSsl;
      INFLOW_RETURN_IF_ERROR(SendNext(EncodeSslRequest(caps)));
      INFLOW_RETURN_IF_ERROR(transport_->StartTls(options_, options_.connect_timeout));
    } else if (options_.tls != TlsMode::kPreferred) {
      return Fail(ErrorCode::kFailedPrecondition,
                  "TLS is required by the source URL but " + options_.Peer() +
                      " does not offer it: configure ssl_cert / ssl_key on the server, or use "
                      "tls=preferred");
    }
  }
  return Authenticate(caps);
}

Result<std::string> Connection::PluginResponse(std::string_view plugin, std::string_view scramble) {
  if (plugin == kNativePassword) return NativePasswordResponse(options_.password, scramble);
  if (plugin == kCachingSha2Password) return CachingSha2Response(options_.password, scramble);
  if (plugin == kClientEd25519) return Ed25519Response(options_.password, scramble);
  if (plugin == kClearPassword) {
    if (!tls_active()) {
      return Fail(ErrorCode::kFailedPrecondition,
                  "server asks for mysql_clear_password, which would send the password "
                  "unencrypted: use tls=required");
    }
    return options_.password + std::string(1, '\0');
  }
  return Fail(ErrorCode::kFailedPrecondition,
              "server asks for authentication plugin '" + std::string(plugin) +
                  "', which inflow does not support (supported: mysql_native_password, "
                  "caching_sha2_password, client_ed25519)");
}

Result<std::string> Connection::CachingSha2FullAuth(std::string_view scramble) {
  if (tls_active()) return options_.password + std::string(1, '\0');
  std::string pem;
  if (!options_.server_public_key_file.empty()) {
    auto text = ReadTextFile(options_.server_public_key_file);
    if (!text) {
      return Fail(ErrorCode::kInvalidArgument, "server_public_key: " + text.error().message());
    }
    pem = std::move(*text);
  } else {
    // Ask the server for its RSA public key.
    INFLOW_RETURN_IF_ERROR(SendNext(std::string(1, '\x02')));
    INFLOW_TRY(std::string reply, Receive(options_.query_timeout));
    if (IsErr(reply)) {
      INFLOW_TRY(ServerError e, ParseErr(reply));
      return Fail(ServerErrorToError(e, "caching_sha2_password public key request"));
    }
    if (reply.empty() || reply[0] != '\x01') {
      return Fail(ErrorCode::kDataLoss,
                  "caching_sha2_password: unexpected reply to the public key request");
    }
    pem = reply.substr(1);
  }
  return CachingSha2RsaResponse(options_.password, scramble, pem);
}

Status Connection::Authenticate(uint32_t caps) {
  std::string plugin = handshake_.auth_plugin;
  std::string scramble = handshake_.scramble;
  auto first = PluginResponse(plugin, scramble);
  if (!first) {
    // Unknown default plugin: answer as native and let the server switch us to the user's.
    plugin = std::string(kNativePassword);
    first = NativePasswordResponse(options_.password, scramble);
  }
  HandshakeResponse resp;
  resp.capabilities = caps;
  resp.user = options_.user;
  resp.auth_response = *first;
  resp.database = options_.database;
  resp.auth_plugin = plugin;
  INFLOW_RETURN_IF_ERROR(SendNext(EncodeHandshakeResponse(resp)));
  for (int round = 0; round < 8; ++round) {
    INFLOW_TRY(std::string p, Receive(options_.connect_timeout));
    if (p.empty()) return Fail(ErrorCode::kDataLoss, "empty packet during authentication");
    auto marker = static_cast<uint8_t>(p[0]);
    if (marker == 0x00) {
      auth_plugin_ = plugin;
      return Ok();
    }
    if (marker == 0xFF) {
      INFLOW_TRY(ServerError e, ParseErr(p));
      return Fail(
          ServerErrorToError(e, "authentication of user '" + options_.user + "' with " + plugin));
    }
    if (marker == 0xFE) {  // auth switch request: plugin name, then its data
      ByteReader r(std::string_view(p).substr(1));
      INFLOW_TRY(std::string_view name, r.ReadNulString("auth switch plugin name"));
      plugin = std::string(name);
      scramble = std::string(r.rest());
      if (!scramble.empty() && scramble.back() == '\0') scramble.pop_back();
      INFLOW_TRY(std::string answer, PluginResponse(plugin, scramble));
      INFLOW_RETURN_IF_ERROR(SendNext(answer));
      continue;
    }
    if (marker == 0x01 && plugin == kCachingSha2Password && p.size() >= 2) {
      if (p[1] == 0x03) continue;  // fast auth succeeded; the OK follows
      if (p[1] == 0x04) {
        INFLOW_TRY(std::string answer, CachingSha2FullAuth(scramble));
        INFLOW_RETURN_IF_ERROR(SendNext(answer));
        continue;
      }
    }
    return Fail(ErrorCode::kDataLoss, "unexpected packet 0x" + HexOf(p.substr(0, 1)) +
                                          " during authentication with " + plugin);
  }
  return Fail(ErrorCode::kDataLoss, "authentication did not finish after 8 exchanges");
}

Result<ResultSet> Connection::Query(std::string_view sql) {
  if (streaming_) {
    return Fail(ErrorCode::kFailedPrecondition, "connection is streaming the binlog");
  }
  INFLOW_RETURN_IF_ERROR(SendCommand(EncodeQuery(sql)));
  ResultSet rs;
  auto context = [&sql] { return "query '" + std::string(sql.substr(0, 200)) + "'"; };
  while (true) {
    INFLOW_TRY(std::string head, Receive(options_.query_timeout));
    if (IsErr(head)) {
      INFLOW_TRY(ServerError e, ParseErr(head));
      return Fail(ServerErrorToError(e, context()));
    }
    uint16_t status = 0;
    if (IsOk(head)) {
      INFLOW_TRY(OkPacket ok, ParseOk(head));
      status = ok.status;
    } else {
      if (!head.empty() && static_cast<uint8_t>(head[0]) == 0xFB) {
        return Fail(ErrorCode::kFailedPrecondition, context() + " asks for LOCAL INFILE");
      }
      ByteReader r(head);
      INFLOW_TRY(uint64_t ncols, r.ReadLenenc("column count"));
      // Only the first result set is kept (statements we send produce one).
      bool keep = rs.columns.empty() && rs.rows.empty();
      std::vector<std::string> names;
      for (uint64_t i = 0; i < ncols; ++i) {
        INFLOW_TRY(std::string def, Receive(options_.query_timeout));
        INFLOW_TRY(std::string name, ParseColumnName(def));
        names.push_back(std::move(name));
      }
      INFLOW_TRY(std::string eof, Receive(options_.query_timeout));
      if (!IsEof(eof)) return Fail(ErrorCode::kDataLoss, context() + ": missing EOF after columns");
      if (keep) rs.columns = names;
      while (true) {
        INFLOW_TRY(std::string row, Receive(options_.query_timeout));
        if (IsEof(row)) {
          ByteReader er(row);
          INFLOW_RETURN_IF_ERROR(er.Skip(1, "EOF marker"));
          if (er.remaining() >= 4) {
            INFLOW_TRY(uint16_t warnings, er.ReadU16("warnings"));
            (void)warnings;
            INFLOW_TRY(status, er.ReadU16("status"));
          }
          break;
        }
        if (IsErr(row)) {
          INFLOW_TRY(ServerError e, ParseErr(row));
          return Fail(ServerErrorToError(e, context()));
        }
        INFLOW_TRY(auto values, ParseTextRow(row, names.size()));
        if (keep) rs.rows.push_back(std::move(values));
      }
    }
    constexpr uint16_t kServerMoreResultsExist = 0x0008;
    if (!(status & kServerMoreResultsExist)) break;
  }
  return rs;
}

Status Connection::Execute(std::string_view sql) {
  INFLOW_TRY(ResultSet ignored, Query(sql));
  (void)ignored;
  return Ok();
}

Status Connection::PrepareReplication(std::string_view replica_uuid) {
  INFLOW_TRY(ResultSet rs, Query("SELECT @@global.binlog_checksum"));
  std::string alg = rs.rows.empty() || !rs.rows[0][0] ? "NONE" : *rs.rows[0][0];
  crc32_ = alg == "CRC32";
  // Both spellings: MySQL 8.0.26+ reads the source_* names, older servers and MariaDB master_*.
  INFLOW_RETURN_IF_ERROR(
      Execute("SET @master_binlog_checksum = @@global.binlog_checksum, "
              "@source_binlog_checksum = @@global.binlog_checksum"));
  int64_t heartbeat_ns = static_cast<int64_t>(options_.heartbeat.count()) * 1'000'000;
  INFLOW_RETURN_IF_ERROR(Execute("SET @master_heartbeat_period = " + std::to_string(heartbeat_ns) +
                                 ", @source_heartbeat_period = " + std::to_string(heartbeat_ns)));
  // A slow consumer must not make the server drop the dump.
  INFLOW_RETURN_IF_ERROR(Execute("SET SESSION net_write_timeout = 3600"));
  if (IsMariaDb()) {
    INFLOW_RETURN_IF_ERROR(Execute("SET @mariadb_slave_capability = 4"));
  } else {
    INFLOW_RETURN_IF_ERROR(Execute("SET @slave_uuid = " + SqlQuote(replica_uuid) +
                                   ", @replica_uuid = " + SqlQuote(replica_uuid)));
  }
  return Ok();
}

Status Connection::RegisterReplica(uint32_t server_id) {
  RegisterReplicaCommand r;
  r.server_id = server_id;
  r.host = "inflow";
  r.user = options_.user;
  r.port = 0;
  INFLOW_RETURN_IF_ERROR(SendCommand(EncodeRegisterSlave(r)));
  return ExpectOk("COM_REGISTER_SLAVE (server_id " + std::to_string(server_id) + ")");
}

Status Connection::StartDump(std::string_view file, uint32_t position, uint32_t server_id) {
  INFLOW_RETURN_IF_ERROR(SendCommand(EncodeBinlogDump(position, 0, server_id, file)));
  streaming_ = true;
  return Ok();
}

Status Connection::StartMariaDbGtidDump(std::string_view gtid_state, uint32_t server_id) {
  INFLOW_RETURN_IF_ERROR(Execute("SET @slave_connect_state = " + SqlQuote(gtid_state)));
  INFLOW_RETURN_IF_ERROR(Execute("SET @slave_gtid_strict_mode = 1"));
  INFLOW_RETURN_IF_ERROR(Execute("SET @slave_gtid_ignore_duplicates = 0"));
  INFLOW_RETURN_IF_ERROR(SendCommand(EncodeBinlogDump(4, 0, server_id, "")));
  streaming_ = true;
  return Ok();
}

Status Connection::StartMySQLGtidDump(std::string_view gtid_set, uint32_t server_id) {
  INFLOW_TRY(auto parsed, ParseMySQLGtidSet(gtid_set));
  std::string encoded = EncodeMySQLGtidSet(parsed);
  INFLOW_RETURN_IF_ERROR(
      SendCommand(EncodeBinlogDumpGtid(kBinlogThroughGtid, server_id, "", 4, encoded)));
  streaming_ = true;
  return Ok();
}

Result<std::span<const uint8_t>> Connection::ReadEvent() {
  if (!streaming_) return Fail(ErrorCode::kFailedPrecondition, "no binlog dump started");
  auto payload = Receive(options_.EffectiveReadTimeout());
  if (!payload) {
    if (payload.error().code() == ErrorCode::kTimeout) {
      return Fail(ErrorCode::kTimeout,
                  "no binlog event and no heartbeat from " + options_.Peer() + " for " +
                      std::to_string(options_.EffectiveReadTimeout().count()) +
                      " ms (heartbeat period " + std::to_string(options_.heartbeat.count()) +
                      " ms): the connection is considered dead");
    }
    return Fail(payload.error());
  }
  event_ = std::move(*payload);
  if (IsErr(event_)) {
    INFLOW_TRY(ServerError e, ParseErr(event_));
    return Fail(ServerErrorToError(e, "binlog dump"));
  }
  if (IsEof(event_)) {
    return Fail(ErrorCode::kUnavailable, options_.Peer() + " ended the binlog stream");
  }
  if (!IsOk(event_) || event_.size() < 1 + kEventHeaderLen) {
    return Fail(ErrorCode::kDataLoss,
                "malformed binlog stream packet of " + std::to_string(event_.size()) + " bytes");
  }
  auto* ev = reinterpret_cast<const uint8_t*>(event_.data()) + 1;
  size_t size = event_.size() - 1;
  uint8_t type = ev[4];
  uint32_t declared = DecodeFixed32(ev + 9);
  uint32_t next_pos = DecodeFixed32(ev + 13);
  if (declared != size) {
    return Fail(ErrorCode::kDataLoss, "binlog event type " + std::to_string(type) + " ending at " +
                                          std::to_string(next_pos) + " declares " +
                                          std::to_string(declared) + " bytes but " +
                                          std::to_string(size) + " arrived");
  }
  bool check = crc32_;
  bool strip = crc32_;
  if (type == kFormatDescriptionEvent) {
    // checksum_alg sits just before the 4-byte trailer, which an FDE always has.
    if (size < kEventHeaderLen + 5) {
      return Fail(ErrorCode::kDataLoss, "FORMAT_DESCRIPTION event too short");
    }
    crc32_ = ev[size - 5] == 1;
    check = crc32_;
    strip = true;
  }
  if (check) {
    if (size < kEventHeaderLen + 4) {
      return Fail(ErrorCode::kDataLoss, "binlog event too short for its CRC32");
    }
    uint32_t want = DecodeFixed32(ev + size - 4);
    uint32_t got = static_cast<uint32_t>(crc32(0L, ev, static_cast<uInt>(size - 4)));
    if (want != got) {
      return Fail(ErrorCode::kDataLoss, "CRC32 mismatch in binlog event type " +
                                            std::to_string(type) + " ending at position " +
                                            std::to_string(next_pos) + " from " + options_.Peer());
    }
  }
  if (strip) size -= 4;
  return std::span<const uint8_t>(ev, size);
}

}  // namespace inflow::capture::mysql
