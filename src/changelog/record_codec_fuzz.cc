// Fuzzes the ChangeRecord payload decoder: any bytes decode or fail cleanly, and whatever
// decodes re-encodes to something that decodes to the same record.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "changelog/record_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace inflow::changelog;
  auto r = DecodeChangeRecord(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!r) return 0;
  std::string again;
  EncodeChangeRecord(*r, &again);
  auto twice = DecodeChangeRecord(again);
  if (!twice || !(*twice == *r)) std::abort();
  return 0;
}
