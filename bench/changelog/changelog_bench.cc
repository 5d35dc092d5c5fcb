// Change log benchmarks on the real filesystem (PosixFileSystem), in $TMPDIR (or /tmp).
//   Append: 600-byte records at the default durability (fdatasync before Append returns),
//           batches of N records per Append, T concurrent appenders (group commit).
//   Read:   sequential Read() of a pre-filled log from the page cache (CRC check + decode).
//   Seek:   SeekTime() to random timestamps in a 1 M-record log.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <random>

#include "changelog/change_log.h"
#include "changelog/record_codec.h"
#include "changelog/test_util.h"

namespace inflow::changelog {
namespace {

constexpr size_t kRecordBytes = 600;

std::filesystem::path BenchDir(const std::string& name) {
  const char* tmp = std::getenv("TMPDIR");
  auto dir = std::filesystem::path(tmp ? tmp : "/tmp") /
             ("inflow_changelog_bench_" + std::to_string(::getpid())) / name;
  std::filesystem::remove_all(dir);
  return dir;
}

std::vector<ChangeRecord> MakeBatch(size_t n, int64_t ts, uint64_t seq) {
  std::vector<ChangeRecord> batch;
  batch.reserve(n);
  for (size_t i = 0; i < n; ++i) batch.push_back(testing::SizedRecord(ts, kRecordBytes, seq + i));
  return batch;
}

size_t EncodedSize(const ChangeRecord& r) {
  std::string s;
  EncodeChangeRecord(r, &s);
  return s.size();
}

// Shared by the threads of one Append run.
std::mutex g_mu;
std::unique_ptr<ChangeLog> g_log;

void BM_Append(benchmark::State& state, SyncPolicy policy) {
  const size_t batch_size = static_cast<size_t>(state.range(0));
  if (state.thread_index() == 0) {
    LogOptions o;
    o.sync = policy;
    o.retention_bytes = 2ull << 30;  // keep the disk footprint bounded during long runs
    auto log = ChangeLog::Open(PosixFileSystem(), BenchDir("append").string(), o);
    if (!log) {
      state.SkipWithError(log.error().ToString().c_str());
      return;
    }
    g_log = std::move(*log);
  }
  std::vector<ChangeRecord> batch = MakeBatch(batch_size, 1764061200000, 0);
  const size_t frame_bytes = EncodedSize(batch[0]) + 25;
  for (auto _ : state) {
    auto r = g_log->Append(batch);
    if (!r) {
      state.SkipWithError(r.error().ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * batch_size);
  state.SetBytesProcessed(state.iterations() * batch_size * frame_bytes);
  if (state.thread_index() == 0) {
    LogStats st = g_log->Stats();
    state.counters["syncs"] = static_cast<double>(st.syncs);
    state.counters["group_commits"] = static_cast<double>(st.group_commits);
    state.counters["record_bytes"] = static_cast<double>(frame_bytes);
  }
}

void BM_AppendDurable(benchmark::State& state) { BM_Append(state, SyncPolicy::kEveryBatch); }
void BM_AppendNoSync(benchmark::State& state) { BM_Append(state, SyncPolicy::kNever); }

BENCHMARK(BM_AppendDurable)->Arg(1)->Arg(100)->Arg(1000)->Arg(10000)->UseRealTime()->Threads(1);
BENCHMARK(BM_AppendDurable)->Arg(1)->Arg(100)->Arg(1000)->UseRealTime()->Threads(4);
BENCHMARK(BM_AppendNoSync)->Arg(1000)->UseRealTime()->Threads(1);

// A pre-filled log shared by the read and seek benchmarks.
ChangeLog* FilledLog(size_t records) {
  static std::unique_ptr<ChangeLog> log;
  static size_t filled = 0;
  if (log && filled == records) return log.get();
  LogOptions o;
  o.sync = SyncPolicy::kNever;
  auto opened = ChangeLog::Open(PosixFileSystem(), BenchDir("filled").string(), o);
  if (!opened) return nullptr;
  log = std::move(*opened);
  std::mt19937_64 rng(1);
  int64_t ts = 1764061200000;
  for (size_t i = 0; i < records; i += 1000) {
    std::vector<ChangeRecord> batch;
    for (size_t k = 0; k < 1000; ++k) {
      ts += static_cast<int64_t>(rng() % 20);
      batch.push_back(testing::SizedRecord(ts, kRecordBytes, i + k));
    }
    if (!log->Append(batch)) return nullptr;
  }
  filled = records;
  return log.get();
}

void BM_ReadSequential(benchmark::State& state) {
  ChangeLog* log = FilledLog(200'000);
  if (!log) {
    state.SkipWithError("fill failed");
    return;
  }
  uint64_t records = 0;
  uint64_t bytes = 0;
  Offset pos = log->StartOffset();
  std::vector<StoredRecord> got;  // reused: ReadInto recycles its records' buffers
  for (auto _ : state) {
    if (!log->ReadInto(pos, 1000, &got) || got.empty()) {
      pos = log->StartOffset();
      continue;
    }
    records += got.size();
    bytes += got.size() * kRecordBytes;
    pos = Offset(got.back().id.value() + 1);
    benchmark::DoNotOptimize(got.back().record.after_json->data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(records));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_ReadSequential)->UseRealTime();

void BM_SeekTime(benchmark::State& state) {
  ChangeLog* log = FilledLog(200'000);
  if (!log) {
    state.SkipWithError("fill failed");
    return;
  }
  auto range = log->Range();
  std::mt19937_64 rng(2);
  for (auto _ : state) {
    int64_t t = range->earliest_ms +
                static_cast<int64_t>(
                    rng() % static_cast<uint64_t>(range->latest_ms - range->earliest_ms + 1));
    auto off = log->SeekTime(t);
    benchmark::DoNotOptimize(off);
  }
}
BENCHMARK(BM_SeekTime);

}  // namespace
}  // namespace inflow::changelog

BENCHMARK_MAIN();
