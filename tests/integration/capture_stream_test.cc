// MysqlSource (capture/mysql/mysql_source.h) against real MariaDB servers: row changes and DDL
// as transactions, table filters, binlog rotation, resuming from a stored state, a 60 s idle
// stream, and — on a private server this test starts, because they disturb everyone else — a
// server restart mid-stream, purged binlogs and settings capture cannot work with.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "capture/mysql/connection.h"
#include "capture/mysql/mysql_source.h"
#include "support/all_types_sql.h"
#include "support/mariadb_sql.h"
#include "support/run_command.h"
#include "support/service_env.h"

namespace inflow::capture::mysql {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::unique_ptr<Connection> Connect(const std::string& url) {
  auto o = ParseSourceUrl(url);
  EXPECT_TRUE(o.has_value());
  if (!o) return nullptr;
  auto c = Connection::Open(*o);
  EXPECT_TRUE(c.has_value()) << c.error().ToString();
  return c ? std::move(*c) : nullptr;
}

void Exec(Connection& c, const std::string& sql) {
  auto r = c.Query(sql);
  ASSERT_TRUE(r.has_value()) << sql << ": " << r.error().ToString();
}

std::string Scalar(Connection& c, const std::string& sql) {
  auto r = c.Query(sql);
  EXPECT_TRUE(r.has_value()) << sql << ": " << r.error().ToString();
  if (!r || r->rows.empty() || !r->rows[0][0]) return "";
  return *r->rows[0][0];
}

MysqlSourceOptions SourceOptions(const std::string& url, std::string_view from,
                                 std::string_view tables = "") {
  MysqlSourceOptions o;
  auto c = ParseSourceUrl(url);
  EXPECT_TRUE(c.has_value());
  o.connection = c.value_or(ConnectOptions{});
  o.connection.heartbeat = milliseconds(1000);
  auto start = StartPosition::Parse(from);
  EXPECT_TRUE(start.has_value()) << from;
  o.start = start.value_or(StartPosition{});
  auto filter = TableFilter::Parse(tables);
  EXPECT_TRUE(filter.has_value());
  o.tables = filter.value_or(TableFilter{});
  o.reconnect_initial_backoff = milliseconds(100);
  o.reconnect_max_backoff = milliseconds(1000);
  o.reconnect_give_up_after = seconds(60);
  return o;
}

// A short line per record: "INSERT db.t {after}" etc.
std::string Describe(const changelog::ChangeRecord& r) {
  std::string s = std::string(changelog::OperationName(r.op)) + " " + r.database + "." + r.table;
  if (r.op == changelog::Operation::kDdl) return s + " " + r.ddl;
  if (r.before_json) s += " before=" + *r.before_json;
  if (r.after_json) s += " after=" + *r.after_json;
  return s;
}

// Collects records until `count` records arrived (DDL included) or `timeout` passed.
std::vector<SourceTransaction> Collect(Source& source, size_t count, seconds timeout) {
  std::vector<SourceTransaction> out;
  size_t records = 0;
  auto until = std::chrono::steady_clock::now() + timeout;
  while (records < count && std::chrono::steady_clock::now() < until) {
    auto tx = source.Next(milliseconds(500));
    EXPECT_TRUE(tx.has_value()) << tx.error().ToString();
    if (!tx) break;
    if (!*tx) continue;
    records += (*tx)->records.size();
    out.push_back(std::move(**tx));
  }
  return out;
}

std::vector<std::string> Lines(const std::vector<SourceTransaction>& txs) {
  std::vector<std::string> out;
  for (const auto& t : txs) {
    for (const auto& r : t.records) out.push_back(Describe(r));
  }
  return out;
}

class CaptureStream : public ::testing::Test {
 protected:
  void SetUp() override {
    auto env = inflow::testing::ServiceEnv("mariadb");
    ASSERT_FALSE(env.empty());
    url_ = inflow::testing::EnvValue(env, "MYSQL_URL");
    admin_ = Connect(inflow::testing::EnvValue(env, "MYSQL_ADMIN_URL"));
    ASSERT_TRUE(admin_);
    Exec(*admin_, "CREATE DATABASE IF NOT EXISTS capture_stream");
  }

