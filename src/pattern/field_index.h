// What the compiled matcher knows of one event field (FieldIndex: every condition the patterns
// ask of it, in the flat per-kind structures of string_index.h and numeric_index.h, plus cidr
// tables and the anything-but lists) and the trie of event keys that leads to the fields
// (PathNode). Internal to the matcher (matcher.h).
//
// Thread safety: built by one thread while compiling, then only read (any number of threads).
#ifndef INFLOW_PATTERN_FIELD_INDEX_H_
#define INFLOW_PATTERN_FIELD_INDEX_H_

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "pattern/numeric_index.h"
#include "pattern/pattern.h"
#include "pattern/string_index.h"
#include "pattern/test_ids.h"

namespace inflow::pattern {

// Cidr blocks hashed by their masked address, one table per prefix length in use.
struct CidrIndex {
  struct Table {
    bool v6;
    int prefix_len;
    std::unordered_map<std::string, Ids> by_network;
  };
  std::vector<Table> tables;

  static std::string Key(const std::array<uint8_t, 16>& addr, int prefix_len) {
    std::array<uint8_t, 16> masked = addr;
    for (int bit = prefix_len; bit < 128; ++bit) masked[bit / 8] &= ~(0x80u >> (bit % 8));
    return std::string(reinterpret_cast<const char*>(masked.data()), masked.size());
  }
  void Add(const CidrBlock& block, uint32_t test) {
    for (Table& t : tables) {
      if (t.v6 == block.v6 && t.prefix_len == block.prefix_len) {
        t.by_network[Key(block.address, block.prefix_len)].push_back(test);
        return;
      }
    }
    tables.push_back({block.v6, block.prefix_len, {}});
    tables.back().by_network[Key(block.address, block.prefix_len)].push_back(test);
  }
};

struct NumberHash {
  size_t operator()(double d) const { return std::hash<double>()(d == 0 ? 0.0 : d); }
};

// Everything the patterns ask of one event field.
struct FieldIndex {
  StringMap exact_string;
  std::unordered_map<double, Ids, NumberHash> exact_number;
  Ids exact_true, exact_false, exact_null;
  StringMap equals_ignore_case;
  LengthIndex prefix, suffix, prefix_ignore_case, suffix_ignore_case;
  std::vector<std::pair<std::string, uint32_t>> contains;
  std::vector<std::pair<const Wildcard*, uint32_t>> wildcards;
  NumericIndex numeric;
  CidrIndex cidr;
  // anything-but with values: every such test fires unless the value is in its list.
  Ids anything_but;
  StringMap anything_but_string;
  std::unordered_map<double, Ids, NumberHash> anything_but_number;
  Ids anything_but_true, anything_but_false, anything_but_null;
  // anything-but prefix / suffix / equals-ignore-case / wildcard: checked one by one.
  std::vector<std::pair<const Condition*, uint32_t>> anything_but_string_ops;
  Ids exists_true, exists_false;
  bool needs_lower = false;

  // Exact number lists compare the exact value; ranges only need its segment.
  bool NeedsExactNumber() const { return !exact_number.empty() || !anything_but_number.empty(); }
};

// Which event keys lead to which fields.
struct PathNode {
  std::vector<std::pair<std::string, uint32_t>> children;
  uint32_t field = kNone;
};

}  // namespace inflow::pattern

#endif  // INFLOW_PATTERN_FIELD_INDEX_H_
