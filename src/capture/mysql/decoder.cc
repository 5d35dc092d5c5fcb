#include "capture/mysql/decoder.h"

#include <fmt/format.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <unordered_map>

#include "capture/mysql/binlog_buffer.h"
#include "capture/mysql/gtid_set.h"
#include "capture/mysql/rows_event.h"

namespace inflow::capture::mysql {

namespace et = event_type;
using changelog::ChangeRecord;
using changelog::Operation;

namespace {

bool StartsWithWord(std::string_view sql, std::string_view word) {
  size_t i = 0;
  while (i < sql.size() && (std::isspace(static_cast<unsigned char>(sql[i])))) ++i;
  // Skip leading /* … */ comments that tools put in front of statements.
  while (sql.substr(i, 2) == "/*") {
    size_t end = sql.find("*/", i + 2);
    if (end == sql.npos) return false;
    i = end + 2;
    while (i < sql.size() && std::isspace(static_cast<unsigned char>(sql[i]))) ++i;
  }
  if (sql.size() - i < word.size()) return false;
  for (size_t k = 0; k < word.size(); ++k) {
    if (std::toupper(static_cast<unsigned char>(sql[i + k])) != word[k]) return false;
  }
  size_t after = i + word.size();
  return after == sql.size() || !std::isalnum(static_cast<unsigned char>(sql[after]));
}

// MariaDB compressed events: one header byte 0x80|n, n bytes of uncompressed length, zlib data.
Result<std::string> MariaDbUncompress(std::span<const uint8_t> data) {
  if (data.empty() || (data[0] & 0x80) == 0 || (data[0] & 7) == 0 || (data[0] & 7) > 4 ||
      data.size() < 1u + (data[0] & 7)) {
    return Fail(ErrorCode::kDataLoss, "bad compressed event header");
  }
  size_t lenlen = data[0] & 7;
  uint64_t declared = 0;
  for (size_t i = 0; i < lenlen; ++i) declared = declared << 8 | data[1 + i];
  constexpr uint64_t kMaxInflated = uint64_t{1} << 30;
  if (declared > kMaxInflated) return Fail(ErrorCode::kDataLoss, "compressed event too large");
  std::string out(static_cast<size_t>(declared), '\0');
  uLongf out_len = static_cast<uLongf>(out.size());
  int rc = uncompress(reinterpret_cast<Bytef*>(out.data()), &out_len, data.data() + 1 + lenlen,
                      static_cast<uLong>(data.size() - 1 - lenlen));
  if (rc != Z_OK || out_len != declared) {
    return Fail(ErrorCode::kDataLoss, fmt::format("zlib error {} in a compressed event", rc));
  }
  return out;
}

}  // namespace

// ---- decoder --------------------------------------------------------------------------------

class BinlogDecoder::Impl {
 public:
  explicit Impl(Options options) : options_(std::move(options)) {
    flavor_ = options_.flavor;
    state_.position.file = options_.start_file;
    state_.position.pos = 4;
    auto set = GtidSet::Parse(options_.start_gtid_set);
    if (set) gtids_ = std::move(*set);
    state_.position.gtid_set = gtids_.ToString();
    file_ = options_.start_file;
  }

  Result<std::optional<Transaction>> Feed(std::span<const uint8_t> event) {
    ++events_fed_;
    INFLOW_TRY(EventHeader h, ParseEventHeader(event));
    if (h.event_length != 0 && h.event_length < kEventHeaderSize) {
      return Corrupt(h, "event length below the header size");
    }
    auto body = event.subspan(kEventHeaderSize);
    auto r = Dispatch(h, body);
    if (!r) {
      return Fail(r.error().WithContext(
          fmt::format("binlog {} event type {} at {}", file_, h.type, EventStart(h, event))));
    }
    if (h.next_pos != 0 && !in_payload_) pos_ = h.next_pos;
    return r;
  }

  const DecoderState& state() const { return state_; }

  void Restore(DecoderState state) {
    state_ = std::move(state);
    file_ = state_.position.file;
    pos_ = state_.position.pos;
    auto set = GtidSet::Parse(state_.position.gtid_set);
    gtids_ = set ? std::move(*set) : GtidSet{};
    tables_.clear();
    in_tx_ = false;
    tx_ = Transaction{};
    pending_gtid_.clear();
  }

