// Matching an event that is already a parsed simdjson DOM: the same trie walk and firing
// functions (matcher_impl.h) as the raw-JSON path, over dom::element.
#include <simdjson.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "pattern/matcher.h"
#include "pattern/matcher_impl.h"

namespace inflow::pattern {
namespace {

namespace dom = simdjson::dom;

// --- DOM walk ---
void VisitDom(const Matcher::Impl& m, Scratch& s, dom::element e, uint32_t node) {
  const PathNode& n = m.nodes[node];
  switch (e.type()) {
    case dom::element_type::OBJECT:
      if (n.children.empty()) return;
      {
        ChildrenMet met(n.children.size());
        for (auto [key, value] : dom::object(e)) {
          uint32_t index = m.ChildIndex(node, key);
          if (index == kNone || !met.First(index)) continue;
          VisitDom(m, s, value, n.children[index].second);
          if (met.All()) break;
        }
      }
      return;
    case dom::element_type::ARRAY:
      for (dom::element item : dom::array(e)) VisitDom(m, s, item, node);
      return;
    case dom::element_type::STRING:
      if (n.field != kNone) m.OnString(s, n.field, std::string_view(e));
      return;
    case dom::element_type::INT64:
      if (n.field != kNone) m.OnNumber(s, n.field, static_cast<double>(int64_t(e)));
      return;
    case dom::element_type::UINT64:
      if (n.field != kNone) m.OnNumber(s, n.field, static_cast<double>(uint64_t(e)));
      return;
    case dom::element_type::DOUBLE:
      if (n.field != kNone) {
        double d = double(e);
        m.OnNumber(s, n.field, d == 0 ? 0.0 : d);
      }
      return;
    case dom::element_type::BOOL:
      if (n.field != kNone) m.OnAtom(s, n.field, bool(e) ? 't' : 'f');
      return;
    case dom::element_type::NULL_VALUE:
      if (n.field != kNone) m.OnAtom(s, n.field, 'n');
      return;
  }
}

}  // namespace

std::vector<size_t> Matcher::Match(const simdjson::dom::element& event) const {
  std::vector<size_t> out;
  Scratch& s = impl_->Begin(&out);
  if (event.type() == dom::element_type::OBJECT) VisitDom(*impl_, s, event, 0);
  impl_->End(s);
  return out;
}

}  // namespace inflow::pattern
