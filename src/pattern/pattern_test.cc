#include "pattern/pattern.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "pattern/explain.h"
#include "pattern/matcher.h"

namespace inflow::pattern {
namespace {

std::string ErrorOf(std::string_view json) {
  auto p = Pattern::Parse(json);
  return p ? std::string("<accepted>") : p.error().message();
}

TEST(PatternParse, NamesThePathAndTheReason) {
  EXPECT_EQ(ErrorOf(R"({"data":{"price":[{"numeric":["<","x"]}]}})"),
            "$.data.price[0].numeric: operator \"<\" needs a number, got a string");
  EXPECT_EQ(ErrorOf(R"({"a":[{"prefix":1}]})"),
            "$.a[0].prefix: \"prefix\" needs a string, got a number");
  EXPECT_EQ(ErrorOf(R"({"a":"x"})"),
            "$.a: expected an array of conditions or an object, got a string");
  EXPECT_EQ(ErrorOf(R"({"a b":[]})"), "$['a b']: a condition array must not be empty");
  EXPECT_EQ(ErrorOf(R"({"a":[{"regex":"x"}]})").rfind("$.a[0].regex: unknown operator", 0), 0u);
  EXPECT_EQ(ErrorOf("[1]"), "$: a pattern must be a JSON object, got an array");
  EXPECT_EQ(ErrorOf("{").rfind("$: pattern is not valid JSON", 0), 0u);
}

TEST(PatternParse, EmptyPatternMatchesEverything) {
  for (std::string_view text : {"", "  ", "{}"}) {
    auto m = Matcher::Compile(text);
    ASSERT_TRUE(m) << text;
    EXPECT_TRUE(*m->Matches(R"({"anything":1})"));
    EXPECT_TRUE(*m->Matches("[]"));
  }
}

TEST(PatternParse, OrExpansionIsBounded) {
  std::string pattern = "{";
  for (int i = 0; i < 11; ++i) {
    if (i) pattern += ",";
    pattern += "\"k" + std::to_string(i) + "\":{\"$or\":[{\"a\":[1]},{\"b\":[2]}]}";
  }
  pattern += "}";
  EXPECT_NE(ErrorOf(pattern).find("more than 1024 alternatives"), std::string::npos);
}

TEST(PatternMatcher, ReportsWhichOfManyPatternsMatch) {
  auto m = Matcher::Compile({{"tables", R"({"data":{"table":["orders","users"]}})"},
                             {"inserts", R"({"data":{"op":["INSERT"]}})"},
                             {"big", R"({"data":{"amount":[{"numeric":[">",100]}]}})"},
                             {"all", "{}"}});
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->size(), 4u);
  EXPECT_EQ(m->name(2), "big");
  auto hits = m->Match(R"({"data":{"table":"orders","op":"UPDATE","amount":150.5}})");
  ASSERT_TRUE(hits);
  EXPECT_EQ(*hits, (std::vector<size_t>{0, 2, 3}));
}

TEST(PatternMatcher, NamesTheFailingPatternOnCompileError) {
  auto m = Matcher::Compile({{"ok", R"({"a":[1]})"}, {"bad", R"({"a":[{"exists":1}]})"}});
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message(),
            "pattern 'bad': $.a[0].exists: \"exists\" needs true or false, got a number");
}

