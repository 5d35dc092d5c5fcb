// Events/s per core through the stages a task runs after reading the change log: the pattern
// filter, transform steps and message rendering, into a null sink (the rendered messages are
// counted and dropped). Events are CloudEvents rendered by changelog::RenderCloudEvent from
// UPDATE records of a 3-column table (≈ 1.2 KB: the envelope with schema and both images is
// already larger than the 650 B aimed at, so they carry no padding); 37.5 % pass the filter.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "changelog/change_record.h"
#include "changelog/cloudevent.h"
#include "changelog/stored_record.h"
#include "pattern/matcher.h"
#include "sink/render.h"
#include "transform/steps.h"

namespace {

using inflow::changelog::ChangeRecord;
using inflow::transform::Event;

constexpr size_t kEvents = 1000;  // one batch, as the task loop hands it to the steps
constexpr size_t kTargetBytes = 650;

// Shaped like changelog/test_util.h's SizedRecord; `pad` bytes of note text per image.
ChangeRecord Record(uint64_t seq, size_t pad) {
  ChangeRecord r;
  r.op = inflow::changelog::Operation::kUpdate;
  r.source_timestamp_ms = 1764061200000 + static_cast<int64_t>(seq);
  r.position = {"mysql-bin.000042", 4 + seq * 300, "0-1-" + std::to_string(seq), 0};
  r.transaction_id = r.position.gtid_set;
  r.database = "shop";
  r.table = seq % 4 == 3 ? "refunds" : "orders";
  r.columns = {{"id", "bigint(20)", 8, true, false, false, ""},
               {"status", "varchar(16)", 253, false, false, true, "utf8mb4"},
               {"amount", "decimal(10,2)", 246, false, false, false, ""}};
  // Filter selectivity: status "paid" on even seq, amount > 100 on 3 of 4 of those; orders only.
  const char* status = seq % 2 == 0 ? "paid" : "new";
  std::string amount = std::to_string(seq % 8 == 2 ? 50 : 150 + seq % 1000);
  r.before_json = "{\"id\":" + std::to_string(seq) + ",\"status\":\"new\",\"amount\":" + amount +
                  ",\"note\":\"" + std::string(pad, 'x') + "\"}";
  r.after_json = "{\"id\":" + std::to_string(seq) + ",\"status\":\"" + status +
                 "\",\"amount\":" + amount + ",\"note\":\"" + std::string(pad, 'y') + "\"}";
  return r;
}

std::vector<std::string> MakeEvents() {
  inflow::changelog::TrackingInfo tracking{"shop-tracking", "5d41402abc4b2a76b9719d911017c592",
                                           "MariaDB", "10.11.6-MariaDB"};
  auto render = [&](uint64_t seq, size_t pad) {
    inflow::changelog::StoredRecord stored{inflow::RecordId(seq), Record(seq, pad)};
    return inflow::changelog::RenderCloudEvent(stored, tracking);
  };
  size_t base = render(1000, 0).size();
  size_t pad = base < kTargetBytes ? (kTargetBytes - base) / 2 : 0;
  std::vector<std::string> events;
  for (uint64_t i = 0; i < kEvents; ++i) events.push_back(render(1000 + i, pad));
  return events;
}

const std::vector<std::string>& Events() {
  static const std::vector<std::string> events = MakeEvents();
  return events;
}

constexpr const char* kPattern =
    R"({"data":{"schema":{"tableName":["orders"]},"afterImage":{"status":["paid"],)"
    R"("amount":[{"numeric":[">",100]}]}}})";

// What kPattern must keep of Events(), from Record()'s rules: even seq (status paid; the table
// is "refunds" only for seq % 4 == 3), except seq % 8 == 2 (amount 50).
size_t ExpectedPasses() {
  size_t n = 0;
  for (uint64_t seq = 1000; seq < 1000 + kEvents; ++seq) n += seq % 2 == 0 && seq % 8 != 2;
  return n;
}

template <typename T>
T Check(inflow::Result<T> r) {
  if (!r) {
    std::fprintf(stderr, "setup failed: %s\n", r.error().ToString().c_str());
    std::abort();
  }
  return std::move(*r);
}

// One batch of kEvents: filter, then the steps, then render each survivor; counts messages.
void RunPipeline(benchmark::State& state, const nlohmann::json& transform,
                 const inflow::sink::SinkSpec* spec) {
  inflow::pattern::Matcher matcher = Check(inflow::pattern::Matcher::Compile(kPattern));
  auto steps = Check(inflow::transform::BuildSteps(transform, "transform"));
  const std::vector<std::string>& events = Events();
  size_t bytes = 0;
  for (const std::string& e : events) bytes += e.size();
  size_t passed = 0;
  size_t messages = 0;
  std::vector<Event> batch;
  for (auto _ : state) {
    batch.clear();
    for (size_t i = 0; i < events.size(); ++i) {
      auto m = matcher.Matches(events[i]);
      if (m && *m) batch.push_back(Event{events[i], std::to_string(i), {}});
    }
    // A filter that keeps the wrong events would make every figure meaningless.
    if (batch.size() != ExpectedPasses()) {
      state.SkipWithError(("the filter kept " + std::to_string(batch.size()) + " events, not " +
                           std::to_string(ExpectedPasses()))
                              .c_str());
      return;
    }
    passed += batch.size();
    for (auto& step : steps) {
      auto out = step->Apply(std::move(batch));
      if (!out) {
        state.SkipWithError(out.error().ToString().c_str());
        return;
      }
      batch = std::move(*out);
    }
    if (spec != nullptr) {
      for (const Event& e : batch) {
        auto rendered = inflow::sink::Render(*spec, e.json);
        if (!rendered) {
          state.SkipWithError(rendered.error().ToString().c_str());
          return;
        }
        if (rendered->size() != 1 || rendered->front().keys.size() != 1 ||
            rendered->front().tag != "paid") {
          state.SkipWithError("a rendered message lacks its key or tag");
          return;
        }
        messages += rendered->size();
        benchmark::DoNotOptimize(rendered->data());
      }
    } else {
      messages += batch.size();
      benchmark::DoNotOptimize(batch.data());
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * events.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["event_bytes"] = static_cast<double>(bytes) / static_cast<double>(events.size());
  state.counters["pass_ratio"] =
      static_cast<double>(passed) / static_cast<double>(state.iterations() * events.size());
  state.counters["messages"] = static_cast<double>(messages);
}

void BM_FilterOnly(benchmark::State& state) { RunPipeline(state, nullptr, nullptr); }

void BM_FilterMapTemplate(benchmark::State& state) {
  nlohmann::json transform = nlohmann::json::parse(R"([{"map":{
      "parameters":{"id":"$.data.afterImage.id","status":"$.data.afterImage.status",
                    "amount":"$.data.afterImage.amount","table":"$.data.schema.tableName"},
      "template":"{\"order\":${id},\"status\":\"${status}\",\"amount\":${amount},\"table\":\"${table}\"}"}}])");
  RunPipeline(state, transform, nullptr);
}

void BM_FilterLuaIdentity(benchmark::State& state) {
  nlohmann::json transform =
      nlohmann::json::parse(R"([{"lua":{"code":"function transform(events) return events end"}}])");
  RunPipeline(state, transform, nullptr);
}

void BM_FilterRender(benchmark::State& state) {
  static const inflow::sink::SinkSpec spec =
      Check(inflow::sink::SinkSpec::Parse(nlohmann::json::parse(R"({
      "topic":"orders-paid",
      "body":{"form":"TEMPLATE",
              "value":"{\"id\":\"$.data.afterImage.id\",\"status\":\"$.data.afterImage.status\",\"amount\":\"$.data.afterImage.amount\",\"at\":\"$.time\"}",
              "template":"{\"order\":${id},\"status\":\"${status}\",\"amount\":${amount},\"at\":\"${at}\"}"},
      "keys":{"form":"JSONPATH","value":"$.data.afterImage.id"},
      "tag":{"form":"CONSTANT","value":"paid"}})")));
  RunPipeline(state, nullptr, &spec);
}

BENCHMARK(BM_FilterOnly)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_FilterMapTemplate)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_FilterLuaIdentity)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_FilterRender)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
