// Fuzzes change-log recovery: arbitrary bytes as the only segment file must open (recovering a
// prefix) or fail with an error, and every record then served must read back without error.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "changelog/change_log.h"
#include "changelog/fault_file_system.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace inflow::changelog;
  using inflow::Offset;
  FaultInjectingFileSystem fs;
  if (!fs.CreateDirs("/log")) std::abort();
  // A valid header most of the time, so the fuzzer spends its effort on frames.
  std::string bytes(reinterpret_cast<const char*>(data), size);
  if (!bytes.empty() && bytes[0] == 'H') {
    bytes = std::string("INFLOWCL\x01\0\0\0\0\0\0\0", 16) + bytes.substr(1);
  }
  fs.SetContents("/log/00000000000000000001.log", bytes);
  ManualClock clock(1);
  LogOptions options;
  options.clock = &clock;
  auto log = ChangeLog::Open(&fs, "/log", options);
  if (!log) return 0;
  Offset pos = (*log)->StartOffset();
  while (pos < (*log)->EndOffset()) {
    auto got = (*log)->Read(pos, 100);
    if (!got || got->empty()) std::abort();  // recovered records must be readable
    pos = Offset(got->back().id.value() + 1);
  }
  (void)(*log)->SeekTime(0);
  return 0;
}
