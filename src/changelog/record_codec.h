// The payload codec: a ChangeRecord as the compact, versioned bytes stored in a change-log
// frame (layout in FORMAT.md, "Payload"). Varint integers and length-prefixed strings; the first
// byte is the codec version, so a future layout can be read next to this one.
//
// Thread safety: pure functions.
#ifndef INFLOW_CHANGELOG_RECORD_CODEC_H_
#define INFLOW_CHANGELOG_RECORD_CODEC_H_

#include <string>
#include <string_view>

#include "changelog/change_record.h"
#include "common/result.h"

namespace inflow::changelog {

inline constexpr uint8_t kRecordCodecVersion = 1;

// Appends the encoding of `record` to *out.
void EncodeChangeRecord(const ChangeRecord& record, std::string* out);

// Decodes what EncodeChangeRecord wrote. Any malformed input (truncated, unknown version or
// operation, trailing bytes) is a kDataLoss error naming the byte position; never a crash.
Result<ChangeRecord> DecodeChangeRecord(std::string_view bytes);

// The same, decoding into *out and reusing the capacity of its strings and vectors — what a
// sequential reader uses to avoid allocating per record. On error *out holds garbage.
Status DecodeChangeRecordInto(std::string_view bytes, ChangeRecord* out);

}  // namespace inflow::changelog

#endif  // INFLOW_CHANGELOG_RECORD_CODEC_H_
