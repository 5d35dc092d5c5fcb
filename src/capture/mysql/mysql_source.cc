#include "capture/mysql/mysql_source.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <random>
#include <thread>

#include "capture/mysql/connection.h"
#include "capture/mysql/decoder.h"
#include "capture/mysql/schema_provider_server.h"
#include "capture/mysql/sql_quote.h"

namespace inflow::capture::mysql {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::string_view kResumeMagic = "inflow.mysql-source.v1\n";

std::string PositionText(const changelog::SourcePosition& p) {
  if (!p.file.empty()) return p.file + ":" + std::to_string(p.pos);
  if (!p.gtid_set.empty()) return "GTID " + p.gtid_set;
  return "the oldest binlog";
}

// The first value of the first row, "" for NULL or no row.
Result<std::string> Scalar(Connection& c, const std::string& sql) {
  INFLOW_TRY(ResultSet rs, c.Query(sql));
  if (rs.rows.empty() || rs.rows[0].empty() || !rs.rows[0][0]) return std::string();
  return *rs.rows[0][0];
}

std::string GrantFix(const Connection& c) {
  return std::string("; fix: GRANT REPLICATION SLAVE, ") +
         (c.IsMariaDb() ? "BINLOG MONITOR" : "REPLICATION CLIENT") + ", SELECT ON *.* TO '" +
         c.options().user + "'@'%'";
}

// Missing privileges are a setting the operator must fix, not a transient condition.
Error AsSettingError(const Error& e, const Connection& c) {
  if (e.code() != ErrorCode::kPermissionDenied) return e;
  return Error(ErrorCode::kFailedPrecondition,
               "missing replication privilege: " + e.message() + GrantFix(c));
}

Result<std::vector<std::string>> BinaryLogs(Connection& c) {
  auto rs = c.Query("SHOW BINARY LOGS");
  if (!rs) {
    if (rs.error().message().find("[1381") != std::string::npos) {
      return Fail(ErrorCode::kFailedPrecondition,
                  "log_bin is OFF on " + c.options().Peer() +
                      ": enable binary logging (log_bin=ON in the server configuration, then "
                      "restart it)");
    }
    return Fail(AsSettingError(rs.error(), c));
  }
  std::vector<std::string> files;
  for (const auto& row : rs->rows) {
    if (!row.empty() && row[0]) files.push_back(*row[0]);
  }
  if (files.empty()) {
    return Fail(ErrorCode::kFailedPrecondition,
                "the server lists no binary logs: enable binary logging (log_bin=ON)");
  }
  return files;
}

// "mariadb-bin.000003:4 (GTID 0-1-25)": the oldest position a dump can start from.
std::string OldestPositionText(Connection& c) {
  auto files = BinaryLogs(c);
  if (!files) return "unknown (" + files.error().message() + ")";
  std::string text = files->front() + ":4";
  Result<std::string> gtid =
      c.IsMariaDb() ? Scalar(c, "SELECT BINLOG_GTID_POS(" + SqlQuote(files->front()) + ", 4)")
                    : Scalar(c, "SELECT @@global.gtid_purged");
  if (gtid && !gtid->empty()) {
    text += c.IsMariaDb() ? " (GTID position " + *gtid + ")" : " (GTIDs purged: " + *gtid + ")";
  }
  return text;
}

Status CheckSettings(Connection& c, std::vector<std::string>* warnings) {
  std::string peer = c.options().Peer();
  INFLOW_TRY(std::string log_bin, Scalar(c, "SELECT @@global.log_bin"));
  if (log_bin == "0" || log_bin == "OFF") {
    return Fail(ErrorCode::kFailedPrecondition,
                "log_bin is OFF on " + peer +
                    ": enable binary logging (log_bin=ON in the server configuration, then "
                    "restart it)");
  }
  INFLOW_TRY(std::string format, Scalar(c, "SELECT @@global.binlog_format"));
  if (format != "ROW") {
    return Fail(ErrorCode::kFailedPrecondition,
                "binlog_format is " + format + " on " + peer +
                    ", change capture needs ROW: SET GLOBAL binlog_format = 'ROW' and set it in "
                    "the server configuration");
  }
  INFLOW_TRY(std::string image, Scalar(c, "SELECT @@global.binlog_row_image"));
  if (image != "FULL") {
    warnings->push_back("binlog_row_image is " + image + " on " + peer +
                        ": before images carry only the key columns and after images only the "
                        "changed ones (absent columns are left out); set binlog_row_image=FULL "
                        "for complete images");
  }
  auto metadata = Scalar(c, "SELECT @@global.binlog_row_metadata");
  if (metadata && *metadata != "FULL") {
    warnings->push_back("binlog_row_metadata is " + *metadata + " on " + peer +
                        ": column names and types come from information_schema and the DDL "
                        "history instead of the binlog; set binlog_row_metadata=FULL");
  }
  // Needs REPLICATION CLIENT / BINLOG MONITOR; fails early with the grant to add.
  INFLOW_TRY(auto files, BinaryLogs(c));
  (void)files;
  return Ok();
}

// The server's current end: file:pos plus the GTID set executed up to there.
Result<changelog::SourcePosition> CurrentPosition(Connection& c) {
  auto rs = c.Query("SHOW MASTER STATUS");
  if (!rs) rs = c.Query("SHOW BINARY LOG STATUS");  // MySQL 8.4 removed the old spelling
  if (!rs) return Fail(AsSettingError(rs.error(), c));
  if (rs->rows.empty() || rs->rows[0].size() < 2 || !rs->rows[0][0] || !rs->rows[0][1]) {
    return Fail(ErrorCode::kFailedPrecondition,
                "SHOW MASTER STATUS is empty on " + c.options().Peer() +
                    ": binary logging is off (log_bin=ON is needed)");
  }
  changelog::SourcePosition p;
  p.file = *rs->rows[0][0];
  const std::string& pos = *rs->rows[0][1];
  auto [end, ec] = std::from_chars(pos.data(), pos.data() + pos.size(), p.pos);
  if (ec != std::errc() || end != pos.data() + pos.size()) {
    return Fail(ErrorCode::kDataLoss, "SHOW MASTER STATUS on " + c.options().Peer() +
                                          ": position '" + pos + "' is not a number");
  }
  INFLOW_TRY(p.gtid_set, Scalar(c, c.IsMariaDb() ? "SELECT @@global.gtid_binlog_pos"
                                                 : "SELECT @@global.gtid_executed"));
  return p;
}

Result<changelog::SourcePosition> ResolveStart(Connection& c, const StartPosition& start) {
  changelog::SourcePosition p;
  switch (start.kind) {
    case StartPosition::Kind::kEarliest: {
      INFLOW_TRY(auto files, BinaryLogs(c));
      p.file = files.front();
      p.pos = 4;
      return p;  // the GTID set comes from the file's GTID_LIST / PREVIOUS_GTIDS event
    }
    case StartPosition::Kind::kNow:
      return CurrentPosition(c);
    case StartPosition::Kind::kFilePos: {
      p.file = start.file;
      p.pos = start.pos;
      if (c.IsMariaDb()) {
        auto gtid = Scalar(c, "SELECT BINLOG_GTID_POS(" + SqlQuote(start.file) + ", " +
                                  std::to_string(start.pos) + ")");
        if (gtid) p.gtid_set = *gtid;
      }
      return p;
    }
    case StartPosition::Kind::kGtid:
      p.gtid_set = start.gtid_set;
      return p;
    case StartPosition::Kind::kResume:
      break;
  }
  return Fail(ErrorCode::kInternal, "ResolveStart called for a resume state");
}

// Registers as a replica and starts the dump at `from` on a connection that can still query.
Status StartStreaming(Connection& c, const changelog::SourcePosition& from, uint32_t server_id,
                      const std::string& replica_uuid) {
  INFLOW_RETURN_IF_ERROR(c.PrepareReplication(replica_uuid));
  Status registered = c.RegisterReplica(server_id);
  if (!registered) return Fail(AsSettingError(registered.error(), c));
  if (!from.file.empty()) {
    INFLOW_TRY(auto files, BinaryLogs(c));
    if (std::find(files.begin(), files.end(), from.file) == files.end()) {
      // Binlog names sort by their sequence number: a name before the first one was purged.
      bool purged = from.file < files.front();
      return Fail(ErrorCode::kOutOfRange,
                  "binlog position " + PositionText(from) +
                      (purged ? " was purged from " : " does not exist on ") + c.options().Peer() +
                      "; the oldest position the server still has is " + OldestPositionText(c));
    }
    return c.StartDump(from.file, static_cast<uint32_t>(from.pos), server_id);
  }
  if (!from.gtid_set.empty()) {
    return c.IsMariaDb() ? c.StartMariaDbGtidDump(from.gtid_set, server_id)
                         : c.StartMySQLGtidDump(from.gtid_set, server_id);
  }
  INFLOW_TRY(auto files, BinaryLogs(c));
  return c.StartDump(files.front(), 4, server_id);
}

uint32_t RandomServerId() {
  std::random_device rd;
  // Far from the small ids operators give real servers and replicas.
  return 0x40000000u + (rd() % 0x3FFFFFFFu);
}

std::string RandomUuid() {
  std::random_device rd;
  uint8_t b[16];
  for (auto& x : b) x = static_cast<uint8_t>(rd());
  b[6] = static_cast<uint8_t>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<uint8_t>((b[8] & 0x3F) | 0x80);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 15]);
  }
  return out;
}

}  // namespace

