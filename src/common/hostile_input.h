// Documents built to hurt a reader, shared by the tests of every input path (config documents,
// `transform test`, `inflow run`). Test-only.
//
// Thread safety: pure functions.
#ifndef INFLOW_COMMON_HOSTILE_INPUT_H_
#define INFLOW_COMMON_HOSTILE_INPUT_H_

#include <string>

namespace inflow {

// "Billion laughs" in YAML: nine levels of nine aliases, 9^9 values once expanded, under the
// key `body`.
inline std::string YamlAliasBomb() {
  std::string yaml = "a0: &a0 [\"lol\"]\n";
  for (int i = 1; i <= 9; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    yaml += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 9; ++k) yaml += (k ? ", " : "") + prev;
    yaml += "]\n";
  }
  return yaml + "body: *a9\n";
}

}  // namespace inflow

#endif  // INFLOW_COMMON_HOSTILE_INPUT_H_
