#include "changelog/record_codec.h"

#include <gtest/gtest.h>

#include <random>

#include "changelog/test_util.h"

namespace inflow::changelog {
namespace {

TEST(ChangelogRecordCodec, RoundTripsRandomRecords) {
  std::mt19937_64 rng(1);
  for (int i = 0; i < 500; ++i) {
    ChangeRecord r = testing::RandomRecord(rng, static_cast<int64_t>(rng()) >> 20);
    r.position.lsn = rng();
    std::vector<ColumnSchema> columns(r.columns.begin(), r.columns.end());
    columns.push_back({"neg", "int", -5, false, true, false, ""});
    r.columns = ColumnList(std::move(columns));
    std::string bytes;
    EncodeChangeRecord(r, &bytes);
    auto back = DecodeChangeRecord(bytes);
    ASSERT_TRUE(back) << back.error().ToString();
    EXPECT_EQ(*back, r);
  }
}

TEST(ChangelogRecordCodec, KeepsEmptyImagesDistinctFromAbsent) {
  ChangeRecord r;
  r.before_json = "";
  std::string bytes;
  EncodeChangeRecord(r, &bytes);
  auto back = DecodeChangeRecord(bytes);
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->before_json.has_value());
  EXPECT_FALSE(back->after_json.has_value());
}

TEST(ChangelogRecordCodec, RejectsEveryTruncationAndTrailingBytes) {
  std::mt19937_64 rng(2);
  ChangeRecord r = testing::RandomRecord(rng, 1000);
  r.op = Operation::kUpdate;
  r.before_json = "{}";
  r.after_json = "{\"a\":1}";
  std::string bytes;
  EncodeChangeRecord(r, &bytes);
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    auto back = DecodeChangeRecord(std::string_view(bytes).substr(0, cut));
    ASSERT_FALSE(back) << "cut at " << cut;
    EXPECT_EQ(back.error().code(), ErrorCode::kDataLoss);
  }
  auto extra = DecodeChangeRecord(bytes + "x");
  ASSERT_FALSE(extra);
  EXPECT_NE(extra.error().message().find("trailing"), std::string::npos);
}

TEST(ChangelogRecordCodec, RejectsUnknownVersionAndOperation) {
  std::string bytes;
  EncodeChangeRecord(ChangeRecord{}, &bytes);
  std::string v2 = bytes;
  v2[0] = 2;
  EXPECT_NE(DecodeChangeRecord(v2).error().message().find("version 2"), std::string::npos);
  std::string op = bytes;
  op[1] = 9;
  EXPECT_NE(DecodeChangeRecord(op).error().message().find("operation 9"), std::string::npos);
}

TEST(ChangelogRecordCodec, SurvivesRandomBytes) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 20000; ++i) {
    std::string junk = testing::RandomText(rng, 64);
    for (char& c : junk) c = static_cast<char>(rng());
    if (!junk.empty()) junk[0] = 1;
    if (junk.size() > 1) junk[1] = static_cast<char>(1 + rng() % 4);
    auto r = DecodeChangeRecord(junk);
    if (r) {
      // Junk may use non-canonical varints or stray flag bits, so compare decoded values.
      std::string again;
      EncodeChangeRecord(*r, &again);
      auto twice = DecodeChangeRecord(again);
      ASSERT_TRUE(twice);
      EXPECT_EQ(*twice, *r);
    }
  }
}

}  // namespace
}  // namespace inflow::changelog
