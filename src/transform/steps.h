// BuildSteps: the `transform` section of a task — an ordered list whose elements each name one
// step verb — validated and turned into Steps.
//
//   transform:
//     - split: {path: "$.data.items"}
//     - map: {parameters: {...}, template: "..."}
//     - route: {rules: [...], default_topic: t}
//     - enrich: {url: "http://127.0.0.1:8080/customers/${id}", parameters: {...}, target:
//     "$.data.customer"}
//     - lua: {code: "function transform(events) return events end", timeout_ms: 50, memory_mb: 64}
//     - http: {url: "http://127.0.0.1:9000/fn", timeout_ms: 60000}
//
// Every problem is reported at once with its path ("transform[1].lua.code: ...").
//
// Thread safety: pure; the Steps returned are owned by one task loop.
#ifndef INFLOW_TRANSFORM_STEPS_H_
#define INFLOW_TRANSFORM_STEPS_H_

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string_view>
#include <vector>

#include "transform/step.h"

namespace inflow::transform {

// `section` may be null/absent (no steps) or an array. `where` is its path, e.g. "transform".
Result<std::vector<std::unique_ptr<Step>>> BuildSteps(const nlohmann::json& section,
                                                      std::string_view where);

}  // namespace inflow::transform

#endif  // INFLOW_TRANSFORM_STEPS_H_
