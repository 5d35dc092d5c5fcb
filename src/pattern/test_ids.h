// The two names every part of the compiled matcher index shares: a list of field-test ids and
// the id that means "none". Internal to the matcher (matcher.h).
//
// Thread safety: constants and a type alias.
#ifndef INFLOW_PATTERN_TEST_IDS_H_
#define INFLOW_PATTERN_TEST_IDS_H_

#include <cstdint>
#include <limits>
#include <vector>

namespace inflow::pattern {

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
using Ids = std::vector<uint32_t>;

}  // namespace inflow::pattern

#endif  // INFLOW_PATTERN_TEST_IDS_H_
