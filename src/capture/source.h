// Source: a database's stream of committed transactions as change records — the capture side of
// a change tracking instance (product.md §1.1).
//
// A Source yields whole transactions in commit order, each with its source position (binlog
// file:pos and GTID set after it, or an LSN), commit time and transaction id. The caller stores
// them durably, then says so with Acknowledge(); after a restart it builds a new Source from
// the ResumeState() it stored with the last durable transaction, and gets exactly the
// transactions after it. Within one Source, a lost connection is repaired inside (reconnect
// with backoff from the end of the last transaction returned), so Next() never repeats or skips
// a transaction.
//
// Tables are filtered by `db.table` patterns BEFORE their rows are decoded.
//
// Thread safety: Next(), ResumeState() and Acknowledge() are called from one consumer thread;
// Stop() may be called from any thread and makes a blocked Next() return kCancelled.
#ifndef INFLOW_CAPTURE_SOURCE_H_
#define INFLOW_CAPTURE_SOURCE_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "changelog/change_record.h"
#include "common/result.h"

namespace inflow::capture {

// One committed source transaction. A DDL statement is a transaction of its own.
struct SourceTransaction {
  std::vector<changelog::ChangeRecord> records;  // rows of included tables and DDL, in order
  changelog::SourcePosition position;            // the resume point right after it
  int64_t commit_timestamp_ms = 0;
  std::string transaction_id;  // GTID, or "file:pos" of its BEGIN
  // Account-management statements (CREATE USER, GRANT, SET PASSWORD, …) this transaction
  // stands for: they may carry clear passwords, so they are dropped (records stay empty) and
  // only counted.
  uint32_t account_statements_skipped = 0;
};

// Where a new Source starts reading.
struct StartPosition {
  enum class Kind : uint8_t {
    kEarliest,  // the oldest binlog the server still has
    kNow,       // the server's current end: only changes made after the start
    kGtid,      // after the transactions of a GTID set (MariaDB "0-1-42", MySQL "uuid:1-42")
    kFilePos,   // a binlog file and the position of a transaction boundary in it
    kResume,    // a ResumeState() stored by an earlier Source
  };
  Kind kind = Kind::kNow;
  std::string file;
  uint64_t pos = 0;
  std::string gtid_set;
  std::string resume_state;  // for kResume

  // "earliest" | "now" | "FILE:POS" (e.g. "mariadb-bin.000003:1234") | a GTID set.
  static Result<StartPosition> Parse(std::string_view text);
  static StartPosition Resume(std::string state) {
    StartPosition p;
    p.kind = Kind::kResume;
    p.resume_state = std::move(state);
    return p;
  }
  std::string ToString() const;
};

// Include / exclude lists of `db.table` patterns where `*` matches any run of characters
// (including none) and every other character matches itself, case-sensitively (as MySQL on
// Linux compares names). A table passes when it matches some include pattern (or the include
// list is empty) and no exclude pattern.
class TableFilter {
 public:
  // Comma-separated patterns; a leading '!' makes a pattern an exclusion:
  // "shop.*,!shop.audit_*". kInvalidArgument names a pattern without exactly one '.'.
  static Result<TableFilter> Parse(std::string_view patterns);
  static Result<TableFilter> Make(std::vector<std::string> include,
                                  std::vector<std::string> exclude);

  bool Matches(std::string_view db, std::string_view table) const;
  // For what names a database but no table (CREATE DATABASE d, DROP PROCEDURE d.p): some
  // include pattern's database part matches `db` (or there is none) and no exclude pattern
  // excludes the whole database (`!d.*`).
  bool MatchesDatabase(std::string_view db) const;
  bool empty() const { return include_.empty() && exclude_.empty(); }

  // True when `pattern` matches `text` with `*` wildcards.
  static bool Glob(std::string_view pattern, std::string_view text);

 private:
  std::vector<std::string> include_;
  std::vector<std::string> exclude_;
};

class Source {
 public:
  virtual ~Source() = default;

  // The next committed transaction, or nullopt when none arrived within `timeout` (an idle
  // source). Errors are final for this Source: kOutOfRange (the start position was purged),
  // kFailedPrecondition (a server setting or schema we cannot work with), kDataLoss (corrupt
  // stream), kCancelled (Stop()), or a connection error once reconnecting has given up.
  virtual Result<std::optional<SourceTransaction>> Next(std::chrono::milliseconds timeout) = 0;

  // Opaque bytes that let a new Source resume right after the last transaction Next()
  // returned (position plus whatever decoding state must survive, e.g. the schema history).
  // Store them atomically with that transaction's records. Cost grows with the number of
  // tables seen; call it when persisting, not per record.
  virtual std::string ResumeState() const = 0;

  // The caller has durably stored everything up to and including `position`.
  virtual void Acknowledge(const changelog::SourcePosition& position) = 0;
  virtual changelog::SourcePosition acknowledged() const = 0;

  // Things the operator should know that do not stop capture (e.g. binlog_row_image=MINIMAL).
  virtual std::vector<std::string> warnings() const = 0;

  // Thread-safe; idempotent.
  virtual void Stop() = 0;
};

}  // namespace inflow::capture

#endif  // INFLOW_CAPTURE_SOURCE_H_
