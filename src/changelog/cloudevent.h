// Renders a stored change record as the CloudEvents 1.0 JSON object of product.md §1.2 — the
// form in which patterns, transforms and sinks see a change.
//
// The output is byte-stable: the same record and TrackingInfo always give the same bytes (fixed
// member order, no whitespace, no locale), so a re-delivered event is identical to the first.
// Decisions where the DTS reference is silent or wasteful (FORMAT.md, "CloudEvent"):
//  - `data.schema.nameIndex` is NOT emitted: it repeats every field object keyed by name,
//    doubling the schema block for no information; patterns address fields via recordFields.
//  - An absent image (beforeImage of an INSERT, afterImage of a DELETE, both for DDL) is
//    omitted, so the pattern `{"exists": false}` tells the operations apart.
//  - `time` is RFC 3339 UTC, with milliseconds only when the source timestamp has them.
//
// Thread safety: pure functions.
#ifndef INFLOW_CHANGELOG_CLOUDEVENT_H_
#define INFLOW_CHANGELOG_CLOUDEVENT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "changelog/stored_record.h"

namespace inflow::changelog {

// What an event says about the tracking instance it came from.
struct TrackingInfo {
  std::string name;              // CloudEvent `source` and data.topicPartition.topic
  std::string id;                // 32 lower-case hex digits; prefix of every event id
  std::string database_type;     // "MySQL" | "MariaDB" | "PostgreSQL" (schema.databaseInfo)
  std::string database_version;  // as the server reports it, e.g. "10.11.6-MariaDB"
};

// The CloudEvent JSON of `stored` (one line, no trailing newline).
std::string RenderCloudEvent(const StoredRecord& stored, const TrackingInfo& tracking);

// The CloudEvent id: "<tracking id>-<record id>".
std::string CloudEventId(const TrackingInfo& tracking, RecordId id);

// RFC 3339 UTC text of a millisecond Unix time: "2026-11-25T09:00:00Z", or
// "2026-11-25T09:00:00.250Z" when the milliseconds are not zero.
std::string FormatRfc3339(int64_t unix_ms);

}  // namespace inflow::changelog

#endif  // INFLOW_CHANGELOG_CLOUDEVENT_H_
