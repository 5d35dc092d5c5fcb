#include "sink/render.h"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <utility>

#include "common/config_errors.h"
#include "common/json_parse.h"
#include "common/names.h"
#include "sink/reserved_properties.h"

namespace inflow::sink {
namespace {

constexpr std::array<FieldForm, 4> kAllForms = {FieldForm::kOriginal, FieldForm::kJsonPath,
                                                FieldForm::kConstant, FieldForm::kTemplate};

// On top of RocketMQ's own names (reserved_properties.h): the broker's timer properties, and
// inflow's own `inflow_*` properties (inflow_event_id, the dead-letter reasons).
constexpr std::array<std::string_view, 2> kReservedPrefixes = {"TIMER_", "inflow_"};
constexpr std::string_view kEventIdProperty = "inflow_event_id";
constexpr std::string_view kUniqueKeyProperty = "UNIQ_KEY";

using Errors = ConfigErrors;

std::string FormList(std::initializer_list<FieldForm> forms) {
  std::string s;
  for (FieldForm f : forms) {
    if (!s.empty()) s += ", ";
    s += FieldFormName(f);
  }
  return s;
}

bool HasSeparatorBytes(std::string_view s) {
  return s.find('\x01') != std::string_view::npos || s.find('\x02') != std::string_view::npos;
}

// A scalar written in the config as text: strings as they are, numbers and booleans by their
// JSON text (YAML `value: 42`).
std::optional<std::string> ScalarText(const nlohmann::json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_number() || j.is_boolean()) return j.dump();
  return std::nullopt;
}

std::optional<FieldSpec> ParseField(const nlohmann::json& j, const std::string& path,
                                    std::initializer_list<FieldForm> allowed, Errors* errors) {
  if (!j.is_object()) {
    errors->Add(path,
                "must be an object {form, value, template}, not " + std::string(j.type_name()));
    return std::nullopt;
  }
  bool ok = true;
  for (const auto& [key, unused] : j.items()) {
    if (key != "form" && key != "value" && key != "template") {
      errors->Add(path + "." + key, "unknown key (expected form, value, template)");
      ok = false;
    }
  }
  FieldSpec field;
  auto form_it = j.find("form");
  if (form_it == j.end()) {
    errors->Add(path + ".form", "required, one of " + FormList(allowed));
    return std::nullopt;
  }
  std::string form_name = form_it->is_string() ? form_it->get<std::string>() : std::string();
  bool known = false;
  for (FieldForm f : allowed) {
    if (FieldFormName(f) == form_name) {
      field.form = f;
      known = true;
    }
  }
  if (!known) {
    errors->Add(path + ".form", "must be one of " + FormList(allowed));
    return std::nullopt;
  }

  auto value_it = j.find("value");
  bool has_value = value_it != j.end() && !value_it->is_null();
  auto template_it = j.find("template");
  bool has_template = template_it != j.end() && !template_it->is_null();
  if (has_template && field.form != FieldForm::kTemplate &&
      !(template_it->is_string() && template_it->get<std::string>().empty())) {
    errors->Add(path + ".template", "only used by the TEMPLATE form");
    ok = false;
  }

  switch (field.form) {
    case FieldForm::kOriginal:
      break;
    case FieldForm::kConstant: {
      std::optional<std::string> text = has_value ? ScalarText(*value_it) : std::nullopt;
      if (!text || text->empty()) {
        errors->Add(path + ".value", "required: the constant text (a non-empty string)");
        return std::nullopt;
      }
      field.value = std::move(*text);
      break;
    }
    case FieldForm::kJsonPath: {
      if (!has_value || !value_it->is_string()) {
        errors->Add(path + ".value", "required: a JSONPath string such as $.data.id");
        return std::nullopt;
      }
      field.value = value_it->get<std::string>();
      auto compiled = jsonpath::Path::Compile(field.value);
      if (!compiled) {
        errors->Add(path + ".value", compiled.error().message());
        return std::nullopt;
      }
      if (!compiled->IsSingular()) {
        errors->Add(path + ".value", "'" + field.value +
                                         "' must be a singular JSONPath (names and indexes only, "
                                         "selecting at most one node)");
        return std::nullopt;
      }
      field.path = std::move(*compiled);
      break;
    }
    case FieldForm::kTemplate: {
      if (has_value && value_it->is_object()) {
        field.value = value_it->dump();
      } else if (has_value && value_it->is_string()) {
        field.value = value_it->get<std::string>();
      } else {
        errors->Add(path + ".value",
                    "required: the parameters, a JSON object of name -> JSONPath or literal");
        return std::nullopt;
      }
      if (!has_template || !template_it->is_string()) {
        errors->Add(path + ".template", "required: the template text with ${name} variables");
        return std::nullopt;
      }
      field.template_text = template_it->get<std::string>();
      auto compiled = jsonpath::Template::Compile(field.value, field.template_text);
      if (!compiled) {
        errors->Add(path + ".value", compiled.error().message());
        return std::nullopt;
      }
      if (auto shape = compiled->CheckJsonShape(); !shape) {
        errors->Add(path + ".template", shape.error().message());
        return std::nullopt;
      }
      field.tmpl = std::move(*compiled);
      break;
    }
  }
  if (!ok) return std::nullopt;
  return field;
}

std::optional<std::string> ParseString(const nlohmann::json& section, const char* key,
                                       const std::string& where, Errors* errors) {
  auto it = section.find(key);
  if (it == section.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) {
    errors->Add(where + "." + key, "must be a string, not " + std::string(it->type_name()));
    return std::nullopt;
  }
  return it->get<std::string>();
}

std::optional<simdjson::dom::element> SelectOne(const jsonpath::Path& path,
                                                simdjson::dom::element event) {
  std::vector<simdjson::dom::element> nodes;
  path.Evaluate(event, &nodes);
  if (nodes.empty()) return std::nullopt;
  return nodes.front();
}

std::string NodeText(simdjson::dom::element node) {
  switch (node.type()) {
    case simdjson::dom::element_type::STRING:
      return std::string(node.get_string().value_unsafe());
    case simdjson::dom::element_type::NULL_VALUE:
      return "null";
    default:
      return jsonpath::ToCompactJson(node);
  }
}

std::string_view KindName(simdjson::dom::element_type t) {
  switch (t) {
    case simdjson::dom::element_type::ARRAY:
      return "an array";
    case simdjson::dom::element_type::OBJECT:
      return "an object";
    case simdjson::dom::element_type::STRING:
      return "a string";
    case simdjson::dom::element_type::NULL_VALUE:
      return "null";
    case simdjson::dom::element_type::BOOL:
      return "a boolean";
    default:
      return "a number";
  }
}

// The field's text for this event; nullopt when its JSONPath selects nothing.
std::optional<std::string> RenderField(const FieldSpec& field, simdjson::dom::element event) {
  switch (field.form) {
    case FieldForm::kOriginal:
      return jsonpath::ToCompactJson(event);
    case FieldForm::kConstant:
      return field.value;
    case FieldForm::kJsonPath: {
      auto node = SelectOne(*field.path, event);
      if (!node) return std::nullopt;
      return NodeText(*node);
    }
    case FieldForm::kTemplate:
      return field.tmpl->Render(event);
  }
  return std::nullopt;
}

Status AddProperty(std::string_view name, std::string value, Message* m) {
  if (name.empty()) return Fail(InvalidArgument("sink.properties: a property name is empty"));
  if (name == kUniqueKeyProperty) {
    // The managed service's documented `"UNIQ_KEY": "${msgId}"`: it sets the message's unique
    // key (the broker's message-id index) instead of a user property.
    if (HasSeparatorBytes(value)) {
      return Fail(
          InvalidArgument("sink.properties: UNIQ_KEY contains the bytes 0x01 or 0x02, "
                          "which RocketMQ uses as separators"));
    }
    if (!value.empty()) m->unique_key = std::move(value);  // empty: the producer generates one
    return Ok();
  }
  if (IsReservedPropertyName(name)) {
    return Fail(InvalidArgument("sink.properties: '" + std::string(name) +
                                "' is a reserved property name"));
  }
  if (HasSeparatorBytes(name) || HasSeparatorBytes(value)) {
    return Fail(InvalidArgument("sink.properties: property '" + std::string(name) +
                                "' contains the bytes 0x01 or 0x02, which RocketMQ uses as "
                                "separators"));
  }
  if (value.empty()) return Ok();  // RocketMQ's decoders drop empty values
  for (auto& [n, v] : m->properties) {
    if (n == name) {
      v = std::move(value);
      return Ok();
    }
  }
  m->properties.emplace_back(std::string(name), std::move(value));
  return Ok();
}

Status AddObjectProperties(simdjson::dom::element node, std::string_view origin, Message* m) {
  simdjson::dom::object object;
  if (node.get_object().get(object)) {
    return Fail(InvalidArgument("sink.properties: " + std::string(origin) + " is " +
                                std::string(KindName(node.type())) + ", not a JSON object"));
  }
  for (auto field : object) {
    INFLOW_RETURN_IF_ERROR(AddProperty(field.key, NodeText(field.value), m));
  }
  return Ok();
}

Status RenderProperties(const FieldSpec& field, simdjson::dom::element event, Message* m) {
  if (field.form == FieldForm::kJsonPath) {
    auto node = SelectOne(*field.path, event);
    if (!node) return Ok();
    return AddObjectProperties(*node, "'" + field.value + "' selected a value that", m);
  }
  std::string text = field.tmpl->Render(event);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto err = parser.parse(text).get(root); err) {
    return Fail(InvalidArgument("sink.properties: the template rendered invalid JSON (" +
                                std::string(simdjson::error_message(err)) + "): " + text));
  }
  return AddObjectProperties(root, "the template's result", m);
}