TEST(PatternMatcher, ManyRulesOnOneFieldStayIndexed) {
  std::vector<std::pair<std::string, std::string>> patterns;
  for (int i = 0; i < 10000; ++i) {
    std::string v = std::to_string(i);
    switch (i % 4) {
      case 0:
        patterns.emplace_back(v, R"({"k":["v)" + v + R"("]})");
        break;
      case 1:
        patterns.emplace_back(v, R"({"k":[{"prefix":"p)" + v + R"("}]})");
        break;
      case 2:
        patterns.emplace_back(
            v, R"({"n":[{"numeric":[">=",)" + v + ",\"<\"," + std::to_string(i + 1) + "]}]}");
        break;
      default:
        patterns.emplace_back(v, R"({"n":[)" + v + "]}");
    }
  }
  auto m = Matcher::Compile(patterns);
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->stats().linear_conditions, 0u);
  EXPECT_EQ(m->stats().indexed_conditions, 10000u);
  EXPECT_EQ(m->stats().fields, 2u);
  EXPECT_EQ(*m->Match(R"({"k":"v4000"})"), (std::vector<size_t>{4000}));
  EXPECT_EQ(*m->Match(R"({"k":"p4001xyz"})"), (std::vector<size_t>{4001}));
  EXPECT_EQ(*m->Match(R"({"n":4002.5})"), (std::vector<size_t>{4002}));
  EXPECT_EQ(*m->Match(R"({"n":4003e0})"), (std::vector<size_t>{4003}));
  EXPECT_EQ(*m->Match(R"({"n":4002})"), (std::vector<size_t>{4002}));
  EXPECT_EQ(*m->Match(R"({"k":"v40000","n":-1})"), std::vector<size_t>{});
}

TEST(PatternMatcher, ReportsLinearAndWildcardCost) {
  auto m = Matcher::Compile(
      R"({"a":[{"wildcard":"x*y*z"},{"contains":"q"}],"b":[{"anything-but":{"wildcard":"*.png"}}]})");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->stats().wildcard_conditions, 2u);
  EXPECT_EQ(m->stats().max_wildcard_stars, 2u);
  EXPECT_EQ(m->stats().linear_conditions, 3u);
}

TEST(PatternMatcher, RejectsMalformedEvents) {
  auto m = Matcher::Compile(R"({"a":["x"]})");
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->Match(R"({"a":)"));
  EXPECT_FALSE(m->Match(R"({"a":"x)"));
  EXPECT_FALSE(m->Match(""));
}

TEST(PatternMatcher, DeepNestingNeitherOverflowsNorDisagrees) {
  auto m = Matcher::Compile(R"({"a":[{"numeric":[">",1]}, "x"]})");
  ASSERT_TRUE(m);
  // As deep as simdjson allows, through the number reader and through the element walk (a
  // string inside makes the reader hand the array to the walk).
  for (std::string_view inner : {"2", "\"x\", 0", "0, {\"b\": 1}, 2"}) {
    std::string event =
        R"({"a":)" + std::string(1000, '[') + std::string(inner) + std::string(1000, ']') + "}";
    auto hits = m->Match(event);
    ASSERT_TRUE(hits) << inner << ": " << hits.error().message();
    EXPECT_EQ(hits->size(), 1u) << inner;
    simdjson::dom::parser parser;
    EXPECT_EQ(m->Match(parser.parse(event).value()).size(), 1u) << inner;
  }
  // Deeper than that, or never closed: an error, not a stack overflow.
  for (size_t depth : {5000, 100000}) {
    for (std::string_view inner : {"2", "\"x\""}) {
      std::string event = R"({"a":)" + std::string(depth, '[') + std::string(inner);
      EXPECT_FALSE(m->Match(event)) << depth << " " << inner;
      EXPECT_FALSE(m->Match(event + std::string(depth, ']') + "}")) << depth << " " << inner;
    }
  }
}

TEST(PatternMatcher, AcceptsPaddedInputWithoutCopy) {
  auto m = Matcher::Compile(R"({"a":{"b":[{"suffix":"z"}]}})");
  ASSERT_TRUE(m);
  simdjson::padded_string event(std::string_view(R"({"a":{"b":["xyz"]}})"));
  auto hits = m->Match(simdjson::padded_string_view(event));
  ASSERT_TRUE(hits);
  EXPECT_EQ(hits->size(), 1u);
}

