#include "jsonpath/path.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace inflow::jsonpath {
namespace {

// The RFC 9535 §1.5 bookstore.
constexpr const char* kStore = R"({"store": {
  "book": [
    {"category": "reference", "author": "Nigel Rees", "title": "Sayings of the Century",
     "price": 8.95},
    {"category": "fiction", "author": "Evelyn Waugh", "title": "Sword of Honour", "price": 12.99},
    {"category": "fiction", "author": "Herman Melville", "title": "Moby Dick",
     "isbn": "0-553-21311-3", "price": 8.99},
    {"category": "fiction", "author": "J. R. R. Tolkien", "title": "The Lord of the Rings",
     "isbn": "0-395-19395-8", "price": 22.99}
  ],
  "bicycle": {"color": "red", "price": 399}
}})";

class PathTest : public ::testing::Test {
 protected:
  // Compiles `expr`, evaluates it on `json` and returns the nodes as compact JSON.
  std::vector<std::string> Select(const std::string& expr, const std::string& json) {
    auto path = Path::Compile(expr);
    EXPECT_TRUE(path) << expr << ": " << path.error().message();
    if (!path) return {};
    simdjson::dom::element doc;
    auto err = parser_.parse(json).get(doc);
    EXPECT_EQ(err, simdjson::SUCCESS) << simdjson::error_message(err);
    if (err) return {};
    std::vector<simdjson::dom::element> nodes;
    path->Evaluate(doc, &nodes);
    std::vector<std::string> out;
    for (auto n : nodes) out.push_back(ToCompactJson(n));
    return out;
  }

  std::string CompileError(const std::string& expr) {
    auto path = Path::Compile(expr);
    EXPECT_FALSE(path) << expr << " compiled";
    if (path) return "";
    EXPECT_EQ(path.error().code(), ErrorCode::kInvalidArgument);
    return path.error().message();
  }

  simdjson::dom::parser parser_;
};

using V = std::vector<std::string>;

TEST_F(PathTest, SelectsRfcBookstoreExamples) {
  EXPECT_EQ(
      Select("$.store.book[*].author", kStore),
      (V{"\"Nigel Rees\"", "\"Evelyn Waugh\"", "\"Herman Melville\"", "\"J. R. R. Tolkien\""}));
  EXPECT_EQ(Select("$..author", kStore).size(), 4u);
  EXPECT_EQ(Select("$.store.*", kStore).size(), 2u);
  EXPECT_EQ(Select("$.store..price", kStore), (V{"8.95", "12.99", "8.99", "22.99", "399"}));
  EXPECT_EQ(Select("$..book[2].title", kStore), (V{"\"Moby Dick\""}));
  EXPECT_EQ(Select("$..book[-1].title", kStore), (V{"\"The Lord of the Rings\""}));
  EXPECT_EQ(Select("$..book[0,1].price", kStore), (V{"8.95", "12.99"}));
  EXPECT_EQ(Select("$..book[:2].price", kStore), (V{"8.95", "12.99"}));
  EXPECT_EQ(Select("$..book[?@.isbn].price", kStore), (V{"8.99", "22.99"}));
  EXPECT_EQ(Select("$..book[?@.price<10].title", kStore),
            (V{"\"Sayings of the Century\"", "\"Moby Dick\""}));
  EXPECT_EQ(Select("$..*", kStore).size(), 27u);
}

TEST_F(PathTest, SlicesWithPositiveAndNegativeSteps) {
  const std::string a = "[0,1,2,3,4,5,6]";
  EXPECT_EQ(Select("$[1:5:2]", a), (V{"1", "3"}));
  EXPECT_EQ(Select("$[5:1:-2]", a), (V{"5", "3"}));
  EXPECT_EQ(Select("$[::-1]", a), (V{"6", "5", "4", "3", "2", "1", "0"}));
  EXPECT_EQ(Select("$[-2:]", a), (V{"5", "6"}));
  EXPECT_EQ(Select("$[1:3:0]", a), V{});
  EXPECT_EQ(Select("$[-9007199254740991:9007199254740991:9007199254740991]", a), V{"0"});
}

TEST_F(PathTest, FiltersFollowTheRfcComparisonRules) {
  const std::string doc =
      R"([{"a":1},{"a":1.0},{"a":"1"},{"a":[1]},{"a":null},{"b":2},{"a":true}])";
  EXPECT_EQ(Select("$[?@.a==1]", doc), (V{"{\"a\":1}", "{\"a\":1.0}"}));
  EXPECT_EQ(Select("$[?@.a<2]", doc), (V{"{\"a\":1}", "{\"a\":1.0}"}));
  EXPECT_EQ(Select("$[?@.a=='1']", doc), (V{"{\"a\":\"1\"}"}));
  EXPECT_EQ(Select("$[?@.a==null]", doc), (V{"{\"a\":null}"}));
  EXPECT_EQ(Select("$[?@.a==@.c]", doc), (V{"{\"b\":2}"}));      // Nothing == Nothing
  EXPECT_EQ(Select("$[?@.a<=true]", doc), (V{"{\"a\":true}"}));  // <= holds through ==
  EXPECT_EQ(Select("$[?!@.a]", doc), (V{"{\"b\":2}"}));
  EXPECT_EQ(Select("$[?@.a==1 || @.b==2]", doc).size(), 3u);
  EXPECT_EQ(Select("$[?(@.a==1 && @.a!=1.0)]", doc), V{});
  EXPECT_EQ(Select(R"($[?@.a==$[3].a])", doc), (V{"{\"a\":[1]}"}));
}

