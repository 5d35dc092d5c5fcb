#include "jsonpath/iregexp.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>

namespace inflow::jsonpath {
namespace {

constexpr size_t kAmple = size_t{1} << 32;

bool Full(const std::string& pattern, const std::string& text) {
  auto re = Regex::Compile(pattern);
  EXPECT_TRUE(re) << pattern << ": " << re.error().message();
  if (!re) return false;
  size_t budget = kAmple;
  auto m = re->FullMatch(text, &budget);
  EXPECT_TRUE(m) << pattern << ": " << m.error().message();
  return m && *m;
}

bool Find(const std::string& pattern, const std::string& text) {
  auto re = Regex::Compile(pattern);
  EXPECT_TRUE(re) << pattern << ": " << re.error().message();
  if (!re) return false;
  size_t budget = kAmple;
  auto m = re->Search(text, &budget);
  EXPECT_TRUE(m) << pattern << ": " << m.error().message();
  return m && *m;
}

TEST(IRegexp, MatchesLiteralsDotAndQuantifiers) {
  EXPECT_TRUE(Full("abc", "abc"));
  EXPECT_FALSE(Full("abc", "abcd"));
  EXPECT_TRUE(Full("a.c", "aéc"));
  EXPECT_FALSE(Full("a.c", "a\nc"));
  EXPECT_FALSE(Full("a.c", "a\rc"));
  EXPECT_TRUE(Full("ab*c", "ac"));
  EXPECT_TRUE(Full("ab+c", "abbbc"));
  EXPECT_FALSE(Full("ab+c", "ac"));
  EXPECT_TRUE(Full("ab?c", "abc"));
  EXPECT_TRUE(Full("a{2,3}", "aaa"));
  EXPECT_FALSE(Full("a{2,3}", "aaaa"));
  EXPECT_TRUE(Full("a{2,}", "aaaaaa"));
  EXPECT_TRUE(Full("a{2}", "aa"));
  EXPECT_TRUE(Full("a{0}b", "b"));
  EXPECT_TRUE(Full("(ab|cd)+", "abcdab"));
  EXPECT_TRUE(Full("", ""));
  EXPECT_TRUE(Full("a|", ""));
}

TEST(IRegexp, SearchFindsSubstrings) {
  EXPECT_TRUE(Find("b.", "abc"));
  EXPECT_FALSE(Find("x", "abc"));
  EXPECT_TRUE(Find("", "abc"));
  EXPECT_TRUE(Find("c", "abc"));
  EXPECT_TRUE(Find("^ab", "abc"));
  EXPECT_FALSE(Find("^bc", "abc"));
  EXPECT_TRUE(Find("bc$", "abc"));
  EXPECT_FALSE(Find("ab$", "abc"));
}

TEST(IRegexp, SupportsClassesEscapesAndCategories) {
  EXPECT_TRUE(Full("[a-c]+", "abcab"));
  EXPECT_FALSE(Full("[^a-c]", "b"));
  EXPECT_TRUE(Full("[^a-c]", "z"));
  EXPECT_TRUE(Full("[-a]", "-"));
  EXPECT_TRUE(Full("[a-]", "-"));
  EXPECT_TRUE(Full("a\\.c", "a.c"));
  EXPECT_FALSE(Full("a\\.c", "abc"));
  EXPECT_TRUE(Full("[\\]]", "]"));
  EXPECT_TRUE(Full("\\n\\t", "\n\t"));
  EXPECT_TRUE(Full("\\p{Lu}", "Ä"));
  EXPECT_FALSE(Full("\\p{Lu}", "ä"));
  EXPECT_TRUE(Full("\\P{Lu}", "ä"));
  EXPECT_TRUE(Full("\\p{L}+", "héλ"));
  EXPECT_TRUE(Full("\\p{Nd}", "٣"));  // ARABIC-INDIC DIGIT THREE
  EXPECT_TRUE(Full("[\\p{Lu}0-9]+", "A5"));
  EXPECT_FALSE(Full("[\\p{Lu}0-9]", "a"));
  EXPECT_TRUE(Full("[^\\P{Ll}]", "a"));  // "not (not lower-case)"
}

TEST(IRegexp, RejectsWhatIRegexpForbids) {
  for (const char* bad : {"(", ")", "a**", "[", "[]", "a{2,1}", "\\d", "\\w", "\\p{Xx}", "*",
                          "a{1001}", "[a-]b-]", "[z-a]", "{", "}", "]", "\\"}) {
    EXPECT_FALSE(Regex::Compile(bad)) << bad;
  }
}

TEST(IRegexp, BoundsProgramSizeOfCountedRepetition) {
  auto re = Regex::Compile("(a{1000}){1000}");
  ASSERT_FALSE(re);
  EXPECT_NE(re.error().message().find("instructions"), std::string::npos);
  EXPECT_FALSE(Regex::Compile(std::string(100, '(') + "a" + std::string(100, ')')));
}

TEST(IRegexp, PathologicalPatternsRunInLinearTime) {
  // Exponential for a backtracking engine; linear for the Pike VM.
  std::string text(100000, 'a');
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(Full("(a*)*b", text));
  EXPECT_FALSE(Find("(a|aa)*c", text));
  EXPECT_TRUE(Full("(a|a)*", text));
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(10));
}

TEST(IRegexp, ChargesEveryStepAgainstTheBudget) {
  auto small = Regex::Compile("a(b|c)d");
  ASSERT_TRUE(small);
  size_t budget = 1000;
  auto m = small->FullMatch("acd", &budget);
  ASSERT_TRUE(m);
  EXPECT_TRUE(*m);
  EXPECT_LT(budget, 1000u);  // the work done was taken from the budget
  EXPECT_GT(budget, 900u);

  // ~4000 NFA steps per character: 160 000 characters are 640 M steps, far over a 2^24 budget,
  // which must trip after a few thousand characters instead of running the whole text.
  auto re = Regex::Compile("(.*){1000}");
  auto unanchored = Regex::Compile("(.*){1000}y");  // search() of (.*){1000} matches at once
  ASSERT_TRUE(re);
  ASSERT_TRUE(unanchored);
  std::string text(160000, 'x');
  auto run = std::async(std::launch::async, [&] {
    size_t b = size_t{1} << 24;
    auto full = re->FullMatch(text, &b);
    EXPECT_EQ(b, 0u);
    b = size_t{1} << 24;
    auto search = unanchored->Search(text, &b);
    return std::make_pair(full, search);
  });
  ASSERT_EQ(run.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  auto [full, search] = run.get();
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().code(), ErrorCode::kResourceExhausted);
  EXPECT_NE(full.error().message().find("matching steps"), std::string::npos);
  ASSERT_FALSE(search);
  EXPECT_EQ(search.error().code(), ErrorCode::kResourceExhausted);
}

TEST(IRegexp, DecodesUtf8AndReplacesInvalidBytes) {
  std::string s = "a\xc3\xa9\xf0\x9f\x98\x80\xff";
  size_t i = 0;
  EXPECT_EQ(DecodeUtf8(s, &i), U'a');
  EXPECT_EQ(DecodeUtf8(s, &i), U'é');
  EXPECT_EQ(DecodeUtf8(s, &i), U'\U0001F600');
  EXPECT_EQ(DecodeUtf8(s, &i), U'\uFFFD');
  EXPECT_EQ(i, s.size());
}

}  // namespace
}  // namespace inflow::jsonpath