  std::string url_;
  std::unique_ptr<Connection> admin_;
};

std::string DescribeColumns(const changelog::ChangeRecord& r) {
  std::string s;
  for (const auto& c : r.columns) {
    s += c.name + " " + c.type + " #" + std::to_string(c.type_code) + " " + c.charset +
         (c.primary_key ? " pk" : "") + (c.unique_key ? " uk" : "") +
         (c.nullable ? "" : " not null") + "; ";
  }
  return s;
}

// Row records (DDL left out) until `count` arrived or `timeout` passed.
std::vector<changelog::ChangeRecord> CollectRows(Source& source, size_t count, seconds timeout) {
  std::vector<changelog::ChangeRecord> out;
  auto until = std::chrono::steady_clock::now() + timeout;
  while (out.size() < count && std::chrono::steady_clock::now() < until) {
    auto tx = source.Next(milliseconds(500));
    EXPECT_TRUE(tx.has_value()) << tx.error().ToString();
    if (!tx) break;
    if (!*tx) continue;
    for (auto& r : (*tx)->records) {
      if (r.op != changelog::Operation::kDdl) out.push_back(std::move(r));
    }
  }
  return out;
}

// Capture from `now` on tables that existed before the Source started — their columns come
// from information_schema (ServerSchemaProvider), not from DDL in the binlog — decodes exactly
// the records that capture from `earliest` decodes, whose schema history saw the CREATE TABLE.
// Under binlog_row_metadata MINIMAL (every column described by the provider) and FULL (the
// provider adds INET6 / UUID / JSON). Issue 11: Lookup read column names and types from freed
// memory (an ASan report on the first row).
class CaptureFromNow : public CaptureStream, public ::testing::WithParamInterface<const char*> {
 protected:
  void TearDown() override {
    if (admin_) Exec(*admin_, "SET GLOBAL binlog_row_metadata = 'FULL'");  // the fixture's
  }
};

TEST_P(CaptureFromNow, PreExistingTablesOfEveryTypeDecodeAsFromEarliest) {
  const std::string metadata = GetParam();
  const std::string db = "capture_now_" + std::to_string(getpid()) + "_" + metadata;
  auto env = inflow::testing::ServiceEnv("mariadb");
  Exec(*admin_, "SET GLOBAL binlog_row_metadata = '" + metadata + "'");
  inflow::testing::RunSql(env, "DROP DATABASE IF EXISTS " + db + ";\nCREATE DATABASE " + db +
                                   " CHARACTER SET utf8mb4;\nUSE " + db + ";\n" +
                                   inflow::testing::kAllTypes +
                                   ";\nCREATE TABLE t (id BIGINT UNSIGNED PRIMARY KEY, "
                                   "name VARCHAR(20));\n");
  auto from_now = MysqlSource::Open(SourceOptions(url_, "now", db + ".*"));
  ASSERT_TRUE(from_now.has_value()) << from_now.error().ToString();
  inflow::testing::RunSql(
      env, "SET time_zone = '+00:00';\nUSE " + db + ";\n" + inflow::testing::kInsertRows +
               "\nINSERT INTO t VALUES (18446744073709551615, 'max'), (1, NULL);\n"
               "UPDATE alltypes SET d1 = 1.25, vc = 'changed', j = '[1]', ip = '::2' WHERE id = 3;"
               "\nDELETE FROM alltypes WHERE id = 2;\n"
               "UPDATE t SET name = 'renamed' WHERE id = 18446744073709551615;\n");
  constexpr size_t kRows = 6 + 2 + 1 + 1 + 1;
  auto now_rows = CollectRows(**from_now, kRows, seconds(60));
  (*from_now)->Stop();
  ASSERT_EQ(now_rows.size(), kRows);

  auto from_earliest = MysqlSource::Open(SourceOptions(url_, "earliest", db + ".*"));
  ASSERT_TRUE(from_earliest.has_value()) << from_earliest.error().ToString();
  auto earliest_rows = CollectRows(**from_earliest, kRows, seconds(120));
  (*from_earliest)->Stop();
  ASSERT_EQ(earliest_rows.size(), kRows);
  for (size_t i = 0; i < kRows; ++i) {
    EXPECT_EQ(Describe(now_rows[i]), Describe(earliest_rows[i])) << i;
    EXPECT_EQ(DescribeColumns(now_rows[i]), DescribeColumns(earliest_rows[i])) << i;
    EXPECT_TRUE(now_rows[i] == earliest_rows[i]) << i;
  }
  // The table of the issue's example, by value.
  EXPECT_EQ(Describe(now_rows[6]),
            "INSERT " + db + ".t after={\"id\":\"18446744073709551615\",\"name\":\"max\"}");
  ASSERT_EQ(now_rows[6].columns.size(), 2u);
  EXPECT_EQ(now_rows[6].columns[0].name, "id");
  EXPECT_TRUE(now_rows[6].columns[0].primary_key);
  EXPECT_EQ(now_rows[6].columns[1].name, "name");
  Exec(*admin_, "DROP DATABASE " + db);
}

INSTANTIATE_TEST_SUITE_P(RowMetadata, CaptureFromNow, ::testing::Values("MINIMAL", "FULL"));

// CREATE USER … IDENTIFIED BY and the other account-management statements carry clear
// passwords: even without a table filter they never become records; each is counted on the
// transaction that stands for it (issue 11).
TEST_F(CaptureStream, AccountStatementsAreNeverCapturedButCounted) {
  Exec(*admin_, "DROP USER IF EXISTS 'acct_a'@'%', 'acct_b'@'%'");
  Exec(*admin_, "DROP ROLE IF EXISTS acct_role");
  Exec(*admin_, "DROP TABLE IF EXISTS capture_stream.acct_marker");
  auto source = MysqlSource::Open(SourceOptions(url_, "now"));
  ASSERT_TRUE(source.has_value()) << source.error().ToString();
  const std::vector<std::string> statements = {
      "CREATE USER 'acct_a'@'%' IDENTIFIED BY 'Pw-Acct-1'",
      "/* leading comment */ ALTER USER 'acct_a'@'%' IDENTIFIED BY 'Pw-Acct-2'",
      "GRANT SELECT ON capture_stream.* TO 'acct_a'@'%' IDENTIFIED BY 'Pw-Acct-3'",
      "SET PASSWORD FOR 'acct_a'@'%' = PASSWORD('Pw-Acct-4')",
      "/*!100000 CREATE OR REPLACE USER 'acct_a'@'%' IDENTIFIED BY 'Pw-Acct-5' */",
      "create role acct_role",
      "GRANT acct_role TO 'acct_a'@'%'",
      "REVOKE acct_role FROM 'acct_a'@'%'",
      "RENAME USER 'acct_a'@'%' TO 'acct_b'@'%'",
      "DROP ROLE acct_role",
      "-- a comment\nDROP USER 'acct_b'@'%'",
  };
  for (const auto& sql : statements) Exec(*admin_, sql);
  Exec(*admin_, "CREATE TABLE capture_stream.acct_marker (id INT)");
  uint64_t skipped = 0;
  bool marker = false;
  auto until = std::chrono::steady_clock::now() + seconds(30);
  while (!marker && std::chrono::steady_clock::now() < until) {
    auto tx = (*source)->Next(milliseconds(500));
    ASSERT_TRUE(tx.has_value()) << tx.error().ToString();
    if (!*tx) continue;
    skipped += (*tx)->account_statements_skipped;
    if ((*tx)->account_statements_skipped != 0) {
      EXPECT_TRUE((*tx)->records.empty());
    }
    for (const auto& r : (*tx)->records) {
      EXPECT_EQ(r.ddl.find("Pw-Acct"), std::string::npos) << r.ddl;
      EXPECT_EQ(r.ddl.find("acct_"),
                r.table == "acct_marker" ? r.ddl.find("acct_marker") : std::string::npos)
          << r.ddl;
      if (r.table == "acct_marker") marker = true;
    }
  }
  EXPECT_TRUE(marker);
  EXPECT_EQ(skipped, statements.size());
}

TEST_F(CaptureStream, DeliversRowChangesAndDdlAsTransactions) {
  Exec(*admin_, "DROP TABLE IF EXISTS capture_stream.orders");
  auto source = MysqlSource::Open(SourceOptions(url_, "now", "capture_stream.*"));
  ASSERT_TRUE(source.has_value()) << source.error().ToString();
  EXPECT_TRUE((*source)->warnings().empty());
  EXPECT_EQ((*source)->database_type(), "MariaDB");
  Exec(*admin_,
       "CREATE TABLE capture_stream.orders (id INT PRIMARY KEY, note VARCHAR(20), "
       "amount DECIMAL(10,2))");
  Exec(*admin_, "BEGIN");
  Exec(*admin_,
       "INSERT INTO capture_stream.orders VALUES (1, 'caf\xc3\xa9', 12.50), (2, NULL, -3.10)");
  Exec(*admin_, "UPDATE capture_stream.orders SET note = 'x' WHERE id = 2");
  Exec(*admin_, "COMMIT");
  Exec(*admin_, "DELETE FROM capture_stream.orders WHERE id = 1");
  auto txs = Collect(**source, 5, seconds(30));
  ASSERT_EQ(txs.size(), 3u);
  EXPECT_EQ(txs[0].records.size(), 1u);  // the DDL is a transaction of its own
  EXPECT_EQ(txs[1].records.size(), 3u);  // two inserts and an update in one transaction
  EXPECT_EQ(Lines(txs),
            (std::vector<std::string>{
                "DDL capture_stream.orders CREATE TABLE capture_stream.orders (id INT PRIMARY "
                "KEY, note VARCHAR(20), amount DECIMAL(10,2))",
                "INSERT capture_stream.orders after={\"id\":1,\"note\":\"caf\xc3\xa9\","
                "\"amount\":\"12.50\"}",
                "INSERT capture_stream.orders after={\"id\":2,\"note\":null,\"amount\":\"-3.10\"}",
                "UPDATE capture_stream.orders before={\"id\":2,\"note\":null,\"amount\":\"-3.10\"} "
                "after={\"id\":2,\"note\":\"x\",\"amount\":\"-3.10\"}",
                "DELETE capture_stream.orders before={\"id\":1,\"note\":\"caf\xc3\xa9\","
                "\"amount\":\"12.50\"}"}));
  // Positions and ids: increasing, with GTIDs in MariaDB form.
  for (size_t i = 1; i < txs.size(); ++i) {
    EXPECT_EQ(txs[i].position.file, txs[0].position.file);
    EXPECT_GT(txs[i].position.pos, txs[i - 1].position.pos);
    EXPECT_NE(txs[i].transaction_id, txs[i - 1].transaction_id);
    EXPECT_EQ(txs[i].transaction_id.rfind("0-1-", 0), 0u) << txs[i].transaction_id;
    EXPECT_NE(txs[i].position.gtid_set.find(txs[i].transaction_id), std::string::npos);
    EXPECT_GT(txs[i].commit_timestamp_ms, 1'700'000'000'000);
  }
  EXPECT_EQ(txs[1].records[0].position, txs[1].position);
}

TEST_F(CaptureStream, ExcludedTablesAreNeverDecoded) {
  Exec(*admin_, "CREATE TABLE IF NOT EXISTS capture_stream.keep (id INT PRIMARY KEY)");
  Exec(*admin_, "CREATE TABLE IF NOT EXISTS capture_stream.skip_me (id INT PRIMARY KEY)");
  Exec(*admin_, "DELETE FROM capture_stream.keep");
  Exec(*admin_, "DELETE FROM capture_stream.skip_me");
  auto source =
      MysqlSource::Open(SourceOptions(url_, "now", "capture_stream.*,!capture_stream.skip*"));
  ASSERT_TRUE(source.has_value()) << source.error().ToString();
  Exec(*admin_, "INSERT INTO capture_stream.skip_me VALUES (1)");
  Exec(*admin_, "INSERT INTO capture_stream.keep VALUES (1)");
  Exec(*admin_, "INSERT INTO capture_stream.skip_me VALUES (2)");
  Exec(*admin_, "INSERT INTO capture_stream.keep VALUES (2)");
  auto txs = Collect(**source, 2, seconds(30));
  EXPECT_EQ(Lines(txs), (std::vector<std::string>{"INSERT capture_stream.keep after={\"id\":1}",
                                                  "INSERT capture_stream.keep after={\"id\":2}"}));
}

TEST_F(CaptureStream, FollowsBinlogRotation) {
  Exec(*admin_, "CREATE TABLE IF NOT EXISTS capture_stream.rot (id INT PRIMARY KEY)");
  Exec(*admin_, "DELETE FROM capture_stream.rot");
  auto source = MysqlSource::Open(SourceOptions(url_, "now", "capture_stream.rot"));
  ASSERT_TRUE(source.has_value()) << source.error().ToString();
  for (int i = 1; i <= 3; ++i) {
    Exec(*admin_, "INSERT INTO capture_stream.rot VALUES (" + std::to_string(i) + ")");
    Exec(*admin_, "FLUSH BINARY LOGS");
  }
  auto txs = Collect(**source, 3, seconds(30));
  ASSERT_EQ(txs.size(), 3u);
  EXPECT_EQ(Lines(txs), (std::vector<std::string>{"INSERT capture_stream.rot after={\"id\":1}",
                                                  "INSERT capture_stream.rot after={\"id\":2}",
                                                  "INSERT capture_stream.rot after={\"id\":3}"}));
  EXPECT_LT(txs[0].position.file, txs[1].position.file);
  EXPECT_LT(txs[1].position.file, txs[2].position.file);
}

TEST_F(CaptureStream, ResumeFromStoredStateGivesExactlyTheRest) {
  Exec(*admin_, "DROP TABLE IF EXISTS capture_stream.res");
  Exec(*admin_, "CREATE TABLE capture_stream.res (id INT PRIMARY KEY, v TEXT)");
  auto status = admin_->Query("SHOW MASTER STATUS");
  ASSERT_TRUE(status.has_value());
  std::string from = *status->rows[0][0] + ":" + *status->rows[0][1];
  for (int i = 1; i <= 10; ++i) {
    Exec(*admin_, "INSERT INTO capture_stream.res (id, v) VALUES (" + std::to_string(i) + ", 'v" +
                      std::to_string(i) + "')");
    if (i == 5) Exec(*admin_, "ALTER TABLE capture_stream.res ADD COLUMN extra INT DEFAULT 7");
  }
  // An uninterrupted run, for reference: 10 inserts and the ALTER.
  auto whole = MysqlSource::Open(SourceOptions(url_, from, "capture_stream.res"));
  ASSERT_TRUE(whole.has_value()) << whole.error().ToString();
  std::vector<std::string> all = Lines(Collect(**whole, 11, seconds(30)));
  ASSERT_EQ(all.size(), 11u);
  EXPECT_EQ(all[6], "INSERT capture_stream.res after={\"id\":6,\"v\":\"v6\",\"extra\":7}");

  // The same run interrupted after each k transactions and resumed from the state stored then.
  for (size_t k : {1u, 4u, 6u, 10u}) {
    auto head = MysqlSource::Open(SourceOptions(url_, from, "capture_stream.res"));
    ASSERT_TRUE(head.has_value()) << head.error().ToString();
    std::vector<SourceTransaction> done;
    while (done.size() < k) {
      auto tx = (*head)->Next(seconds(10));
      ASSERT_TRUE(tx.has_value() && tx->has_value()) << k;
      done.push_back(std::move(**tx));
    }
    std::string state = (*head)->ResumeState();
    head->reset();

    MysqlSourceOptions resume = SourceOptions(url_, "now", "capture_stream.res");
    resume.start = StartPosition::Resume(state);
    auto tail = MysqlSource::Open(resume);
    ASSERT_TRUE(tail.has_value()) << tail.error().ToString();
    std::vector<std::string> joined = Lines(done);
    for (auto& l : Lines(Collect(**tail, all.size() - joined.size(), seconds(30)))) {
      joined.push_back(l);
    }
    EXPECT_EQ(joined, all) << "interrupted after " << k;
    auto extra = (*tail)->Next(milliseconds(1500));
    ASSERT_TRUE(extra.has_value());
    EXPECT_FALSE(extra->has_value()) << "a duplicate after resuming at " << k;
  }
}

TEST_F(CaptureStream, SixtySecondIdleStreamStaysHealthy) {
  Exec(*admin_, "CREATE TABLE IF NOT EXISTS capture_stream.idle (id INT PRIMARY KEY)");
  Exec(*admin_, "DELETE FROM capture_stream.idle");
  MysqlSourceOptions o = SourceOptions(url_, "now", "capture_stream.idle");
  o.connection.heartbeat = milliseconds(5000);  // read timeout 15 s: several heartbeats needed
  std::vector<std::string> log;
  o.log = [&log](std::string_view line) { log.emplace_back(line); };
  auto source = MysqlSource::Open(std::move(o));
  ASSERT_TRUE(source.has_value()) << source.error().ToString();
  auto until = std::chrono::steady_clock::now() + seconds(60);
  while (std::chrono::steady_clock::now() < until) {
    auto tx = (*source)->Next(milliseconds(1000));
    ASSERT_TRUE(tx.has_value()) << tx.error().ToString();
    ASSERT_FALSE(tx->has_value());
  }
  EXPECT_EQ((*source)->reconnects(), 0u);
  EXPECT_TRUE(log.empty()) << log.front();
  Exec(*admin_, "INSERT INTO capture_stream.idle VALUES (1)");
  auto txs = Collect(**source, 1, seconds(10));
  EXPECT_EQ(Lines(txs), (std::vector<std::string>{"INSERT capture_stream.idle after={\"id\":1}"}));
}

// ---- on a private server -------------------------------------------------------------------

class CapturePrivateServer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string build = inflow::testing::HarnessDir("INFLOW_BUILD_DIR");
    std::string source = inflow::testing::HarnessDir("INFLOW_SOURCE_DIR");
    script_ = source + "/scripts/mariadb";
    dir_ = build + "/services/capture-private";
    auto r = inflow::testing::RunCommand({script_, "start", "--dir", dir_});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto env = inflow::testing::ParseEnvText(r.out);
    url_ = env["MYSQL_URL"];
    admin_url_ = env["MYSQL_ADMIN_URL"];
  }
  static void TearDownTestSuite() {
    auto r = inflow::testing::RunCommand({script_, "stop", "--dir", dir_});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  void SetUp() override {
    ASSERT_FALSE(url_.empty()) << "private MariaDB did not start";
    admin_ = Connect(admin_url_);
    ASSERT_TRUE(admin_);
    Exec(*admin_, "CREATE DATABASE IF NOT EXISTS priv");
  }

  static std::string script_, dir_, url_, admin_url_;
  std::unique_ptr<Connection> admin_;
};
std::string CapturePrivateServer::script_, CapturePrivateServer::dir_, CapturePrivateServer::url_,
    CapturePrivateServer::admin_url_;