Status AddKey(std::string_view key, Message* m) {
  if (HasSeparatorBytes(key)) {
    return Fail(InvalidArgument("sink.keys: a key contains the bytes 0x01 or 0x02"));
  }
  size_t start = 0;
  while (start < key.size()) {
    size_t end = key.find(' ', start);
    if (end == std::string_view::npos) end = key.size();
    if (end > start) m->keys.emplace_back(key.substr(start, end - start));
    start = end + 1;
  }
  return Ok();
}

Status RenderKeys(const FieldSpec& field, simdjson::dom::element event, Message* m) {
  if (field.form == FieldForm::kJsonPath) {
    auto node = SelectOne(*field.path, event);
    if (!node) return Ok();
    simdjson::dom::array array;
    if (!node->get_array().get(array)) {
      for (simdjson::dom::element item : array) INFLOW_RETURN_IF_ERROR(AddKey(NodeText(item), m));
      return Ok();
    }
    return AddKey(NodeText(*node), m);
  }
  return AddKey(*RenderField(field, event), m);
}

}  // namespace

std::string_view FieldFormName(FieldForm form) {
  switch (form) {
    case FieldForm::kOriginal:
      return "ORIGINAL";
    case FieldForm::kJsonPath:
      return "JSONPATH";
    case FieldForm::kConstant:
      return "CONSTANT";
    case FieldForm::kTemplate:
      return "TEMPLATE";
  }
  return "?";
}

