// Message rendering: the sink section of a task (topic, body, properties, keys, tag, each
// `{form, value, template}`) parsed into a SinkSpec, and Render(), which turns one event into the
// RocketMQ message(s) the sink sends — the code the task runtime and `inflow transform test`
// both call.
//
//   INFLOW_TRY(auto spec, sink::SinkSpec::Parse(task["sink"]));   // validated once per task
//   INFLOW_TRY(auto messages, sink::Render(spec, event));         // per event
//
// Forms (product.md §1.3, reference semantics in ref-eventbridge-dts.md §5):
// - ORIGINAL: the complete event as compact JSON.
// - JSONPATH: a singular JSONPath; a string node gives its raw text, any other node compact JSON
//   (null: `null`). A body or topic path that selects nothing is a deterministic
//   kInvalidArgument; a keys / tag / properties / sharding_key path that selects nothing is
//   omitted.
// - CONSTANT: the value as written.
// - TEMPLATE: jsonpath::Template (parameters JSON + `${name}` text).
// Properties must select / produce a JSON object; each member becomes a user property
// (string values raw, others compact JSON; an empty value is omitted, as RocketMQ's decoders
// drop it). Names reserved by RocketMQ and the `inflow_` prefix are refused, except UNIQ_KEY:
// a member named UNIQ_KEY sets the message's unique key (Message::unique_key, the broker's
// message-id index) instead of a property. Every message also carries `inflow_event_id` = the
// event's `id` when it has one. Keys: a JSON array gives one key per element, any other value is
// split at spaces (the KEYS property is space-separated on the wire).
//
// Thread safety: a SinkSpec is immutable after Parse and may be shared by threads; Render is
// reentrant.
#ifndef INFLOW_SINK_RENDER_H_
#define INFLOW_SINK_RENDER_H_

#include <simdjson.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "jsonpath/path.h"
#include "jsonpath/template.h"
#include "sink/message.h"

namespace inflow::sink {

enum class FieldForm { kOriginal, kJsonPath, kConstant, kTemplate };

// "ORIGINAL", "JSONPATH", "CONSTANT", "TEMPLATE".
std::string_view FieldFormName(FieldForm form);

// One message field as configured, with its JSONPath or template compiled.
struct FieldSpec {
  FieldForm form = FieldForm::kOriginal;
  std::string value;          // CONSTANT: the text; JSONPATH: the path; TEMPLATE: parameters JSON
  std::string template_text;  // TEMPLATE only
  std::optional<jsonpath::Path> path;      // set for JSONPATH
  std::optional<jsonpath::Template> tmpl;  // set for TEMPLATE
};

enum class DeliveryOrder { kConcurrently, kOrderly };

struct SinkSpec {
  // Connection settings: type-checked here, used by the producers. They are optional because
  // `inflow transform test` takes a sink section without them; the task validator requires them.
  std::string type = "rocketmq";
  std::string version = "4.x";  // "4.x" (remoting via NameServer) or "5.x" (gRPC proxy)
  std::string endpoint;
  std::string access_key;
  std::string secret_key;

  // Message shaping. `topic` written as a plain string is a CONSTANT.
  std::optional<FieldSpec> topic;
  FieldSpec body;  // absent in the section: ORIGINAL
  std::optional<FieldSpec> properties;
  std::optional<FieldSpec> keys;
  std::optional<FieldSpec> tag;
  DeliveryOrder delivery_order = DeliveryOrder::kConcurrently;
  std::optional<FieldSpec> sharding_key;  // only with orderly delivery

  // Validates the sink section. Every problem is reported at once in one kInvalidArgument whose
  // message lists "path: reason" entries separated by "; ", paths spelled from `where`
  // (e.g. "sink.body.form: must be one of ORIGINAL, JSONPATH, CONSTANT, TEMPLATE"). Unknown keys
  // are rejected.
  static Result<SinkSpec> Parse(const nlohmann::json& section, std::string_view where = "sink");
};

// Renders one event into the messages to send (today exactly one). Errors are deterministic
// kInvalidArgument naming the field and path (retrying cannot help).
Result<std::vector<Message>> Render(const SinkSpec& spec, simdjson::dom::element event);
// The same for JSON text; an event that is not valid JSON is kInvalidArgument.
Result<std::vector<Message>> Render(const SinkSpec& spec, std::string_view event_json);

// True for property names RocketMQ reserves for itself (KEYS, TAGS, UNIQ_KEY, …, TIMER_*,
// __RMQ.TRANSIENT.*) and for inflow's own `inflow_*` properties.
bool IsReservedPropertyName(std::string_view name);

}  // namespace inflow::sink

#endif  // INFLOW_SINK_RENDER_H_