  uint64_t events_fed() const { return events_fed_; }
  uint64_t account_statements_skipped() const { return account_statements_skipped_; }
  uint64_t rows_decoded() const { return rows_decoded_; }

 private:
  struct MappedTable {
    std::string raw;  // the TABLE_MAP body after the table id, to reuse resolutions
    bool included = false;
    ResolvedTable resolved;
  };

  static uint64_t EventStart(const EventHeader& h, std::span<const uint8_t> event) {
    return h.next_pos >= event.size() ? h.next_pos - event.size() : 0;
  }

  static tl::unexpected<Error> Corrupt(const EventHeader& h, std::string what) {
    return Fail(ErrorCode::kDataLoss, fmt::format("event type {}: {}", h.type, what));
  }

  size_t PostHeaderLen(uint8_t type, size_t fallback) const {
    if (type >= 1 && type <= post_header_len_.size()) return post_header_len_[type - 1];
    return fallback;
  }
  size_t TableIdSize(uint8_t type) const { return PostHeaderLen(type, 8) == 6 ? 4 : 6; }

  Result<std::optional<Transaction>> Dispatch(const EventHeader& h, std::span<const uint8_t> body) {
    switch (h.type) {
      case et::kFormatDescription:
        return FormatDescription(body);
      case et::kRotate:
        return Rotate(h, body);
      case et::kQuery:
      case et::kQueryCompressed:
        return Query(h, body);
      case et::kXid:
        return Commit(h);
      case et::kTableMap:
        return TableMapEvent(h, body);
      case et::kWriteRowsV1:
      case et::kUpdateRowsV1:
      case et::kDeleteRowsV1:
      case et::kWriteRowsV2:
      case et::kUpdateRowsV2:
      case et::kDeleteRowsV2:
        return Rows(h, h.type, body, false);
      case et::kWriteRowsCompressedV1:
      case 167:
      case et::kDeleteRowsCompressedV1:
        return Rows(h, static_cast<uint8_t>(h.type - 166 + 23), body, true);
      case et::kWriteRowsCompressedV2:
      case 170:
      case et::kDeleteRowsCompressedV2:
        return Rows(h, static_cast<uint8_t>(h.type - 169 + 30), body, true);
      case et::kMariaGtid:
        return MariaGtid(h, body);
      case et::kMariaGtidList:
        return MariaGtidList(body);
      case et::kGtid:
      case et::kAnonymousGtid:
        return MySQLGtid(h, body);
      case et::kPreviousGtids:
        return PreviousGtids(body);
      case et::kTransactionPayload:
        return Payload(h, body);
      case et::kPartialUpdateRows:
        return Fail(ErrorCode::kFailedPrecondition,
                    "PARTIAL_UPDATE_ROWS events (binlog_row_value_options=PARTIAL_JSON) are not "
                    "supported: set binlog_row_value_options='' on the server");
      case et::kStartEncryption:
        return Fail(ErrorCode::kFailedPrecondition,
                    "the binlog file is encrypted (encrypt_binlog=ON): read it through the "
                    "replication protocol instead");
      case 26:  // INCIDENT
        return Fail(ErrorCode::kDataLoss,
                    "INCIDENT event: the server reports that changes may be missing here");
      default:  // heartbeats, annotations, checkpoints, user vars, ignorable events
        return std::optional<Transaction>();
    }
  }

  Result<std::optional<Transaction>> FormatDescription(std::span<const uint8_t> body) {
    BinlogBuffer b(body);
    uint16_t version = b.U16();
    std::string_view server = b.Str(50);
    b.Skip(4);
    uint8_t header_len = b.U8();
    if (!b.ok() || version != 4 || header_len != kEventHeaderSize || b.remaining() < 1) {
      return Fail(ErrorCode::kDataLoss, "unsupported FORMAT_DESCRIPTION (binlog v4 required)");
    }
    auto lens = b.Bytes(b.remaining() - 1);  // the last byte is checksum_alg
    post_header_len_.assign(lens.begin(), lens.end());
    flavor_ = server.find("MariaDB") != server.npos ? Flavor::kMariaDb : Flavor::kMySQL;
    return std::optional<Transaction>();
  }

