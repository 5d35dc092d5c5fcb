#include "changelog/cloudevent.h"

#include <fmt/format.h>

#include <chrono>

namespace inflow::changelog {
namespace {

// Floor division, so times before 1970 still land on the right second.
int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not valid.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  size_t n;
  uint32_t cp;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return n;
}

void AppendField(const ColumnSchema& column, size_t position, std::string* out) {
  out->append("{\"fieldName\":");
  AppendJsonString(column.name, out);
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
  AppendJsonString(r.database, out);
  out->append(",\"tableName\":");
  AppendJsonString(r.table, out);
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
  AppendJsonString(tracking.database_type, out);
  out->append(",\"version\":");
  AppendJsonString(tracking.database_version, out);
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

void AppendJsonString(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      size_t j = i + 1;
      while (j < text.size()) {
        unsigned char d = static_cast<unsigned char>(text[j]);
        if (d < 0x20 || d >= 0x80 || d == '"' || d == '\\') break;
        ++j;
      }
      out->append(text.data() + i, j - i);
      i = j;
      continue;
    }
    switch (c) {
      case '"':
        out->append("\\\"");
        ++i;
        continue;
      case '\\':
        out->append("\\\\");
        ++i;
        continue;
      case '\n':
        out->append("\\n");
        ++i;
        continue;
      case '\r':
        out->append("\\r");
        ++i;
        continue;
      case '\t':
        out->append("\\t");
        ++i;
        continue;
      case '\b':
        out->append("\\b");
        ++i;
        continue;
      case '\f':
        out->append("\\f");
        ++i;
        continue;
      default:
        break;
    }
    if (c < 0x20) {
      out->append("\\u00");
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 0xF]);
      ++i;
      continue;
    }
    size_t n = Utf8SequenceLength(text, i);
    if (n == 0) {
      out->append("\xEF\xBF\xBD");  // U+FFFD REPLACEMENT CHARACTER
      ++i;
    } else {
      out->append(text.data() + i, n);
      i += n;
    }
  }
  out->push_back('"');
}

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
  AppendJsonString(CloudEventId(tracking, stored.id), &out);
  out.append(",\"source\":");
  AppendJsonString(tracking.name, &out);
  out.append(",\"specversion\":\"1.0\",\"type\":\"dts:ConsumeMessage\",\"subject\":");
  AppendJsonString(fmt::format("inflow:dts:{}/{}/{}", tracking.id, r.database, r.table), &out);
  out.append(",\"time\":\"");
  out.append(FormatRfc3339(r.source_timestamp_ms));
  out.append("\",\"datacontenttype\":\"application/json; charset=utf-8\",\"data\":{");
  fmt::format_to(
      std::back_inserter(out),
      "\"id\":{},\"topicPartition\":{{\"hash\":0,\"partition\":0,\"topic\":", stored.id.value());
  AppendJsonString(tracking.name, &out);
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
    AppendJsonString(r.ddl, &out);
  }
  out.append("}}");
  return out;
}

}  // namespace inflow::changelog
