// BinlogDecoder: turns a MariaDB / MySQL row-based binlog event stream into committed
// transactions of ChangeRecords (rows and DDL), with the source position after each one.
//
// The decoder is a pure function of the bytes it is fed plus its state (current binlog file,
// executed GTID set, table schema history): it does no I/O except asking the optional
// SchemaProvider about tables it cannot describe from the binlog itself. The caller (the
// replication client, or BinlogFileReader for files) frames events, verifies and strips the
// CRC32 trailer, and feeds each event in stream order.
//
// Transactions: GTID / BEGIN … XID or COMMIT; a DDL statement is a transaction of its own with
// one kDdl record. Every record of a transaction carries the transaction's end position (the
// file and next-event position after its XID / COMMIT / DDL event, plus the GTID set including
// it), its commit time and its id (the GTID, else "file:pos" of its BEGIN).
//
// Resuming: after a Feed() that returned a transaction, state() describes exactly the position
// after that transaction. Store it (Serialize) with the records; after a restart construct a
// decoder with the same Options, Restore() the state, and start the binlog dump from
// state().position (file:pos, or its GTID set).
//
// Thread safety: not synchronised; one decoder per replication stream.
#ifndef INFLOW_CAPTURE_MYSQL_DECODER_H_
#define INFLOW_CAPTURE_MYSQL_DECODER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "capture/mysql/schema.h"
#include "changelog/change_record.h"
#include "common/result.h"

namespace inflow::capture::mysql {

enum class Flavor : uint8_t { kMariaDb = 1, kMySQL = 2 };

// Binlog event type codes the decoder and its callers care about.
namespace event_type {
inline constexpr uint8_t kQuery = 2;
inline constexpr uint8_t kRotate = 4;
inline constexpr uint8_t kFormatDescription = 15;
inline constexpr uint8_t kXid = 16;
inline constexpr uint8_t kTableMap = 19;
inline constexpr uint8_t kWriteRowsV1 = 23;
inline constexpr uint8_t kUpdateRowsV1 = 24;
inline constexpr uint8_t kDeleteRowsV1 = 25;
inline constexpr uint8_t kHeartbeat = 27;
inline constexpr uint8_t kWriteRowsV2 = 30;
inline constexpr uint8_t kUpdateRowsV2 = 31;
inline constexpr uint8_t kDeleteRowsV2 = 32;
inline constexpr uint8_t kGtid = 33;  // MySQL GTID_LOG_EVENT
inline constexpr uint8_t kAnonymousGtid = 34;
inline constexpr uint8_t kPreviousGtids = 35;
inline constexpr uint8_t kPartialUpdateRows = 39;
inline constexpr uint8_t kTransactionPayload = 40;
inline constexpr uint8_t kHeartbeatV2 = 41;
inline constexpr uint8_t kAnnotateRows = 160;  // MariaDB
inline constexpr uint8_t kBinlogCheckpoint = 161;
inline constexpr uint8_t kMariaGtid = 162;
inline constexpr uint8_t kMariaGtidList = 163;
inline constexpr uint8_t kStartEncryption = 164;
inline constexpr uint8_t kQueryCompressed = 165;
inline constexpr uint8_t kWriteRowsCompressedV1 = 166;
inline constexpr uint8_t kDeleteRowsCompressedV1 = 168;
inline constexpr uint8_t kWriteRowsCompressedV2 = 169;
inline constexpr uint8_t kDeleteRowsCompressedV2 = 171;
}  // namespace event_type

inline constexpr size_t kEventHeaderSize = 19;

// The fixed v4 header of every event.
struct EventHeader {
  uint32_t timestamp = 0;  // seconds since the epoch; 0 for artificial events
  uint8_t type = 0;
  uint32_t server_id = 0;
  uint32_t event_length = 0;  // as written, including a checksum trailer if any
  uint32_t next_pos = 0;      // position of the next event in the file (0 for artificial ones)
  uint16_t flags = 0;
};
// REQUIRES nothing: short input is an error, never a crash.
Result<EventHeader> ParseEventHeader(std::span<const uint8_t> event);

// The checksum algorithm a FORMAT_DESCRIPTION event announces for the events after it (and
// for itself). `fde` is the whole event as received, WITH its trailer if any.
enum class ChecksumAlg : uint8_t { kOff = 0, kCrc32 = 1 };
Result<ChecksumAlg> FormatDescriptionChecksum(std::span<const uint8_t> fde);

// Verifies the CRC32 trailer of `event` (as received) and returns the event without it; with
// kOff returns `event` unchanged. A FORMAT_DESCRIPTION event always ends in a 4-byte trailer
// (its checksum_alg byte is followed by a CRC32 slot even when checksums are off), so for it
// `alg` is ignored: the trailer is checked when its own alg says CRC32, and always removed.
// kDataLoss names the event type and position on mismatch.
Result<std::span<const uint8_t>> VerifyAndStripChecksum(std::span<const uint8_t> event,
                                                        ChecksumAlg alg);

// One committed transaction.
struct Transaction {
  std::vector<changelog::ChangeRecord> records;  // rows and DDL, in binlog order
  changelog::SourcePosition end;  // file + position after its XID/COMMIT/DDL event, GTID set
  int64_t commit_timestamp_ms = 0;
  std::string id;  // GTID ("0-1-42" MariaDB, "uuid:42" MySQL) or "file:pos" of its BEGIN
  // 1 when this (then empty) transaction was an account-management statement that was dropped
  // (see StatementTarget::account_management).
  uint32_t account_statements_skipped = 0;
};

// What the decoder must remember across restarts. `position` is the resume point.
struct DecoderState {
  changelog::SourcePosition position;  // file, pos, gtid_set after the last whole transaction
  SchemaHistory schemas;

