#include "capture/source.h"

#include <gtest/gtest.h>

namespace inflow::capture {
namespace {

TEST(TableFilter, GlobMatchesStarsAnywhere) {
  EXPECT_TRUE(TableFilter::Glob("*", ""));
  EXPECT_TRUE(TableFilter::Glob("*", "orders"));
  EXPECT_TRUE(TableFilter::Glob("ord*", "orders"));
  EXPECT_TRUE(TableFilter::Glob("*ers", "orders"));
  EXPECT_TRUE(TableFilter::Glob("o*d*s", "orders"));
  EXPECT_TRUE(TableFilter::Glob("orders", "orders"));
  EXPECT_FALSE(TableFilter::Glob("orders", "Orders"));
  EXPECT_FALSE(TableFilter::Glob("ord*x", "orders"));
  EXPECT_FALSE(TableFilter::Glob("a*b*c", "aXXbXX"));
  EXPECT_TRUE(TableFilter::Glob("a*b*c", "aXbXbXc"));
}

TEST(TableFilter, IncludeThenExclude) {
  auto f = TableFilter::Parse("shop.*, *.audit ,!shop.tmp_*");
  ASSERT_TRUE(f.has_value()) << f.error().ToString();
  EXPECT_TRUE(f->Matches("shop", "orders"));
  EXPECT_TRUE(f->Matches("crm", "audit"));
  EXPECT_FALSE(f->Matches("crm", "people"));
  EXPECT_FALSE(f->Matches("shop", "tmp_1"));
  EXPECT_FALSE(f->Matches("shopx", "orders"));

  auto only_exclude = TableFilter::Parse("!mysql.*");
  ASSERT_TRUE(only_exclude.has_value());
  EXPECT_TRUE(only_exclude->Matches("shop", "orders"));
  EXPECT_FALSE(only_exclude->Matches("mysql", "user"));

  auto all = TableFilter::Parse("");
  ASSERT_TRUE(all.has_value());
  EXPECT_TRUE(all->empty());
  EXPECT_TRUE(all->Matches("any", "thing"));
}

TEST(TableFilter, RejectsPatternsThatAreNotDbDotTable) {
  for (std::string_view bad : {"shop", "a.b.c", ".t", "db.", "!x"}) {
    auto f = TableFilter::Parse(bad);
    ASSERT_FALSE(f.has_value()) << bad;
    EXPECT_EQ(f.error().code(), ErrorCode::kInvalidArgument);
  }
}

TEST(TableFilter, JudgesStatementsWithoutATableByTheirDatabase) {
  auto f = TableFilter::Parse("shop.*,sales_*.orders,!shop.audit_*,!sales_old.*");
  ASSERT_TRUE(f.has_value());
  EXPECT_TRUE(f->MatchesDatabase("shop"));  // only some of its tables are excluded
  EXPECT_TRUE(f->MatchesDatabase("sales_eu"));
  EXPECT_FALSE(f->MatchesDatabase("sales_old"));  // excluded as a whole
  EXPECT_FALSE(f->MatchesDatabase("other"));
  EXPECT_FALSE(f->MatchesDatabase(""));
  auto all = TableFilter::Parse("");
  ASSERT_TRUE(all.has_value());
  EXPECT_TRUE(all->MatchesDatabase("anything"));
}

TEST(StartPosition, ParsesEveryForm) {
  auto e = StartPosition::Parse("earliest");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->kind, StartPosition::Kind::kEarliest);
  auto n = StartPosition::Parse("now");
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->kind, StartPosition::Kind::kNow);
  auto fp = StartPosition::Parse("mariadb-bin.000003:1234");
  ASSERT_TRUE(fp.has_value());
  EXPECT_EQ(fp->kind, StartPosition::Kind::kFilePos);
  EXPECT_EQ(fp->file, "mariadb-bin.000003");
  EXPECT_EQ(fp->pos, 1234u);
  auto g = StartPosition::Parse("0-1-42,1-2-7");
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->kind, StartPosition::Kind::kGtid);
  EXPECT_EQ(g->gtid_set, "0-1-42,1-2-7");
  auto m = StartPosition::Parse("3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->kind, StartPosition::Kind::kGtid);
  for (std::string_view bad : {"", "yesterday", "bin.000001:x", "bin.000001:2"}) {
    EXPECT_FALSE(StartPosition::Parse(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace inflow::capture
