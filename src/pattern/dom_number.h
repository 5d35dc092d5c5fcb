// How the pattern language reads a number from a simdjson DOM element: any of simdjson's three
// number kinds (int64, uint64, double), compared as a double. Shared by the pattern parser and
// the explainer; internal to the pattern module.
//
// Thread safety: pure functions.
#ifndef INFLOW_PATTERN_DOM_NUMBER_H_
#define INFLOW_PATTERN_DOM_NUMBER_H_

#include <simdjson.h>

#include <cstdint>

namespace inflow::pattern {

inline bool IsNumber(simdjson::dom::element e) {
  auto t = e.type();
  return t == simdjson::dom::element_type::INT64 || t == simdjson::dom::element_type::UINT64 ||
         t == simdjson::dom::element_type::DOUBLE;
}

// REQUIRES: IsNumber(e).
inline double NumberOf(simdjson::dom::element e) {
  switch (e.type()) {
    case simdjson::dom::element_type::INT64:
      return static_cast<double>(int64_t(e));
    case simdjson::dom::element_type::UINT64:
      return static_cast<double>(uint64_t(e));
    default:
      return double(e);
  }
}

}  // namespace inflow::pattern

#endif  // INFLOW_PATTERN_DOM_NUMBER_H_