  Result<std::optional<Transaction>> Rotate(const EventHeader& h, std::span<const uint8_t> body) {
    BinlogBuffer b(body);
    uint64_t pos = b.U64();
    std::string_view name = b.Str(b.remaining());
    if (!b.ok() || name.empty()) return Corrupt(h, "truncated ROTATE");
    file_ = std::string(name);
    pos_ = pos;
    if (!in_tx_) {
      state_.position.file = file_;
      state_.position.pos = pos;
    }
    tables_.clear();
    return std::optional<Transaction>();
  }

  void Begin(const EventHeader& h) {
    in_tx_ = true;
    tx_ = Transaction{};
    tx_bytes_ = 0;
    // Transactions of a workload tend to be alike; growing the vector record by record moved
    // every record several times.
    tx_.records.reserve(std::min<size_t>(last_tx_records_, 4096));
    tx_.id = pending_gtid_.empty() ? fmt::format("{}:{}", file_, pos_) : pending_gtid_;
    begin_timestamp_ = h.timestamp;
  }

  Result<std::optional<Transaction>> Commit(const EventHeader& h) {
    if (!in_tx_) {
      Begin(h);  // an XID without a start we saw (stream started mid-transaction): empty
    }
    in_tx_ = false;
    ApplyPendingGtid();
    tx_.end.file = file_;
    tx_.end.pos = h.next_pos != 0 ? h.next_pos : pos_;
    tx_.end.gtid_set = gtids_.ToString();
    tx_.commit_timestamp_ms =
        commit_us_ != 0 ? commit_us_ / 1000 : static_cast<int64_t>(h.timestamp) * 1000;
    commit_us_ = 0;
    for (auto& r : tx_.records) {
      r.position = tx_.end;
      r.source_timestamp_ms = tx_.commit_timestamp_ms;
      r.transaction_id = tx_.id;
    }
    state_.position = tx_.end;
    pending_gtid_.clear();
    tables_.clear();
    last_tx_records_ = tx_.records.size();
    Transaction done = std::move(tx_);
    tx_ = Transaction{};
    return std::optional<Transaction>(std::move(done));
  }

  void ApplyPendingGtid() {
    if (pending_mariadb_) {
      gtids_.domains[pending_domain_] = {pending_server_, pending_seq_};
    } else if (!pending_uuid_.empty()) {
      gtids_.AddMySQL(pending_uuid_, pending_gno_, pending_gno_);
    }
    pending_mariadb_ = false;
    pending_uuid_.clear();
  }

