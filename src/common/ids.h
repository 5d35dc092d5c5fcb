// Strong identifier types: a RecordId is not an Offset is not a queue number, and the compiler
// says so. Each wraps one integer, compares and hashes like it, and converts only explicitly.
//
// Thread safety: value types.
#ifndef INFLOW_COMMON_IDS_H_
#define INFLOW_COMMON_IDS_H_

#include <compare>
#include <cstdint>
#include <functional>

namespace inflow {

template <typename Tag, typename Rep>
class StrongId {
 public:
  using rep = Rep;
  constexpr StrongId() = default;
  constexpr explicit StrongId(Rep v) : v_(v) {}
  constexpr Rep value() const { return v_; }
  constexpr auto operator<=>(const StrongId&) const = default;
  constexpr StrongId Next() const { return StrongId(v_ + 1); }

 private:
  Rep v_{};
};

// The monotonic id of a change record inside one tracking instance's log.
using RecordId = StrongId<struct RecordIdTag, uint64_t>;
// A consumer position in a change log: the id of the next record to deliver.
using Offset = StrongId<struct OffsetTag, uint64_t>;
// A RocketMQ queue id inside one broker.
using QueueId = StrongId<struct QueueIdTag, int32_t>;

}  // namespace inflow

template <typename Tag, typename Rep>
struct std::hash<inflow::StrongId<Tag, Rep>> {
  size_t operator()(const inflow::StrongId<Tag, Rep>& id) const noexcept {
    return std::hash<Rep>()(id.value());
  }
};

#endif  // INFLOW_COMMON_IDS_H_
