// libFuzzer entry: treats the input as a binlog file (magic prepended when absent) and decodes
// every event, with and without the TABLE_MAP metadata. Seeds: binlog_decoder_fuzz_corpus/ (the
// recorded files of testdata/).
#include <cstdint>
#include <string>

#include "capture/mysql/decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace inflow::capture::mysql;
  std::string bytes(reinterpret_cast<const char*>(data), size);
  if (bytes.compare(0, 4,
                    "\xfe"
                    "bin") != 0)
    bytes.insert(0,
                 "\xfe"
                 "bin");
  for (bool metadata : {true, false}) {
    auto reader = BinlogFileReader::FromBytes("fuzz.000001", bytes);
    if (!reader) return 0;
    BinlogDecoder::Options options;
    options.use_binlog_metadata = metadata;
    BinlogDecoder decoder(options);
    for (int i = 0; i < 10000; ++i) {
      auto event = reader->Next();
      if (!event || !*event) break;
      if (!decoder.Feed(**event)) break;
    }
  }
  return 0;
}
