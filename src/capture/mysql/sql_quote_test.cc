#include "capture/mysql/sql_quote.h"

#include <gtest/gtest.h>

namespace inflow::capture::mysql {
namespace {

TEST(SqlQuote, EscapesQuotesBackslashesAndNul) {
  EXPECT_EQ(SqlQuote(""), "''");
  EXPECT_EQ(SqlQuote("mysql-bin.000001"), "'mysql-bin.000001'");
  EXPECT_EQ(SqlQuote("it's"), "'it\\'s'");
  EXPECT_EQ(SqlQuote("a\\b"), "'a\\\\b'");
  EXPECT_EQ(SqlQuote(std::string_view("x\0y", 3)), "'x\\0y'");
  EXPECT_EQ(SqlQuote("'; DROP TABLE t; --"), "'\\'; DROP TABLE t; --'");
}

}  // namespace
}  // namespace inflow::capture::mysql
