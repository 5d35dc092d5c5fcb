// StoredRecord: a ChangeRecord as the change log holds it — with the record id the log assigned
// on append. The record id is also the record's offset: a consumer's committed offset is the id
// of the next record it wants, so offsets and ids share one number space (FORMAT.md).
//
// Thread safety: a value type.
#ifndef INFLOW_CHANGELOG_STORED_RECORD_H_
#define INFLOW_CHANGELOG_STORED_RECORD_H_

#include "changelog/change_record.h"
#include "common/ids.h"

namespace inflow::changelog {

struct StoredRecord {
  RecordId id;
  ChangeRecord record;  // record.source_timestamp_ms is the log's time index key

  Offset offset() const { return Offset(id.value()); }
  bool operator==(const StoredRecord&) const = default;
};

}  // namespace inflow::changelog

#endif  // INFLOW_CHANGELOG_STORED_RECORD_H_
