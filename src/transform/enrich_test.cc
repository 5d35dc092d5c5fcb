#include "transform/enrich.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "transform/http_test_server.h"
#include "transform/steps.h"
#include "transform/test_util.h"

namespace inflow::transform {
namespace {

using nlohmann::json;

std::unique_ptr<Enrich> Make(json config, Enrich::Clock clock = nullptr) {
  auto e = Enrich::FromConfig(config, "enrich", std::move(clock));
  EXPECT_TRUE(e) << (e ? "" : e.error().ToString());
  return e ? std::move(*e) : nullptr;
}

json GetConfig(const TestHttpServer& server) {
  return json{{"url", server.url("/customers/${id}")},
              {"parameters", {{"id", "$.data.cid"}}},
              {"target", "$.data.customer"}};
}

TEST(Enrich, GetsAndInsertsTheResponseAtTheTarget) {
  std::string seen;
  TestHttpServer server([&](const std::string& method, const std::string& target, auto&) {
    seen = method + " " + target;
    return TestHttpServer::Reply{200, R"({ "name": "Ann", "tier": 2 })"};
  });
  auto e = Make(GetConfig(server));
  auto r = e->Apply(Events({R"({"id":"x","data":{"cid":7,"other":[1]},"z":true})"}));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(seen, "GET /customers/7");
  EXPECT_EQ(
      Jsons(*r),
      (std::vector<std::string>{
          R"({"id":"x","data":{"cid":7,"other":[1],"customer":{"name":"Ann","tier":2}},"z":true})"}));
  EXPECT_EQ((*r)[0].id, "e0");
}

TEST(Enrich, ReplacesAnExistingMemberAndCreatesMissingObjects) {
  TestHttpServer server([](auto&, auto&, auto&) { return TestHttpServer::Reply{200, "[1,2]"}; });
  json config = GetConfig(server);
  config["target"] = "$['data'].customer";
  auto e = Make(config);
  auto r = e->Apply(Events({R"({"data":{"customer":"old","cid":1}})", R"({"data":{}})"}));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(Jsons(*r), (std::vector<std::string>{R"({"data":{"customer":[1,2],"cid":1}})",
                                                 R"({"data":{"customer":[1,2]}})"}));
  config["target"] = "$.a.b.c";
  e = Make(config);
  r = e->Apply(Events({R"({"data":{"cid":1}})"}));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(Jsons(*r)[0], R"({"data":{"cid":1},"a":{"b":{"c":[1,2]}}})");
  r = e->Apply(Events({R"({"a":{"b":5}})"}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message().find("e0"), std::string::npos);
}

TEST(Enrich, PostsTheRenderedBody) {
  std::string seen;
  TestHttpServer server(
      [&](const std::string& method, const std::string& target, const std::string& body) {
        seen = method + " " + target + " " + body;
        return TestHttpServer::Reply{200, R"("ok")"};
      });
  json config = GetConfig(server);
  config["url"] = server.url("/lookup");
  config["method"] = "POST";
  config["body"] = R"({"customer":${id}})";
  auto e = Make(config);
  auto r = e->Apply(Events({R"({"data":{"cid":42}})"}));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(seen, R"(POST /lookup {"customer":42})");
  EXPECT_EQ(Jsons(*r)[0], R"({"data":{"cid":42,"customer":"ok"}})");
}

TEST(Enrich, CacheHitsMakeNoRequestAndEntriesExpire) {
  TestHttpServer server([](auto&, auto&, auto&) { return TestHttpServer::Reply{200, "1"}; });
  auto now = std::chrono::steady_clock::now();
  json config = GetConfig(server);
  config["ttl_s"] = 10;
  auto e = Make(config, [&] { return now; });
  auto batch = Events({R"({"data":{"cid":1}})", R"({"data":{"cid":2}})", R"({"data":{"cid":1}})"});
  ASSERT_TRUE(e->Apply(batch));
  EXPECT_EQ(server.requests(), 2);
  ASSERT_TRUE(e->Apply(batch));
  EXPECT_EQ(server.requests(), 2);
  now += std::chrono::seconds(11);
  ASSERT_TRUE(e->Apply(batch));
  EXPECT_EQ(server.requests(), 4);
  EXPECT_EQ(server.connections(), 1);
}

TEST(Enrich, CacheIsBoundedLeastRecentlyUsedFirst) {
  TestHttpServer server([](auto&, auto&, auto&) { return TestHttpServer::Reply{200, "1"}; });
  json config = GetConfig(server);
  config["cache_entries"] = 2;
  auto e = Make(config);
  auto one = [](int id) { return Events({R"({"data":{"cid":)" + std::to_string(id) + "}}"}); };
  ASSERT_TRUE(e->Apply(one(1)));
  ASSERT_TRUE(e->Apply(one(2)));
  ASSERT_TRUE(e->Apply(one(1)));  // hit; 2 is now least recently used
  EXPECT_EQ(server.requests(), 2);
  ASSERT_TRUE(e->Apply(one(3)));  // evicts 2
  ASSERT_TRUE(e->Apply(one(1)));
  EXPECT_EQ(server.requests(), 3);
  ASSERT_TRUE(e->Apply(one(2)));
  EXPECT_EQ(server.requests(), 4);
}

TEST(Enrich, NotFoundSkipsOrFails) {
  TestHttpServer server([](auto&, auto&, auto&) { return TestHttpServer::Reply{404, "nope"}; });
  json config = GetConfig(server);
  auto strict = Make(config);
  auto r = strict->Apply(Events({R"({"data":{"cid":5}})"}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message().find("e0"), std::string::npos);
  EXPECT_NE(r.error().message().find("/customers/5"), std::string::npos);
  strict.reset();  // the test server serves one keep-alive connection at a time
  config["on_missing"] = "skip";
  auto lenient = Make(config);
  r = lenient->Apply(Events({R"({"data":{"cid":5}})"}));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(Jsons(*r)[0], R"({"data":{"cid":5}})");
}

TEST(Enrich, ClassifiesStatusesAndHidesTheQueryString) {
  int status = 500;
  std::string reply = "{}";
  TestHttpServer server([&](auto&, auto&, auto&) { return TestHttpServer::Reply{status, reply}; });
  json config = GetConfig(server);
  config["url"] = server.url("/c/${id}?api_key=secret");
  config["ttl_s"] = 0;
  auto e = Make(config);
  auto batch = Events({R"({"data":{"cid":5}})"});
  auto code = [&] {
    auto r = e->Apply(batch);
    EXPECT_FALSE(r);
    if (r) return ErrorCode::kInternal;
    EXPECT_EQ(r.error().message().find("secret"), std::string::npos) << r.error().message();
    EXPECT_NE(r.error().message().find("/c/5"), std::string::npos) << r.error().message();
    return r.error().code();
  };
  EXPECT_EQ(code(), ErrorCode::kUnavailable);
  status = 429;
  EXPECT_EQ(code(), ErrorCode::kUnavailable);
  status = 408;
  EXPECT_EQ(code(), ErrorCode::kTimeout);
  status = 403;
  EXPECT_EQ(code(), ErrorCode::kInvalidArgument);
  status = 200;
  reply = "not json";
  EXPECT_EQ(code(), ErrorCode::kInvalidArgument);
}

TEST(Enrich, UnreachableServerIsUnavailable) {
  std::string url;
  {
    TestHttpServer server([](auto&, auto&, auto&) { return TestHttpServer::Reply{}; });
    url = server.url("/x");
  }
  auto e = Make({{"url", url}, {"target", "$.x"}, {"timeout_ms", 500}});
  auto r = e->Apply(Events({"{}"}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kUnavailable) << r.error().ToString();
}

TEST(Enrich, ConfigErrorsNameTheirFields) {
  auto r = Enrich::FromConfig(json{{"url", "http://h:1/${x}/p"},
                                   {"method", "PUT"},
                                   {"target", "$.a[0]"},
                                   {"on_missing", "maybe"},
                                   {"ttl_s", -1},
                                   {"bogus", 1}},
                              "t[0].enrich");
  ASSERT_FALSE(r);
  const std::string& m = r.error().message();
  for (const char* field : {"t[0].enrich.method", "t[0].enrich.target", "t[0].enrich.on_missing",
                            "t[0].enrich.ttl_s", "bogus"}) {
    EXPECT_NE(m.find(field), std::string::npos) << field << " in " << m;
  }
  r = Enrich::FromConfig(json{{"url", "http://${host}/p"}, {"target", "$.a"}}, "e");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("e.url"), std::string::npos) << r.error().message();
  r = Enrich::FromConfig(json{{"url", "http://h/p"}, {"method", "POST"}, {"target", "$.a"}}, "e");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("e.body"), std::string::npos) << r.error().message();
  r = Enrich::FromConfig(json{{"url", "http://h/p"}, {"target", "$"}}, "e");
  ASSERT_FALSE(r);
}

TEST(Enrich, IsBuiltByBuildSteps) {
  TestHttpServer server([](auto&, auto&, auto&) { return TestHttpServer::Reply{200, "true"}; });
  json section = json::array({{{"enrich", GetConfig(server)}}});
  auto steps = BuildSteps(section, "transform");
  ASSERT_TRUE(steps) << steps.error().ToString();
  ASSERT_EQ(steps->size(), 1u);
  auto r = (*steps)[0]->Apply(Events({R"({"data":{"cid":1}})"}));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(Jsons(*r)[0], R"({"data":{"cid":1,"customer":true}})");
}

}  // namespace
}  // namespace inflow::transform
