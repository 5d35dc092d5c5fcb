#include "transform/http_function.h"

#include <simdjson.h>

#include "common/json_text.h"

namespace inflow::transform {
namespace {

// A short, printable excerpt of a response body for error messages.
std::string Excerpt(const std::string& body) {
  constexpr size_t kMax = 200;
  std::string out = body.substr(0, kMax);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  if (body.size() > kMax) out += "…";
  return out;
}

}  // namespace

Result<std::unique_ptr<HttpFunction>> HttpFunction::Create(const HttpFunctionOptions& options) {
  auto url = Url::Parse(options.url);
  if (!url) return Fail(url.error().WithContext("http.url"));
  if (options.timeout.count() <= 0) return Fail(InvalidArgument("http.timeout_ms must be > 0"));
  if (options.max_payload_bytes < 2) {
    return Fail(InvalidArgument("http payload limit must be at least 2 bytes"));
  }
  return std::unique_ptr<HttpFunction>(new HttpFunction(options, std::move(*url)));
}

HttpFunction::HttpFunction(const HttpFunctionOptions& options, Url url)
    : options_(options), client_(std::move(url), options.max_payload_bytes) {}

Result<std::vector<Event>> HttpFunction::Apply(std::vector<Event> events) {
  std::vector<Event> out;
  if (events.empty()) return out;
  std::string payload = "[";
  for (size_t i = 0; i < events.size(); ++i) {
    const std::string& e = events[i].json;
    if (e.size() + 2 > options_.max_payload_bytes) {
      return Fail(ErrorCode::kResourceExhausted, "http: event " + std::to_string(i) + " is " +
                                                     std::to_string(e.size()) +
                                                     " bytes, over the function payload limit of " +
                                                     std::to_string(options_.max_payload_bytes));
    }
    // Close the current chunk when this event would push it over the limit.
    if (payload.size() > 1 && payload.size() + 1 + e.size() + 1 > options_.max_payload_bytes) {
      payload += ']';
      INFLOW_RETURN_IF_ERROR(CallChunk(payload, &out));
      payload = "[";
    }
    if (payload.size() > 1) payload += ',';
    payload += e;
  }
  payload += ']';
  INFLOW_RETURN_IF_ERROR(CallChunk(payload, &out));
  AssignBatchIds(events, &out);
  return out;
}

Status HttpFunction::CallChunk(const std::string& payload, std::vector<Event>* out) {
  auto res =
      client_.Request("POST", "", "application/json; charset=utf-8", payload, options_.timeout);
  if (!res) return Fail(res.error().WithContext("http function"));
  const std::string where = "http function " + options_.url;
  if (res->status == 408) {
    return Fail(ErrorCode::kTimeout, where + ": status 408: " + Excerpt(res->body));
  }
  if (res->status == 429 || res->status >= 500) {
    return Fail(
        Unavailable(where + ": status " + std::to_string(res->status) + ": " + Excerpt(res->body)));
  }
  if (res->status < 200 || res->status >= 300) {
    return Fail(InvalidArgument(where + ": status " + std::to_string(res->status) + ": " +
                                Excerpt(res->body)));
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(res->body).get(root) != simdjson::SUCCESS) {
    if (!IsValidUtf8(res->body)) {
      return Fail(InvalidArgument(where + ": response is neither JSON nor UTF-8 text"));
    }
    std::string text;
    AppendJsonString(&text, res->body);
    out->push_back(Event{std::move(text), {}, {}});
    return Ok();
  }
  if (root.is_array()) {
    simdjson::dom::array items = root.get_array().value_unsafe();
    for (simdjson::dom::element e : items) {
      out->push_back(Event{simdjson::minify(e), {}, {}});
    }
  } else {
    out->push_back(Event{simdjson::minify(root), {}, {}});
  }
  return Ok();
}

}  // namespace inflow::transform
