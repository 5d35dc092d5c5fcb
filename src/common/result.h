// Result<T>: a value or an Error (tl::expected). Status is Result<void>.
//
// Usage:
//   Result<int> ParsePort(std::string_view s);
//   auto port = ParsePort(s);
//   if (!port) return tl::unexpected(port.error().WithContext("listen"));
//   INFLOW_TRY(auto p, ParsePort(s));   // the same, shorter
//
// Thread safety: value types.
#ifndef INFLOW_COMMON_RESULT_H_
#define INFLOW_COMMON_RESULT_H_

#include <tl/expected.hpp>

#include "common/error.h"

namespace inflow {

template <typename T>
using Result = tl::expected<T, Error>;
using Status = Result<void>;

inline tl::unexpected<Error> Fail(Error e) { return tl::unexpected<Error>(std::move(e)); }
inline tl::unexpected<Error> Fail(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error(code, std::move(message)));
}
inline Status Ok() { return {}; }

}  // namespace inflow

#define INFLOW_CONCAT_INNER_(a, b) a##b
#define INFLOW_CONCAT_(a, b) INFLOW_CONCAT_INNER_(a, b)

// INFLOW_TRY(decl, expr): evaluates expr (a Result<T>); on error returns it from the enclosing
// function, otherwise binds the value to decl.
#define INFLOW_TRY(decl, expr) INFLOW_TRY_IMPL_(INFLOW_CONCAT_(inflow_try_, __LINE__), decl, expr)
#define INFLOW_TRY_IMPL_(tmp, decl, expr)                                     \
  auto tmp = (expr);                                                          \
  if (!tmp) return ::tl::unexpected<::inflow::Error>(std::move(tmp).error()); \
  decl = std::move(tmp).value()

// INFLOW_RETURN_IF_ERROR(expr): for a Status (or any Result whose value is not needed).
#define INFLOW_RETURN_IF_ERROR(expr)                                               \
  do {                                                                             \
    auto inflow_status_ = (expr);                                                  \
    if (!inflow_status_)                                                           \
      return ::tl::unexpected<::inflow::Error>(std::move(inflow_status_).error()); \
  } while (0)

#endif  // INFLOW_COMMON_RESULT_H_
