// BinlogBuffer: a bounds-checked little-endian cursor over one event's bytes.
//
// Every read checks the remaining length first and reports failure through ok(); a decoder
// reads a field group and checks ok() once, so malformed input never reads out of bounds.
//
// Thread safety: a value type over borrowed bytes.
#ifndef INFLOW_CAPTURE_MYSQL_BINLOG_BUFFER_H_
#define INFLOW_CAPTURE_MYSQL_BINLOG_BUFFER_H_

#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "common/coding.h"

namespace inflow::capture::mysql {

class BinlogBuffer {
 public:
  BinlogBuffer(const uint8_t* p, size_t n) : p_(p), end_(p + n) {}
  explicit BinlogBuffer(std::span<const uint8_t> s) : BinlogBuffer(s.data(), s.size()) {}

  bool ok() const { return ok_; }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  const uint8_t* data() const { return p_; }
  bool empty() const { return p_ == end_; }

  bool Need(size_t n) {
    if (!ok_ || remaining() < n) {
      ok_ = false;
      return false;
    }
    return true;
  }
  void Skip(size_t n) {
    if (Need(n)) p_ += n;
  }
  // Little-endian unsigned integer of `n` bytes (1..8).
  uint64_t Uint(size_t n) {
    if (!Need(n)) return 0;
    uint64_t v = DecodeFixedN(p_, n);
    p_ += n;
    return v;
  }
  uint8_t U8() { return static_cast<uint8_t>(Uint(1)); }
  uint16_t U16() { return static_cast<uint16_t>(Uint(2)); }
  uint32_t U32() { return static_cast<uint32_t>(Uint(4)); }
  uint64_t U64() { return Uint(8); }
  // MySQL length-encoded integer.
  uint64_t LenEnc() {
    uint8_t first = U8();
    if (first < 0xfb) return first;
    if (first == 0xfc) return Uint(2);
    if (first == 0xfd) return Uint(3);
    if (first == 0xfe) return Uint(8);
    ok_ = false;  // 0xfb (NULL) and 0xff are not lengths
    return 0;
  }
  std::span<const uint8_t> Bytes(size_t n) {
    if (!Need(n)) return {};
    std::span<const uint8_t> s(p_, n);
    p_ += n;
    return s;
  }
  std::string_view Str(size_t n) {
    auto b = Bytes(n);
    return {reinterpret_cast<const char*>(b.data()), b.size()};
  }
  std::span<const uint8_t> Rest() { return Bytes(remaining()); }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
  bool ok_ = true;
};

}  // namespace inflow::capture::mysql

#endif  // INFLOW_CAPTURE_MYSQL_BINLOG_BUFFER_H_
