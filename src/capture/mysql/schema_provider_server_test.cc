#include "capture/mysql/schema_provider_server.h"

#include <gtest/gtest.h>

namespace inflow::capture::mysql {
namespace {

TEST(ServerSchemaProvider, QuotesNamesIntoTheInformationSchemaQuery) {
  std::string sql = ServerSchemaProvider::LookupSql(true, "shop", "it's");
  EXPECT_NE(sql.find("c.TABLE_SCHEMA = 'shop' AND c.TABLE_NAME = 'it\\'s'"), std::string::npos)
      << sql;
  EXPECT_EQ(sql.find('?'), std::string::npos);
  std::string mysql = ServerSchemaProvider::LookupSql(false, "a\\b", "t");
  EXPECT_NE(mysql.find("TABLE_SCHEMA = 'a\\\\b' AND TABLE_NAME = 't'"), std::string::npos) << mysql;
}

TEST(ServerSchemaProvider, UnreachableServerIsAnErrorNamingTheTable) {
  ConnectOptions o;
  o.host = "127.0.0.1";
  o.port = 1;  // nothing listens on port 1
  o.user = "u";
  o.connect_timeout = std::chrono::milliseconds(500);
  ServerSchemaProvider p(o);
  auto r = p.Lookup("shop", "orders");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(r.error().message().find("shop.orders"), std::string::npos);
}

}  // namespace
}  // namespace inflow::capture::mysql
