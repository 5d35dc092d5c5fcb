// The inflow version string, set by the build from CMakeLists.txt's project(VERSION).
#ifndef INFLOW_COMMON_VERSION_H_
#define INFLOW_COMMON_VERSION_H_

namespace inflow {
const char* Version();
}  // namespace inflow

#endif  // INFLOW_COMMON_VERSION_H_
