// Regex: an RFC 9485 I-Regexp, the regular-expression dialect of JSONPath's match() and
// search() functions, compiled to a Thompson NFA and run as a Pike VM.
//
// Why not std::regex (or any backtracking engine): patterns may come from the event itself
// (`match(@.a, @.pattern)`), and backtracking is exponential on patterns such as `(a*)*b` and
// recursive in the input length, so an event could stall or crash the pipeline. The Pike VM
// keeps one set of NFA states per input character: time is O(pattern × input), memory is
// O(pattern), and nothing recurses on the input. The program size is bounded (kMaxProgram), so
// a counted repetition such as `(a{1000}){1000}` is rejected instead of exploding. O(pattern ×
// input) can still be billions of steps (`(.*){1000}` over a long string), so every match runs
// against a step budget that counts the real work: one unit per NFA state entered or tried.
//
// RFC 9485's grammar lists `^` and `$` among the ordinary characters, but the JSONPath
// compliance suite (and the ECMAScript / PCRE mappings of RFC 9485 §5) treat them as anchors;
// we follow the suite: `^` matches only at the start of the text, `$` only at its end. `.`
// matches any character but \n and \r. \p{..} / \P{..} use the Unicode general categories of ICU.
//
// Thread safety: immutable after Compile; FullMatch/Search may run concurrently.
#ifndef INFLOW_JSONPATH_IREGEXP_H_
#define INFLOW_JSONPATH_IREGEXP_H_

#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace inflow::jsonpath {

class Regex {
 public:
  // Largest NFA program accepted, in instructions; bounds the work per input character.
  static constexpr size_t kMaxProgram = 4096;

  // Compiles an I-Regexp (UTF-8). Errors are kInvalidArgument naming the byte position.
  static Result<Regex> Compile(std::string_view pattern);

  // Whether the whole of `text` (valid UTF-8) matches — JSONPath match(). Each NFA thread step
  // (a state entered while following epsilon edges, or tried against a character) costs one
  // unit of *budget, which is decreased by the work done; when the work would exceed it, fails
  // with kResourceExhausted and sets *budget to 0.
  Result<bool> FullMatch(std::string_view text, size_t* budget) const;
  // Whether some substring of `text` matches — JSONPath search(). Budget as FullMatch.
  Result<bool> Search(std::string_view text, size_t* budget) const;

  struct Program;  // defined in iregexp.cc

 private:
  explicit Regex(std::shared_ptr<const Program> program) : program_(std::move(program)) {}
  Result<bool> Run(std::string_view text, bool anchored, size_t* budget) const;

  std::shared_ptr<const Program> program_;
};

// Decodes one code point of valid UTF-8 at text[*i] and advances *i. Invalid bytes decode as
// U+FFFD one byte at a time, so a caller never loops forever.
char32_t DecodeUtf8(std::string_view text, size_t* i);

}  // namespace inflow::jsonpath

#endif  // INFLOW_JSONPATH_IREGEXP_H_
