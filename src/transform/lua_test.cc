#include "transform/lua.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <future>
#include <luajit-2.1/lua.hpp>
#include <nlohmann/json.hpp>
#include <thread>

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
  EXPECT_NE(r.error().message().find("time limit"), std::string::npos) << r.error().message();
  auto ok = t->Apply(Events({R"({"spin":false})"}));
  ASSERT_TRUE(ok) << ok.error().ToString();
  EXPECT_EQ(Jsons(*ok), (std::vector<std::string>{"2"}));
}

// Runs `t->Apply` on another thread; fails the test (instead of hanging) if it takes > 10 s.
Result<std::vector<Event>> ApplyGuarded(LuaTransform* t, const std::string& event) {
  auto run = std::async(std::launch::async, [&] { return t->Apply(Events({event})); });
  if (run.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    ADD_FAILURE() << "Apply did not return within 10 s";
    std::abort();  // the call cannot be abandoned: it uses t
  }
  return run.get();
}

constexpr const char* kCatchers[] = {
    "while true do pcall(function() while true do end end) end",
    "while true do xpcall(function() while true do end end, function(e) return e end) end",
    "while true do coroutine.resume(coroutine.create(function() while true do end end)) end",
    "while true do pcall(pcall, pcall, function() while true do end end) end",
};

TEST(LuaTransform, TimeLimitCannotBeCaught) {
  for (const char* spin : kCatchers) {
    auto t = Make(std::string("function transform(events)\n if events[1].spin then ") + spin +
                      " end\n return events\nend",
                  50);
    ASSERT_TRUE(t);
    auto r = ApplyGuarded(t.get(), R"({"spin":true})");
    ASSERT_FALSE(r) << spin;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument) << spin;
    EXPECT_NE(r.error().message().find("time limit"), std::string::npos) << r.error().message();
    auto ok = ApplyGuarded(t.get(), R"({"spin":false})");  // the state stays usable
    ASSERT_TRUE(ok) << spin << ": " << ok.error().ToString();
  }
}

TEST(LuaTransform, TimeInLibraryFunctionsCounts) {
  const char* slow[] = {
      "string.find(string.rep('a', 5000), string.rep('a*', 50) .. 'b')",
      "string.match(string.rep('a', 5000), string.rep('a-', 50) .. 'b')",
      "string.gsub(string.rep('a', 5000), string.rep('a?', 50) .. 'b', '')",
      "(function() for m in string.gmatch(string.rep('a', 5000), string.rep('(a*)', 30) .. 'b')"
      " do end end)()",
      "(string.rep('a', 5000)):find(string.rep('a*', 50) .. 'b')",
      "string.find(string.rep('a', 4000000), string.rep('a', 2000000) .. 'b', 1, true)",
  };
  for (const char* code : slow) {
    auto t = Make(
        std::string("function transform(events)\n local r = ") + code + "\n return events\nend",
        100);
    ASSERT_TRUE(t);
    auto r = ApplyGuarded(t.get(), "{}");
    ASSERT_FALSE(r) << code;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument) << code;
    EXPECT_NE(r.error().message().find("time limit"), std::string::npos) << r.error().message();
  }
}

TEST(LuaTransform, EncodingIsBoundedForSharedSubtables) {
  // 2^40 nodes as JSON, a few hundred bytes in Lua.
  const char* dag = "local t = {} for i = 1, 40 do t = {t, t} end";
  for (std::string ret : {"return {json.encode(t)}", "return {t}"}) {
    auto t = Make(std::string("function transform(events)\n") + dag + "\n" + ret + "\nend", 100);
    ASSERT_TRUE(t);
    auto r = ApplyGuarded(t.get(), "{}");
    ASSERT_FALSE(r) << ret;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument) << ret;
    EXPECT_TRUE(r.error().message().find("memory limit") != std::string::npos ||
                r.error().message().find("time limit") != std::string::npos)
        << r.error().message();
  }
}

