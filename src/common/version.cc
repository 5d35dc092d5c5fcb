#include "common/version.h"

namespace inflow {
const char* Version() { return INFLOW_VERSION_STRING; }
}  // namespace inflow
