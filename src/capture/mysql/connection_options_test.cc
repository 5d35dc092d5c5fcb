#include "capture/mysql/connection_options.h"

#include <gtest/gtest.h>

namespace inflow::capture::mysql {
namespace {

TEST(SourceUrl, ParsesUserPasswordHostPortAndParameters) {
  auto o = ParseSourceUrl(
      "mariadb://in%40flow:p%3Aw@db.example:3307/shop?tls=verify_identity&ca=/etc/ca.pem&"
      "server_id=77&heartbeat_ms=2000");
  ASSERT_TRUE(o.has_value()) << o.error().ToString();
  EXPECT_TRUE(o->mariadb_scheme);
  EXPECT_EQ(o->user, "in@flow");
  EXPECT_EQ(o->password, "p:w");
  EXPECT_EQ(o->host, "db.example");
  EXPECT_EQ(o->port, 3307);
  EXPECT_EQ(o->database, "shop");
  EXPECT_EQ(o->tls, TlsMode::kVerifyIdentity);
  EXPECT_EQ(o->ca_file, "/etc/ca.pem");
  EXPECT_EQ(o->server_id, 77u);
  EXPECT_EQ(o->heartbeat.count(), 2000);
  EXPECT_EQ(o->EffectiveReadTimeout().count(), 9000);
  EXPECT_EQ(RedactedUrl(*o), "mariadb://in@flow:******@db.example:3307");
}

TEST(SourceUrl, DefaultsAndIpv6) {
  auto o = ParseSourceUrl("mysql://root@[::1]");
  ASSERT_TRUE(o.has_value()) << o.error().ToString();
  EXPECT_EQ(o->host, "::1");
  EXPECT_EQ(o->port, 3306);
  EXPECT_EQ(o->password, "");
  EXPECT_EQ(o->tls, TlsMode::kPreferred);
}

TEST(SourceUrl, RejectsBadUrlsWithoutLeakingThePassword) {
  for (std::string_view bad :
       {"127.0.0.1:3306", "postgres://u@h", "mysql://:secret@h", "mysql://u:secret@h:99999",
        "mysql://u:secret@h?tls=maybe", "mysql://u:secret@h?bogus=1", "mysql://u:se%2@h",
        "mysql://u:secret@:3306"}) {
    auto o = ParseSourceUrl(bad);
    ASSERT_FALSE(o.has_value()) << bad;
    EXPECT_EQ(o.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(o.error().message().find("secret"), std::string::npos) << o.error().message();
  }
}

}  // namespace
}  // namespace inflow::capture::mysql
