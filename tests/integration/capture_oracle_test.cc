// Oracle test of the binlog decoder against a real MariaDB (fixture `mariadb`).
//
// The test runs a workload in phases through the `mariadb` client (root over the unix socket).
// After each phase it inserts a marker row and snapshots every table with a canonical SELECT
// (documented in docs/value-mapping.md: CAST … AS CHAR for numbers and temporal values, HEX()
// of the UTF-8 conversion for text, HEX() for binary, CAST(float AS DOUBLE), TIMESTAMPs with
// time_zone '+00:00'). Then it decodes the server's binlog FILES (FLUSH BINARY LOGS, read from
// MYSQL_DATADIR with BinlogFileReader) and checks every decoded row image: after-images equal
// the snapshot taken after their phase, before-images the snapshot before it. Any difference
// fails. It runs twice: with the binlog's FULL row metadata, and with the metadata ignored so
// that every column is described by the schema history that follows the DDL of the binlog.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "capture/mysql/decoder.h"
#include "support/all_types_sql.h"
#include "support/run_command.h"
#include "support/service_env.h"

namespace inflow::capture::mysql {
namespace {

using inflow::testing::RunCommand;

struct Column {
  std::string name;
  std::string data_type;  // information_schema DATA_TYPE
  bool json = false;
};

using Row = std::map<std::string, std::string>;         // column → canonical text
using TableSnapshot = std::map<std::string, Row>;       // id → row
using Snapshot = std::map<std::string, TableSnapshot>;  // table → rows

class Oracle {
 public:
  bool Init() {
    auto env = inflow::testing::ServiceEnv("mariadb");
    if (env.empty()) return false;
    socket_ = inflow::testing::EnvValue(env, "MYSQL_SOCKET");
    datadir_ = inflow::testing::EnvValue(env, "MYSQL_DATADIR");
    db_ = "oracle_" + std::to_string(getpid());
    return !socket_.empty() && !datadir_.empty();
  }

  std::string Sql(const std::string& sql) {
    inflow::testing::CommandOptions opts;
    opts.stdin_text = "SET time_zone='+00:00';\n" + sql;
    opts.timeout = std::chrono::seconds(300);
    auto r = RunCommand({"mariadb", "--no-defaults", "--protocol=socket", "--socket=" + socket_,
                         "-uroot", "--batch", "--skip-column-names", "--max-allowed-packet=1G",
                         "--default-character-set=utf8mb4"},
                        opts);
    EXPECT_EQ(r.exit_code, 0) << "SQL failed: " << sql.substr(0, 300) << "\n" << r.err;
    return r.out;
  }

  std::vector<Column> Columns(const std::string& table) {
    std::string out =
        Sql(fmt("SELECT COLUMN_NAME, DATA_TYPE, (SELECT COUNT(*) FROM "
                "information_schema.CHECK_CONSTRAINTS k WHERE "
                "k.CONSTRAINT_SCHEMA=c.TABLE_SCHEMA AND k.TABLE_NAME=c.TABLE_NAME "
                "AND k.CHECK_CLAUSE=CONCAT('json_valid(`',c.COLUMN_NAME,'`)')) "
                "FROM information_schema.COLUMNS c WHERE TABLE_SCHEMA='{}' AND "
                "TABLE_NAME='{}' ORDER BY ORDINAL_POSITION",
                db_, table));
    std::vector<Column> cols;
    for (const auto& line : Lines(out)) {
      auto f = Split(line);
      if (f.size() == 3) cols.push_back({f[0], f[1], f[2] != "0"});
    }
    return cols;
  }

  static std::string Canonical(const Column& c) {
    const std::string& t = c.data_type;
    std::string q = "`" + c.name + "`";
    if (t == "float") return "CAST(CAST(" + q + " AS DOUBLE) AS CHAR)";
    if (t == "bit") return "CAST(" + q + "+0 AS CHAR)";
    if (t == "datetime") return "REPLACE(CAST(" + q + " AS CHAR),' ','T')";
    if (t == "timestamp") return "CONCAT(REPLACE(CAST(" + q + " AS CHAR),' ','T'),'Z')";
    if (t == "char" || t == "varchar" || t == "tinytext" || t == "text" || t == "mediumtext" ||
        t == "longtext" || t == "enum" || t == "set") {
      return "HEX(CONVERT(" + q + " USING utf8mb4))";
    }
    if (t == "binary" || t == "varbinary" || t.find("blob") != std::string::npos ||
        t == "geometry" || t == "point" || t == "linestring" || t == "polygon") {
      return "HEX(" + q + ")";
    }
    return "CAST(" + q + " AS CHAR)";  // integers, decimal, double, year, date, time, inet6, uuid
  }

