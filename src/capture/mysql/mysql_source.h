// MysqlSource: the Source (capture/source.h) for MariaDB and MySQL — a replica connection that
// streams the row-based binlog into the BinlogDecoder.
//
// Open() connects, checks the server settings capture depends on (log_bin, binlog_format=ROW,
// the replication grants; binlog_row_image / binlog_row_metadata other than FULL are reported
// in warnings()), resolves the start position (earliest / now / GTID / file:pos / a resume
// state), verifies that the position is still on the server, registers as a replica and starts
// the dump. A reader thread then receives events into a bounded buffer; Next() decodes them on
// the caller's thread. When the connection is lost (server restart, network, a read timeout
// with no heartbeat), the reader reconnects with exponential backoff and resumes the dump right
// after the last transaction Next() returned, so no transaction is repeated or skipped.
//
// Errors that no retry can fix (purged position, a setting, missing grants, corrupt data) end
// the Source: Next() returns them.
//
// Thread safety: as Source.
#ifndef INFLOW_CAPTURE_MYSQL_MYSQL_SOURCE_H_
#define INFLOW_CAPTURE_MYSQL_MYSQL_SOURCE_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "capture/mysql/connection_options.h"
#include "capture/source.h"

namespace inflow::capture::mysql {

struct MysqlSourceOptions {
  ConnectOptions connection;
  StartPosition start;
  TableFilter tables;
  std::chrono::milliseconds reconnect_initial_backoff{200};
  std::chrono::milliseconds reconnect_max_backoff{10'000};
  // After this long without a successful reconnect, Next() returns the last connection error.
  // Zero: keep trying until Stop().
  std::chrono::milliseconds reconnect_give_up_after{0};
  // Received but not yet decoded events are held up to this many bytes (then the reader waits,
  // which back-pressures the server).
  size_t max_buffered_bytes = size_t{64} << 20;
  // False: ignore TABLE_MAP optional metadata and describe tables from the schema history and
  // information_schema only (as for servers without binlog_row_metadata=FULL).
  bool use_binlog_metadata = true;
  // Diagnostics such as "connection lost, reconnecting in 400 ms"; may be empty.
  std::function<void(std::string_view)> log;
};

class MysqlSource : public Source {
 public:
  static Result<std::unique_ptr<MysqlSource>> Open(MysqlSourceOptions options);
  ~MysqlSource() override;

  Result<std::optional<SourceTransaction>> Next(std::chrono::milliseconds timeout) override;
  std::string ResumeState() const override;
  void Acknowledge(const changelog::SourcePosition& position) override;
  changelog::SourcePosition acknowledged() const override;
  std::vector<std::string> warnings() const override;
  void Stop() override;

  // "MariaDB" or "MySQL", and the version the server reports (e.g. "10.11.19-MariaDB-...").
  std::string database_type() const;
  std::string server_version() const;
  // Successful reconnects since Open (for tests and metrics).
  uint64_t reconnects() const;

 private:
  class Impl;
  explicit MysqlSource(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace inflow::capture::mysql

#endif  // INFLOW_CAPTURE_MYSQL_MYSQL_SOURCE_H_
