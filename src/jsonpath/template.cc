#include "jsonpath/template.h"

#include <algorithm>
#include <unordered_map>
#include <utility>

#include "common/json_text.h"

namespace inflow::jsonpath {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

size_t SkipBlanks(std::string_view s, size_t i) {
  while (i < s.size() && IsBlank(s[i])) ++i;
  return i;
}

void AppendMaybeEscaped(std::string_view s, bool escape, std::string* out) {
  if (escape) {
    AppendJsonEscaped(out, s);
  } else {
    out->append(s);
  }
}

std::string_view KindName(simdjson::dom::element_type t) {
  switch (t) {
    case simdjson::dom::element_type::ARRAY:
      return "an array";
    case simdjson::dom::element_type::OBJECT:
      return "an object";
    case simdjson::dom::element_type::NULL_VALUE:
      return "null";
    default:
      return "a scalar";
  }
}

// Matches `"EB_SYS_EMBED_OBJECT" : "${name}"` at text[i] (a '"'); on success stores the name
// and the index just past the closing quote of the value.
bool MatchEmbedMarker(std::string_view text, size_t i, std::string_view* name, size_t* end) {
  std::string_view key = Template::kEmbedObjectKey;
  if (text.substr(i, key.size() + 2) != std::string("\"") + std::string(key) + "\"") return false;
  size_t j = SkipBlanks(text, i + key.size() + 2);
  if (j >= text.size() || text[j] != ':') return false;
  j = SkipBlanks(text, j + 1);
  if (text.substr(j, 3) != "\"${") return false;
  size_t close = text.find('}', j + 3);
  if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != '"') {
    return false;
  }
  *name = text.substr(j + 3, close - (j + 3));
  *end = close + 2;
  return true;
}

}  // namespace

