#include "transform/enrich.h"

#include <simdjson.h>

#include <nlohmann/json.hpp>

#include "common/config_json.h"
#include "common/json_text.h"
#include "transform/parse_event.h"

namespace inflow::transform {
namespace {

constexpr size_t kMaxResponseBytes = size_t{4} << 20;

// Parses "$.a.b" / "$['a'].b" into member names; only what `target` allows (no indexes or
// wildcards, since a lookup result is inserted into objects only).
Result<std::vector<std::string>> ParseTarget(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Fail(InvalidArgument("'" + std::string(text) + "': " + std::string(why)));
  };
  if (text.empty() || text[0] != '$') return bad("must start with '$'");
  std::vector<std::string> names;
  size_t i = 1;
  while (i < text.size()) {
    if (text[i] == '.') {
      size_t end = i + 1;
      while (end < text.size() && text[end] != '.' && text[end] != '[') ++end;
      std::string_view name = text.substr(i + 1, end - i - 1);
      if (name.empty() || name == "*") return bad("expected a member name after '.'");
      names.emplace_back(name);
      i = end;
    } else if (text.substr(i, 2) == "['" || text.substr(i, 2) == "[\"") {
      char quote = text[i + 1];
      size_t close = text.find(quote, i + 2);
      if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ']') {
        return bad("unterminated ['name']");
      }
      names.emplace_back(text.substr(i + 2, close - i - 2));
      i = close + 2;
    } else {
      return bad("only member names are allowed ($.a.b or $['a'])");
    }
  }
  if (names.empty()) return bad("must name at least one member (the root cannot be replaced)");
  return names;
}

void AppendNested(const std::vector<std::string>& names, size_t depth, std::string_view value,
                  std::string* out) {
  for (size_t d = depth; d < names.size(); ++d) {
    out->push_back('{');
    AppendJsonString(out, names[d]);
    out->push_back(':');
  }
  out->append(value);
  out->append(names.size() - depth, '}');
}

// Writes `element` with `value` set at names[depth..]; false when a non-object is in the way.
bool Splice(simdjson::dom::element element, const std::vector<std::string>& names, size_t depth,
            std::string_view value, std::string* out) {
  simdjson::dom::object object;
  if (element.get_object().get(object) != simdjson::SUCCESS) return false;
  out->push_back('{');
  bool found = false;
  bool first = true;
  for (auto field : object) {
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(out, field.key);
    out->push_back(':');
    if (!found && field.key == names[depth]) {
      found = true;
      if (depth + 1 == names.size()) {
        out->append(value);
      } else if (!Splice(field.value, names, depth + 1, value, out)) {
        return false;
      }
    } else {
      out->append(simdjson::minify(field.value));
    }
  }
  if (!found) {
    if (!first) out->push_back(',');
    AppendJsonString(out, names[depth]);
    out->push_back(':');
    AppendNested(names, depth + 1, value, out);
  }
  out->push_back('}');
  return true;
}

Result<jsonpath::Template> CompileTemplate(const std::string& parameters, const std::string& text,
                                           std::string_view where) {
  auto t = jsonpath::Template::Compile(parameters, text);
  if (!t) return Fail(t.error().WithContext(JoinPath(where, "parameters")));
  return t;
}

}  // namespace

