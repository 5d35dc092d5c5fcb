// Path: a compiled RFC 9535 JSONPath query, evaluated over a simdjson DOM document.
//
//   INFLOW_TRY(auto path, jsonpath::Path::Compile("$.data.afterImage[?@.qty > 2].id"));
//   std::vector<simdjson::dom::element> nodes;
//   path.Evaluate(doc, &nodes);
//
// The full RFC 9535 grammar is supported (names, wildcard, indexes, slices, descendants, unions,
// filters with comparisons, && || !, and the functions length/count/match/search/value); see
// README.md for the choices where the managed service's Jayway dialect differs.
//
// Thread safety: a Path is immutable after Compile; copies share the compiled form, and one Path
// may be evaluated from many threads at once. The returned elements point into the caller's
// simdjson document and live as long as it does.
#ifndef INFLOW_JSONPATH_PATH_H_
#define INFLOW_JSONPATH_PATH_H_

#include <simdjson.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace inflow::jsonpath {

namespace internal {
struct Query;
}  // namespace internal

class Path {
 public:
  // Parses an RFC 9535 query. Errors are kInvalidArgument with the 0-based character position:
  // "position 4: expected a member name after '.'".
  static Result<Path> Compile(std::string_view expr);

  // True for a singular query (RFC 9535 §2.3.5.1: only name and index segments), which selects
  // at most one node — what the sink's JSONPATH form requires for keys/tag/sharding_key.
  bool IsSingular() const;

  // Work units (nodes visited, selected or compared; NFA steps of match() / search()) one may
  // spend by default, enough for a simple query over a document of millions of nodes. A query
  // like `$..*..*..*` is polynomial in the document size, so without a bound one event could
  // stall the pipeline.
  static constexpr size_t kDefaultWorkBudget = size_t{1} << 24;

  // Appends the selected nodes in RFC 9535 order. A query that exceeds kDefaultWorkBudget on
  // this document appends nothing (EvaluateChecked tells this case apart).
  void Evaluate(simdjson::dom::element root, std::vector<simdjson::dom::element>* out) const;

  // As Evaluate, but fails with kResourceExhausted (appending nothing) when the evaluation
  // would spend more than `work_budget` units.
  Status EvaluateChecked(simdjson::dom::element root, std::vector<simdjson::dom::element>* out,
                         size_t work_budget = kDefaultWorkBudget) const;

  const std::string& text() const { return text_; }

 private:
  Path(std::string text, std::shared_ptr<const internal::Query> query)
      : text_(std::move(text)), query_(std::move(query)) {}

  std::string text_;
  std::shared_ptr<const internal::Query> query_;
};

// Compact JSON of a node (what `inflow jsonpath` prints).
std::string ToCompactJson(simdjson::dom::element node);

}  // namespace inflow::jsonpath

#endif  // INFLOW_JSONPATH_PATH_H_
