// Step: one transform stage of a task (split, map, route, enrich, lua, http).
//
// Steps are verbs: each takes a batch of events and returns the batch that the next stage sees.
// An event is the compact JSON text of one CloudEvent (or whatever JSON value a previous step
// produced from it). A step may drop, rewrite, split or multiply events.
//
// Errors: a deterministic failure that will fail again for the same input (a script error, an
// output that is not JSON) is kInvalidArgument; a transient one (a function endpoint that is
// down or slow) is kUnavailable / kTimeout, which the pipeline retries.
//
// Thread safety: a Step is used by one task loop at a time; implementations say if more.
#ifndef INFLOW_TRANSFORM_STEP_H_
#define INFLOW_TRANSFORM_STEP_H_

#include <string>
#include <vector>

#include "common/result.h"

namespace inflow::transform {

using Event = std::string;

class Step {
 public:
  virtual ~Step() = default;
  virtual Result<std::vector<Event>> Apply(std::vector<Event> events) = 0;
};

}  // namespace inflow::transform

#endif  // INFLOW_TRANSFORM_STEP_H_
