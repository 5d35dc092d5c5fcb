// The replication client against the real MariaDB of the `mariadb` fixture: authentication with
// mysql_native_password and client_ed25519, text queries, the binlog dump with CRC32-verified
// events, an event larger than one 16 MiB protocol packet, heartbeats on an idle stream and the
// read timeout of a silent one.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "capture/mysql/connection.h"
#include "capture/mysql/decoder.h"
#include "support/service_env.h"

namespace inflow::capture::mysql {
namespace {

using std::chrono::milliseconds;

class CaptureClient : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = inflow::testing::ServiceEnv("mariadb");
    ASSERT_FALSE(env_.empty());
  }

  ConnectOptions Options(const char* key) {
    auto o = ParseSourceUrl(inflow::testing::EnvValue(env_, key));
    EXPECT_TRUE(o.has_value()) << o.error().ToString();
    return o.value_or(ConnectOptions{});
  }

  std::unique_ptr<Connection> Connect(const char* key) {
    auto c = Connection::Open(Options(key));
    EXPECT_TRUE(c.has_value()) << c.error().ToString();
    return c ? std::move(*c) : nullptr;
  }

  static void Exec(Connection& c, const std::string& sql) {
    auto r = c.Query(sql);
    ASSERT_TRUE(r.has_value()) << sql << ": " << r.error().ToString();
  }

  // Starts a dump at the server's current end on a fresh replication connection.
  std::unique_ptr<Connection> DumpFromNow(ConnectOptions o) {
    auto c = Connection::Open(o);
    EXPECT_TRUE(c.has_value()) << c.error().ToString();
    if (!c) return nullptr;
    auto status = (*c)->Query("SHOW MASTER STATUS");
    EXPECT_TRUE(status.has_value());
    if (!status || status->rows.empty()) return nullptr;
    std::string file = *status->rows[0][0];
    uint32_t pos = static_cast<uint32_t>(std::stoul(*status->rows[0][1]));
    EXPECT_TRUE((*c)->PrepareReplication("6f1a3bd4-0b7e-4c3f-9d2a-1d7e5c0a9b11").has_value());
    auto reg = (*c)->RegisterReplica(4242001);
    EXPECT_TRUE(reg.has_value()) << reg.error().ToString();
    EXPECT_TRUE((*c)->StartDump(file, pos, 4242001).has_value());
    return std::move(*c);
  }

  inflow::testing::EnvMap env_;
};

TEST_F(CaptureClient, AuthenticatesWithNativePasswordAndQueries) {
  auto c = Connect("MYSQL_URL");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->IsMariaDb());
  EXPECT_EQ(c->auth_plugin(), "mysql_native_password");
  auto rs = c->Query("SELECT 1 AS one, NULL AS nothing, 'h\xc3\xa9' AS text");
  ASSERT_TRUE(rs.has_value()) << rs.error().ToString();
  ASSERT_EQ(rs->columns, (std::vector<std::string>{"one", "nothing", "text"}));
  ASSERT_EQ(rs->rows.size(), 1u);
  EXPECT_EQ(rs->rows[0][0], "1");
  EXPECT_FALSE(rs->rows[0][1].has_value());
  EXPECT_EQ(rs->rows[0][2], "h\xc3\xa9");
  auto many = c->Query(
      "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 1000) "
      "SELECT n FROM s");
  ASSERT_TRUE(many.has_value()) << many.error().ToString();
  EXPECT_EQ(many->rows.size(), 1000u);
  EXPECT_EQ(many->rows.back()[0], "1000");
}

TEST_F(CaptureClient, AuthenticatesWithClientEd25519AfterAuthSwitch) {
  auto c = Connect("MYSQL_ED25519_URL");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->auth_plugin(), "client_ed25519");
  auto rs = c->Query("SELECT CURRENT_USER()");
  ASSERT_TRUE(rs.has_value()) << rs.error().ToString();
  EXPECT_EQ(rs->rows[0][0]->rfind("inflow_ed@", 0), 0u);
}

TEST_F(CaptureClient, NegotiatesTlsAndStreamsOverIt) {
  ConnectOptions o = Options("MYSQL_URL");
  o.tls = TlsMode::kVerifyCa;
  o.ca_file = inflow::testing::EnvValue(env_, "MYSQL_TLS_CA");
  auto c = Connection::Open(o);
  ASSERT_TRUE(c.has_value()) << c.error().ToString();
  EXPECT_TRUE((*c)->tls_active());
  auto rs = (*c)->Query("SHOW SESSION STATUS LIKE 'Ssl_version'");
  ASSERT_TRUE(rs.has_value()) << rs.error().ToString();
  ASSERT_EQ(rs->rows.size(), 1u);
  EXPECT_EQ(rs->rows[0][1]->rfind("TLSv1.", 0), 0u) << *rs->rows[0][1];

  // The binlog stream over TLS: read up to the FORMAT_DESCRIPTION event and a heartbeat.
  o.heartbeat = milliseconds(300);
  auto dump = DumpFromNow(o);
  ASSERT_TRUE(dump);
  EXPECT_TRUE(dump->tls_active());
  bool heartbeat = false;
  for (int i = 0; i < 20 && !heartbeat; ++i) {
    auto ev = dump->ReadEvent();
    ASSERT_TRUE(ev.has_value()) << ev.error().ToString();
    heartbeat = (*ev)[4] == event_type::kHeartbeat;
  }
  EXPECT_TRUE(heartbeat);

  // A certificate that does not chain to the given CA is refused.
  o.ca_file = "/etc/ssl/certs/ca-certificates.crt";
  auto untrusted = Connection::Open(o);
  ASSERT_FALSE(untrusted.has_value());
  EXPECT_EQ(untrusted.error().code(), ErrorCode::kUnauthenticated) << untrusted.error().ToString();
}