  Result<std::optional<Transaction>> Query(const EventHeader& h, std::span<const uint8_t> body) {
    BinlogBuffer b(body);
    size_t post = PostHeaderLen(et::kQuery, 13);
    b.Skip(8);
    uint8_t db_len = b.U8();
    b.Skip(2);
    uint16_t status_len = post >= 13 ? b.U16() : 0;
    b.Skip(post > 13 ? post - 13 : 0);
    auto status = b.Bytes(status_len);
    std::string db(b.Str(db_len));
    b.Skip(1);
    auto rest = b.Rest();
    if (!b.ok()) return Corrupt(h, "truncated QUERY");
    std::string sql;
    if (h.type == et::kQueryCompressed) {
      INFLOW_TRY(sql, MariaDbUncompress(rest));
    } else {
      sql.assign(reinterpret_cast<const char*>(rest.data()), rest.size());
    }
    uint32_t server_collation = ServerCollation(status);

    if (StartsWithWord(sql, "BEGIN") || StartsWithWord(sql, "XA START")) {
      Begin(h);
      return std::optional<Transaction>();
    }
    if (StartsWithWord(sql, "COMMIT") || StartsWithWord(sql, "XA COMMIT")) return Commit(h);
    if (StartsWithWord(sql, "ROLLBACK") && sql.find(" TO ") == std::string::npos &&
        sql.find(" to ") == std::string::npos) {
      in_tx_ = false;
      tx_ = Transaction{};
      pending_gtid_.clear();
      ApplyPendingGtid();
      return std::optional<Transaction>();
    }
    if (StartsWithWord(sql, "SAVEPOINT") || StartsWithWord(sql, "ROLLBACK") ||
        StartsWithWord(sql, "XA") || sql.empty() || sql[0] == '#') {
      return std::optional<Transaction>();
    }
    if (StartsWithWord(sql, "INSERT") || StartsWithWord(sql, "UPDATE") ||
        StartsWithWord(sql, "DELETE") || StartsWithWord(sql, "REPLACE") ||
        StartsWithWord(sql, "LOAD")) {
      return Fail(ErrorCode::kFailedPrecondition,
                  "a data change was logged as a statement: set binlog_format=ROW on the server");
    }
    if (in_tx_) return std::optional<Transaction>();  // e.g. a statement inside an XA branch

    StatementTarget target = ClassifyStatement(db, sql);
    if (target.account_management) {
      // It may carry a clear password: an empty transaction moves the position past it.
      Begin(h);
      ++account_statements_skipped_;
      tx_.account_statements_skipped = 1;
      return Commit(h);
    }
    // DDL: apply to the history, then report it as a transaction of its own.
    CharsetInfo cs = CharsetOfCollation(server_collation);
    schemas_dirty_ = true;
    state_.schemas.Apply(db, sql, cs.kind == Charset::kUnknown ? "utf8mb4" : cs.name);
    Begin(h);
    ChangeRecord r;
    r.op = Operation::kDdl;
    r.database = target.database;
    r.ddl = sql;
    bool included = false;
    if (target.tables.empty()) {
      included = !options_.include_database || options_.include_database(target.database);
    } else {
      // A statement naming several tables (DROP TABLE a, b; RENAME TABLE a TO b) passes when
      // one of them is included, and carries the first such.
      for (const auto& [table_db, table] : target.tables) {
        if (!options_.include_table || options_.include_table(table_db, table)) {
          included = true;
          r.database = table_db;
          r.table = table;
          break;
        }
      }
    }
    if (included) tx_.records.push_back(std::move(r));
    return Commit(h);
  }

  // The charset of text columns declared without one: Q_CHARSET_DATABASE (8) when logged, else
  // the server collation of Q_CHARSET_CODE (4). Status variables are walked with known sizes.
  static uint32_t ServerCollation(std::span<const uint8_t> status) {
    BinlogBuffer b(status);
    uint32_t server = 0;
    while (b.ok() && !b.empty()) {
      switch (b.U8()) {
        case 0:
          b.Skip(4);
          break;  // flags2
        case 1:
          b.Skip(8);
          break;  // sql_mode
        case 2:
          b.Skip(b.U8() + 1u);
          break;  // catalog (old)
        case 3:
          b.Skip(4);
          break;   // auto_increment
        case 4: {  // client, connection, server collations
          b.Skip(4);
          uint32_t collation = b.U16();
          if (b.ok()) server = collation;
          break;
        }
        case 5:
        case 6:
          b.Skip(b.U8());
          break;  // time zone, catalog
        case 7:
          b.Skip(2);
          break;   // lc_time_names
        case 8: {  // the current database's default collation
          uint32_t database = b.U16();
          if (b.ok() && database != 0) return database;
          break;
        }
        case 9:
          b.Skip(8);
          break;
        case 10:
          b.Skip(4);
          break;
        default:
          return server;
      }
    }
    return server;
  }

