// ParseEvent: an event's JSON parsed for a step that needs its DOM, with the one error every step
// gives when the text is not JSON. Internal to the transform module (simdjson stays private).
//
// Thread safety: uses the caller's parser; the element lives until that parser parses again.
#ifndef INFLOW_TRANSFORM_PARSE_EVENT_H_
#define INFLOW_TRANSFORM_PARSE_EVENT_H_

#include <simdjson.h>

#include <string>
#include <string_view>

#include "common/result.h"
#include "transform/step.h"

namespace inflow::transform {

inline Result<simdjson::dom::element> ParseEvent(simdjson::dom::parser& parser, const Event& event,
                                                 std::string_view step) {
  simdjson::dom::element root;
  if (auto err = parser.parse(event.json).get(root); err) {
    return Fail(InvalidArgument(std::string(step) + ": event " + event.id +
                                " is not JSON: " + simdjson::error_message(err)));
  }
  return root;
}

}  // namespace inflow::transform

#endif  // INFLOW_TRANSFORM_PARSE_EVENT_H_
