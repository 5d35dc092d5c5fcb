// The byte layout of capture's durable state (DecoderState, SchemaHistory): little-endian
// uint32 lengths and counts (common/coding.h; the same bytes the former host-order writer left
// on the x86 hosts we ran on), strings as a uint32 length then the bytes.
// Internal to capture/mysql.
//
// Thread safety: pure functions.
#ifndef INFLOW_CAPTURE_MYSQL_STATE_CODEC_H_
#define INFLOW_CAPTURE_MYSQL_STATE_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "common/coding.h"

namespace inflow::capture::mysql::state_codec {

inline void PutU32(std::string& out, uint32_t v) { PutFixed32(&out, v); }

inline void PutString(std::string& out, std::string_view s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  out.append(s);
}

// Each Get consumes what it read from `in`; false (and `in` unchanged) when it is too short.
inline bool GetU32(std::string_view& in, uint32_t& v) {
  if (in.size() < 4) return false;
  v = DecodeFixed32(in.data());
  in.remove_prefix(4);
  return true;
}

inline bool GetString(std::string_view& in, std::string& s) {
  if (in.size() < 4) return false;
  uint32_t n = DecodeFixed32(in.data());
  if (in.size() - 4 < n) return false;
  s.assign(in.substr(4, n));
  in.remove_prefix(4 + n);
  return true;
}

}  // namespace inflow::capture::mysql::state_codec

#endif  // INFLOW_CAPTURE_MYSQL_STATE_CODEC_H_
