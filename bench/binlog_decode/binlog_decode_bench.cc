// Binlog decode throughput on one core: the recorded binlog of a mixed workload (see
// ./generate) decoded end to end — events to committed transactions of ChangeRecords with
// every row image rendered to JSON. Reports MiB/s of binlog and rows/s.
//
//   bench/binlog_decode/generate --dir build/release/binlog-bench
//   INFLOW_BINLOG_DIR=build/release/binlog-bench/binlogs build/release/bench/binlog_decode/binlog_decode_bench
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "capture/mysql/decoder.h"

namespace {

using inflow::capture::mysql::BinlogDecoder;
using inflow::capture::mysql::BinlogFileReader;

struct Recorded {
  std::vector<std::string> paths;
  std::vector<BinlogFileReader> readers;             // own the bytes of every event
  std::vector<std::span<const uint8_t>> events;      // checksums verified and stripped
  uint64_t bytes = 0;
  std::string error;
};

const Recorded& Load() {
  static Recorded r = [] {
    Recorded rec;
    const char* dir = std::getenv("INFLOW_BINLOG_DIR");
    if (!dir) {
      rec.error = "set INFLOW_BINLOG_DIR to the binlogs/ folder written by bench/binlog_decode/generate";
      return rec;
    }
    for (const auto& e : std::filesystem::directory_iterator(dir)) rec.paths.push_back(e.path());
    std::sort(rec.paths.begin(), rec.paths.end());
    for (const auto& p : rec.paths) {
      auto reader = BinlogFileReader::Open(p);
      if (!reader) {
        rec.error = reader.error().ToString();
        return rec;
      }
      rec.bytes += reader->size();
      rec.readers.push_back(std::move(*reader));
    }
    for (auto& reader : rec.readers) {
      while (true) {
        auto ev = reader.Next();
        if (!ev) {
          rec.error = ev.error().ToString();
          return rec;
        }
        if (!*ev) break;
        rec.events.push_back(**ev);
      }
    }
    return rec;
  }();
  return r;
}

void BM_DecodeRecordedBinlog(benchmark::State& state) {
  const Recorded& rec = Load();
  if (!rec.error.empty()) {
    state.SkipWithError(rec.error.c_str());
    return;
  }
  uint64_t rows = 0;
  for (auto _ : state) {
    BinlogDecoder decoder(BinlogDecoder::Options{});
    for (auto ev : rec.events) {
      auto tx = decoder.Feed(ev);
      if (!tx) {
        state.SkipWithError(tx.error().ToString().c_str());
        return;
      }
      benchmark::DoNotOptimize(tx);
    }
    rows += decoder.rows_decoded();
  }
  state.SetBytesProcessed(static_cast<int64_t>(rec.bytes * state.iterations()));
  state.counters["rows/s"] = benchmark::Counter(static_cast<double>(rows),
                                                benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DecodeRecordedBinlog)->Unit(benchmark::kMillisecond)->MinTime(3);

// File framing plus CRC32 verification alone, for comparison.
void BM_ReadAndVerifyChecksums(benchmark::State& state) {
  const Recorded& rec = Load();
  if (!rec.error.empty()) {
    state.SkipWithError(rec.error.c_str());
    return;
  }
  for (auto _ : state) {
    for (const auto& p : rec.paths) {
      auto reader = BinlogFileReader::Open(p);
      while (reader) {
        auto ev = reader->Next();
        if (!ev || !*ev) break;
        benchmark::DoNotOptimize(**ev);
      }
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(rec.bytes * state.iterations()));
}
BENCHMARK(BM_ReadAndVerifyChecksums)->Unit(benchmark::kMillisecond)->MinTime(2);

}  // namespace

BENCHMARK_MAIN();
