// HttpClient: a small blocking HTTP/1.1 client with one keep-alive connection per endpoint,
// used by the `http` (function) and `enrich` transform steps.
//
// Every request has a deadline covering connect, write and read. Responses larger than the
// configured limit are refused. A request on a kept-alive connection that the server has
// closed meanwhile is retried once on a fresh connection (only then: a request that reached the
// server and timed out is not repeated here — the pipeline's retry policy decides).
//
// Errors: connection refused / reset / DNS → kUnavailable; deadline → kTimeout; body over the
// limit → kResourceExhausted; bad URL → kInvalidArgument. HTTP error statuses are NOT errors
// here: the caller classifies them.
//
// Thread safety: not thread-safe; one task loop owns an instance.
#ifndef INFLOW_TRANSFORM_HTTP_CLIENT_H_
#define INFLOW_TRANSFORM_HTTP_CLIENT_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace inflow::transform {

struct Url {
  std::string host;
  std::string port;
  std::string target;  // path + query, at least "/"

  // Parses "http://host[:port][/path]". REQUIRES nothing; errors name the problem.
  static Result<Url> Parse(std::string_view text);
};

struct HttpResponse {
  int status = 0;
  std::string content_type;
  std::string body;
};

class HttpClient {
 public:
  HttpClient(Url url, size_t max_response_bytes);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request to url.target (or `target` when not empty) and waits for the answer.
  Result<HttpResponse> Request(std::string_view method, std::string_view target,
                               std::string_view content_type, std::string body,
                               std::chrono::milliseconds timeout);

  const Url& url() const { return url_; }

 private:
  struct Impl;
  Url url_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace inflow::transform

#endif  // INFLOW_TRANSFORM_HTTP_CLIENT_H_