Result<Template> Template::Compile(std::string_view parameters_json, std::string_view text) {
  Template t;
  t.text_ = std::string(text);
  std::vector<std::string> errors;
  std::unordered_map<std::string, size_t> index;

  if (SkipBlanks(parameters_json, 0) < parameters_json.size()) {
    simdjson::dom::parser parser;
    simdjson::padded_string padded(parameters_json);
    simdjson::dom::element root;
    if (auto err = parser.parse(padded).get(root); err) {
      return Fail(ErrorCode::kInvalidArgument,
                  std::string("parameters: not valid JSON: ") + simdjson::error_message(err));
    }
    simdjson::dom::object params;
    if (root.get_object().get(params)) {
      return Fail(ErrorCode::kInvalidArgument,
                  "parameters: must be a JSON object of name -> JSONPath or literal, not " +
                      std::string(KindName(root.type())));
    }
    for (auto field : params) {
      std::string name(field.key);
      std::string where = "parameter '" + name + "': ";
      if (name.empty()) {
        errors.push_back(where + "the name must not be empty");
        continue;
      }
      if (name.find('}') != std::string::npos) {
        errors.push_back(where + "the name must not contain '}'");
        continue;
      }
      if (index.count(name)) {
        errors.push_back(where + "declared twice");
        continue;
      }
      Variable var;
      var.name = name;
      simdjson::dom::element value = field.value;
      switch (value.type()) {
        case simdjson::dom::element_type::STRING: {
          std::string_view s = value.get_string().value_unsafe();
          // As the reference: only a valid singular path starting with '$' is a path.
          if (!s.empty() && s[0] == '$') {
            auto path = Path::Compile(s);
            if (path && path->IsSingular()) var.path = std::move(*path);
          }
          if (!var.path) var.literal = std::string(s);
          break;
        }
        case simdjson::dom::element_type::ARRAY:
        case simdjson::dom::element_type::OBJECT:
        case simdjson::dom::element_type::NULL_VALUE:
          errors.push_back(where + "must be a string (a JSONPath or a literal), not " +
                           std::string(KindName(value.type())));
          continue;
        default:  // numbers and booleans are literals, by their JSON text
          var.literal = ToCompactJson(value);
      }
      index.emplace(name, t.variables_.size());
      t.variables_.push_back(std::move(var));
    }
  }

  size_t first = SkipBlanks(text, 0);
  t.is_json_ = first < text.size() && (text[first] == '{' || text[first] == '[');

  // One pass over the text: variables, and in a JSON template the string-literal state, the
  // object nesting and the member names (for EB_SYS_EMBED_OBJECT).
  struct Container {
    bool is_object;
    size_t id;  // index into object_keys
    bool has_embed;
  };
  std::vector<Container> stack;
  std::vector<std::vector<std::string>> object_keys;
  std::vector<std::pair<size_t, size_t>> embeds;  // (segment index, object id)
  std::string buf;
  bool in_string = false;
  size_t string_start = 0;
  // The last non-blank character of the JSON structure ('v' for a variable outside strings, 'e'
  // for an EB_SYS_EMBED_OBJECT member): tells a member-name position.
  char last_sig = '\0';
  auto flush = [&] {
    if (!buf.empty()) {
      Segment seg;
      seg.text = std::move(buf);
      t.segments_.push_back(std::move(seg));
      buf.clear();
    }
  };

  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '$' && text.substr(i, 3) == "$${") {
      if (!in_string) last_sig = '$';
      buf.append("${");
      i += 3;
      continue;
    }
    if (c == '$' && text.substr(i, 2) == "${") {
      size_t close = text.find('}', i + 2);
      if (close != std::string_view::npos) {
        auto it = index.find(std::string(text.substr(i + 2, close - (i + 2))));
        if (it != index.end()) {
          flush();
          Segment seg;
          seg.kind = SegmentKind::kVariable;
          seg.variable = it->second;
          seg.in_string = t.is_json_ && in_string;
          t.segments_.push_back(std::move(seg));
          if (!in_string) last_sig = 'v';
          i = close + 1;
          continue;
        }
      }
      // Not a declared variable: the text stays as written.
      if (!in_string) last_sig = '$';
      buf.append("${");
      i += 2;
      continue;
    }
    if (!t.is_json_) {
      buf.push_back(c);
      ++i;
      continue;
    }
    if (in_string) {
      if (c == '\\' && i + 1 < text.size() && text[i + 1] != '$') {
        buf.append(text.substr(i, 2));
        i += 2;
        continue;
      }
      if (c == '"') {
        in_string = false;
        last_sig = '"';
        std::string_view content = text.substr(string_start + 1, i - string_start - 1);
        size_t next = SkipBlanks(text, i + 1);
        if (!stack.empty() && stack.back().is_object && next < text.size() && text[next] == ':' &&
            content.find('\\') == std::string_view::npos &&
            content.find("${") == std::string_view::npos) {
          object_keys[stack.back().id].emplace_back(content);
        }
      }
      buf.push_back(c);
      ++i;
      continue;
    }
    std::string_view embed_name;
    size_t embed_end = 0;
    char before = last_sig;
    if (c == '"' && !stack.empty() && stack.back().is_object && (before == '{' || before == ',') &&
        MatchEmbedMarker(text, i, &embed_name, &embed_end) &&
        index.count(std::string(embed_name))) {
      if (stack.back().has_embed) {
        errors.push_back("template: more than one " + std::string(kEmbedObjectKey) +
                         " in one object (at character " + std::to_string(i) + ")");
      }
      stack.back().has_embed = true;
      Segment seg;
      seg.kind = SegmentKind::kEmbed;
      seg.variable = index[std::string(embed_name)];
      size_t j = SkipBlanks(text, embed_end);
      if (j < text.size() && text[j] == ',') {
        seg.comma_after = true;
        last_sig = ',';
        i = j + 1;
      } else {
        // Only blanks follow the separator in buf (it was the last significant character).
        size_t comma = buf.find_last_of(',');
        if (before == ',' && comma != std::string::npos) {
          buf.erase(comma);
          seg.comma_before = true;
        }
        last_sig = 'e';
        i = embed_end;
      }
      flush();
      embeds.emplace_back(t.segments_.size(), stack.back().id);
      t.segments_.push_back(std::move(seg));
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        string_start = i;
        break;
      case '{':
        stack.push_back({true, object_keys.size(), false});
        object_keys.emplace_back();
        break;
      case '[':
        stack.push_back({false, 0, false});
        break;
      case '}':
      case ']':
        if (!stack.empty()) stack.pop_back();
        break;
      default:
        break;
    }
    if (!IsBlank(c)) last_sig = c;
    buf.push_back(c);
    ++i;
  }
  flush();
  for (auto [segment, object] : embeds) {
    auto& keys = t.segments_[segment].template_keys;
    keys = object_keys[object];
    std::sort(keys.begin(), keys.end());
  }

  if (!errors.empty()) {
    std::string message;
    for (const auto& e : errors) {
      if (!message.empty()) message += "; ";
      message += e;
    }
    return Fail(ErrorCode::kInvalidArgument, std::move(message));
  }
  return t;
}

void Template::AppendValue(const Variable& var, simdjson::dom::element event, bool in_string,
                           std::vector<simdjson::dom::element>* scratch, std::string* out) const {
  if (!var.path) {
    AppendMaybeEscaped(var.literal, in_string, out);
    return;
  }
  scratch->clear();
  var.path->Evaluate(event, scratch);
  if (scratch->empty()) {
    out->append("${").append(var.name).push_back('}');
    return;
  }
  simdjson::dom::element node = scratch->front();
  switch (node.type()) {
    case simdjson::dom::element_type::STRING:
      AppendMaybeEscaped(node.get_string().value_unsafe(), in_string, out);
      break;
    case simdjson::dom::element_type::NULL_VALUE:
      out->append("null");
      break;
    default:
      AppendMaybeEscaped(ToCompactJson(node), in_string, out);
  }
}

