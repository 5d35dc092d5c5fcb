// The one place that knows which source URL schemes exist. Modules above capture check (and,
// later, open) a source through it, so none of them names a MySQL type.
//
// Thread safety: pure functions.
#ifndef INFLOW_CAPTURE_OPEN_SOURCE_H_
#define INFLOW_CAPTURE_OPEN_SOURCE_H_

#include <string_view>

#include "common/result.h"

namespace inflow::capture {

// Checks a source URL's scheme and syntax without connecting. kInvalidArgument says what is
// wrong; no part of the URL's userinfo (the password) ever appears in the message.
Result<void> CheckSourceUrl(std::string_view url);

}  // namespace inflow::capture

#endif  // INFLOW_CAPTURE_OPEN_SOURCE_H_
