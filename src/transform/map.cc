#include "transform/map.h"

#include <simdjson.h>

#include <nlohmann/json.hpp>

#include "common/config_json.h"
#include "transform/parse_event.h"

namespace inflow::transform {

Result<std::unique_ptr<Map>> Map::FromConfig(const nlohmann::json& config, std::string_view where) {
  ConfigErrors errors;
  if (!CheckObject(config, where, {"parameters", "template"}, &errors)) {
    return Fail(errors.ToError());
  }
  std::string parameters;
  if (auto it = config.find("parameters"); it != config.end()) {
    if (it->is_object()) {
      parameters = it->dump();
    } else if (it->is_string()) {
      parameters = it->get<std::string>();  // the managed service's form: JSON text
    } else {
      errors.Add(JoinPath(where, "parameters"), "must be an object of name -> JSONPath or value");
    }
  }
  std::string text = StringMember(config, "template", where, true, &errors);
  if (!errors.empty()) return Fail(errors.ToError());
  auto t = jsonpath::Template::Compile(parameters, text);
  if (!t) return Fail(t.error().WithContext(JoinPath(where, "parameters")));
  return std::unique_ptr<Map>(new Map(std::move(*t)));
}

Result<std::vector<Event>> Map::Apply(std::vector<Event> events) {
  simdjson::dom::parser parser;
  simdjson::dom::parser check;
  std::string rendered;
  for (Event& event : events) {
    INFLOW_TRY(simdjson::dom::element root, ParseEvent(parser, event, "map"));
    rendered.clear();
    template_.RenderTo(root, &rendered);
    simdjson::dom::element result;
    if (auto err = check.parse(rendered).get(result); err) {
      return Fail(InvalidArgument("map: the template rendered event " + event.id +
                                  " into text that is not JSON (" + simdjson::error_message(err) +
                                  "): " + rendered.substr(0, 200)));
    }
    event.json = simdjson::minify(result);
  }
  return events;
}

}  // namespace inflow::transform
