// Pattern matching throughput on CityLots-shaped events: one benchmark per pattern set
// (citylots.h), single thread, so items_per_second is events/s per core. The counter `matches`
// is the number of (event, pattern) hits over the first 20 000 events; bench/pattern/run compares
// it with quamina's to prove both engines did the same work.
//
// Flags (before Google Benchmark's own):
//   --data=DIR        read DIR/events.jsonl and DIR/<set>.ours.jsonl instead of generating
//   --write-data=DIR  generate, write events and both engines' pattern files to DIR, and exit
//   --events=N        number of generated events (default 200000)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "citylots.h"
#include "pattern/matcher.h"

namespace {

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

void WriteLines(const std::string& path, const std::vector<std::string>& lines) {
  std::ofstream out(path);
  for (const auto& l : lines) out << l << "\n";
}

std::vector<std::string>* g_events = nullptr;
constexpr size_t kCheckEvents = 20000;  // same constant in quamina/main.go

void BM_Match(benchmark::State& state, const inflow::pattern::Matcher* matcher) {
  const auto& events = *g_events;
  // One untimed pass over the first kCheckEvents for the hit count the run script compares
  // with quamina's (a full pass of the slowest peer would dominate the run).
  size_t matches = 0;
  for (size_t k = 0; k < std::min(events.size(), kCheckEvents); ++k) {
    matches += matcher->Match(events[k]).value().size();
  }
  size_t i = 0;
  size_t errors = 0;
  for (auto _ : state) {
    auto hits = matcher->Match(events[i]);
    if (!hits) ++errors;
    benchmark::DoNotOptimize(hits);
    if (++i == events.size()) i = 0;
  }
  if (errors) state.SkipWithError("an event failed to parse");
  state.SetItemsProcessed(state.iterations());
  state.counters["matches"] = static_cast<double>(matches);
  state.counters["patterns"] = static_cast<double>(matcher->size());
}

}  // namespace

int main(int argc, char** argv) {
  std::string data_dir, write_dir;
  size_t count = 200000;
  std::vector<char*> rest = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--data=", 0) == 0) {
      data_dir = a.substr(7);
    } else if (a.rfind("--write-data=", 0) == 0) {
      write_dir = a.substr(13);
    } else if (a.rfind("--events=", 0) == 0) {
      count = std::stoul(a.substr(9));
    } else {
      rest.push_back(argv[i]);
    }
  }
  auto sets = inflow::bench::BenchmarkPatternSets();
  std::vector<std::string> events;
  if (!data_dir.empty()) {
    events = ReadLines(data_dir + "/events.jsonl");
    for (auto& s : sets) s.ours = ReadLines(data_dir + "/" + s.name + ".ours.jsonl");
  } else {
    const char* shared = std::getenv("INFLOW_SHARED_DIR");
    std::string samples =
        std::string(shared ? shared : INFLOW_SHARED_DIR_DEFAULT) + "/data/citylots-samples";
    auto generated = inflow::bench::GenerateCityLots(samples, count, 20260101);
    if (!generated) {
      std::cerr << generated.error().ToString() << "\n";
      return 2;
    }
    events = std::move(*generated);
  }
  if (events.empty()) {
    std::cerr << "no events\n";
    return 2;
  }
  if (!write_dir.empty()) {
    std::filesystem::create_directories(write_dir);
    WriteLines(write_dir + "/events.jsonl", events);
    for (const auto& s : sets) {
      WriteLines(write_dir + "/" + s.name + ".ours.jsonl", s.ours);
      if (!s.quamina.empty()) WriteLines(write_dir + "/" + s.name + ".quamina.jsonl", s.quamina);
    }
    size_t bytes = 0;
    for (const auto& e : events) bytes += e.size();
    std::printf("wrote %zu events (mean %zu B) and %zu pattern sets to %s\n", events.size(),
                bytes / events.size(), sets.size(), write_dir.c_str());
    return 0;
  }
  g_events = &events;

  std::vector<inflow::pattern::Matcher> matchers;
  matchers.reserve(sets.size());
  for (const auto& s : sets) {
    std::vector<std::pair<std::string, std::string>> named;
    for (size_t i = 0; i < s.ours.size(); ++i) named.emplace_back(std::to_string(i), s.ours[i]);
    auto m = inflow::pattern::Matcher::Compile(named);
    if (!m) {
      std::cerr << s.name << ": " << m.error().ToString() << "\n";
      return 2;
    }
    matchers.push_back(std::move(*m));
    benchmark::RegisterBenchmark(("Match/" + s.name).c_str(), BM_Match, &matchers.back());
  }
  int bench_argc = static_cast<int>(rest.size());
  benchmark::Initialize(&bench_argc, rest.data());
  if (benchmark::ReportUnrecognizedArguments(bench_argc, rest.data())) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
