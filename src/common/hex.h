// Hexadecimal digits, for the readers that decode them (JSONPath \u escapes, MySQL UUIDs,
// RocketMQ unique keys).
//
// Thread safety: pure functions.
#ifndef INFLOW_COMMON_HEX_H_
#define INFLOW_COMMON_HEX_H_

namespace inflow {

// The value of hex digit `c` (either case), or -1 when it is not one.
inline int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace inflow

#endif  // INFLOW_COMMON_HEX_H_
