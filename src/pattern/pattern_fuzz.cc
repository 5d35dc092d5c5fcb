// Fuzzes pattern parsing, compilation and matching. Input: a pattern, a newline, an event.
// Every accepted pattern is matched three ways (compiled matcher on raw bytes, on a DOM, and the
// explainer); they must agree, and nothing may crash or leak on any input.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pattern/explain.h"
#include "pattern/matcher.h"
#include "pattern/pattern.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t newline = input.find('\n');
  std::string_view pattern_text = input.substr(0, newline);
  std::string_view event_text =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);

  auto pattern = inflow::pattern::Pattern::Parse(pattern_text);
  if (!pattern) return 0;
  std::string p(pattern_text);
  auto matcher = inflow::pattern::Matcher::Compile({{"a", p}, {"b", p}});
  if (!matcher) __builtin_trap();  // Parse accepted it, so compiling must too

  auto raw = matcher->Match(event_text);
  simdjson::dom::parser parser;
  simdjson::dom::element event;
  simdjson::padded_string padded(event_text);
  if (parser.parse(padded).get(event) != simdjson::SUCCESS) return 0;
  if (!raw) __builtin_trap();  // valid JSON must be matchable
  auto dom_hits = matcher->Match(event);
  bool explained = inflow::pattern::Explain(*pattern, event).matched;
  bool raw_hit = !raw->empty();
  if (raw->size() == 1 || dom_hits.size() == 1) __builtin_trap();  // identical patterns
  if (raw_hit != !dom_hits.empty() || raw_hit != explained) __builtin_trap();
  return 0;
}
