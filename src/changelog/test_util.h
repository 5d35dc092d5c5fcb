// Helpers shared by the changelog tests: deterministic random ChangeRecords.
#ifndef INFLOW_CHANGELOG_TEST_UTIL_H_
#define INFLOW_CHANGELOG_TEST_UTIL_H_

#include <random>
#include <string>

#include "changelog/change_record.h"

namespace inflow::changelog::testing {

inline std::string RandomText(std::mt19937_64& rng, size_t max_len) {
  std::uniform_int_distribution<size_t> len(0, max_len);
  std::string s(len(rng), '\0');
  for (char& c : s) c = static_cast<char>('a' + rng() % 26);
  return s;
}

inline ChangeRecord RandomRecord(std::mt19937_64& rng, int64_t ts_ms, size_t image_bytes = 64) {
  ChangeRecord r;
  r.op = static_cast<Operation>(1 + rng() % 4);
  r.source_timestamp_ms = ts_ms;
  r.position = {"mysql-bin.0000" + std::to_string(rng() % 10), rng() % 100000,
                "0-1-" + std::to_string(rng() % 1000), 0};
  r.transaction_id = r.position.gtid_set;
  r.database = "db" + std::to_string(rng() % 3);
  r.table = "t" + std::to_string(rng() % 5);
  if (r.op == Operation::kDdl) {
    r.ddl = "ALTER TABLE " + r.table + " ADD COLUMN c" + RandomText(rng, 8) + " int";
    return r;
  }
  r.columns = {{"id", "bigint(20)", 8, true, false, false, ""},
               {"v", "varchar(255)", 253, false, rng() % 2 == 0, true, "utf8mb4"}};
  std::string image = "{\"id\":" + std::to_string(rng() % 1000000) + ",\"v\":\"" +
                      RandomText(rng, image_bytes) + "\"}";
  if (r.op != Operation::kInsert) r.before_json = image;
  if (r.op != Operation::kDelete) r.after_json = image;
  return r;
}

// A record whose encoding is close to `bytes` long (for benchmarks and size tests).
inline ChangeRecord SizedRecord(int64_t ts_ms, size_t bytes, uint64_t seq) {
  ChangeRecord r;
  r.op = Operation::kUpdate;
  r.source_timestamp_ms = ts_ms;
  r.position = {"mysql-bin.000042", 4 + seq * 300, "0-1-" + std::to_string(seq), 0};
  r.transaction_id = r.position.gtid_set;
  r.database = "shop";
  r.table = "orders";
  r.columns = {{"id", "bigint(20)", 8, true, false, false, ""},
               {"status", "varchar(16)", 253, false, false, true, "utf8mb4"},
               {"note", "text", 252, false, false, true, "utf8mb4"}};
  size_t fixed = 218;  // what the record holds besides the padding, encoded
  size_t pad = bytes > fixed ? (bytes - fixed) / 2 : 1;
  r.before_json = "{\"id\":" + std::to_string(seq) + ",\"status\":\"new\",\"note\":\"" +
                  std::string(pad, 'x') + "\"}";
  r.after_json = "{\"id\":" + std::to_string(seq) + ",\"status\":\"paid\",\"note\":\"" +
                 std::string(pad, 'y') + "\"}";
  return r;
}

}  // namespace inflow::changelog::testing

#endif  // INFLOW_CHANGELOG_TEST_UTIL_H_
