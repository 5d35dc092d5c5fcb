// OpenSink: the one place that picks a Sink implementation, from the sink section's `type` and
// `version` (sink_kinds.h says which exist): today rocketmq 4.x, the remoting producer
// (rocketmq/rocketmq_sink.h). Callers above the sink module (cli, later runtime) open sinks
// here and hand the pipeline a sink::Sink; nothing else names an implementation.
//
// Thread safety: OpenSink may be called from any thread; see sink.h for the Sink itself.
#ifndef INFLOW_SINK_OPEN_SINK_H_
#define INFLOW_SINK_OPEN_SINK_H_

#include <memory>
#include <string>

#include "common/result.h"
#include "sink/sink.h"

namespace inflow::sink {

// Which sink, where, as whom: the connection part of a sink section (render.h SinkSpec) or of
// the dead-letter queue's `rocketmq` section.
struct SinkTarget {
  std::string type = "rocketmq";
  std::string version = "4.x";
  std::string endpoint;    // rocketmq: the NameServer address(es), "host:port[;host:port...]"
  std::string access_key;  // empty: no ACL signing
  std::string secret_key;
};

// Starts the sink (connections are made lazily). kInvalidArgument "type: ..." / "version: ..."
// for a kind this build does not have, or the implementation's own error for bad settings.
Result<std::unique_ptr<Sink>> OpenSink(const SinkTarget& target);

}  // namespace inflow::sink

#endif  // INFLOW_SINK_OPEN_SINK_H_