  void Snap(const std::vector<std::string>& tables) {
    Snapshot snap;
    for (const auto& table : tables) {
      auto cols = Columns(table);
      columns_[table] = cols;
      std::string select = "SELECT CAST(id AS CHAR)";
      for (const auto& c : cols) select += ", " + Canonical(c);
      select += fmt(" FROM `{}`.`{}`", db_, table);
      for (const auto& line : Lines(Sql(select))) {
        auto f = Split(line);
        if (f.size() != cols.size() + 1) {
          ADD_FAILURE() << "bad snapshot line of " << table;
          continue;
        }
        Row row;
        for (size_t i = 0; i < cols.size(); ++i) row[cols[i].name] = f[i + 1];
        snap[table][f[0]] = std::move(row);
      }
    }
    snapshots_.push_back(std::move(snap));
    snapshot_columns_.push_back(columns_);
  }

  // One phase: run the SQL, add marker k, snapshot.
  void Phase(const std::string& sql, const std::vector<std::string>& tables) {
    size_t k = snapshots_.size();
    Sql(fmt("USE `{}`;\n{}\nINSERT INTO marker VALUES ({});", db_, sql, k));
    Snap(tables);
  }

  // Our JSON value → the canonical text of the server's SELECT for that column.
  static std::string FromJson(const Column& c, const nlohmann::json& v) {
    if (v.is_null()) return "NULL";
    if (c.json) return "JSON:" + v.dump();
    const std::string& t = c.data_type;
    if (v.is_string()) {
      std::string s = v.get<std::string>();
      if (t == "binary" || t == "varbinary" || t.find("blob") != std::string::npos ||
          t == "geometry" || t == "point") {
        return Hex(Base64Decode(s));
      }
      if (t == "char" || t == "varchar" || t.find("text") != std::string::npos || t == "enum" ||
          t == "set") {
        return Hex(s);
      }
      return s;
    }
    if (c.json) return "JSON:" + v.dump();
    if (t == "float") {
      float f = std::strtof(v.dump().c_str(), nullptr);
      return "F:" + std::to_string(static_cast<double>(f));
    }
    if (t == "double") return "D:" + std::to_string(v.get<double>());
    return v.dump();
  }

  // The server text normalised the same way FromJson normalises ours.
  static std::string Normalise(const Column& c, const std::string& server) {
    if (server == "NULL") return server;
    if (c.json) {
      auto text = Unhex(server);
      auto parsed = nlohmann::json::parse(text, nullptr, false);
      return parsed.is_discarded() ? server : "JSON:" + parsed.dump();
    }
    if (c.data_type == "float") return "F:" + std::to_string(std::strtod(server.c_str(), nullptr));
    if (c.data_type == "double") return "D:" + std::to_string(std::strtod(server.c_str(), nullptr));
    if (c.data_type == "year") return std::to_string(std::stoi(server));
    return server;
  }

  // to_string loses digits; compare doubles exactly instead.
  static bool Same(const Column& c, const std::string& ours, const std::string& server) {
    if (c.data_type == "float" || c.data_type == "double") {
      return ours == server;  // both rendered from the same binary value by the same function
    }
    return ours == server;
  }

  // Checks every column present in `image`; a partial image (binlog_row_image=MINIMAL) lacks
  // columns, which must then be absent rather than null. `key` is the row id for an after
  // image that does not carry it (MINIMAL logs only changed columns there).
  void CheckImage(const changelog::ChangeRecord& r, const std::string& image, size_t snap_index,
                  const char* which, int* checked, int* partial, const std::string& key = "") {
    auto parsed = nlohmann::json::parse(image, nullptr, false);
    ASSERT_FALSE(parsed.is_discarded()) << "decoded image is not JSON: " << image.substr(0, 200);
    ASSERT_LT(snap_index, snapshots_.size());
    const auto& snap = snapshots_[snap_index];
    auto table = snap.find(r.table);
    ASSERT_NE(table, snap.end()) << "table " << r.table << " not in snapshot " << snap_index;
    std::string id = parsed.contains("id") ? parsed["id"].dump() : key;
    auto row = table->second.find(id);
    ASSERT_NE(row, table->second.end())
        << which << " image of " << r.table << " id " << id << " not in snapshot " << snap_index;
    const auto& cols = snapshot_columns_[snap_index].at(r.table);
    EXPECT_LE(parsed.size(), row->second.size())
        << which << " image of " << r.table << " id " << id << ": " << image.substr(0, 300);
    if (parsed.size() < row->second.size()) ++*partial;
    for (const auto& c : cols) {
      if (!parsed.contains(c.name)) continue;
      std::string ours = FromJson(c, parsed[c.name]);
      std::string server = Normalise(c, row->second.at(c.name));
      EXPECT_TRUE(Same(c, ours, server))
          << r.table << " id " << id << " column " << c.name << " (" << c.data_type << ") " << which
          << ": decoded " << ours.substr(0, 200) << " vs server " << server.substr(0, 200);
      ++*checked;
    }
  }

