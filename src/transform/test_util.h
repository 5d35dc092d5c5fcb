// Helpers for transform step tests: batches from JSON texts, and JSON texts back.
#ifndef INFLOW_TRANSFORM_TEST_UTIL_H_
#define INFLOW_TRANSFORM_TEST_UTIL_H_

#include <string>
#include <vector>

#include "transform/step.h"

namespace inflow::transform {

// Events with ids "e0", "e1", … in order.
inline std::vector<Event> Events(const std::vector<std::string>& jsons) {
  std::vector<Event> out;
  for (size_t i = 0; i < jsons.size(); ++i) out.push_back({jsons[i], "e" + std::to_string(i), {}});
  return out;
}

inline std::vector<std::string> Jsons(const std::vector<Event>& events) {
  std::vector<std::string> out;
  for (const Event& e : events) out.push_back(e.json);
  return out;
}

}  // namespace inflow::transform

#endif  // INFLOW_TRANSFORM_TEST_UTIL_H_
