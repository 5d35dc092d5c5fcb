// Split: the `split` step — a JSONPath selects an array in each event; every element becomes an
// event of its own (compact JSON), with the id of its event plus "#n".
//
//   transform: [{split: {path: "$.data.items"}}]
//
// An event whose path selects no array is a deterministic error naming the event: dropping it
// silently would lose data.
//
// Thread safety: immutable after FromConfig; Apply may run from several threads at once.
#ifndef INFLOW_TRANSFORM_SPLIT_H_
#define INFLOW_TRANSFORM_SPLIT_H_

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string_view>

#include "jsonpath/path.h"
#include "transform/step.h"

namespace inflow::transform {

class Split : public Step {
 public:
  static Result<std::unique_ptr<Split>> FromConfig(const nlohmann::json& config,
                                                   std::string_view where);
  Result<std::vector<Event>> Apply(std::vector<Event> events) override;

 private:
  explicit Split(jsonpath::Path path) : path_(std::move(path)) {}
  jsonpath::Path path_;
};

}  // namespace inflow::transform

#endif  // INFLOW_TRANSFORM_SPLIT_H_