TEST(LuaTransform, ValidationIsBoundedByTheSameLimits) {
  for (std::string chunk :
       {std::string(kCatchers[0]),
        std::string("string.find(string.rep('a', 5000), string.rep('a*', 50) .. 'b')")}) {
    auto create = std::async(std::launch::async, [&] {
      return LuaTransform::Create(
          {chunk + "\nfunction transform(e) return e end", std::chrono::milliseconds(50)});
    });
    ASSERT_EQ(create.wait_for(std::chrono::seconds(10)), std::future_status::ready) << chunk;
    auto t = create.get();
    ASSERT_FALSE(t) << chunk;
    EXPECT_EQ(t.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(t.error().message().find("time limit"), std::string::npos) << t.error().message();
  }
}

TEST(LuaTransform, InterruptStopsARunningCallAndLaterCalls) {
  auto t = Make(std::string("function transform(events)\n") + kCatchers[0] + "\nend", 60000);
  ASSERT_TRUE(t);
  auto run = std::async(std::launch::async, [&] { return t->Apply(Events({"{}"})); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  t->Interrupt();
  ASSERT_EQ(run.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  auto r = run.get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kCancelled) << r.error().ToString();
  auto later = t->Apply(Events({"{}"}));
  ASSERT_FALSE(later);
  EXPECT_EQ(later.error().code(), ErrorCode::kCancelled);
}

TEST(LuaTransform, BoundedPatternFunctionsKeepLuaSemantics) {
  auto t = Make(R"lua(
    function transform(events)
      local out = {}
      local function add(...) out[#out + 1] = table.concat({...}, ",") end
      add(string.find("hello world", "o w"))
      add(string.find("hello world", "l+"))
      add(string.find("hello", "l", -2))
      add(string.find("a.b", ".", 1, true))
      add(string.find("key = value", "(%w+)%s*=%s*(%w+)"))
      add(string.match("  trim  ", "^%s*(.-)%s*$"))
      add(string.match("f(a(b)c)d", "%b()"))
      add(string.match("THE (quick) fox", "%f[%a]%a+", 5))
      add(string.match("hello", "()ll()"))
      add(string.match("abcabc", "(abc)%1"))
      add(tostring(string.match("abc", "^b")))
      add(string.gsub("hello world", "o", "0"))
      add(string.gsub("hello world", "(%w+)", "<%1>"))
      add(string.gsub("abc", "", "-"))
      add(string.gsub("$name is $age", "%$(%w+)", {name = "bob", age = 3}))
      add(string.gsub("abc", "%w", function(c) return c:upper() .. "." end, 2))
      local words = {}
      for k, v in string.gmatch("a=1, b=2", "(%w+)=(%w+)") do words[#words + 1] = k .. v end
      add(table.concat(words, ";"))
      local ok, err = pcall(string.find, "x", "[a")
      add(tostring(ok), err)
      return out
    end)lua");
  ASSERT_TRUE(t);
  auto r = t->Apply(Events({"{}"}));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(Jsons(*r),
            (std::vector<std::string>{
                R"("5,7")", R"("3,4")", R"("4,4")", R"("2,2")", R"("1,11,key,value")", R"("trim")",
                "\"(a(b)c)\"", R"("quick")", R"("3,5")", R"("abc")", R"("nil")",
                R"("hell0 w0rld,2")", R"("<hello> <world>,2")", R"("-a-b-c-,4")", R"("bob is 3,2")",
                R"("A.B.c,2")", R"("a1;b2")", "\"false,malformed pattern (missing ']')\""}));
}

// Lua source that, as `run()`, applies find / match / gsub / gmatch in several forms to every
// (pattern, subject) case and returns one line of results per case (errors included).
std::string DifferentialChunk(const std::vector<std::pair<std::string, std::string>>& cases) {
  auto quote = [](const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s)
      out += "\\" + std::to_string(c / 100) + std::to_string(c / 10 % 10) + std::to_string(c % 10);
    return out + "\"";
  };
  std::string code = "local cases = {\n";
  for (const auto& [p, s] : cases) code += "{" + quote(p) + ", " + quote(s) + "},\n";
  code += R"lua(}
    local function pack(ok, ...)
      local t = {tostring(ok)}
      for i = 1, select('#', ...) do t[#t + 1] = tostring((select(i, ...))) end
      return table.concat(t, "|")
    end
    local function gm(s, p)
      local out = {}
      local ok, err = pcall(function()
        for a, b in string.gmatch(s, p) do
          out[#out + 1] = tostring(a) .. "/" .. tostring(b)
          if #out > 40 then break end
        end
      end)
      if not ok then return "error " .. tostring(err) end
      return table.concat(out, ",")
    end
    local function ascii(s)
      local t = {}
      for i = 1, #s do
        local b = s:byte(i)
        t[i] = (b < 32 or b > 126) and ("\\" .. b) or string.char(b)
      end
      return table.concat(t)
    end
    local function joined(a, b) if b then return tostring(a) .. "+" .. tostring(b) end end
    local lookup = {a = "A", [""] = "E", ["()"] = false, ["b"] = 7}
    function run()
      local out = {}
      for _, c in ipairs(cases) do
        local p, s = c[1], c[2]
        local r = {
          pack(pcall(string.find, s, p)),
          pack(pcall(string.find, s, p, 2)),
          pack(pcall(string.find, s, p, -2)),
          pack(pcall(string.find, s, p, 0)),
          pack(pcall(string.find, s, p, -20)),
          pack(pcall(string.find, s, p, 20)),
          pack(pcall(string.find, s, p, 3, true)),
          pack(pcall(string.match, s, p)),
          pack(pcall(string.match, s, p, 3)),
          pack(pcall(string.gsub, s, p, "<%0>")),
          pack(pcall(string.gsub, s, p, "%1-")),
          pack(pcall(string.gsub, s, p, "%%%2")),
          pack(pcall(string.gsub, s, p, "x", 1)),
          pack(pcall(string.gsub, s, p, "y", -1)),
          pack(pcall(string.gsub, s, p, joined)),
          pack(pcall(string.gsub, s, p, lookup)),
          pack(pcall(string.gsub, s, p, "%a")),
          pack(pcall(string.gsub, s, p, "-%")),
          pack(pcall(string.gsub, s, p, 5)),
          pack(pcall(string.gsub, s, p, function() return {} end)),
          pack(pcall(string.gsub, s, p, function() return 1.5 end)),
          gm(s, p),
        }
        out[#out + 1] = ascii(table.concat(r, " ; "))
      end
      return out
    end
    function transform(events) return run() end
  )lua";
  return code;
}

// Results of `chunk`'s run() under LuaJIT's own string library (a plain luaL_openlibs state).
std::vector<std::string> RunWithStockLibrary(const std::string& chunk) {
  lua_State* L = luaL_newstate();
  luaL_openlibs(L);
  std::vector<std::string> out;
  if (luaL_loadbuffer(L, chunk.data(), chunk.size(), "=transform") != 0 ||
      lua_pcall(L, 0, 0, 0) != 0) {
    ADD_FAILURE() << lua_tostring(L, -1);
  } else {
    lua_getglobal(L, "run");
    if (lua_pcall(L, 0, 1, 0) != 0) {
      ADD_FAILURE() << lua_tostring(L, -1);
    } else {
      for (size_t i = 1; i <= lua_objlen(L, -1); ++i) {
        lua_rawgeti(L, -1, static_cast<int>(i));
        size_t n = 0;
        const char* s = lua_tolstring(L, -1, &n);
        out.emplace_back(s, n);
        lua_pop(L, 1);
      }
    }
  }
  lua_close(L);
  return out;
}

TEST(LuaTransform, PatternFunctionsAgreeWithLuaJit) {
  std::vector<std::pair<std::string, std::string>> cases = {
      {"^(a+)(b*)$", "aab"},
      {"(a*(.)%w(%s*))", "  aab c"},
      {"%bxy", "axxyyb"},
      {"%b''", "a'b'c'"},
      {"%b()", "(()"},
      {"%b", "x"},
      {"%bx", "x"},
      {"%f[%w]%w+", "the (quick) fox"},
      {"%f[%W]", "ab cd"},
      {"%f[^%z]", ""},
      {"%fa", "a"},
      {"%f", "a"},
      {"[%a-z]", "-"},
      {"[a-]", "-"},
      {"[]]", "]"},
      {"[^]]", "a]"},
      {"[]", "]"},
      {"[^]", "a"},
      {"[%]", "%"},
      {"[%]]", "]"},
      {"[a-%%]", "%"},
      {"[z-a]", "m"},
      {"[%w_]+", "a_b c"},
      {"%", "a"},
      {"a%", "a"},
      {"(()", "a"},
      {"(a", "a"},
      {"a)", "a"},
      {"%1", "a"},
      {"(a)%2", "aa"},
      {"(a%1)", "aa"},
      {"(a)%1", "aa"},
      {"()a()", "ba"},
      {"(()a)%1", "aa"},
      {"%0", "a"},
      {"$", "ab"},
      {"^$", ""},
      {"a$b", "a$b"},
      {"^^", "^a"},
      {"a^", "a^"},
      {"%$", "$"},
      {".-b", "aab"},
      {"a-", "aaa"},
      {"a-$", "aaa"},
      {"a?a?a", "aa"},
      {"a+?", "aa?"},
      {"**", "***"},
      {"(*)", "*"},
      {"%a*%d+", "ab12 c3"},
      {"%x+", "0xFFg"},
      {"%c", "a\tb"},
      {"%p+", "a!?-b"},
      {"%S+", " ab  c "},
      {"%u%l", "aBcD"},
      {"%z", std::string("a\0b", 3)},
      {".", std::string("\0", 1)},
      {"[%z]", std::string("x\0", 2)},
      {"%q", "q"},
      {std::string(40, '('), "a"},
      {"((((((((((((((((((((((((((((((((()", "a"},
      {"", ""},
      {"", "abc"},
      {"(%w+)=(%w+)", "a=1, b=2"},
      {"%s*(.-)%s*$", "  trim  "},
      {"[^%s]+", "a b"},
      {"()a%1", "aa"},
      {"()%1", ""},
      {"(a)(()%2)", "aa"},
      {"%bab", "aabb"},
      {"[a-b-]+", "a-b"},
      {"%f[a]a", "aa"},
      {"%f[%z]", "a"},
      {"^(%b())(.*)", "(a(b))c"},
      {"\xe9+", "\xe9\xe9"},
      {"%A+", "\xe9!"},
      {"%w", "\xe9"},
  };
  // A small deterministic generator over the pattern and subject alphabets.
  uint32_t seed = 12345;
  auto next = [&seed](uint32_t bound) {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 16) % bound;
  };
  const std::string pattern_chars = "ab%()[]^$.-*+?1f";
  const std::string subject_chars = "aab()b";
  for (int i = 0; i < 1500; ++i) {
    std::string p, s;
    for (uint32_t k = 1 + next(8); k > 0; --k) p += pattern_chars[next(pattern_chars.size())];
    for (uint32_t k = next(8); k > 0; --k) s += subject_chars[next(subject_chars.size())];
    cases.emplace_back(p, s);
  }
  std::string chunk = DifferentialChunk(cases);
  std::vector<std::string> expected = RunWithStockLibrary(chunk);
  ASSERT_EQ(expected.size(), cases.size());

  auto t = Make(chunk, 20000, 64u << 20);
  ASSERT_TRUE(t);
  auto r = t->Apply(Events({"{}"}));
  ASSERT_TRUE(r) << r.error().ToString();
  ASSERT_EQ(r->size(), cases.size());
  int mismatches = 0;
  for (size_t i = 0; i < cases.size() && mismatches < 20; ++i) {
    std::string got = nlohmann::json::parse((*r)[i].json).get<std::string>();
    if (got != expected[i]) {
      ++mismatches;
      ADD_FAILURE() << "pattern '" << cases[i].first << "' subject '" << cases[i].second
                    << "'\n  ours:  " << got << "\n  stock: " << expected[i];
    }
  }
}

TEST(LuaTransform, DeepPatternsFailInsteadOfOverflowingTheStack) {
  auto t = Make(R"lua(
    function transform(events)
      local ok, err = pcall(string.find, string.rep("a", 1000), string.rep("a?", 1000))
      local shallow = string.find(string.rep("a", 100), string.rep("a?", 100) .. "$")
      return {tostring(ok), err, shallow}
    end)lua");
  ASSERT_TRUE(t);
  auto r = t->Apply(Events({"{}"}));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(Jsons(*r), (std::vector<std::string>{R"("false")", R"("pattern too complex")", "1"}));
}

TEST(LuaTransform, BatchLargerThanTheMemoryLimitIsAnError) {
  auto t = Make("function transform(events) return events end", 1000, 1u << 20);
  ASSERT_TRUE(t);
  auto r = t->Apply(Events({R"({"a":")" + std::string(2u << 20, 'x') + R"("})"}));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("memory limit"), std::string::npos) << r.error().message();
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
