#include "transform/split.h"

#include <simdjson.h>

#include <nlohmann/json.hpp>

#include "common/config_json.h"
#include "transform/parse_event.h"

namespace inflow::transform {

Result<std::unique_ptr<Split>> Split::FromConfig(const nlohmann::json& config,
                                                 std::string_view where) {
  ConfigErrors errors;
  if (!CheckObject(config, where, {"path"}, &errors)) return Fail(errors.ToError());
  std::string text = StringMember(config, "path", where, true, &errors);
  std::optional<jsonpath::Path> path;
  if (!text.empty()) {
    auto p = jsonpath::Path::Compile(text);
    if (p) {
      path = std::move(*p);
    } else {
      errors.Add(JoinPath(where, "path"), p.error().message());
    }
  }
  if (!errors.empty()) return Fail(errors.ToError());
  return std::unique_ptr<Split>(new Split(std::move(*path)));
}

Result<std::vector<Event>> Split::Apply(std::vector<Event> events) {
  simdjson::dom::parser parser;
  std::vector<simdjson::dom::element> nodes;
  std::vector<Event> out;
  for (Event& event : events) {
    INFLOW_TRY(simdjson::dom::element root, ParseEvent(parser, event, "split"));
    nodes.clear();
    path_.Evaluate(root, &nodes);
    if (nodes.size() != 1 || !nodes[0].is_array()) {
      return Fail(InvalidArgument(
          "split: in event " + event.id + ", " + path_.text() +
          (nodes.empty() ? " selects nothing" : " does not select exactly one array")));
    }
    simdjson::dom::array items = nodes[0].get_array().value_unsafe();
    size_t n = 0;
    for (simdjson::dom::element item : items) {
      out.push_back(
          Event{simdjson::minify(item), event.id + "#" + std::to_string(n++), event.topic});
    }
  }
  return out;
}

}  // namespace inflow::transform
