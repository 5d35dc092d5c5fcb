// Enrich: the `enrich` step — one HTTP lookup per event (GET or POST to a `${var}` URL) whose
// JSON response is inserted into the event at a target path, with a small TTL cache.
//
//   transform:
//     - enrich:
//         url: "http://127.0.0.1:8080/customers/${id}"   # ${var} only after the host:port
//         parameters: {id: "$.data.afterImage.customer_id"}  # name -> JSONPath or literal
//         method: GET            # GET (default) | POST
//         body: '{"id":${id}}'   # POST only: template of the request body (required for POST)
//         target: "$.data.customer"  # required: singular path of object member names
//         on_missing: error      # what a 404 does: error (default) | skip (event unchanged)
//         timeout_ms: 5000       # per request, 1..600000
//         ttl_s: 60              # cache lifetime of a response, 0..86400 (0: no cache)
//         cache_entries: 10000   # cache bound, 1..10000000 (least recently used is evicted)
//
// - URL and body are rendered with jsonpath::Template; values are inserted as-is (no
//   percent-encoding), and a variable whose path selects nothing stays literally `${name}`.
//   The scheme, host and port must be literal: one keep-alive connection serves every event.
// - The response (any JSON value) is set at `target` ("$.a.b" or "$['a']['b']"): missing
//   intermediate objects are created, an existing member is replaced, other members keep their
//   order. A non-object in the way is an error.
// - Cache key = method + rendered target + rendered body; a cached 404 (on_missing: skip) is
//   remembered as missing too. Hits make no request.
// - Errors: transport errors as HttpClient; status 408 → kTimeout; 429 / 5xx → kUnavailable
//   (the pipeline retries); 404 → kInvalidArgument unless on_missing: skip; other non-2xx and
//   non-JSON bodies → kInvalidArgument naming the event id and the URL without its query string.
//
// Requests of a batch are sequential over the one keep-alive connection (concurrent lookups are
// a later improvement).
//
// Thread safety: not thread-safe (owns the connection and the cache); one task loop uses it.
#ifndef INFLOW_TRANSFORM_ENRICH_H_
#define INFLOW_TRANSFORM_ENRICH_H_

#include <chrono>
#include <functional>
#include <list>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "jsonpath/template.h"
#include "transform/http_client.h"
#include "transform/step.h"

namespace inflow::transform {

class Enrich : public Step {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // `clock` is for tests (the cache's notion of now); null means steady_clock::now.
  static Result<std::unique_ptr<Enrich>> FromConfig(const nlohmann::json& config,
                                                    std::string_view where, Clock clock = nullptr);
  Result<std::vector<Event>> Apply(std::vector<Event> events) override;

 private:
  struct CacheEntry {
    std::string key;
    std::optional<std::string> value;  // minified response JSON; unset: the lookup was a 404
    std::chrono::steady_clock::time_point expires;
  };
  using Lru = std::list<CacheEntry>;

  struct Options {
    std::string method;
    bool skip_missing = false;
    std::chrono::milliseconds timeout{5000};
    std::chrono::seconds ttl{60};
    size_t cache_entries = 10000;
    std::vector<std::string> target;  // member names from the root
    std::string url_prefix;           // "http://host:port", for error messages
  };

  Enrich(Options options, Url url, jsonpath::Template target_template,
         std::optional<jsonpath::Template> body_template, Clock clock);

  // Looks up one rendered request; *value unset means 404 with on_missing: skip.
  Status Lookup(const Event& event, const std::string& target, const std::string& body,
                std::optional<std::string>* value);
  const CacheEntry* CacheFind(const std::string& key);
  void CachePut(std::string key, std::optional<std::string> value);

  Options options_;
  HttpClient client_;
  jsonpath::Template target_template_;
  std::optional<jsonpath::Template> body_template_;
  Clock clock_;
  Lru lru_;  // front: most recently used
  std::unordered_map<std::string, Lru::iterator> index_;
};

}  // namespace inflow::transform

#endif  // INFLOW_TRANSFORM_ENRICH_H_
