// ServerSchemaProvider: the decoder's SchemaProvider backed by information_schema of the live
// server, over its own connection (the dump connection is busy streaming). It is asked only for
// tables that neither the binlog metadata nor the schema history describe.
//
// The connection is opened on first use and re-opened after an error, so a provider survives a
// server restart.
//
// Thread safety: not synchronised; called from the decoding thread only.
#ifndef INFLOW_CAPTURE_MYSQL_SCHEMA_PROVIDER_SERVER_H_
#define INFLOW_CAPTURE_MYSQL_SCHEMA_PROVIDER_SERVER_H_

#include <memory>
#include <string>

#include "capture/mysql/connection.h"
#include "capture/mysql/connection_options.h"
#include "capture/mysql/schema.h"

namespace inflow::capture::mysql {

class ServerSchemaProvider : public SchemaProvider {
 public:
  explicit ServerSchemaProvider(ConnectOptions options) : options_(std::move(options)) {}

  // kNotFound when the table does not exist (any more); connection errors as they come.
  Result<TableSchema> Lookup(const std::string& db, const std::string& table) override;

  // The statement Lookup runs for db.table (exposed for tests).
  static std::string LookupSql(bool mariadb, const std::string& db, const std::string& table);

 private:
  ConnectOptions options_;
  std::unique_ptr<Connection> connection_;
};

}  // namespace inflow::capture::mysql

#endif  // INFLOW_CAPTURE_MYSQL_SCHEMA_PROVIDER_SERVER_H_