  Result<std::optional<Transaction>> TableMapEvent(const EventHeader& h,
                                                   std::span<const uint8_t> body) {
    size_t id_size = TableIdSize(et::kTableMap);
    if (body.size() < id_size) return Corrupt(h, "truncated TABLE_MAP");
    uint64_t id = 0;
    for (size_t i = 0; i < id_size; ++i) id |= uint64_t{body[i]} << (8 * i);
    std::string_view raw(reinterpret_cast<const char*>(body.data()) + id_size,
                         body.size() - id_size);
    if (schemas_dirty_) {
      cache_.clear();
      schemas_dirty_ = false;
    }
    auto cached = cache_.find(id);
    if (cached != cache_.end() && cached->second.raw == raw) {
      tables_[id] = &cached->second;
      return std::optional<Transaction>();
    }
    INFLOW_TRY(TableMap map, ParseTableMap(body, id_size, flavor_ == Flavor::kMariaDb));
    if (!options_.use_binlog_metadata) {
      map.names.clear();
      map.unsigned_numeric.clear();
      map.collations.assign(map.codecs.size(), 0);
      map.labels.assign(map.codecs.size(), {});
      map.primary_key.clear();
      map.has_primary_key_metadata = false;
    }
    MappedTable entry;
    entry.raw = std::string(raw);
    entry.included = !options_.include_table || options_.include_table(map.database, map.table);
    if (entry.included) {
      const TableSchema* known = state_.schemas.Find(map.database, map.table);
      if (!known && options_.schemas) {
        auto looked_up = options_.schemas->Lookup(map.database, map.table);
        if (looked_up) {
          state_.schemas.Put(std::move(*looked_up));
          known = state_.schemas.Find(map.database, map.table);
        } else if (looked_up.error().code() != ErrorCode::kNotFound) {
          return Fail(looked_up.error());
        }
      }
      INFLOW_TRY(entry.resolved, ResolveTable(map, known));
    }
    if (cache_.size() > 10000) cache_.clear();
    auto& slot = cache_[id];
    slot = std::move(entry);
    tables_[id] = &slot;
    return std::optional<Transaction>();
  }

  Result<std::optional<Transaction>> Rows(const EventHeader& h, uint8_t type,
                                          std::span<const uint8_t> body, bool compressed) {
    INFLOW_TRY(RowsEventHeader rh, ParseRowsHeader(type, body, TableIdSize(type)));
    auto it = tables_.find(rh.table_id);
    if (it == tables_.end()) {
      return Fail(ErrorCode::kDataLoss,
                  fmt::format("rows event for table id {} without a TABLE_MAP", rh.table_id));
    }
    const MappedTable& t = *it->second;
    if (!t.included) return std::optional<Transaction>();
    if (!in_tx_) Begin(h);
    std::string inflated;
    if (compressed) {
      // Column count and bitmaps stay plain; the row images after them are compressed.
      BinlogBuffer b(body.subspan(rh.body_offset));
      uint64_t n = b.LenEnc();
      b.Skip((n + 7) / 8 * (type == et::kUpdateRowsV1 || type == et::kUpdateRowsV2 ? 2 : 1));
      if (!b.ok()) return Corrupt(h, "truncated compressed rows event");
      size_t plain = body.size() - b.remaining();
      INFLOW_TRY(std::string rows, MariaDbUncompress(b.Rest()));
      inflated.assign(reinterpret_cast<const char*>(body.data()), plain);
      inflated += rows;
      body = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(inflated.data()),
                                      inflated.size());
    }
    Operation op = rh.kind == RowsKind::kWrite    ? Operation::kInsert
                   : rh.kind == RowsKind::kUpdate ? Operation::kUpdate
                                                  : Operation::kDelete;
    size_t bytes_before = tx_bytes_;
    Status s = DecodeRows(rh, body, t.resolved, [&](std::string* before, std::string* after) {
      ChangeRecord& r = tx_.records.emplace_back();
      r.op = op;
      r.database = t.resolved.database;
      r.table = t.resolved.table;
      r.columns = t.resolved.columns;
      tx_bytes_ += (before ? before->size() : 0) + (after ? after->size() : 0);
      if (before) r.before_json = std::move(*before);
      if (after) r.after_json = std::move(*after);
      ++rows_decoded_;
    });
    INFLOW_RETURN_IF_ERROR(s);
    if (tx_bytes_ > options_.max_transaction_bytes && tx_bytes_ > bytes_before) {
      return Fail(ErrorCode::kResourceExhausted,
                  fmt::format("transaction {} exceeds {} bytes of row data", tx_.id,
                              options_.max_transaction_bytes));
    }
    return std::optional<Transaction>();
  }