class MysqlSource::Impl {
 public:
  explicit Impl(MysqlSourceOptions options) : options_(std::move(options)) {}

  ~Impl() {
    StopReader();
    if (reader_.joinable()) reader_.join();
  }

  Status Open() {
    const ConnectOptions& co = options_.connection;
    server_id_ = co.server_id != 0 ? co.server_id : RandomServerId();
    replica_uuid_ = RandomUuid();
    INFLOW_TRY(std::unique_ptr<Connection> conn, Connection::Open(co));
    mariadb_ = conn->IsMariaDb();
    server_version_ = conn->handshake().server_version;
    if (mariadb_ && server_version_.rfind("5.5.5-", 0) == 0) server_version_.erase(0, 6);
    INFLOW_RETURN_IF_ERROR(CheckSettings(*conn, &warnings_));

    std::optional<DecoderState> resumed;
    changelog::SourcePosition from;
    if (options_.start.kind == StartPosition::Kind::kResume) {
      std::string_view state = options_.start.resume_state;
      if (state.substr(0, kResumeMagic.size()) != kResumeMagic) {
        return Fail(ErrorCode::kInvalidArgument,
                    "resume state was not written by a MySQL / MariaDB source");
      }
      auto parsed = DecoderState::Parse(state.substr(kResumeMagic.size()));
      if (!parsed) return Fail(parsed.error().WithContext("resume state"));
      resumed = std::move(*parsed);
      from = resumed->position;
    } else {
      INFLOW_TRY(from, ResolveStart(*conn, options_.start));
    }

    provider_ = std::make_unique<ServerSchemaProvider>(co);
    BinlogDecoder::Options d;
    d.flavor = mariadb_ ? Flavor::kMariaDb : Flavor::kMySQL;
    if (!options_.tables.empty()) {
      d.include_table = [filter = options_.tables](std::string_view db, std::string_view table) {
        return filter.Matches(db, table);
      };
      d.include_database = [filter = options_.tables](std::string_view db) {
        return filter.MatchesDatabase(db);
      };
    }
    d.schemas = provider_.get();
    d.start_file = from.file;
    d.start_gtid_set = from.gtid_set;
    d.use_binlog_metadata = options_.use_binlog_metadata;
    decoder_ = std::make_unique<BinlogDecoder>(std::move(d));
    if (resumed) decoder_->Restore(std::move(*resumed));

    Status started = StartStreaming(*conn, from, server_id_, replica_uuid_);
    if (!started)
      return Fail(started.error().WithContext("starting capture from " + PositionText(from)));
    dump_from_ = from;
    conn_ = std::move(conn);
    reader_ = std::thread([this] { ReaderLoop(); });
    return Ok();
  }

