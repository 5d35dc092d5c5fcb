#include "changelog/cloudevent.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/json_text.h"

namespace inflow::changelog {
namespace {

TrackingInfo Tracking() {
  return {"shop-tracking", "5d41402abc4b2a76b9719d911017c592", "MariaDB", "10.11.6-MariaDB"};
}

StoredRecord UpdateRecord() {
  StoredRecord s;
  s.id = RecordId(88231);
  ChangeRecord& r = s.record;
  r.op = Operation::kUpdate;
  r.source_timestamp_ms = 1709280000000;
  r.position = {"mysql-bin.000003", 1234, "0-1-77", 0};
  r.transaction_id = "0-1-77";
  r.database = "shop";
  r.table = "orders";
  r.columns = {{"id", "bigint(20)", 8, true, false, false, ""},
               {"status", "varchar(16)", 253, false, false, true, "utf8mb4"}};
  r.before_json = R"({"id":42,"status":"new"})";
  r.after_json = R"({"id":42,"status":"paid"})";
  return s;
}

TEST(ChangelogCloudEvent, RendersUpdateGolden) {
  const std::string golden =
      R"({"id":"5d41402abc4b2a76b9719d911017c592-88231","source":"shop-tracking",)"
      R"("specversion":"1.0","type":"dts:ConsumeMessage",)"
      R"("subject":"inflow:dts:5d41402abc4b2a76b9719d911017c592/shop/orders",)"
      R"("time":"2024-03-01T08:00:00Z","datacontenttype":"application/json; charset=utf-8",)"
      R"("data":{"id":88231,"topicPartition":{"hash":0,"partition":0,"topic":"shop-tracking"},)"
      R"("offset":88231,"sourceTimestamp":1709280000,"operationType":"UPDATE",)"
      R"("schema":{"recordFields":[)"
      R"({"fieldName":"id","rawDataTypeNum":8,"isPrimaryKey":true,"isUniqueKey":false,"fieldPosition":0},)"
      R"({"fieldName":"status","rawDataTypeNum":253,"isPrimaryKey":false,"isUniqueKey":false,"fieldPosition":1}],)"
      R"("databaseName":"shop","tableName":"orders",)"
      R"("primaryIndexInfo":{"indexType":"PrimaryKey","indexFields":[)"
      R"({"fieldName":"id","rawDataTypeNum":8,"isPrimaryKey":true,"isUniqueKey":false,"fieldPosition":0}],)"
      R"("cardinality":0,"nullable":false,"isFirstUniqueIndex":false},)"
      R"("databaseInfo":{"databaseType":"MariaDB","version":"10.11.6-MariaDB"}},)"
      R"("beforeImage":{"id":42,"status":"new"},"afterImage":{"id":42,"status":"paid"}}})";
  EXPECT_EQ(RenderCloudEvent(UpdateRecord(), Tracking()), golden);
}

TEST(ChangelogCloudEvent, IsByteStableAndValidJson) {
  std::string a = RenderCloudEvent(UpdateRecord(), Tracking());
  std::string b = RenderCloudEvent(UpdateRecord(), Tracking());
  EXPECT_EQ(a, b);
  auto j = nlohmann::json::parse(a);
  EXPECT_EQ(j["data"]["afterImage"]["status"], "paid");
  EXPECT_EQ(j["data"]["schema"]["recordFields"].size(), 2u);
  EXPECT_FALSE(j["data"]["schema"].contains("nameIndex"));
}

TEST(ChangelogCloudEvent, InsertOmitsBeforeImageAndDeleteOmitsAfterImage) {
  StoredRecord s = UpdateRecord();
  s.record.op = Operation::kInsert;
  s.record.before_json.reset();
  auto ins = nlohmann::json::parse(RenderCloudEvent(s, Tracking()));
  EXPECT_FALSE(ins["data"].contains("beforeImage"));
  EXPECT_EQ(ins["data"]["operationType"], "INSERT");
  s = UpdateRecord();
  s.record.op = Operation::kDelete;
  s.record.after_json.reset();
  auto del = nlohmann::json::parse(RenderCloudEvent(s, Tracking()));
  EXPECT_FALSE(del["data"].contains("afterImage"));
  EXPECT_EQ(del["data"]["beforeImage"]["status"], "new");
}

TEST(ChangelogCloudEvent, RendersDdlGolden) {
  StoredRecord s;
  s.id = RecordId(7);
  s.record.op = Operation::kDdl;
  s.record.source_timestamp_ms = 1764061200250;
  s.record.database = "shop";
  s.record.ddl = "ALTER TABLE orders ADD COLUMN note text COMMENT \"x\\y\"";
  const std::string golden =
      R"({"id":"5d41402abc4b2a76b9719d911017c592-7","source":"shop-tracking",)"
      R"("specversion":"1.0","type":"dts:ConsumeMessage",)"
      R"("subject":"inflow:dts:5d41402abc4b2a76b9719d911017c592/shop/",)"
      R"("time":"2025-11-25T09:00:00.250Z","datacontenttype":"application/json; charset=utf-8",)"
      R"("data":{"id":7,"topicPartition":{"hash":0,"partition":0,"topic":"shop-tracking"},)"
      R"("offset":7,"sourceTimestamp":1764061200,"operationType":"DDL",)"
      R"("schema":{"recordFields":[],"databaseName":"shop","tableName":"",)"
      R"("primaryIndexInfo":null,)"
      R"("databaseInfo":{"databaseType":"MariaDB","version":"10.11.6-MariaDB"}},)"
      R"("ddl":"ALTER TABLE orders ADD COLUMN note text COMMENT \"x\\y\""}})";
  EXPECT_EQ(RenderCloudEvent(s, Tracking()), golden);
}

TEST(ChangelogCloudEvent, EscapesControlAndInvalidUtf8) {
  std::string out;
  AppendJsonStringLossy(&out, std::string("a\x01\n\"\xC3\xA9\xFF\xE2\x82", 9));
  EXPECT_EQ(out, "\"a\\u0001\\n\\\"\xC3\xA9\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_TRUE(nlohmann::json::accept(out));
}

TEST(ChangelogCloudEvent, FormatsTimesBeforeAndAfterEpoch) {
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatRfc3339(951782400000), "2000-02-29T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(1654847757000), "2022-06-10T07:55:57Z");
}

}  // namespace
}  // namespace inflow::changelog