TEST_F(CaptureClient, WrongPasswordIsUnauthenticated) {
  for (const char* key : {"MYSQL_URL", "MYSQL_ED25519_URL"}) {
    ConnectOptions o = Options(key);
    o.password = "wrong";
    auto c = Connection::Open(o);
    ASSERT_FALSE(c.has_value()) << key;
    EXPECT_EQ(c.error().code(), ErrorCode::kUnauthenticated) << c.error().ToString();
    EXPECT_NE(c.error().message().find("1045"), std::string::npos) << c.error().ToString();
    EXPECT_EQ(c.error().message().find("wrong"), std::string::npos);
  }
}

TEST_F(CaptureClient, SqlErrorsKeepTheServerCode) {
  auto c = Connect("MYSQL_URL");
  ASSERT_TRUE(c);
  auto r = c->Query("SELEKT 1");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message().find("[1064"), std::string::npos);
  // The connection stays usable after an error.
  EXPECT_TRUE(c->Query("SELECT 2").has_value());
}

TEST_F(CaptureClient, StreamsCrcVerifiedEventsIncludingOneOver16MiB) {
  auto admin = Connect("MYSQL_ADMIN_URL");
  ASSERT_TRUE(admin);
  Exec(*admin, "CREATE DATABASE IF NOT EXISTS capture_client");
  Exec(*admin, "CREATE TABLE IF NOT EXISTS capture_client.big (id INT PRIMARY KEY, b LONGBLOB)");
  Exec(*admin, "DELETE FROM capture_client.big");
  auto dump = DumpFromNow(Options("MYSQL_URL"));
  ASSERT_TRUE(dump);
  EXPECT_TRUE(dump->checksums_on());
  // 20 MiB of data: the rows event spans two protocol packets.
  Exec(*admin, "INSERT INTO capture_client.big VALUES (1, REPEAT('x', 20 * 1024 * 1024))");
  bool saw_fde = false;
  size_t biggest = 0;
  for (int i = 0; i < 50; ++i) {
    auto ev = dump->ReadEvent();
    ASSERT_TRUE(ev.has_value()) << ev.error().ToString();
    auto h = ParseEventHeader(*ev);
    ASSERT_TRUE(h.has_value());
    // The CRC32 trailer was verified and removed.
    if (h->type != event_type::kFormatDescription && h->event_length != 0) {
      EXPECT_EQ(h->event_length, ev->size() + 4) << "type " << int(h->type);
    }
    if (h->type == event_type::kFormatDescription) saw_fde = true;
    if (h->type == event_type::kWriteRowsV1 || h->type == event_type::kWriteRowsV2) {
      biggest = std::max(biggest, ev->size());
    }
    if (h->type == event_type::kXid) break;
  }
  EXPECT_TRUE(saw_fde);
  EXPECT_GT(biggest, size_t{20} * 1024 * 1024);
}

TEST_F(CaptureClient, IdleStreamGetsHeartbeatsAndNoTimeout) {
  ConnectOptions o = Options("MYSQL_URL");
  o.heartbeat = milliseconds(500);
  o.read_timeout = milliseconds(2000);
  auto dump = DumpFromNow(o);
  ASSERT_TRUE(dump);
  int heartbeats = 0;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < until) {
    auto ev = dump->ReadEvent();
    ASSERT_TRUE(ev.has_value()) << ev.error().ToString();
    auto h = ParseEventHeader(*ev);
    ASSERT_TRUE(h.has_value());
    if (h->type == event_type::kHeartbeat) ++heartbeats;
  }
  EXPECT_GE(heartbeats, 5);
}

TEST_F(CaptureClient, SilentStreamTimesOutInsteadOfHanging) {
  ConnectOptions o = Options("MYSQL_URL");
  o.heartbeat = milliseconds(0);  // no heartbeats: the stream goes silent when idle
  o.read_timeout = milliseconds(1500);
  auto dump = DumpFromNow(o);
  ASSERT_TRUE(dump);
  auto started = std::chrono::steady_clock::now();
  while (true) {
    auto ev = dump->ReadEvent();
    if (!ev) {
      EXPECT_EQ(ev.error().code(), ErrorCode::kTimeout) << ev.error().ToString();
      EXPECT_NE(ev.error().message().find("considered dead"), std::string::npos);
      break;
    }
    ASSERT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
}

}  // namespace
}  // namespace inflow::capture::mysql
