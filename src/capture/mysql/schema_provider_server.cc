#include "capture/mysql/schema_provider_server.h"

#include <string_view>

#include "capture/mysql/sql_quote.h"

namespace inflow::capture::mysql {

std::string ServerSchemaProvider::LookupSql(bool mariadb, const std::string& db,
                                            const std::string& table) {
  std::string_view tmpl = mariadb ? kMariaDbColumnsQuery : kMySQLColumnsQuery;
  std::string sql;
  int param = 0;
  for (char c : tmpl) {
    if (c == '?') {
      sql += SqlQuote(param++ == 0 ? db : table);
    } else {
      sql.push_back(c);
    }
  }
  return sql;
}

Result<TableSchema> ServerSchemaProvider::Lookup(const std::string& db, const std::string& table) {
  if (!connection_) {
    auto c = Connection::Open(options_);
    if (!c) return Fail(c.error().WithContext("schema lookup of " + db + "." + table));
    connection_ = std::move(*c);
  }
  auto rs = connection_->Query(LookupSql(connection_->IsMariaDb(), db, table));
  if (!rs) {
    connection_.reset();  // re-open next time; the error may have been a lost connection
    return Fail(rs.error().WithContext("schema lookup of " + db + "." + table));
  }
  if (rs->rows.empty()) {
    return Fail(ErrorCode::kNotFound,
                "table " + db + "." + table + " does not exist on " + options_.Peer());
  }
  TableSchema schema;
  schema.database = db;
  schema.table = table;
  for (const auto& row : rs->rows) {
    if (row.size() < 6) {
      return Fail(ErrorCode::kDataLoss,
                  "schema lookup of " + db + "." + table + ": short information_schema row");
    }
    // A view of the row's own string, which `rs` keeps alive: `row[i] ? *row[i] : ""` would
    // be a temporary std::string that dies before the view is read.
    auto v = [&row](size_t i) -> std::string_view {
      if (!row[i]) return {};
      return *row[i];
    };
    schema.columns.push_back(ColumnFromInformationSchema(v(0), v(1), v(2), v(3), v(4), v(5)));
  }
  return schema;
}

}  // namespace inflow::capture::mysql
