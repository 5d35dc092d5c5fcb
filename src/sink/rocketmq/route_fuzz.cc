// libFuzzer entry for the NameServer's topic route (GET_ROUTEINFO_BY_TOPIC body): the legacy
// integer-key quoting and the TopicRouteData parser. Any input must yield a route or an error;
// a route always has a queue. Seeds: route_fuzz_corpus/ (the bodies of route_test.cc).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sink/rocketmq/route.h"

using namespace inflow::sink::rocketmq;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  // Quoting only ever adds quotes around keys.
  std::string quoted = QuoteIntegerKeys(in);
  if (quoted.size() < in.size()) std::abort();
  auto route = ParseTopicRoute("T", in);
  if (route && route->queues.empty()) std::abort();
  return 0;
}
