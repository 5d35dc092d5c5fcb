// Template: a compiled `${name}` text template whose variables are JSONPaths (or literals)
// resolved against an event — the TEMPLATE form of the sink fields and of the `map` transform.
//
//   INFLOW_TRY(auto t, jsonpath::Template::Compile(R"({"id":"$.data.id","who":"ops"})",
//                                                  R"({"order":${id},"note":"${who}"})"));
//   std::string text = t.Render(event);   // {"order":42,"note":"ops"}
//
// Semantics follow the managed service's reference implementation (apache/rocketmq-eventbridge
// StringSubstitutorTemplate + JsonPathExtract), see README.md:
// - A parameter whose value starts with '$' and is a valid singular (definite) JSONPath is a path;
//   any other value is a literal (numbers and booleans by their JSON text).
// - A string node is inserted as its raw text, JSON null as `null`, other nodes as compact JSON.
// - A variable whose path selects nothing, and a `${name}` naming no parameter, stay literally
//   `${name}`. `$${` writes a literal `${`. Values are never re-scanned for `${`.
// - EB_SYS_EMBED_OBJECT: in a JSON template, a member `"EB_SYS_EMBED_OBJECT":"${v}"` is replaced
//   by the members of the object in v (members the template itself names keep the template's
//   value); it disappears when v selects nothing, null, "" or {}; any other value is kept as the
//   string `"EB_SYS_EMBED_OBJECT":"<value>"`.
// Our one improvement: in a JSON template (its first non-blank character is '{' or '['), a value
// substituted inside a JSON string literal of the template is JSON-escaped, so `"${v}"` always
// stays one valid JSON string. Outside string literals values are inserted raw, as in the
// reference (`"n":${number}` keeps the number's type).
//
// Thread safety: immutable after Compile; one Template may render from many threads at once.
#ifndef INFLOW_JSONPATH_TEMPLATE_H_
#define INFLOW_JSONPATH_TEMPLATE_H_

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "jsonpath/path.h"

namespace inflow::jsonpath {

class Template {
 public:
  // The marker key whose object value is spread into the enclosing object.
  static constexpr std::string_view kEmbedObjectKey = "EB_SYS_EMBED_OBJECT";

  // `parameters_json` is a JSON object of name -> JSONPath-or-literal (an empty string means no
  // parameters). Errors are kInvalidArgument and name the parameter: "parameter 'id': ...".
  static Result<Template> Compile(std::string_view parameters_json, std::string_view text);

  // Appends the rendering of the template against `event` to *out.
  void RenderTo(simdjson::dom::element event, std::string* out) const;
  std::string Render(simdjson::dom::element event) const;

  // For a JSON-shaped template: kInvalidArgument unless the text is valid JSON with its variables
  // filled in by representative values — each path variable by a number, a string or an object
  // (one kind at a time), literals by their value, EB_SYS_EMBED_OBJECT markers as selecting
  // nothing. A template that fails for all of them can never render JSON (a missing quote or
  // comma, an unknown `${name}` outside a string), so a config is refused when it is loaded
  // rather than failing every event. Other templates: Ok.
  Status CheckJsonShape() const;

  // True when the template text is JSON-shaped (first non-blank character '{' or '['), which
  // enables string-literal escaping and EB_SYS_EMBED_OBJECT.
  bool is_json() const { return is_json_; }
  const std::string& text() const { return text_; }

 private:
  struct Variable {
    std::string name;
    std::optional<Path> path;  // unset: a literal
    std::string literal;
  };
  enum class SegmentKind { kText, kVariable, kEmbed };
  struct Segment {
    SegmentKind kind = SegmentKind::kText;
    std::string text;        // kText: the literal text
    size_t variable = 0;     // kVariable / kEmbed: index into variables_
    bool in_string = false;  // kVariable: inside a JSON string literal of the template
    // kEmbed: where the member separator was taken out of the template text.
    bool comma_after = false;
    bool comma_before = false;
    std::vector<std::string> template_keys;  // kEmbed: member names the enclosing object writes
  };

  Template() = default;
  void AppendValue(const Variable& var, simdjson::dom::element event, bool in_string,
                   std::vector<simdjson::dom::element>* scratch, std::string* out) const;
  void AppendEmbed(const Segment& seg, simdjson::dom::element event,
                   std::vector<simdjson::dom::element>* scratch, std::string* out) const;

  std::string text_;
  bool is_json_ = false;
  std::vector<Variable> variables_;
  std::vector<Segment> segments_;
};

}  // namespace inflow::jsonpath

#endif  // INFLOW_JSONPATH_TEMPLATE_H_