Result<std::unique_ptr<Enrich>> Enrich::FromConfig(const nlohmann::json& config,
                                                   std::string_view where, Clock clock) {
  ConfigErrors errors;
  if (!CheckObject(config, where,
                   {"url", "parameters", "method", "body", "target", "on_missing", "timeout_ms",
                    "ttl_s", "cache_entries"},
                   &errors)) {
    return Fail(errors.ToError());
  }
  std::string parameters;
  if (auto it = config.find("parameters"); it != config.end()) {
    if (it->is_object()) {
      parameters = it->dump();
    } else if (it->is_string()) {
      parameters = it->get<std::string>();
    } else {
      errors.Add(JoinPath(where, "parameters"), "must be an object of name -> JSONPath or value");
    }
  }
  Options options;
  std::string url_text = StringMember(config, "url", where, true, &errors);
  options.method = StringMember(config, "method", where, false, &errors);
  if (options.method.empty()) options.method = "GET";
  if (options.method != "GET" && options.method != "POST") {
    errors.Add(JoinPath(where, "method"), "must be GET or POST");
  }
  bool has_body = config.contains("body");
  std::string body = StringMember(config, "body", where, false, &errors);
  if (options.method == "POST" && !has_body) {
    errors.Add(JoinPath(where, "body"), "is required with method POST");
  } else if (options.method == "GET" && has_body) {
    errors.Add(JoinPath(where, "body"), "is only allowed with method POST");
  }
  std::string target = StringMember(config, "target", where, true, &errors);
  if (!target.empty()) {
    auto names = ParseTarget(target);
    if (names) {
      options.target = std::move(*names);
    } else {
      errors.Add(JoinPath(where, "target"), names.error().message());
    }
  }
  std::string on_missing = StringMember(config, "on_missing", where, false, &errors);
  if (on_missing == "skip") {
    options.skip_missing = true;
  } else if (!on_missing.empty() && on_missing != "error") {
    errors.Add(JoinPath(where, "on_missing"), "must be error or skip");
  }
  options.timeout =
      std::chrono::milliseconds(IntMember(config, "timeout_ms", where, 1, 600'000, 5000, &errors));
  options.ttl = std::chrono::seconds(IntMember(config, "ttl_s", where, 0, 86'400, 60, &errors));
  options.cache_entries = static_cast<size_t>(
      IntMember(config, "cache_entries", where, 1, 10'000'000, 10'000, &errors));

  // The authority must be literal: the connection is opened once, not per event.
  std::string url_path;
  Url url;
  if (!url_text.empty()) {
    constexpr std::string_view kHttp = "http://";
    size_t slash =
        url_text.find('/', url_text.compare(0, kHttp.size(), kHttp) == 0 ? kHttp.size() : 0);
    std::string authority = url_text.substr(0, slash);
    url_path = slash == std::string::npos ? "/" : url_text.substr(slash);
    if (authority.find("${") != std::string::npos) {
      errors.Add(JoinPath(where, "url"), "variables are only allowed after host:port");
    } else if (auto parsed = Url::Parse(authority); !parsed) {
      errors.Add(JoinPath(where, "url"), parsed.error().message());
    } else {
      url = std::move(*parsed);
      options.url_prefix = authority;
    }
  }
  if (!errors.empty()) return Fail(errors.ToError());
  INFLOW_TRY(jsonpath::Template target_template, CompileTemplate(parameters, url_path, where));
  std::optional<jsonpath::Template> body_template;
  if (has_body) {
    INFLOW_TRY(jsonpath::Template b, CompileTemplate(parameters, body, where));
    body_template = std::move(b);
  }
  if (!clock) clock = [] { return std::chrono::steady_clock::now(); };
  return std::unique_ptr<Enrich>(new Enrich(std::move(options), std::move(url),
                                            std::move(target_template), std::move(body_template),
                                            std::move(clock)));
}

Enrich::Enrich(Options options, Url url, jsonpath::Template target_template,
               std::optional<jsonpath::Template> body_template, Clock clock)
    : options_(std::move(options)),
      client_(std::move(url), kMaxResponseBytes),
      target_template_(std::move(target_template)),
      body_template_(std::move(body_template)),
      clock_(std::move(clock)) {}

const Enrich::CacheEntry* Enrich::CacheFind(const std::string& key) {
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  if (it->second->expires <= clock_()) {
    lru_.erase(it->second);
    index_.erase(it);
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  return &*it->second;
}

void Enrich::CachePut(std::string key, std::optional<std::string> value) {
  if (options_.ttl.count() == 0) return;
  if (auto it = index_.find(key); it != index_.end()) {
    lru_.erase(it->second);
    index_.erase(it);
  }
  while (lru_.size() >= options_.cache_entries) {
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
  lru_.push_front(CacheEntry{key, std::move(value), clock_() + options_.ttl});
  index_.emplace(std::move(key), lru_.begin());
}

Status Enrich::Lookup(const Event& event, const std::string& target, const std::string& body,
                      std::optional<std::string>* value) {
  std::string key = options_.method;
  key += ' ';
  key += target;
  key += '\n';
  key += body;
  if (const CacheEntry* hit = CacheFind(key)) {
    *value = hit->value;
    return Ok();
  }
  // Secrets tend to live in the query string; error messages leave it out.
  std::string where = "enrich: event " + event.id + ": " + options_.method + " " +
                      options_.url_prefix + target.substr(0, target.find('?'));
  std::string_view content_type;
  if (body_template_) {
    content_type =
        body_template_->is_json() ? "application/json; charset=utf-8" : "text/plain; charset=utf-8";
  }
  auto res = client_.Request(options_.method, target, content_type, body, options_.timeout);
  if (!res) return Fail(res.error().WithContext(where));
  const std::string status = ": status " + std::to_string(res->status);
  if (res->status == 408) return Fail(ErrorCode::kTimeout, where + status);
  if (res->status == 429 || res->status >= 500) return Fail(Unavailable(where + status));
  if (res->status == 404 && options_.skip_missing) {
    value->reset();
    CachePut(std::move(key), std::nullopt);
    return Ok();
  }
  if (res->status < 200 || res->status >= 300) return Fail(InvalidArgument(where + status));
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto err = parser.parse(res->body).get(root); err) {
    return Fail(InvalidArgument(where + ": response is not JSON (" +
                                std::string(simdjson::error_message(err)) + ")"));
  }
  *value = simdjson::minify(root);
  CachePut(std::move(key), *value);
  return Ok();
}

Result<std::vector<Event>> Enrich::Apply(std::vector<Event> events) {
  simdjson::dom::parser parser;
  std::string target;
  std::string body;
  std::string out;
  std::optional<std::string> value;
  for (Event& event : events) {
    INFLOW_TRY(simdjson::dom::element root, ParseEvent(parser, event, "enrich"));
    target.clear();
    target_template_.RenderTo(root, &target);
    body.clear();
    if (body_template_) body_template_->RenderTo(root, &body);
    INFLOW_RETURN_IF_ERROR(Lookup(event, target, body, &value));
    if (!value) continue;  // 404 with on_missing: skip
    out.clear();
    if (!Splice(root, options_.target, 0, *value, &out)) {
      return Fail(InvalidArgument("enrich: event " + event.id +
                                  ": a value on the target path is not an object"));
    }
    event.json.swap(out);
  }
  return events;
}

}  // namespace inflow::transform