bool IsReservedPropertyName(std::string_view name) {
  if (IsRocketMqReservedProperty(name)) return true;
  return std::any_of(kReservedPrefixes.begin(), kReservedPrefixes.end(),
                     [&](std::string_view p) { return name.substr(0, p.size()) == p; });
}

Result<SinkSpec> SinkSpec::Parse(const nlohmann::json& section, std::string_view where_view) {
  const std::string where(where_view);
  Errors errors;
  SinkSpec spec;
  if (section.is_null()) return spec;
  if (!section.is_object()) {
    return Fail(
        InvalidArgument(where + ": must be an object, not " + std::string(section.type_name())));
  }
  static constexpr std::array<std::string_view, 12> kKeys = {
      "type", "version",    "endpoint", "access_key", "secret_key",     "topic",
      "body", "properties", "keys",     "tag",        "delivery_order", "sharding_key"};
  for (const auto& [key, unused] : section.items()) {
    if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
      errors.Add(where + "." + key,
                 "unknown key (expected type, version, endpoint, access_key, secret_key, topic, "
                 "body, properties, keys, tag, delivery_order, sharding_key)");
    }
  }

  if (auto type = ParseString(section, "type", where, &errors)) {
    if (*type != "rocketmq") errors.Add(where + ".type", "must be rocketmq");
    spec.type = *type;
  }
  if (auto version = ParseString(section, "version", where, &errors)) {
    if (*version != "4.x" && *version != "5.x")
      errors.Add(where + ".version", "must be 4.x or 5.x");
    spec.version = *version;
  }
  if (auto v = ParseString(section, "endpoint", where, &errors)) {
    spec.endpoint = *v;
    // Empty is left to the task validator, which requires it (`transform test` does not).
    if (!v->empty()) {
      if (auto st = ValidateHostPortList(*v, where + ".endpoint"); !st) errors.AddError(st.error());
    }
  }
  if (auto v = ParseString(section, "access_key", where, &errors)) spec.access_key = *v;
  if (auto v = ParseString(section, "secret_key", where, &errors)) spec.secret_key = *v;
  if (auto order = ParseString(section, "delivery_order", where, &errors)) {
    if (*order == "orderly") {
      spec.delivery_order = DeliveryOrder::kOrderly;
    } else if (*order != "concurrently") {
      errors.Add(where + ".delivery_order", "must be concurrently or orderly");
    }
  }

  auto field = [&](const char* key, std::initializer_list<FieldForm> allowed) {
    auto it = section.find(key);
    if (it == section.end() || it->is_null()) return std::optional<FieldSpec>();
    return ParseField(*it, where + "." + key, allowed, &errors);
  };
  if (auto it = section.find("topic"); it != section.end() && it->is_string()) {
    FieldSpec topic;
    topic.form = FieldForm::kConstant;
    topic.value = it->get<std::string>();
    spec.topic = std::move(topic);
  } else {
    spec.topic = field("topic", {FieldForm::kConstant, FieldForm::kJsonPath, FieldForm::kTemplate});
  }
  if (spec.topic && spec.topic->form == FieldForm::kConstant &&
      !IsValidTopicName(spec.topic->value)) {
    errors.Add(where + ".topic", InvalidTopicNameReason(spec.topic->value));
  }
  if (auto body = field("body", {kAllForms[0], kAllForms[1], kAllForms[2], kAllForms[3]})) {
    spec.body = std::move(*body);
  }
  spec.properties = field("properties", {FieldForm::kJsonPath, FieldForm::kTemplate});
  spec.keys = field("keys", {FieldForm::kJsonPath, FieldForm::kConstant, FieldForm::kTemplate});
  spec.tag = field("tag", {FieldForm::kJsonPath, FieldForm::kConstant, FieldForm::kTemplate});
  spec.sharding_key = field("sharding_key", {FieldForm::kJsonPath, FieldForm::kTemplate});
  if (spec.sharding_key && spec.delivery_order != DeliveryOrder::kOrderly) {
    errors.Add(where + ".sharding_key", "only used with delivery_order: orderly");
  }
  if (spec.tag && spec.tag->form == FieldForm::kConstant && HasSeparatorBytes(spec.tag->value)) {
    errors.Add(where + ".tag.value", "contains the bytes 0x01 or 0x02");
  }

  if (!errors.empty()) return Fail(errors.ToError());
  return spec;
}