  Result<std::optional<Transaction>> MariaGtid(const EventHeader& h,
                                               std::span<const uint8_t> body) {
    BinlogBuffer b(body);
    uint64_t seq = b.U64();
    uint32_t domain = b.U32();
    uint8_t flags = b.U8();
    if (!b.ok()) return Corrupt(h, "truncated GTID");
    pending_mariadb_ = true;
    pending_domain_ = domain;
    pending_server_ = h.server_id;
    pending_seq_ = seq;
    pending_gtid_ = fmt::format("{}-{}-{}", domain, h.server_id, seq);
    constexpr uint8_t kStandalone = 1;
    if (!(flags & kStandalone)) Begin(h);  // MariaDB's GTID event replaces BEGIN
    return std::optional<Transaction>();
  }

  Result<std::optional<Transaction>> MariaGtidList(std::span<const uint8_t> body) {
    BinlogBuffer b(body);
    uint32_t count = b.U32() & 0x0FFFFFFF;
    for (uint32_t i = 0; i < count && b.ok(); ++i) {
      uint32_t domain = b.U32(), server = b.U32();
      uint64_t seq = b.U64();
      if (!b.ok()) break;
      auto it = gtids_.domains.find(domain);
      if (it == gtids_.domains.end() || it->second.second < seq) {
        gtids_.domains[domain] = {server, seq};
      }
    }
    if (!b.ok()) return Fail(ErrorCode::kDataLoss, "truncated GTID_LIST");
    if (!in_tx_) state_.position.gtid_set = gtids_.ToString();
    return std::optional<Transaction>();
  }

  Result<std::optional<Transaction>> MySQLGtid(const EventHeader& h,
                                               std::span<const uint8_t> body) {
    BinlogBuffer b(body);
    b.Skip(1);
    auto sid = b.Bytes(16);
    int64_t gno = static_cast<int64_t>(b.U64());
    if (!b.ok()) return Corrupt(h, "truncated GTID");
    if (h.type == et::kGtid) {
      pending_uuid_ = UuidText(sid);
      pending_gno_ = gno;
      pending_gtid_ = fmt::format("{}:{}", pending_uuid_, gno);
    } else {
      pending_uuid_.clear();
      pending_gtid_.clear();
    }
    pending_mariadb_ = false;
    // 5.7+: logical clock (type 2, last_committed, sequence_number); 8.0.1+: commit time in µs.
    if (b.remaining() >= 17 + 7) {
      b.Skip(17);
      uint64_t ts = b.Uint(7);
      commit_us_ = static_cast<int64_t>(ts & ~(uint64_t{1} << 55));
    }
    return std::optional<Transaction>();
  }

  Result<std::optional<Transaction>> PreviousGtids(std::span<const uint8_t> body) {
    BinlogBuffer b(body);
    uint64_t n = b.U64();
    for (uint64_t i = 0; i < n && b.ok(); ++i) {
      auto sid = b.Bytes(16);
      if (!b.ok()) break;
      std::string uuid = UuidText(sid);
      uint64_t intervals = b.U64();
      for (uint64_t k = 0; k < intervals && b.ok(); ++k) {
        int64_t start = static_cast<int64_t>(b.U64()), end = static_cast<int64_t>(b.U64());
        if (b.ok() && end > start) gtids_.AddMySQL(uuid, start, end - 1);  // end is exclusive
      }
    }
    if (!b.ok()) return Fail(ErrorCode::kDataLoss, "truncated PREVIOUS_GTIDS");
    if (!in_tx_) state_.position.gtid_set = gtids_.ToString();
    return std::optional<Transaction>();
  }

