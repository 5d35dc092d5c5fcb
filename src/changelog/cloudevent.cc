#include "changelog/cloudevent.h"

#include <fmt/format.h>

#include <chrono>

#include "common/json_text.h"

namespace inflow::changelog {
namespace {

// Floor division, so times before 1970 still land on the right second.
int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

void AppendField(const ColumnSchema& column, size_t position, std::string* out) {
  out->append("{\"fieldName\":");
  AppendJsonStringLossy(out, column.name);
  fmt::format_to(std::back_inserter(*out),
                 ",\"rawDataTypeNum\":{},\"isPrimaryKey\":{},\"isUniqueKey\":{},"
                 "\"fieldPosition\":{}}}",
                 column.type_code, column.primary_key, column.unique_key, position);
}

void AppendSchema(const ChangeRecord& r, const TrackingInfo& tracking, std::string* out) {
  out->append("{\"recordFields\":[");
  for (size_t i = 0; i < r.columns.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendField(r.columns[i], i, out);
  }
  out->append("],\"databaseName\":");
  AppendJsonStringLossy(out, r.database);
  out->append(",\"tableName\":");
  AppendJsonStringLossy(out, r.table);
  out->append(",\"primaryIndexInfo\":");
  bool has_pk = false;
  bool pk_nullable = false;
  for (const ColumnSchema& c : r.columns) {
    if (!c.primary_key) continue;
    has_pk = true;
    pk_nullable = pk_nullable || c.nullable;
  }
  if (!has_pk) {
    out->append("null");
  } else {
    out->append("{\"indexType\":\"PrimaryKey\",\"indexFields\":[");
    bool first = true;
    for (size_t i = 0; i < r.columns.size(); ++i) {
      if (!r.columns[i].primary_key) continue;
      if (!first) out->push_back(',');
      first = false;
      AppendField(r.columns[i], i, out);
    }
    fmt::format_to(std::back_inserter(*out),
                   "],\"cardinality\":0,\"nullable\":{},\"isFirstUniqueIndex\":false}}",
                   pk_nullable);
  }
  out->append(",\"databaseInfo\":{\"databaseType\":");
  AppendJsonStringLossy(out, tracking.database_type);
  out->append(",\"version\":");
  AppendJsonStringLossy(out, tracking.database_version);
  out->append("}}");
}

// Capture hands over row images as compact JSON objects; an empty one would make the event
// invalid JSON, so it becomes null.
void AppendImage(const std::string& image, std::string* out) {
  if (image.empty()) {
    out->append("null");
  } else {
    out->append(image);
  }
}

}  // namespace

std::string FormatRfc3339(int64_t unix_ms) {
  using namespace std::chrono;
  int64_t seconds = FloorDiv(unix_ms, 1000);
  int64_t millis = unix_ms - seconds * 1000;
  int64_t day_number = FloorDiv(seconds, 86400);
  int64_t second_of_day = seconds - day_number * 86400;
  year_month_day ymd{sys_days{days{day_number}}};
  std::string out =
      fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  second_of_day / 3600, second_of_day / 60 % 60, second_of_day % 60);
  if (millis != 0) fmt::format_to(std::back_inserter(out), ".{:03}", millis);
  out.push_back('Z');
  return out;
}

std::string CloudEventId(const TrackingInfo& tracking, RecordId id) {
  return fmt::format("{}-{}", tracking.id, id.value());
}

std::string RenderCloudEvent(const StoredRecord& stored, const TrackingInfo& tracking) {
  const ChangeRecord& r = stored.record;
  std::string out;
  out.reserve(512 + (r.before_json ? r.before_json->size() : 0) +
              (r.after_json ? r.after_json->size() : 0) + r.ddl.size() + r.columns.size() * 96);
  out.append("{\"id\":");
  AppendJsonStringLossy(&out, CloudEventId(tracking, stored.id));
  out.append(",\"source\":");
  AppendJsonStringLossy(&out, tracking.name);
  out.append(",\"specversion\":\"1.0\",\"type\":\"dts:ConsumeMessage\",\"subject\":");
  AppendJsonStringLossy(&out, fmt::format("inflow:dts:{}/{}/{}", tracking.id, r.database, r.table));
  out.append(",\"time\":\"");
  out.append(FormatRfc3339(r.source_timestamp_ms));
  out.append("\",\"datacontenttype\":\"application/json; charset=utf-8\",\"data\":{");
  fmt::format_to(
      std::back_inserter(out),
      "\"id\":{},\"topicPartition\":{{\"hash\":0,\"partition\":0,\"topic\":", stored.id.value());
  AppendJsonStringLossy(&out, tracking.name);
  fmt::format_to(std::back_inserter(out),
                 "}},\"offset\":{},\"sourceTimestamp\":{},\"operationType\":\"{}\",\"schema\":",
                 stored.offset().value(), FloorDiv(r.source_timestamp_ms, 1000),
                 OperationName(r.op));
  AppendSchema(r, tracking, &out);
  if (r.before_json) {
    out.append(",\"beforeImage\":");
    AppendImage(*r.before_json, &out);
  }
  if (r.after_json) {
    out.append(",\"afterImage\":");
    AppendImage(*r.after_json, &out);
  }
  if (r.op == Operation::kDdl) {
    out.append(",\"ddl\":");
    AppendJsonStringLossy(&out, r.ddl);
  }
  out.append("}}");
  return out;
}

}  // namespace inflow::changelog
