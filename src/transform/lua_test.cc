#include "transform/lua.h"

#include <gtest/gtest.h>

#include "transform/test_util.h"

namespace inflow::transform {
namespace {

std::unique_ptr<LuaTransform> Make(const std::string& code, int timeout_ms = 200,
                                   size_t memory = 16u << 20) {
  auto t = LuaTransform::Create({code, std::chrono::milliseconds(timeout_ms), memory});
  EXPECT_TRUE(t) << (t ? "" : t.error().ToString());
  return t ? std::move(*t) : nullptr;
}

TEST(LuaTransform, RewritesEventsAndKeepsJsonKinds) {
  auto t = Make(R"(
    function transform(events)
      local out = {}
      for i, e in ipairs(events) do
        out[#out + 1] = {id = e.id, n = e.data.n * 2, tags = e.data.tags, none = json.null,
                         empty_obj = e.data.o, empty_arr = e.data.a}
      end
      return out
    end)");
  ASSERT_TRUE(t);
  auto r = t->Apply(Events({R"({"id":"x-1","data":{"n":21,"tags":["a","b"],"o":{},"a":[]}})"}));
  ASSERT_TRUE(r) << r.error().ToString();
  ASSERT_EQ(r->size(), 1u);
  // Key order of Lua tables is unspecified: check by parsing-free substrings.
  const std::string& e = (*r)[0].json;
  EXPECT_NE(e.find(R"("id":"x-1")"), std::string::npos) << e;
  EXPECT_NE(e.find(R"("n":42)"), std::string::npos) << e;
  EXPECT_NE(e.find(R"("tags":["a","b"])"), std::string::npos) << e;
  EXPECT_NE(e.find(R"("none":null)"), std::string::npos) << e;
  EXPECT_NE(e.find(R"("empty_obj":{})"), std::string::npos) << e;
  EXPECT_NE(e.find(R"("empty_arr":[])"), std::string::npos) << e;
}

TEST(LuaTransform, CanDropAndSplitEvents) {
  auto t = Make(R"(
    function transform(events)
      local out = {}
      for _, e in ipairs(events) do
        if e.keep then
          for _, item in ipairs(e.items) do out[#out + 1] = item end
        end
      end
      return out
    end)");
  ASSERT_TRUE(t);
  auto r =
      t->Apply(Events({R"({"keep":false,"items":[1]})", R"({"keep":true,"items":["a",{"b":1}]})"}));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(Jsons(*r), (std::vector<std::string>{R"("a")", R"({"b":1})"}));
}

TEST(LuaTransform, InfiniteLoopHitsTheTimeLimitAndStateStaysUsable) {
  auto t = Make(R"(
    calls = 0
    function transform(events)
      calls = calls + 1
      if events[1].spin then while true do end end
      return {calls}
    end)",
                50);
  ASSERT_TRUE(t);
  auto r = t->Apply(Events({R"({"spin":true})"}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message().find("CPU time limit"), std::string::npos) << r.error().message();
  auto ok = t->Apply(Events({R"({"spin":false})"}));
  ASSERT_TRUE(ok) << ok.error().ToString();
  EXPECT_EQ(Jsons(*ok), (std::vector<std::string>{"2"}));
}

TEST(LuaTransform, MemoryLimitIsEnforced) {
  auto t = Make(R"(
    function transform(events)
      local t = {}
      for i = 1, 1e7 do t[i] = string.rep("x", 64) .. i end
      return {}
    end)",
                5000, 8u << 20);
  ASSERT_TRUE(t);
  auto r = t->Apply(Events({"{}"}));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("memory limit"), std::string::npos) << r.error().message();
}

TEST(LuaTransform, SandboxRefusesEscapes) {
  for (const char* probe :
       {"io.open('/etc/passwd')", "os.execute('true')", "require('ffi')", "load('return 1')",
        "loadstring('return 1')", "dofile('/etc/passwd')", "string.dump(transform)",
        "debug.getinfo(1)", "jit.on()", "package.loadlib('libc.so.6', 'system')"}) {
    auto t =
        Make(std::string("function transform(events) local x = ") + probe + " return events end");
    ASSERT_TRUE(t);
    auto r = t->Apply(Events({"{}"}));
    EXPECT_FALSE(r) << probe << " was allowed";
  }
}

TEST(LuaTransform, RejectsBytecodeAndMissingFunction) {
  EXPECT_FALSE(LuaTransform::Create({"\x1bLJ\x02", std::chrono::milliseconds(50), 16u << 20}));
  auto no_fn = LuaTransform::Create({"x = 1", std::chrono::milliseconds(50), 16u << 20});
  ASSERT_FALSE(no_fn);
  EXPECT_NE(no_fn.error().message().find("transform(events)"), std::string::npos);
  auto syntax =
      LuaTransform::Create({"function transform(", std::chrono::milliseconds(50), 16u << 20});
  ASSERT_FALSE(syntax);
  EXPECT_NE(syntax.error().message().find("lua.code"), std::string::npos);
}

TEST(LuaTransform, BadOutputIsAClearError) {
  auto t = Make("function transform(events) return 'nope' end");
  auto r = t->Apply(Events({"{}"}));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("must return an array"), std::string::npos);

  auto fn = Make("function transform(events) return {function() end} end");
  r = fn->Apply(Events({"{}"}));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("cannot be encoded"), std::string::npos);

  auto nan = Make("function transform(events) return {0/0} end");
  r = nan->Apply(Events({"{}"}));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("not representable"), std::string::npos);

  auto bad_utf8 = Make("function transform(events) return {'\\255'} end");
  r = bad_utf8->Apply(Events({"{}"}));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("UTF-8"), std::string::npos);
}

TEST(LuaTransform, JsonHelpersRoundTrip) {
  auto t = Make(R"(
    function transform(events)
      local v = json.decode(events[1].payload)
      return {json.encode(v), json.array({}), json.object({})}
    end)");
  auto r = t->Apply(Events({R"({"payload":"[1,{\"a\":null}]"})"}));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(Jsons(*r), (std::vector<std::string>{R"("[1,{\"a\":null}]")", "[]", "{}"}));
}

}  // namespace
}  // namespace inflow::transform