Result<std::vector<Message>> Render(const SinkSpec& spec, simdjson::dom::element event) {
  Message m;
  if (spec.topic) {
    auto topic = RenderField(*spec.topic, event);
    if (!topic) {
      return Fail(InvalidArgument("sink.topic: JSONPath '" + spec.topic->value +
                                  "' selected nothing in the event"));
    }
    if (spec.topic->form != FieldForm::kConstant && !IsValidTopicName(*topic)) {
      return Fail(InvalidArgument("sink.topic: " + InvalidTopicNameReason(*topic)));
    }
    m.topic = std::move(*topic);
  }

  auto body = RenderField(spec.body, event);
  if (!body) {
    return Fail(InvalidArgument("sink.body: JSONPath '" + spec.body.value +
                                "' selected nothing in the event"));
  }
  m.body = std::move(*body);

  if (spec.tag) {
    auto tag = RenderField(*spec.tag, event);
    if (tag && HasSeparatorBytes(*tag)) {
      return Fail(InvalidArgument("sink.tag: the tag contains the bytes 0x01 or 0x02"));
    }
    if (tag && !tag->empty()) m.tag = std::move(*tag);
  }
  if (spec.keys) INFLOW_RETURN_IF_ERROR(RenderKeys(*spec.keys, event, &m));
  if (spec.properties) INFLOW_RETURN_IF_ERROR(RenderProperties(*spec.properties, event, &m));

  simdjson::dom::element id;
  if (event.is_object() && !event.at_key("id").get(id)) {
    std::string text = NodeText(id);
    if (!text.empty() && !HasSeparatorBytes(text)) {
      m.properties.emplace_back(std::string(kEventIdProperty), std::move(text));
    }
  }

  if (spec.sharding_key && spec.delivery_order == DeliveryOrder::kOrderly) {
    auto key = RenderField(*spec.sharding_key, event);
    if (key && !key->empty()) m.sharding_key = std::move(*key);
  }

  std::vector<Message> out;
  out.push_back(std::move(m));
  return out;
}

Result<std::vector<Message>> Render(const SinkSpec& spec, std::string_view event_json) {
  simdjson::dom::parser parser;
  simdjson::dom::element event;
  if (auto err = parser.parse(event_json.data(), event_json.size()).get(event); err) {
    std::string number = NumberOutOfRange(event_json);
    if (!number.empty()) return Fail(InvalidArgument("event: " + number));
    return Fail(
        InvalidArgument(std::string("event: not valid JSON: ") + simdjson::error_message(err)));
  }
  return Render(spec, event);
}

}  // namespace inflow::sink
