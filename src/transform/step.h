// Step: one transform stage of a task (split, map, route, enrich, lua, http).
//
// Steps are verbs: each takes a batch of events and returns the batch that the next stage sees.
// An event is the compact JSON text of one CloudEvent (or whatever JSON value a previous step
// produced from it) plus what the sink needs besides the text. A step may drop, rewrite, split
// or multiply events.
//
// Ids (product.md §1.4): every event keeps a deterministic id that becomes the message property
// `inflow_event_id` — the CloudEvent id, plus "#n" for the n-th element a step made out of one
// event (split, a route fan-out, a function result). A batch-level step (lua, http) whose output
// has as many elements as its input keeps the ids one to one; otherwise element n gets the id of
// the batch's LAST input event plus "#n" (the batch, not one event, produced it).
//
// Errors: a deterministic failure that will fail again for the same input (a script error, an
// output that is not JSON) is kInvalidArgument; a transient one (a function endpoint that is
// down or slow) is kUnavailable / kTimeout, which the pipeline retries.
//
// Thread safety: a Step is used by one task loop at a time (Interrupt() from any thread);
// implementations say if more.
#ifndef INFLOW_TRANSFORM_STEP_H_
#define INFLOW_TRANSFORM_STEP_H_

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace inflow::transform {

struct Event {
  std::string json;                  // compact JSON text
  std::string id;                    // inflow_event_id
  std::optional<std::string> topic;  // routing hint set by `route`; the sink may take it

  bool operator==(const Event&) const = default;
};

// Gives the outputs of a batch-level step their ids from its inputs (see above).
void AssignBatchIds(const std::vector<Event>& in, std::vector<Event>* out);

class Step {
 public:
  virtual ~Step() = default;
  virtual Result<std::vector<Event>> Apply(std::vector<Event> events) = 0;
  // Asks a running Apply (on another thread) to give up soon with kCancelled, and every later
  // Apply to fail at once: the task is stopping. Thread-safe. The default does nothing, for
  // steps whose own timeouts bound them.
  virtual void Interrupt() {}
};

}  // namespace inflow::transform

#endif  // INFLOW_TRANSFORM_STEP_H_
