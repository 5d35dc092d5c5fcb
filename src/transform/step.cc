#include "transform/step.h"

namespace inflow::transform {

void AssignBatchIds(const std::vector<Event>& in, std::vector<Event>* out) {
  if (in.size() == out->size()) {
    for (size_t i = 0; i < in.size(); ++i) {
      (*out)[i].id = in[i].id;
      if (!(*out)[i].topic) (*out)[i].topic = in[i].topic;
    }
    return;
  }
  const std::string base = in.empty() ? std::string() : in.back().id;
  for (size_t i = 0; i < out->size(); ++i) (*out)[i].id = base + "#" + std::to_string(i);
}

}  // namespace inflow::transform
