// Fuzzes template compilation and rendering. The input is "parameters \0 template \0 event";
// missing parts fall back to defaults, an event that is not JSON to a fixed one.
// Oracle: a JSON template that is itself valid JSON (so every variable sits inside a string
// literal) must render to valid JSON — the escaping promise of template.h.
#include <simdjson.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "jsonpath/template.h"

namespace {

constexpr std::string_view kDefaultEvent =
    R"({"id":"e-1","data":{"s":"a\"b\\c\n","n":-1.5e3,"t":true,"z":null,"o":{"k":"v","q":[1,{}]},)"
    R"("a":["x",2,null],"e":"","eo":{}}})";

std::string_view Part(std::string_view* rest) {
  size_t nul = rest->find('\0');
  std::string_view part = rest->substr(0, nul);
  *rest = nul == std::string_view::npos ? std::string_view() : rest->substr(nul + 1);
  return part;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  std::string_view params = Part(&rest);
  std::string_view text = Part(&rest);
  std::string_view event_text = rest.empty() ? kDefaultEvent : rest;

  auto tmpl = inflow::jsonpath::Template::Compile(params, text);
  if (!tmpl) return 0;

  simdjson::dom::parser event_parser;
  simdjson::dom::element event;
  if (event_parser.parse(event_text.data(), event_text.size()).get(event)) {
    if (event_parser.parse(kDefaultEvent.data(), kDefaultEvent.size()).get(event)) abort();
  }
  std::string out = tmpl->Render(event);

  if (tmpl->is_json()) {
    simdjson::dom::parser check;
    simdjson::dom::element ignored;
    if (!check.parse(text.data(), text.size()).get(ignored)) {
      auto err = check.parse(out).get(ignored);
      if (err && err != simdjson::DEPTH_ERROR) abort();  // a valid JSON template broke
    }
  }
  return 0;
}