  Result<std::optional<SourceTransaction>> Next(milliseconds timeout) {
    if (fatal_) return Fail(*fatal_);
    auto deadline = Clock::now() + timeout;
    while (true) {
      Item item;
      {
        std::unique_lock lk(mu_);
        consumer_cv_.wait_until(lk, deadline, [&] { return stopped_ || !queue_.empty(); });
        if (stopped_ && !fatal_) return Fail(ErrorCode::kCancelled, "capture source stopped");
        if (queue_.empty()) return std::optional<SourceTransaction>();
        item = std::move(queue_.front());
        queue_.pop_front();
        queued_bytes_ -= item.bytes.size();
      }
      reader_cv_.notify_all();
      if (item.kind == Item::kFatal) {
        fatal_ = item.error;
        return Fail(*fatal_);
      }
      if (item.kind == Item::kLost) {
        discarding_ = false;
        // Drop any partly decoded transaction and resume right after the last whole one.
        decoder_->Restore(decoder_->state());
        Log("connection to " + options_.connection.Peer() + " lost (" + item.error.message() +
            "); reconnecting from " + PositionText(decoder_->state().position));
        std::lock_guard lk(mu_);
        restart_ = decoder_->state().position;
        reader_cv_.notify_all();
        continue;
      }
      if (discarding_) continue;
      auto span = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(item.bytes.data()),
                                           item.bytes.size());
      auto fed = decoder_->Feed(span);
      if (!fed) {
        if (IsRetryable(fed.error().code())) {
          // A transient failure while decoding (the schema lookup lost its connection):
          // restart the stream after the last whole transaction rather than give up.
          Log("decoding interrupted (" + fed.error().message() + "); restarting the stream");
          discarding_ = true;
          ForceReconnect();
          continue;
        }
        fatal_ = fed.error();
        StopReader();
        return Fail(*fatal_);
      }
      if (*fed) {
        Transaction& t = **fed;
        SourceTransaction out;
        out.records = std::move(t.records);
        out.position = std::move(t.end);
        out.commit_timestamp_ms = t.commit_timestamp_ms;
        out.transaction_id = std::move(t.id);
        out.account_statements_skipped = t.account_statements_skipped;
        if (t.account_statements_skipped != 0) {
          // The statement itself is never shown: it may carry a password.
          Log("skipped an account-management statement (CREATE USER, GRANT, SET PASSWORD, …) "
              "ending at " +
              PositionText(out.position) + ": never captured");
        }
        return std::optional<SourceTransaction>(std::move(out));
      }
    }
  }

  std::string ResumeState() const {
    return std::string(kResumeMagic) + decoder_->state().Serialize();
  }

  void Acknowledge(const changelog::SourcePosition& p) {
    std::lock_guard lk(ack_mu_);
    acked_ = p;
  }
  changelog::SourcePosition acknowledged() const {
    std::lock_guard lk(ack_mu_);
    return acked_;
  }

  void StopReader() {
    {
      std::lock_guard lk(mu_);
      stopped_ = true;
    }
    consumer_cv_.notify_all();
    reader_cv_.notify_all();
    std::lock_guard lk(conn_mu_);
    if (conn_) conn_->Shutdown();
  }

  const std::vector<std::string>& warnings() const { return warnings_; }
  bool mariadb() const { return mariadb_; }
  const std::string& server_version() const { return server_version_; }
  uint64_t reconnects() const { return reconnects_; }

 private:
  struct Item {
    enum Kind { kEvent, kLost, kFatal } kind = kEvent;
    std::string bytes;
    Error error{ErrorCode::kInternal, ""};
  };

  void Log(const std::string& line) {
    if (options_.log) options_.log(line);
  }

  void ForceReconnect() {
    {
      std::lock_guard lk(mu_);
      force_reconnect_ = true;
    }
    std::lock_guard lk(conn_mu_);
    if (conn_) conn_->Shutdown();
  }

  // Waits for room, then queues. False when stopped.
  bool Push(Item item) {
    std::unique_lock lk(mu_);
    reader_cv_.wait(lk, [&] {
      return stopped_ || queue_.empty() || queued_bytes_ < options_.max_buffered_bytes;
    });
    if (stopped_) return false;
    queued_bytes_ += item.bytes.size();
    queue_.push_back(std::move(item));
    consumer_cv_.notify_all();
    return true;
  }

  void PushError(Item::Kind kind, Error e) {
    Item item;
    item.kind = kind;
    item.error = std::move(e);
    std::lock_guard lk(mu_);
    queue_.push_back(std::move(item));
    consumer_cv_.notify_all();
  }

  // A purged / unknown start position: name what was asked for and what the server has.
  Error Explain(const Error& e) {
    if (e.code() != ErrorCode::kOutOfRange) return e;
    std::string oldest = "unknown";
    auto c = Connection::Open(options_.connection);
    if (c) oldest = OldestPositionText(**c);
    return Error(ErrorCode::kOutOfRange,
                 "cannot stream from " + PositionText(dump_from_) + ": " + e.message() +
                     "; the oldest position the server still has is " + oldest);
  }

  void ReaderLoop() {
    while (true) {
      Connection* c;
      {
        std::lock_guard lk(conn_mu_);
        c = conn_.get();
      }
      auto ev = c->ReadEvent();
      if (ev) {
        Item item;
        item.bytes.assign(reinterpret_cast<const char*>(ev->data()), ev->size());
        if (!Push(std::move(item))) return;
        continue;
      }
      bool forced;
      {
        std::lock_guard lk(mu_);
        if (stopped_) return;
        forced = force_reconnect_;
        force_reconnect_ = false;
      }
      if (!forced && !IsRetryable(ev.error().code())) {
        PushError(Item::kFatal, Explain(ev.error()));
        return;
      }
      PushError(Item::kLost, ev.error());
      changelog::SourcePosition from;
      {
        std::unique_lock lk(mu_);
        reader_cv_.wait(lk, [&] { return stopped_ || restart_.has_value(); });
        if (stopped_) return;
        from = *restart_;
        restart_.reset();
      }
      if (!Reconnect(from)) return;
    }
  }

  // Reconnects with exponential backoff; false when stopped or given up (error queued).
  bool Reconnect(const changelog::SourcePosition& from) {
    auto started = Clock::now();
    milliseconds backoff = options_.reconnect_initial_backoff;
    while (true) {
      {
        std::unique_lock lk(mu_);
        reader_cv_.wait_for(lk, backoff, [&] { return stopped_; });
        if (stopped_) return false;
      }
      auto c = Connection::Open(options_.connection);
      Status s = c ? StartStreaming(**c, from, server_id_, replica_uuid_) : Status(Fail(c.error()));
      if (s) {
        std::lock_guard lk(conn_mu_);
        conn_ = std::move(*c);
        dump_from_ = from;
        ++reconnects_;
        Log("reconnected to " + options_.connection.Peer() + " at " + PositionText(from));
        std::lock_guard lk2(mu_);
        if (stopped_) conn_->Shutdown();
        return true;
      }
      if (!IsRetryable(s.error().code())) {
        dump_from_ = from;
        PushError(Item::kFatal, s.error().WithContext("reconnecting"));
        return false;
      }
      if (options_.reconnect_give_up_after.count() > 0 &&
          Clock::now() - started > options_.reconnect_give_up_after) {
        PushError(Item::kFatal,
                  s.error().WithContext("gave up reconnecting after " +
                                        std::to_string(options_.reconnect_give_up_after.count()) +
                                        " ms"));
        return false;
      }
      Log("reconnect to " + options_.connection.Peer() + " failed (" + s.error().message() +
          "); retrying in " + std::to_string(backoff.count()) + " ms");
      backoff = std::min(backoff * 2, options_.reconnect_max_backoff);
    }
  }

  MysqlSourceOptions options_;
  uint32_t server_id_ = 0;
  std::string replica_uuid_;
  bool mariadb_ = true;
  std::string server_version_;
  std::vector<std::string> warnings_;
  std::unique_ptr<ServerSchemaProvider> provider_;
  std::unique_ptr<BinlogDecoder> decoder_;  // consumer thread only
  std::optional<Error> fatal_;              // consumer thread only
  bool discarding_ = false;                 // consumer thread only
  changelog::SourcePosition dump_from_;     // reader thread (and Open)

  std::mutex mu_;  // guards the queue and the flags below
  std::condition_variable consumer_cv_;
  std::condition_variable reader_cv_;
  std::deque<Item> queue_;
  size_t queued_bytes_ = 0;
  bool stopped_ = false;
  bool force_reconnect_ = false;
  std::optional<changelog::SourcePosition> restart_;

  std::mutex conn_mu_;
  std::unique_ptr<Connection> conn_;
  std::thread reader_;
  std::atomic<uint64_t> reconnects_{0};

  mutable std::mutex ack_mu_;
  changelog::SourcePosition acked_;
};

