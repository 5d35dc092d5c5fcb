// HttpFunction: the `http` transform step — a user's function behind an HTTP endpoint, called
// with the "Function Compute" contract (ref-eventbridge-dts.md §6.1).
//
// One POST per batch (never per event) with a JSON array of the events; a batch whose array
// would exceed the payload limit (16 MiB by default) is sent as several sequential chunks. The
// response body is read as JSON if it parses: an array gives one event per element, any other
// value one event; a body that is not JSON becomes one event holding that text as a JSON string.
//
// Errors: 2xx is success; 408 → kTimeout, 429 and 5xx → kUnavailable (retried by the pipeline);
// other statuses → kInvalidArgument (the function rejected the input: retrying will not help);
// a single event larger than the payload limit → kResourceExhausted.
//
// Thread safety: not thread-safe; one task loop owns an instance.
#ifndef INFLOW_TRANSFORM_HTTP_FUNCTION_H_
#define INFLOW_TRANSFORM_HTTP_FUNCTION_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "transform/http_client.h"
#include "transform/step.h"

namespace inflow::transform {

struct HttpFunctionOptions {
  std::string url;
  std::chrono::milliseconds timeout{60'000};
  size_t max_payload_bytes = 16u << 20;
};

class HttpFunction : public Step {
 public:
  static Result<std::unique_ptr<HttpFunction>> Create(const HttpFunctionOptions& options);

  Result<std::vector<Event>> Apply(std::vector<Event> events) override;

 private:
  HttpFunction(const HttpFunctionOptions& options, Url url);
  Status CallChunk(const std::string& payload, std::vector<Event>* out);

  HttpFunctionOptions options_;
  HttpClient client_;
};

}  // namespace inflow::transform

#endif  // INFLOW_TRANSFORM_HTTP_FUNCTION_H_