  static std::vector<std::string> Lines(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    std::string line;
    while (std::getline(in, line)) out.push_back(line);
    return out;
  }
  static std::vector<std::string> Split(const std::string& line) {
    std::vector<std::string> out;
    size_t start = 0;
    while (true) {
      size_t tab = line.find('\t', start);
      out.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    return out;
  }
  static std::string Hex(const std::string& s) {
    static const char* kHex = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size() * 2);
    for (unsigned char c : s) {
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
    return out;
  }
  static std::string Unhex(const std::string& s) {
    std::string out;
    for (size_t i = 0; i + 1 < s.size(); i += 2) {
      out.push_back(static_cast<char>(std::stoi(s.substr(i, 2), nullptr, 16)));
    }
    return out;
  }
  static std::string Base64Decode(const std::string& s) {
    std::string out;
    uint32_t buf = 0;
    int bits = 0;
    for (char ch : s) {
      int v = ch >= 'A' && ch <= 'Z'   ? ch - 'A'
              : ch >= 'a' && ch <= 'z' ? ch - 'a' + 26
              : ch >= '0' && ch <= '9' ? ch - '0' + 52
              : ch == '+'              ? 62
              : ch == '/'              ? 63
                                       : -1;
      if (v < 0) continue;
      buf = buf << 6 | static_cast<uint32_t>(v);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out.push_back(static_cast<char>((buf >> bits) & 0xFF));
      }
    }
    return out;
  }
  template <typename... Args>
  static std::string fmt(const char* f, Args&&... args) {
    std::string out;
    const char* p = f;
    ((p = Subst(p, out, args)), ...);
    out += p;
    return out;
  }
  static const char* Subst(const char* p, std::string& out, const std::string& v) {
    const char* brace = std::strstr(p, "{}");
    out.append(p, brace);
    out += v;
    return brace + 2;
  }
  static const char* Subst(const char* p, std::string& out, size_t v) {
    return Subst(p, out, std::to_string(v));
  }