TEST_F(CapturePrivateServer, ReconnectsAcrossAServerRestartWithoutLossOrRepeat) {
  Exec(*admin_, "CREATE TABLE IF NOT EXISTS priv.r (id INT PRIMARY KEY)");
  Exec(*admin_, "DELETE FROM priv.r");
  MysqlSourceOptions o = SourceOptions(url_, "now", "priv.r");
  std::vector<std::string> log;
  o.log = [&log](std::string_view line) { log.emplace_back(line); };
  auto source = MysqlSource::Open(std::move(o));
  ASSERT_TRUE(source.has_value()) << source.error().ToString();
  for (int i = 1; i <= 3; ++i) {
    Exec(*admin_, "INSERT INTO priv.r VALUES (" + std::to_string(i) + ")");
  }
  auto first = Collect(**source, 2, seconds(30));  // leave one in flight
  auto r = inflow::testing::RunCommand({script_, "restart", "--dir", dir_});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  admin_ = Connect(admin_url_);
  ASSERT_TRUE(admin_);
  for (int i = 4; i <= 6; ++i) {
    Exec(*admin_, "INSERT INTO priv.r VALUES (" + std::to_string(i) + ")");
  }
  auto rest = Collect(**source, 4, seconds(60));
  std::vector<std::string> got = Lines(first);
  for (auto& l : Lines(rest)) got.push_back(l);
  std::vector<std::string> want;
  for (int i = 1; i <= 6; ++i) {
    want.push_back("INSERT priv.r after={\"id\":" + std::to_string(i) + "}");
  }
  EXPECT_EQ(got, want);
  EXPECT_GE((*source)->reconnects(), 1u);
  EXPECT_FALSE(log.empty());
}