TEST_F(PathTest, EvaluatesFunctions) {
  const std::string doc = R"([{"s":"héllo","t":[1,2,3]},{"s":"ab","t":{"x":1}},{"s":42}])";
  EXPECT_EQ(Select("$[?length(@.s)==5].s", doc), (V{"\"héllo\""}));
  EXPECT_EQ(Select("$[?length(@.t)==1].s", doc), (V{"\"ab\""}));
  EXPECT_EQ(Select("$[?count(@.t[*])==3].s", doc), (V{"\"héllo\""}));
  EXPECT_EQ(Select("$[?match(@.s,'h.llo')].s", doc), (V{"\"héllo\""}));
  EXPECT_EQ(Select("$[?search(@.s,'b')].s", doc), (V{"\"ab\""}));
  EXPECT_EQ(Select("$[?match(@.s,'b')].s", doc), V{});
  EXPECT_EQ(Select("$[?value(@..x)==1].s", doc), (V{"\"ab\""}));
  // An invalid I-Regexp is not an error: the function is false.
  EXPECT_EQ(Select("$[?match(@.s,'(')].s", doc), V{});
  EXPECT_EQ(Select("$[?!match(@.s,'(')].s", doc).size(), 3u);
}

TEST_F(PathTest, NamesWithEscapesAndUnicode) {
  const std::string doc = R"({"a b":1,"'":2,"\"":3,"é":4,"😀":5,"\n":6})";
  EXPECT_EQ(Select("$['a b']", doc), V{"1"});
  EXPECT_EQ(Select(R"($["'"])", doc), V{"2"});
  EXPECT_EQ(Select(R"($['\''])", doc), V{"2"});
  EXPECT_EQ(Select(R"($["\""])", doc), V{"3"});
  EXPECT_EQ(Select("$.é", doc), V{"4"});
  EXPECT_EQ(Select(R"($['\u00e9'])", doc), V{"4"});
  EXPECT_EQ(Select(R"($['\uD83D\uDE00'])", doc), V{"5"});
  EXPECT_EQ(Select(R"($['\n'])", doc), V{"6"});
}

TEST_F(PathTest, ReportsErrorsWithCharacterPositions) {
  EXPECT_EQ(CompileError("$."),
            "position 2: expected a member name or '*' after '.', found "
            "end of input");
  EXPECT_EQ(CompileError("a"), "position 0: a query starts with '$'");
  EXPECT_EQ(CompileError(""), "position 0: empty expression; a query starts with '$'");
  EXPECT_EQ(CompileError("$.é["), "position 4: expected a selector, found end of input");
  EXPECT_NE(CompileError("$[01]").find("position 2"), std::string::npos);
  EXPECT_NE(CompileError("$[9007199254740992]").find("2^53"), std::string::npos);
  EXPECT_NE(CompileError("$[?@.a]x").find("position 7"), std::string::npos);
  EXPECT_NE(CompileError(" $").find("position 0"), std::string::npos);
  EXPECT_NE(CompileError("$ ").find("position 1"), std::string::npos);
  EXPECT_NE(CompileError("$[?@.*==1]").find("singular"), std::string::npos);
  EXPECT_NE(CompileError("$[?length(@.a)]").find("returns a value"), std::string::npos);
  EXPECT_NE(CompileError("$[?match(@.a,'x')==true]").find("cannot be compared"), std::string::npos);
  EXPECT_NE(CompileError("$[?count(1)==1]").find("argument 1 of count()"), std::string::npos);
  EXPECT_NE(CompileError("$[?foo(@)]").find("unknown function 'foo'"), std::string::npos);
  EXPECT_NE(CompileError("$['\\uDC00']").find("surrogate"), std::string::npos);
  EXPECT_NE(CompileError("$[?1]").find("literal"), std::string::npos);
  EXPECT_NE(CompileError(std::string("$['a\x01']")).find("control character"), std::string::npos);
  EXPECT_NE(CompileError(std::string("$['\xff']")).find("UTF-8"), std::string::npos);
}

TEST_F(PathTest, DetectsSingularQueries) {
  for (const char* s : {"$", "$.a", "$['a'][0]", "$.a[-1].b", "$ .a [1]"}) {
    auto p = Path::Compile(s);
    ASSERT_TRUE(p) << s;
    EXPECT_TRUE(p->IsSingular()) << s;
  }
  for (const char* s : {"$.*", "$..a", "$['a','b']", "$[0:1]", "$[?@.a]", "$[*].a"}) {
    auto p = Path::Compile(s);
    ASSERT_TRUE(p) << s;
    EXPECT_FALSE(p->IsSingular()) << s;
  }
}

TEST_F(PathTest, AcceptsJaywayParenthesisedFilters) {
  EXPECT_EQ(Select("$..book[?(@.price > 20)].title", kStore), (V{"\"The Lord of the Rings\""}));
  EXPECT_EQ(Select("$..book[?(@.isbn)].price", kStore), (V{"8.99", "22.99"}));
}

TEST_F(PathTest, SurvivesDeepDocumentsAndRejectsDeepExpressions) {
  std::string deep(1000, '[');
  deep += "1";
  deep += std::string(1000, ']');
  EXPECT_EQ(Select("$..[?@==1]", deep), V{"1"});
  EXPECT_EQ(Select("$..*", deep).size(), 1000u);
  EXPECT_EQ(Select("$[?@==$[0]]", deep).size(), 1u);  // deep equality over 999 levels

  std::string expr = "$";
  for (int i = 0; i < 200; ++i) expr += "[?@";
  for (int i = 0; i < 200; ++i) expr += "]";
  EXPECT_NE(CompileError(expr).find("nested too deeply"), std::string::npos);
  std::string parens = "$[?" + std::string(200, '(') + "@" + std::string(200, ')') + "]";
  EXPECT_NE(CompileError(parens).find("nested too deeply"), std::string::npos);
}

TEST_F(PathTest, ChargesTheRealWorkOfRegexFunctions) {
  // (.*){1000} is a 3 000-instruction program: about 4 000 NFA steps per character.
  std::string doc_text = "[\"" + std::string(160000, 'x') + "\"]";
  simdjson::dom::element doc = parser_.parse(doc_text).value();
  for (const char* expr : {"$[?match(@,'(.*){1000}')]", "$[?search(@,'(.*){1000}y')]"}) {
    auto path = Path::Compile(expr);
    ASSERT_TRUE(path) << expr;
    auto run = std::async(std::launch::async, [&] {
      std::vector<simdjson::dom::element> out;
      Status status = path->EvaluateChecked(doc, &out);
      EXPECT_TRUE(out.empty());
      return status;
    });
    ASSERT_EQ(run.wait_for(std::chrono::seconds(10)), std::future_status::ready) << expr;
    Status status = run.get();
    ASSERT_FALSE(status) << expr;
    EXPECT_EQ(status.error().code(), ErrorCode::kResourceExhausted) << expr;
  }
}

TEST_F(PathTest, BoundsTheWorkOfExplosiveQueries) {
  std::string deep(500, '[');
  deep += std::string(500, ']');
  simdjson::dom::element doc = parser_.parse(deep).value();
  auto explosive = Path::Compile("$..*..*..*..*");
  ASSERT_TRUE(explosive);
  std::vector<simdjson::dom::element> out;
  auto status = explosive->EvaluateChecked(doc, &out, 1000000);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code(), ErrorCode::kResourceExhausted);
  EXPECT_TRUE(out.empty());

  auto cheap = Path::Compile("$..*");
  ASSERT_TRUE(cheap);
  ASSERT_TRUE(cheap->EvaluateChecked(doc, &out, 1000000));
  EXPECT_EQ(out.size(), 499u);
  out.clear();
  EXPECT_FALSE(cheap->EvaluateChecked(doc, &out, 100));
}

TEST_F(PathTest, ToCompactJsonPrintsValidCompactJson) {
  EXPECT_EQ(Select("$", R"({ "a" : [ 1 , 2.5 , "x\"\n" , null , true , { } ] })"),
            (V{R"({"a":[1,2.5,"x\"\n",null,true,{}]})"}));
}

TEST_F(PathTest, CopiesAreSharedSafelyAcrossThreads) {
  auto compiled = Path::Compile("$..book[?@.price < 10 && match(@.category, 'f.*')].title");
  ASSERT_TRUE(compiled);
  Path copy = *compiled;
  EXPECT_EQ(copy.text(), compiled->text());
  std::vector<std::thread> threads;
  std::vector<size_t> counts(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      simdjson::dom::parser parser;
      simdjson::dom::element doc = parser.parse(std::string(kStore)).value();
      for (int i = 0; i < 200; ++i) {
        std::vector<simdjson::dom::element> out;
        copy.Evaluate(doc, &out);
        counts[t] += out.size();
      }
    });
  }
  for (auto& th : threads) th.join();
  for (size_t c : counts) EXPECT_EQ(c, 200u);  // "Moby Dick" each time
}

}  // namespace
}  // namespace inflow::jsonpath