  std::string socket_, datadir_, db_;
  std::vector<Snapshot> snapshots_;
  std::map<std::string, std::vector<Column>> columns_;  // as of the latest snapshot
  std::vector<std::map<std::string, std::vector<Column>>> snapshot_columns_;
};

TEST(CaptureOracle, DecodedValuesEqualServerRendering) {
  Oracle o;
  ASSERT_TRUE(o.Init());
  const std::string db = o.db_;
  o.Sql("DROP DATABASE IF EXISTS `" + db + "`; FLUSH BINARY LOGS;");
  std::string start_file = Oracle::Split(Oracle::Lines(o.Sql("SHOW MASTER STATUS"))[0])[0];
  o.Sql(
      Oracle::fmt("CREATE DATABASE `{}` CHARACTER SET utf8mb4; USE `{}`; "
                  "CREATE TABLE marker (id INT PRIMARY KEY); {}; "
                  "CREATE TABLE other (id INT PRIMARY KEY, v VARCHAR(20), n DECIMAL(6,2));"
                  "CREATE TABLE big (id INT PRIMARY KEY, lb LONGBLOB, lt LONGTEXT);"
                  "CREATE TABLE evolve (id INT PRIMARY KEY, a VARCHAR(20), b INT);",
                  db, db, std::string(inflow::testing::kAllTypes)));
  std::vector<std::string> tables = {"alltypes", "other", "big", "evolve"};
  o.Snap(tables);  // snapshot 0: empty tables
  o.Phase(inflow::testing::kInsertRows, tables);
  // Multi-row UPDATE, each row changed once.
  o.Phase(
      "UPDATE alltypes SET ti = ti + 1, vc = CONCAT(IFNULL(vc, ''), '+'), "
      "ts6 = '2030-06-15 08:00:00.25', j = '{\"updated\": true}' WHERE id IN (1, 4, 5);",
      tables);
  o.Phase("DELETE FROM alltypes WHERE id IN (2, 6);", tables);
  // A transaction over several tables.
  o.Phase(
      "BEGIN; INSERT INTO other VALUES (1, 'one', 1.25), (2, 'two', -2.5); "
      "UPDATE alltypes SET d1 = 42.42 WHERE id = 3; INSERT INTO evolve VALUES (1, 'a', 1); "
      "COMMIT;",
      tables);
  // A BLOB larger than one 16 MiB protocol packet.
  o.Phase("INSERT INTO big VALUES (1, REPEAT(x'00FF7F', 6 * 1024 * 1024), REPEAT('ab😀', 1000));",
          tables);
  o.Phase("DELETE FROM big;", tables);
  // DDL between changes.
  o.Phase("ALTER TABLE evolve ADD COLUMN c DECIMAL(8,3) AFTER a;", tables);
  o.Phase("INSERT INTO evolve VALUES (2, 'b', 2.5, 2); UPDATE evolve SET c = 1.125 WHERE id = 1;",
          tables);
  o.Phase("ALTER TABLE evolve DROP COLUMN a;", tables);
  o.Phase("INSERT INTO evolve VALUES (3, 3.25, 3); UPDATE evolve SET b = 20 WHERE id = 2;", tables);
  o.Phase(
      "ALTER TABLE evolve MODIFY COLUMN b BIGINT UNSIGNED, ADD COLUMN d VARCHAR(10) "
      "CHARACTER SET latin1 DEFAULT 'dé';",
      tables);
  o.Phase(
      "INSERT INTO evolve VALUES (4, 4.5, 18446744073709551615, 'ÿ'); "
      "UPDATE evolve SET d = 'x' WHERE id = 1;",
      tables);
  tables = {"alltypes", "other", "big", "evolved"};
  o.Phase("RENAME TABLE evolve TO evolved;", tables);
  o.Phase(
      "INSERT INTO evolved VALUES (5, 5.5, 5, 'five'); DELETE FROM evolved WHERE id = 3; "
      "UPDATE other SET v = NULL WHERE id = 2;",
      tables);
  // Partial images: MINIMAL logs the key as the before image and only changed columns after.
  o.Phase(
      "SET SESSION binlog_row_image = MINIMAL; UPDATE alltypes SET vc = 'minimal', ti = NULL "
      "WHERE id = 3; DELETE FROM other WHERE id = 1; SET SESSION binlog_row_image = FULL;",
      tables);
  o.Sql("FLUSH BINARY LOGS;");

  std::vector<std::string> files;
  bool started = false;
  for (const auto& line : Oracle::Lines(o.Sql("SHOW BINARY LOGS"))) {
    std::string name = Oracle::Split(line)[0];
    if (name == start_file) started = true;
    if (started) files.push_back(o.datadir_ + "/" + name);
  }
  ASSERT_GE(files.size(), 2u);

  for (bool metadata : {true, false}) {
    SCOPED_TRACE(metadata ? "with FULL row metadata" : "with the schema history only");
    BinlogDecoder::Options options;
    options.use_binlog_metadata = metadata;
    options.include_table = [&](std::string_view d, std::string_view) { return d == db; };
    auto txs = DecodeBinlogFiles(files, options);
    ASSERT_TRUE(txs.has_value()) << txs.error().ToString();

    size_t phase = 0;  // snapshots_[phase] is the state before the rows being read
    int checked = 0, images = 0, ddl = 0, partial = 0;
    for (const auto& tx : *txs) {
      for (const auto& r : tx.records) {
        if (r.op == changelog::Operation::kDdl) {
          ++ddl;
          continue;
        }
        if (r.table == "marker") {
          auto m = nlohmann::json::parse(*r.after_json);
          phase = m["id"].get<size_t>();
          continue;
        }
        // Rows of phase k+1 sit between markers k and k+1.
        std::string key;
        if (r.before_json) {
          o.CheckImage(r, *r.before_json, phase, "before", &checked, &partial);
          key = nlohmann::json::parse(*r.before_json)["id"].dump();
          ++images;
        }
        if (r.after_json) {
          if (r.op == changelog::Operation::kUpdate && partial > 0 && key.empty()) {
            ADD_FAILURE() << "partial UPDATE without a key in its before image";
          }
          o.CheckImage(r, *r.after_json, phase + 1, "after", &checked, &partial, key);
          ++images;
        }
      }
    }
    EXPECT_EQ(phase, o.snapshots_.size() - 1) << "not every marker was decoded";
    EXPECT_GE(ddl, 9);
    EXPECT_GE(images, 30);
    EXPECT_EQ(partial, 3) << "the MINIMAL phase logs 3 partial images";
    std::cout << (metadata ? "[metadata] " : "[history] ") << txs->size() << " transactions, "
              << images << " row images (" << partial << " partial), " << checked
              << " values equal to the server's, " << ddl << " DDL\n";
  }
  o.Sql("DROP DATABASE `" + db + "`;");
}

}  // namespace
}  // namespace inflow::capture::mysql
