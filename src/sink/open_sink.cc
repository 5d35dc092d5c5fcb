#include "sink/open_sink.h"

#include "sink/rocketmq/rocketmq_sink.h"
#include "sink/sink_kinds.h"

namespace inflow::sink {

Result<std::unique_ptr<Sink>> OpenSink(const SinkTarget& target) {
  if (auto why = UnsupportedSinkType(target.type)) return Fail(InvalidArgument("type: " + *why));
  if (auto why = UnsupportedSinkVersion(target.version)) {
    return Fail(InvalidArgument("version: " + *why));
  }
  rocketmq::ProducerOptions options;
  options.namesrv = target.endpoint;
  options.credentials = {target.access_key, target.secret_key};
  INFLOW_TRY(std::unique_ptr<rocketmq::RocketMQSink> sink,
             rocketmq::RocketMQSink::Start(std::move(options)));
  return std::unique_ptr<Sink>(std::move(sink));
}

}  // namespace inflow::sink