TEST_F(CapturePrivateServer, PurgedBinlogIsOutOfRangeNamingBothPositions) {
  Exec(*admin_, "CREATE TABLE IF NOT EXISTS priv.p (id INT PRIMARY KEY)");
  Exec(*admin_, "INSERT INTO priv.p VALUES (1) ON DUPLICATE KEY UPDATE id = id");
  auto status = admin_->Query("SHOW MASTER STATUS");
  ASSERT_TRUE(status.has_value());
  std::string old_file = *status->rows[0][0];
  std::string old_gtid = Scalar(*admin_, "SELECT @@global.gtid_binlog_pos");
  Exec(*admin_, "FLUSH BINARY LOGS");
  Exec(*admin_, "INSERT INTO priv.p VALUES (2) ON DUPLICATE KEY UPDATE id = id");
  Exec(*admin_, "FLUSH BINARY LOGS");
  status = admin_->Query("SHOW MASTER STATUS");
  ASSERT_TRUE(status.has_value());
  std::string new_file = *status->rows[0][0];
  // The server keeps files that a dump thread still reads (those of sources closed a moment
  // ago, until their threads notice), so purge until the old files are really gone.
  auto until = std::chrono::steady_clock::now() + seconds(20);
  while (true) {
    Exec(*admin_, "PURGE BINARY LOGS TO '" + new_file + "'");
    auto logs = admin_->Query("SHOW BINARY LOGS");
    ASSERT_TRUE(logs.has_value());
    if (*logs->rows[0][0] == new_file) break;
    ASSERT_LT(std::chrono::steady_clock::now(), until)
        << "binlogs before " << new_file << " were not purged";
    std::this_thread::sleep_for(milliseconds(200));
  }

  auto by_file = MysqlSource::Open(SourceOptions(url_, old_file + ":4"));
  ASSERT_FALSE(by_file.has_value());
  EXPECT_EQ(by_file.error().code(), ErrorCode::kOutOfRange) << by_file.error().ToString();
  EXPECT_NE(by_file.error().message().find(old_file + ":4"), std::string::npos)
      << by_file.error().message();
  EXPECT_NE(by_file.error().message().find(new_file + ":4"), std::string::npos)
      << by_file.error().message();
  EXPECT_FALSE(IsRetryable(by_file.error().code()));

  // A GTID position from before the purge: the server refuses when the dump starts.
  std::string first_gtid = "0-1-1";
  auto by_gtid = MysqlSource::Open(SourceOptions(url_, first_gtid));
  Error err(ErrorCode::kInternal, "no error");
  if (!by_gtid) {
    err = by_gtid.error();
  } else {
    auto tx = (*by_gtid)->Next(seconds(10));
    ASSERT_FALSE(tx.has_value());
    err = tx.error();
  }
  EXPECT_EQ(err.code(), ErrorCode::kOutOfRange) << err.ToString();
  EXPECT_NE(err.message().find(first_gtid), std::string::npos) << err.message();
  EXPECT_NE(err.message().find(new_file + ":4"), std::string::npos) << err.message();
  (void)old_gtid;
}

