// ConfigErrors: collects every problem found while validating one configuration document, each
// with the field path it concerns, so a user sees all of them at once:
//   "sink.body.form: must be one of ORIGINAL, JSONPATH, CONSTANT, TEMPLATE; batch.max_events: ..."
//
// Thread safety: not thread-safe; one validation pass owns an instance.
#ifndef INFLOW_COMMON_CONFIG_ERRORS_H_
#define INFLOW_COMMON_CONFIG_ERRORS_H_

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace inflow {

class ConfigErrors {
 public:
  void Add(std::string_view path, std::string_view reason) {
    std::string e(path);
    e += ": ";
    e += reason;
    list_.push_back(std::move(e));
  }
  // Adds an error that already carries its path (e.g. from a nested validator).
  void AddError(const Error& error) { list_.push_back(error.message()); }

  bool empty() const { return list_.empty(); }
  const std::vector<std::string>& list() const { return list_; }

  // All errors as one kInvalidArgument, joined by "; ".
  Error ToError() const {
    std::string message;
    for (const auto& e : list_) {
      if (!message.empty()) message += "; ";
      message += e;
    }
    return InvalidArgument(std::move(message));
  }

 private:
  std::vector<std::string> list_;
};

// "a.b" + "c" → "a.b.c"; "" + "c" → "c".
inline std::string JoinPath(std::string_view parent, std::string_view child) {
  if (parent.empty()) return std::string(child);
  std::string p(parent);
  if (!child.empty() && child.front() != '[') p += '.';
  p += child;
  return p;
}

}  // namespace inflow

#endif  // INFLOW_COMMON_CONFIG_ERRORS_H_
