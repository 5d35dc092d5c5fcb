// Fuzzes the task-file / sink-file reader (ParseConfigDocument: JSON or YAML by content).
// Whatever the input, it must answer quickly with a tree or an error value: no crash, no stack
// overflow, no alias expansion past its budget (libFuzzer's -rss_limit_mb and -timeout catch
// those). An accepted document must be a tree the rest of inflow can hold: strict UTF-8 dump()
// works, and dumping it as JSON and reading it back gives the same tree.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/config_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto doc = inflow::ParseConfigDocument(text, "task");
  if (!doc) {
    if (doc.error().message().rfind("task: ", 0) != 0) __builtin_trap();  // errors name `what`
    return 0;
  }
  std::string dumped;
  try {
    dumped = doc->dump();  // strict: invalid UTF-8 in a string would throw
  } catch (const nlohmann::json::exception&) {
    __builtin_trap();
  }
  if (!doc->is_object() && !doc->is_array()) return 0;  // a bare scalar dumps as YAML-ish text
  auto again = inflow::ParseConfigDocument(dumped, "task");
  if (!again || *again != *doc) __builtin_trap();
  return 0;
}
