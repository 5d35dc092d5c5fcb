#include "capture/mysql/connection_options.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

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

// Passwords with unescaped '@', ':', '/' (issue 11): the userinfo ends at the last '@', and no
// error ever quotes a fragment of it.
TEST(SourceUrl, SplitsUserinfoAtTheLastAtSign) {
  auto o = ParseSourceUrl("mysql://inflow:Xy@Priv4teWord:3306/z@127.0.0.1:3306");
  ASSERT_TRUE(o.has_value()) << o.error().ToString();
  EXPECT_EQ(o->user, "inflow");
  EXPECT_EQ(o->password, "Xy@Priv4teWord:3306/z");
  EXPECT_EQ(o->host, "127.0.0.1");
  EXPECT_EQ(o->port, 3306);
  EXPECT_EQ(o->database, "");

  o = ParseSourceUrl(
      "mysql://inflow:Abc@S3cretFrag:12345678/tail@127.0.0.1:3306/shop?tls=disabled");
  ASSERT_TRUE(o.has_value()) << o.error().ToString();
  EXPECT_EQ(o->password, "Abc@S3cretFrag:12345678/tail");
  EXPECT_EQ(o->host, "127.0.0.1");
  EXPECT_EQ(o->database, "shop");
  EXPECT_EQ(o->tls, TlsMode::kDisabled);

  o = ParseSourceUrl("mysql://u:a?b#c/d@h");
  ASSERT_TRUE(o.has_value()) << o.error().ToString();
  EXPECT_EQ(o->password, "a?b#c/d");
  EXPECT_EQ(o->host, "h");
}

TEST(SourceUrl, ErrorsNeverQuoteThePassword) {
  const std::vector<std::string_view> fragments = {"Xy",         "Priv4teWord", "3306/z", "Abc",
                                                   "S3cretFrag", "12345678",    "tail"};
  for (std::string_view bad : {
           "mysql://inflow:Xy@Priv4teWord:3306/z@127.0.0.1:99999",
           "mysql://inflow:Xy@Priv4teWord:3306/z@",
           "mysql://inflow:Xy@Priv4teWord:3306/z@:3306",
           "mysql://inflow:Abc@S3cretFrag:12345678/tail@127.0.0.1:port",
           "mysql://inflow:Abc@S3cretFrag:12345678/tail@[::1",
           "mysql://inflow:Abc@S3cretFrag:12345678/tail%4@h",
           "mysql://inflow%zz:Abc@S3cretFrag:12345678/tail@h",
           "mysql://:Abc@S3cretFrag:12345678/tail@h",
       }) {
    auto o = ParseSourceUrl(bad);
    ASSERT_FALSE(o.has_value()) << bad;
    const std::string& message = o.error().message();
    for (std::string_view f : fragments) {
      EXPECT_EQ(message.find(f), std::string::npos) << bad << " -> " << message;
    }
    EXPECT_NE(message.find("percent-encode @ / ? # in a password"), std::string::npos)
        << bad << " -> " << message;
  }
}

}  // namespace
}  // namespace inflow::capture::mysql