  // MySQL 8.0.20+ binlog_transaction_compression: TLV header (type, length, value as
  // length-encoded integers) ending with type 0, then the zstd frame of the inner events
  // (full events without checksums).
  Result<std::optional<Transaction>> Payload(const EventHeader& h, std::span<const uint8_t> body) {
    if (in_payload_) return Corrupt(h, "nested TRANSACTION_PAYLOAD");
    BinlogBuffer b(body);
    uint64_t compression = 0, payload_size = 0, uncompressed_size = 0;
    while (b.ok()) {
      uint64_t type = b.LenEnc();
      if (type == 0) break;
      uint64_t len = b.LenEnc();
      BinlogBuffer v(b.Bytes(len));
      uint64_t value = v.LenEnc();
      if (type == 1) payload_size = value;
      if (type == 2) compression = value;
      if (type == 3) uncompressed_size = value;
    }
    if (!b.ok() || payload_size > b.remaining())
      return Corrupt(h, "bad TRANSACTION_PAYLOAD header");
    auto payload = b.Bytes(payload_size);
    std::string inner;
    if (compression == 0) {
      if (uncompressed_size > (uint64_t{1} << 31)) return Corrupt(h, "payload too large");
      inner.resize(static_cast<size_t>(uncompressed_size));
      size_t got = ZSTD_decompress(inner.data(), inner.size(), payload.data(), payload.size());
      if (ZSTD_isError(got) || got != inner.size()) {
        return Corrupt(h, fmt::format("zstd: {}", ZSTD_isError(got) ? ZSTD_getErrorName(got)
                                                                    : "size mismatch"));
      }
    } else if (compression == 255) {
      inner.assign(reinterpret_cast<const char*>(payload.data()), payload.size());
    } else {
      return Corrupt(h, fmt::format("unknown payload compression {}", compression));
    }
    in_payload_ = true;
    std::optional<Transaction> result;
    BinlogBuffer events(reinterpret_cast<const uint8_t*>(inner.data()), inner.size());
    Status status = Ok();
    while (!events.empty()) {
      auto hdr = ParseEventHeader(std::span<const uint8_t>(events.data(), events.remaining()));
      if (!hdr || hdr->event_length < kEventHeaderSize || hdr->event_length > events.remaining()) {
        status = Corrupt(h, "bad event inside TRANSACTION_PAYLOAD");
        break;
      }
      auto ev = events.Bytes(hdr->event_length);
      EventHeader inner_h = *hdr;
      inner_h.next_pos = h.next_pos;  // inner events have no position of their own
      auto r = Dispatch(inner_h, ev.subspan(kEventHeaderSize));
      if (!r) {
        status = Fail(r.error());
        break;
      }
      if (*r) {
        if (result) {
          status = Corrupt(h, "TRANSACTION_PAYLOAD holds more than one transaction");
          break;
        }
        result = std::move(*r);
      }
    }
    in_payload_ = false;
    INFLOW_RETURN_IF_ERROR(status);
    return result;
  }

  Options options_;
  Flavor flavor_;
  DecoderState state_;
  GtidSet gtids_;
  std::string file_;
  uint64_t pos_ = 4;
  std::vector<uint8_t> post_header_len_;
  std::unordered_map<uint64_t, MappedTable> cache_;
  std::unordered_map<uint64_t, MappedTable*> tables_;
  bool schemas_dirty_ = false;
  bool in_tx_ = false;
  bool in_payload_ = false;
  Transaction tx_;
  size_t tx_bytes_ = 0;
  size_t last_tx_records_ = 0;
  uint32_t begin_timestamp_ = 0;
  int64_t commit_us_ = 0;
  std::string pending_gtid_;
  bool pending_mariadb_ = false;
  uint32_t pending_domain_ = 0, pending_server_ = 0;
  uint64_t pending_seq_ = 0;
  std::string pending_uuid_;
  int64_t pending_gno_ = 0;
  uint64_t events_fed_ = 0;
  uint64_t rows_decoded_ = 0;
  uint64_t account_statements_skipped_ = 0;
};

BinlogDecoder::BinlogDecoder(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}
BinlogDecoder::~BinlogDecoder() = default;
BinlogDecoder::BinlogDecoder(BinlogDecoder&&) noexcept = default;
BinlogDecoder& BinlogDecoder::operator=(BinlogDecoder&&) noexcept = default;

Result<std::optional<Transaction>> BinlogDecoder::Feed(std::span<const uint8_t> event) {
  return impl_->Feed(event);
}
const DecoderState& BinlogDecoder::state() const { return impl_->state(); }
void BinlogDecoder::Restore(DecoderState state) { impl_->Restore(std::move(state)); }
uint64_t BinlogDecoder::events_fed() const { return impl_->events_fed(); }
uint64_t BinlogDecoder::rows_decoded() const { return impl_->rows_decoded(); }
uint64_t BinlogDecoder::account_statements_skipped() const {
  return impl_->account_statements_skipped();
}

}  // namespace inflow::capture::mysql