void Template::AppendEmbed(const Segment& seg, simdjson::dom::element event,
                           std::vector<simdjson::dom::element>* scratch, std::string* out) const {
  const Variable& var = variables_[seg.variable];
  std::string members;
  auto keep_marker = [&](std::string_view value) {
    members.push_back('"');
    members.append(kEmbedObjectKey);
    members.append("\":\"");
    AppendJsonEscaped(&members, value);
    members.push_back('"');
  };
  if (!var.path) {
    if (!var.literal.empty()) keep_marker(var.literal);
  } else {
    scratch->clear();
    var.path->Evaluate(event, scratch);
    if (!scratch->empty()) {
      simdjson::dom::element node = scratch->front();
      switch (node.type()) {
        case simdjson::dom::element_type::NULL_VALUE:
          break;
        case simdjson::dom::element_type::STRING: {
          std::string_view s = node.get_string().value_unsafe();
          if (!s.empty()) keep_marker(s);
          break;
        }
        case simdjson::dom::element_type::OBJECT: {
          simdjson::dom::object object = node.get_object().value_unsafe();
          for (auto field : object) {
            if (std::binary_search(seg.template_keys.begin(), seg.template_keys.end(), field.key)) {
              continue;  // the template's own member wins
            }
            if (!members.empty()) members.push_back(',');
            AppendJsonString(&members, field.key);
            members.push_back(':');
            members.append(ToCompactJson(field.value));
          }
          break;
        }
        default:
          keep_marker(ToCompactJson(node));
      }
    }
  }
  if (members.empty()) return;
  if (seg.comma_before) out->push_back(',');
  out->append(members);
  if (seg.comma_after) out->push_back(',');
}

void Template::RenderTo(simdjson::dom::element event, std::string* out) const {
  std::vector<simdjson::dom::element> scratch;
  for (const Segment& seg : segments_) {
    switch (seg.kind) {
      case SegmentKind::kText:
        out->append(seg.text);
        break;
      case SegmentKind::kVariable:
        AppendValue(variables_[seg.variable], event, seg.in_string, &scratch, out);
        break;
      case SegmentKind::kEmbed:
        AppendEmbed(seg, event, &scratch, out);
        break;
    }
  }
}

std::string Template::Render(simdjson::dom::element event) const {
  std::string out;
  RenderTo(event, &out);
  return out;
}

Status Template::CheckJsonShape() const {
  if (!is_json_) return Ok();
  // What a path may select, inserted as rendering would: outside a string literal a number or
  // an object keeps the JSON valid where a value belongs; a string's raw text only does when the
  // template quotes it, which the in-string escaping then covers.
  static constexpr std::string_view kStandIns[] = {"0", "\"s\"", "{}"};
  simdjson::dom::parser empty_parser;
  simdjson::dom::element no_match;  // an event in which every path selects nothing
  const simdjson::padded_string empty_object(std::string_view("{}"));
  if (empty_parser.parse(empty_object).get(no_match)) {
    return Fail(Internal("template check: cannot parse {}"));
  }
  simdjson::dom::parser parser;
  std::vector<simdjson::dom::element> scratch;
  std::string first_text;
  const char* first_error = nullptr;
  for (std::string_view stand_in : kStandIns) {
    std::string text;
    for (const Segment& seg : segments_) {
      const Variable* var = seg.kind == SegmentKind::kText ? nullptr : &variables_[seg.variable];
      switch (seg.kind) {
        case SegmentKind::kText:
          text.append(seg.text);
          break;
        case SegmentKind::kVariable:
          AppendMaybeEscaped(var->path ? stand_in : std::string_view(var->literal), seg.in_string,
                             &text);
          break;
        case SegmentKind::kEmbed:
          AppendEmbed(seg, no_match, &scratch, &text);
          break;
      }
    }
    simdjson::dom::element root;
    const simdjson::padded_string padded(text);
    auto err = parser.parse(padded).get(root);
    if (!err) return Ok();
    if (first_error == nullptr) {
      first_error = simdjson::error_message(err);
      first_text = std::move(text);
    }
  }
  constexpr size_t kShown = 200;
  if (first_text.size() > kShown) first_text = first_text.substr(0, kShown) + "...";
  return Fail(InvalidArgument(
      std::string("the template starts like JSON but cannot render valid JSON, whatever its "
                  "variables select (") +
      first_error + "), e.g. " + first_text));
}

}  // namespace inflow::jsonpath
