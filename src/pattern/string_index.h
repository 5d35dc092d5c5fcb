// The matcher's string indexes: an open-addressing map from string to field-test ids, and the
// per-length index that answers prefix and suffix conditions with one lookup per distinct
// length. Internal to the matcher (matcher.h); the lookups run for every event string, so they
// are inline.
//
// Thread safety: built by one thread while compiling, then only read (any number of threads).
#ifndef INFLOW_PATTERN_STRING_INDEX_H_
#define INFLOW_PATTERN_STRING_INDEX_H_

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pattern/test_ids.h"

namespace inflow::pattern {

// String → test ids, probed once or more per event string: open addressing over one flat slot
// array (power-of-two size, at most half full), so a lookup is a hash, a mask and usually one
// string compare — no division by a prime bucket count and no node pointer chasing, which
// dominated matching with std::unordered_map once a field had more than a few values.
class StringMap {
 public:
  // The ids for `key`, created empty if absent. Build time only: invalidates earlier pointers.
  Ids& operator[](const std::string& key) {
    if ((entries_.size() + 1) * 2 > slots_.size()) Grow();
    uint64_t h = Hash(key);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      Slot& slot = slots_[i];
      if (slot.entry == kNone) {
        slot = {h, static_cast<uint32_t>(entries_.size())};
        entries_.emplace_back(key, Ids());
        return entries_.back().second;
      }
      if (slot.hash == h && entries_[slot.entry].first == key) return entries_[slot.entry].second;
    }
  }
  const Ids* find(std::string_view key) const {
    if (entries_.empty()) return nullptr;
    uint64_t h = Hash(key);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (slot.entry == kNone) return nullptr;
      if (slot.hash == h && entries_[slot.entry].first == key) return &entries_[slot.entry].second;
    }
  }
  bool empty() const { return entries_.empty(); }

 private:
  struct Slot {
    uint64_t hash = 0;
    uint32_t entry = kNone;
  };
  static uint64_t Hash(std::string_view s) { return std::hash<std::string_view>()(s); }
  void Grow() {
    size_t size = std::max<size_t>(16, slots_.size() * 2);
    slots_.assign(size, Slot{});
    mask_ = size - 1;
    for (uint32_t e = 0; e < entries_.size(); ++e) {
      uint64_t h = Hash(entries_[e].first);
      size_t i = h & mask_;
      while (slots_[i].entry != kNone) i = (i + 1) & mask_;
      slots_[i] = {h, e};
    }
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  std::vector<std::pair<std::string, Ids>> entries_;
};

// Strings keyed by exact text, probed once per distinct key length: prefix and suffix
// conditions cost one hash lookup per distinct length, whatever their number.
struct LengthIndex {
  StringMap by_text;
  std::vector<size_t> lengths;  // ascending, distinct

  void Add(const std::string& text, uint32_t test) {
    by_text[text].push_back(test);
    if (std::find(lengths.begin(), lengths.end(), text.size()) == lengths.end()) {
      lengths.insert(std::upper_bound(lengths.begin(), lengths.end(), text.size()), text.size());
    }
  }
  bool empty() const { return lengths.empty(); }
  template <typename F>
  void Prefixes(std::string_view s, F&& fire) const {
    for (size_t len : lengths) {
      if (len > s.size()) break;
      if (const Ids* ids = by_text.find(s.substr(0, len))) fire(*ids);
    }
  }
  template <typename F>
  void Suffixes(std::string_view s, F&& fire) const {
    for (size_t len : lengths) {
      if (len > s.size()) break;
      if (const Ids* ids = by_text.find(s.substr(s.size() - len))) fire(*ids);
    }
  }
};

}  // namespace inflow::pattern

#endif  // INFLOW_PATTERN_STRING_INDEX_H_