TEST_F(CapturePrivateServer, UnusableSettingsAreFailedPreconditionsNamingTheFix) {
  Exec(*admin_, "SET GLOBAL binlog_format = 'STATEMENT'");
  auto s = MysqlSource::Open(SourceOptions(url_, "now"));
  Exec(*admin_, "SET GLOBAL binlog_format = 'ROW'");
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(s.error().message().find("binlog_format is STATEMENT"), std::string::npos)
      << s.error().message();
  EXPECT_NE(s.error().message().find("ROW"), std::string::npos);

  Exec(*admin_, "SET GLOBAL binlog_row_image = 'MINIMAL'");
  auto minimal = MysqlSource::Open(SourceOptions(url_, "now"));
  Exec(*admin_, "SET GLOBAL binlog_row_image = 'FULL'");
  ASSERT_TRUE(minimal.has_value()) << minimal.error().ToString();
  ASSERT_EQ((*minimal)->warnings().size(), 1u);
  EXPECT_NE((*minimal)->warnings()[0].find("binlog_row_image is MINIMAL"), std::string::npos);

  Exec(*admin_, "CREATE USER IF NOT EXISTS 'nogrant'@'%' IDENTIFIED BY 'pw-nogrant'");
  Exec(*admin_, "GRANT SELECT ON *.* TO 'nogrant'@'%'");
  auto port = ParseSourceUrl(url_)->port;
  auto ungranted = MysqlSource::Open(
      SourceOptions("mysql://nogrant:pw-nogrant@127.0.0.1:" + std::to_string(port), "now"));
  ASSERT_FALSE(ungranted.has_value());
  EXPECT_EQ(ungranted.error().code(), ErrorCode::kFailedPrecondition)
      << ungranted.error().ToString();
  EXPECT_NE(ungranted.error().message().find("GRANT REPLICATION SLAVE"), std::string::npos)
      << ungranted.error().message();
}

}  // namespace
}  // namespace inflow::capture::mysql
