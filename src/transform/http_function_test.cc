#include "transform/http_function.h"

#include <gtest/gtest.h>

#include <thread>

#include "transform/http_test_server.h"
#include "transform/test_util.h"

namespace inflow::transform {
namespace {

using std::chrono::milliseconds;

std::unique_ptr<HttpFunction> Make(const std::string& url, int timeout_ms = 2000,
                                   size_t limit = 16u << 20) {
  auto f = HttpFunction::Create({url, milliseconds(timeout_ms), limit});
  EXPECT_TRUE(f) << (f ? "" : f.error().ToString());
  return f ? std::move(*f) : nullptr;
}

TEST(HttpFunction, PostsTheBatchAsOneArrayAndSplitsAnArrayResult) {
  std::string seen;
  TestHttpServer server([&](const std::string& method, const std::string&, const std::string& b) {
    seen = method + " " + b;
    return TestHttpServer::Reply{200, R"([{"a":1}, "two", 3])"};
  });
  auto f = Make(server.url("/fn"));
  auto r = f->Apply(Events({R"({"id":"1"})", R"({"id":"2"})"}));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(seen, R"(POST [{"id":"1"},{"id":"2"}])");
  EXPECT_EQ(Jsons(*r), (std::vector<std::string>{R"({"a":1})", R"("two")", "3"}));
}

TEST(HttpFunction, NonArrayIsOneEventAndTextIsAString) {
  std::string reply = R"({"x": [1, 2]})";
  TestHttpServer server([&](auto&, auto&, auto&) { return TestHttpServer::Reply{200, reply}; });
  auto f = Make(server.url());
  EXPECT_EQ(Jsons(*f->Apply(Events({"{}"}))), (std::vector<std::string>{R"({"x":[1,2]})"}));
  reply = "plain \"text\"";
  EXPECT_EQ(Jsons(*f->Apply(Events({"{}"}))), (std::vector<std::string>{R"("plain \"text\"")"}));
}

TEST(HttpFunction, ReusesOneKeepAliveConnection) {
  TestHttpServer server([](auto&, auto&, auto&) { return TestHttpServer::Reply{200, "[]"}; });
  auto f = Make(server.url());
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(f->Apply(Events({"{}"})));
  EXPECT_EQ(server.requests(), 20);
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpFunction, RecoversWhenTheServerClosesAnIdleConnection) {
  TestHttpServer server([](auto&, auto&, auto&) {
    return TestHttpServer::Reply{200, "[1]", /*close=*/true};
  });
  auto f = Make(server.url());
  for (int i = 0; i < 3; ++i) {
    auto r = f->Apply(Events({"{}"}));
    ASSERT_TRUE(r) << i << ": " << r.error().ToString();
  }
  EXPECT_EQ(server.connections(), 3);
}

TEST(HttpFunction, ClassifiesStatuses) {
  int status = 500;
  TestHttpServer server([&](auto&, auto&, auto&) { return TestHttpServer::Reply{status, "boom"}; });
  auto f = Make(server.url());
  auto r = f->Apply(Events({"{}"}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(r.error().message().find("status 500: boom"), std::string::npos);
  status = 429;
  EXPECT_EQ(f->Apply(Events({"{}"})).error().code(), ErrorCode::kUnavailable);
  status = 400;
  EXPECT_EQ(f->Apply(Events({"{}"})).error().code(), ErrorCode::kInvalidArgument);
  status = 408;
  EXPECT_EQ(f->Apply(Events({"{}"})).error().code(), ErrorCode::kTimeout);
}

TEST(HttpFunction, TimesOutOnASlowFunction) {
  TestHttpServer server([](auto&, auto&, auto&) {
    std::this_thread::sleep_for(milliseconds(500));
    return TestHttpServer::Reply{200, "[]"};
  });
  auto f = Make(server.url(), 100);
  auto start = std::chrono::steady_clock::now();
  auto r = f->Apply(Events({"{}"}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kTimeout) << r.error().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(450));
}

TEST(HttpFunction, ConnectionRefusedIsRetryable) {
  int port;
  {
    TestHttpServer gone([](auto&, auto&, auto&) { return TestHttpServer::Reply{}; });
    port = std::stoi(gone.url().substr(std::string("http://127.0.0.1:").size()));
  }
  auto f = Make("http://127.0.0.1:" + std::to_string(port) + "/");
  auto r = f->Apply(Events({"{}"}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kUnavailable) << r.error().ToString();
}

TEST(HttpFunction, SplitsBatchesOverThePayloadLimit) {
  std::vector<std::string> bodies;
  TestHttpServer server([&](auto&, auto&, const std::string& body) {
    bodies.push_back(body);
    return TestHttpServer::Reply{200, body};  // echo: the output is the input
  });
  auto f = Make(server.url(), 2000, 24);
  std::vector<std::string> in = {R"({"n":1})", R"({"n":2})", R"({"n":3})", R"({"n":4})"};
  auto r = f->Apply(Events(in));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(Jsons(*r), in);
  ASSERT_EQ(bodies.size(), 2u);
  for (auto& b : bodies) EXPECT_LE(b.size(), 24u);
  auto too_big = f->Apply(Events({std::string(R"({"s":")") + std::string(40, 'x') + "\"}"}));
  ASSERT_FALSE(too_big);
  EXPECT_EQ(too_big.error().code(), ErrorCode::kResourceExhausted);
}

TEST(HttpFunction, ResponseOverTheLimitIsRefused) {
  TestHttpServer server([](auto&, auto&, auto&) {
    return TestHttpServer::Reply{200, "[\"" + std::string(1000, 'y') + "\"]"};
  });
  auto f = Make(server.url(), 2000, 100);
  auto r = f->Apply(Events({"{}"}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kResourceExhausted) << r.error().ToString();
}

TEST(HttpFunction, RejectsBadUrls) {
  EXPECT_FALSE(HttpFunction::Create({"ftp://x", milliseconds(10), 100}));
  EXPECT_FALSE(HttpFunction::Create({"http://:80/", milliseconds(10), 100}));
  EXPECT_FALSE(HttpFunction::Create({"http://h:99999/", milliseconds(10), 100}));
  auto https = HttpFunction::Create({"https://h/", milliseconds(10), 100});
  ASSERT_FALSE(https);
  EXPECT_NE(https.error().message().find("http.url"), std::string::npos);
}

}  // namespace
}  // namespace inflow::transform
