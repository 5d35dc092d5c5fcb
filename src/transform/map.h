// Map: the `map` step — a `${var}` template (jsonpath/template.h) renders each event into a new
// event. The rendering must be JSON: a template that produces anything else for an event is a
// deterministic error naming the event (shape plain-text bodies in the sink's TEMPLATE form).
//
//   transform: [{map: {parameters: {id: "$.data.afterImage.id"}, template: '{"order":${id}}'}}]
//
// Thread safety: immutable after FromConfig; Apply may run from several threads at once.
#ifndef INFLOW_TRANSFORM_MAP_H_
#define INFLOW_TRANSFORM_MAP_H_

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string_view>

#include "jsonpath/template.h"
#include "transform/step.h"

namespace inflow::transform {

class Map : public Step {
 public:
  static Result<std::unique_ptr<Map>> FromConfig(const nlohmann::json& config,
                                                 std::string_view where);
  Result<std::vector<Event>> Apply(std::vector<Event> events) override;

 private:
  explicit Map(jsonpath::Template t) : template_(std::move(t)) {}
  jsonpath::Template template_;
};

}  // namespace inflow::transform

#endif  // INFLOW_TRANSFORM_MAP_H_