MysqlSource::MysqlSource(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MysqlSource::~MysqlSource() = default;

Result<std::unique_ptr<MysqlSource>> MysqlSource::Open(MysqlSourceOptions options) {
  auto impl = std::make_unique<Impl>(std::move(options));
  INFLOW_RETURN_IF_ERROR(impl->Open());
  return std::unique_ptr<MysqlSource>(new MysqlSource(std::move(impl)));
}

Result<std::optional<SourceTransaction>> MysqlSource::Next(milliseconds timeout) {
  return impl_->Next(timeout);
}
std::string MysqlSource::ResumeState() const { return impl_->ResumeState(); }
void MysqlSource::Acknowledge(const changelog::SourcePosition& p) { impl_->Acknowledge(p); }
changelog::SourcePosition MysqlSource::acknowledged() const { return impl_->acknowledged(); }
std::vector<std::string> MysqlSource::warnings() const { return impl_->warnings(); }
void MysqlSource::Stop() { impl_->StopReader(); }
std::string MysqlSource::database_type() const { return impl_->mariadb() ? "MariaDB" : "MySQL"; }
std::string MysqlSource::server_version() const { return impl_->server_version(); }
uint64_t MysqlSource::reconnects() const { return impl_->reconnects(); }

}  // namespace inflow::capture::mysql
