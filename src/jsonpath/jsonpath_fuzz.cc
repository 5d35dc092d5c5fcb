// libFuzzer target: compiles a fuzz-derived JSONPath query and evaluates it on a fuzz-derived
// document. Input layout: the query, a NUL byte, then the document (JSON). When the document
// part is not valid JSON, a fixed document exercising every JSON type is used so the evaluator
// still runs. Any crash, sanitizer report or timeout is a bug: bad input must only produce
// errors.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "jsonpath/iregexp.h"
#include "jsonpath/path.h"

namespace {

constexpr std::string_view kFallbackDocument = R"({
  "a": [1, -2.5, "x", true, false, null, {"b": "yz", "c": [[], {}]}],
  "s": "héllo wörld", "n": 9007199254740991, "o": {"a": {"a": 1}, "": 0}
})";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t split = input.find('\0');
  std::string_view expr = input.substr(0, split);
  std::string_view doc_text =
      split == std::string_view::npos ? std::string_view() : input.substr(split + 1);

  // The regex engine sees the same bytes as a pattern: its parser must not crash either.
  auto regex = inflow::jsonpath::Regex::Compile(expr);
  if (regex) {
    size_t budget = size_t{1} << 20;
    (void)regex->FullMatch(doc_text, &budget);
    budget = size_t{1} << 20;
    (void)regex->Search(doc_text, &budget);
  }

  auto path = inflow::jsonpath::Path::Compile(expr);
  if (!path) return 0;

  simdjson::dom::parser parser;
  simdjson::dom::element root;
  // An empty view may have a null data(), which simdjson would memcpy from.
  if (doc_text.empty() ||
      parser.parse(doc_text.data(), doc_text.size()).get(root) != simdjson::SUCCESS) {
    if (parser.parse(kFallbackDocument.data(), kFallbackDocument.size()).get(root) !=
        simdjson::SUCCESS) {
      __builtin_trap();  // the fallback document is valid JSON
    }
  }
  std::vector<simdjson::dom::element> nodes;
  path->Evaluate(root, &nodes);
  if (path->IsSingular() && nodes.size() > 1) __builtin_trap();  // RFC 9535 §2.3.5.1
  size_t bytes = 0;
  for (auto node : nodes) bytes += inflow::jsonpath::ToCompactJson(node).size();
  (void)bytes;
  return 0;
}
