// The sink implementations this build has, keyed by a sink section's `type` and `version`.
// The task validator (pipeline/task_config.cc) and the factory (open_sink.h) both ask here, so
// a section the validator accepts can be opened and both refuse the rest in the same words.
//
// Thread safety: pure functions.
#ifndef INFLOW_SINK_SINK_KINDS_H_
#define INFLOW_SINK_SINK_KINDS_H_

#include <optional>
#include <string>
#include <string_view>

namespace inflow::sink {

// nullopt when `type` names a sink this build has; otherwise the reason, for the field `type`.
inline std::optional<std::string> UnsupportedSinkType(std::string_view type) {
  if (type == "rocketmq") return std::nullopt;
  return "must be rocketmq";
}

// nullopt when `version` of a rocketmq sink is supported; otherwise the reason, for the field
// `version`. 5.x brokers also serve the remoting protocol; the gRPC sink (rocketmq_grpc/) will
// add "5.x" here.
inline std::optional<std::string> UnsupportedSinkVersion(std::string_view version) {
  if (version == "4.x") return std::nullopt;
  return "only 4.x (the remoting protocol through a NameServer) is supported so far; "
         "5.x brokers accept it too: give the NameServer address";
}

}  // namespace inflow::sink

#endif  // INFLOW_SINK_SINK_KINDS_H_