  std::string Serialize() const;
  static Result<DecoderState> Parse(std::string_view bytes);
  bool operator==(const DecoderState&) const = default;
};

class BinlogDecoder {
 public:
  struct Options {
    Flavor flavor = Flavor::kMariaDb;  // corrected from the FORMAT_DESCRIPTION server version
    // Tables for which rows are decoded; others are skipped before any value decoding.
    // Null means every table. DDL naming tables is reported when one of them is included.
    std::function<bool(std::string_view db, std::string_view table)> include_table;
    // For DDL naming no table (CREATE DATABASE d, DROP PROCEDURE d.p, …): reported when this
    // accepts its database (the one it names, else the session's). Null means every database.
    // Account-management statements are never reported (see StatementTarget).
    std::function<bool(std::string_view db)> include_database;
    // Asked once for a table the binlog metadata and the history cannot describe (and, with
    // FULL metadata, to learn INET6 / UUID / MariaDB JSON columns). May be null: then tables
    // without binlog_row_metadata=FULL fail with kFailedPrecondition.
    SchemaProvider* schemas = nullptr;
    // The binlog file the stream starts in, until a ROTATE event names one.
    std::string start_file;
    // The GTID set executed before the stream starts (MariaDB "0-1-10,1-2-5"; MySQL
    // "uuid:1-10,uuid2:1-3"). Empty = unknown: filled from GTID_LIST / PREVIOUS_GTIDS events.
    std::string start_gtid_set;
    // When false, TABLE_MAP optional metadata (names, signedness, charsets, labels, primary
    // key) is ignored and columns are described by the schema history / provider only — the
    // path taken for servers without binlog_row_metadata=FULL (and how tests exercise it).
    bool use_binlog_metadata = true;
    // Rows of one transaction beyond this total byte size fail with kResourceExhausted rather
    // than exhausting memory.
    size_t max_transaction_bytes = size_t{1} << 31;
  };

  explicit BinlogDecoder(Options options);
  ~BinlogDecoder();
  BinlogDecoder(BinlogDecoder&&) noexcept;
  BinlogDecoder& operator=(BinlogDecoder&&) noexcept;

  // Feeds one binlog event (header + body; checksum already verified and stripped by the
  // caller — the FORMAT_DESCRIPTION event too). Returns a completed transaction when this event
  // commits one, nullopt otherwise (BEGIN, TABLE_MAP, rows, heartbeats, rotations, …).
  // Errors: kDataLoss for malformed events (naming type, file and position);
  // kFailedPrecondition when a table cannot be described or the binlog is not row-based
  // (a DML QUERY event inside a transaction); kInvalidArgument for values that cannot be
  // represented (unknown charset). After an error the decoder should be discarded or
  // restored from a saved state.
  Result<std::optional<Transaction>> Feed(std::span<const uint8_t> event);

  // The resume state as of the last returned transaction (or the start).
  const DecoderState& state() const;
  // Replaces the state (after a restart). Any partly fed transaction is dropped.
  void Restore(DecoderState state);

  // Counters for metrics and benchmarks.
  uint64_t events_fed() const;
  uint64_t rows_decoded() const;
  // Account-management statements dropped (they may carry clear passwords).
  uint64_t account_statements_skipped() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Reads a binlog FILE (magic + events, checksums verified and stripped) for tests, benchmarks
// and fuzzing. The whole file is held in memory.
class BinlogFileReader {
 public:
  static Result<BinlogFileReader> Open(const std::string& path);
  // `name` is reported as the file name; `bytes` must start with the binlog magic.
  static Result<BinlogFileReader> FromBytes(std::string name, std::string bytes);

  // The next event without its checksum, or nullopt at the end of the file. A truncated last
  // event (a file being written) is also the end. The span stays valid while the reader lives.
  Result<std::optional<std::span<const uint8_t>>> Next();

  const std::string& file_name() const { return name_; }  // base name, e.g. "mysql-bin.000003"
  uint64_t offset() const { return offset_; }             // of the next event
  uint64_t size() const { return bytes_.size(); }

 private:
  BinlogFileReader(std::string name, std::string bytes);
  std::string name_;
  std::string bytes_;
  uint64_t offset_ = 4;
  ChecksumAlg alg_ = ChecksumAlg::kOff;
};

// Decodes whole binlog files in order with one decoder (tests, benchmark, oracle).
Result<std::vector<Transaction>> DecodeBinlogFiles(const std::vector<std::string>& paths,
                                                   BinlogDecoder::Options options);

}  // namespace inflow::capture::mysql

#endif  // INFLOW_CAPTURE_MYSQL_DECODER_H_