// Numbers in arrays are read from the raw bytes (bracketed, with a cache of recent segments);
// the DOM path converts each number exactly. Random ranges and arrays of numbers close to their
// boundaries, in every notation, must give the same answer both ways.
TEST(PatternMatcher, NumberArraysMatchAsTheDomDoes) {
  std::mt19937_64 rng(3);
  auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
  simdjson::dom::parser parser;
  int checked = 0;
  for (int round = 0; round < 300; ++round) {
    // Boundaries with few and many digits, around a few centres.
    std::vector<double> bounds;
    for (int i = 0; i < 4; ++i) {
      double centre = std::vector<double>{-122.45, 37.77, 0, 1e6, -3.5}[rng() % 5];
      bounds.push_back(centre + (static_cast<double>(rng() % 2001) - 1000) * 1e-3);
    }
    char pattern[512];
    std::snprintf(pattern, sizeof pattern,
                  R"({"c":[{"numeric":[">",%.17g,"<=",%.17g]},{"numeric":["<",%.6g]},)"
                  R"({"numeric":[">=",%.17g]}]})",
                  std::min(bounds[0], bounds[1]), std::max(bounds[0], bounds[1]), bounds[2],
                  bounds[3]);
    auto m = Matcher::Compile(pattern);
    ASSERT_TRUE(m) << pattern;
    for (int e = 0; e < 30; ++e) {
      std::string event = R"({"c":[)";
      int points = 1 + static_cast<int>(rng() % 12);
      for (int i = 0; i < points; ++i) {
        if (i > 0) event += pick({",", ", ", " ,\n"});
        event += "[";
        for (int k = 0; k < 3; ++k) {
          if (k > 0) event += ",";
          double b = bounds[rng() % bounds.size()];
          // On a boundary, a hair off it, or anywhere near.
          double v = rng() % 3 == 0   ? b
                     : rng() % 2 == 0 ? std::nextafter(b, rng() % 2 ? 1e300 : -1e300)
                                      : b + (static_cast<double>(rng() % 20001) - 10000) * 1e-5;
          char number[64];
          std::string format = pick({"%.17g", "%.8f", "%.3f", "%.20f", "%.6e", "%.0f"});
          std::snprintf(number, sizeof number, format.c_str(), v);
          event += rng() % 10 == 0 ? "0" : number;
        }
        event += "]";
      }
      event += "]}";
      auto raw = m->Match(event);
      auto dom = parser.parse(event);
      ASSERT_FALSE(dom.error()) << event;
      ASSERT_TRUE(raw) << event;
      ASSERT_EQ(!raw->empty(), !m->Match(dom.value()).empty()) << pattern << "\n" << event;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 9000);
}

TEST(PatternMatcher, IsSafeToShareAcrossThreads) {
  auto m = Matcher::Compile({{"even", R"({"n":[{"numeric":["<",50]}],"s":[{"prefix":"e"}]})"},
                             {"odd", R"({"s":[{"anything-but":{"prefix":"e"}}]})"}});
  ASSERT_TRUE(m);
  std::vector<std::thread> threads;
  std::vector<int> errors(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        bool even = (i + t) % 2 == 0;
        std::string ev = std::string(R"({"n":)") + std::to_string(i % 100) + R"(,"s":")" +
                         (even ? "even" : "odd") + "\"}";
        auto hits = m->Match(ev);
        std::vector<size_t> want;
        if (even && i % 100 < 50) want.push_back(0);
        if (!even) want.push_back(1);
        if (!hits || *hits != want) errors[t]++;
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int e : errors) EXPECT_EQ(e, 0);
}

TEST(PatternExplain, SaysWhichConditionFailed) {
  auto p = Pattern::Parse(
      R"({"data":{"op":["INSERT"],"price":[{"numeric":[">",100]}],"$or":[{"a":[1]},{"b":[2]}]}})");
  ASSERT_TRUE(p);
  simdjson::dom::parser parser;
  simdjson::padded_string ev(std::string_view(R"({"data":{"op":"INSERT","price":12,"b":3}})"));
  auto e = Explain(*p, parser.parse(ev).value());
  EXPECT_FALSE(e.matched);
  ASSERT_EQ(e.failures.size(), 4u);
  EXPECT_EQ(e.failures[0], R"($.data.price: value 12 match none of [{"numeric":[">",100]}])");
  EXPECT_EQ(e.failures[1], "no \"$or\" alternative matched:");
  EXPECT_EQ(e.failures[2],
            "  $or alternative 0: $.data.a: field is missing (or not a leaf value); it must "
            "match [1]");
  EXPECT_EQ(e.failures[3], "  $or alternative 1: $.data.b: value 3 match none of [2]");
}

}  // namespace
}  // namespace inflow::pattern
