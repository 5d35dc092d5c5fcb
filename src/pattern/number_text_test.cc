#include "pattern/number_text.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace inflow::pattern {
namespace {

// Text followed by simdjson-like padding, as the matcher's buffers are.
struct Padded {
  explicit Padded(std::string_view text) : buffer(text) { buffer.append(128, '\0'); }
  const char* begin() const { return buffer.data(); }
  const char* end() const { return buffer.data() + buffer.size() - 128; }
  std::string buffer;
};

double Correct(std::string_view text) {
  double v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v == 0 ? 0.0 : v;
}

// The bracket must hold the correctly rounded double, and be it when exact.
void ExpectBrackets(const NumberBracket& n, std::string_view text) {
  double v = Correct(text);
  EXPECT_LE(n.lo, v) << text;
  EXPECT_GE(n.hi, v) << text;
  if (n.exact) {
    EXPECT_EQ(n.lo, v) << text;
    EXPECT_EQ(n.hi, v) << text;
  }
  // Close enough to place numbers among range boundaries: a relative width under 1e-7.
  EXPECT_LE(n.hi - n.lo, std::abs(v) * 1e-7 + 1e-300) << text;
}

TEST(ReadNumber, BracketsTheCorrectlyRoundedValue) {
  for (std::string_view text : {"0",
                                "-0",
                                "7",
                                "-7",
                                "10",
                                "123456789",
                                "12345678901234567890",
                                "1.5",
                                "-1.5",
                                "0.1",
                                "0.000123",
                                "37.779776022722288",
                                "-122.47664287798973",
                                "1e10",
                                "1E-5",
                                "-2.5e+3",
                                "9007199254740993",
                                "0.30000000000000004",
                                "1.7976931348623157e308",
                                "5e-324",
                                "123.456e-7",
                                "100000000000000000000000",
                                "3.14159265358979323846264338327950288"}) {
    Padded p(text);
    NumberBracket n;
    ASSERT_TRUE(ReadNumber(p.begin(), p.end(), &n)) << text;
    ExpectBrackets(n, text);
  }
}

TEST(ReadNumber, ExactWhereAParserWouldBe) {
  for (std::string_view text : {"0", "-0", "42", "-3.25", "37.8", "1e3", "0.5e1", "123456.789"}) {
    Padded p(text);
    NumberBracket n;
    ASSERT_TRUE(ReadNumber(p.begin(), p.end(), &n)) << text;
    EXPECT_TRUE(n.exact) << text;
    EXPECT_EQ(n.lo, Correct(text)) << text;
  }
  Padded minus_zero("-0.0");
  NumberBracket n;
  ASSERT_TRUE(ReadNumber(minus_zero.begin(), minus_zero.end(), &n));
  EXPECT_FALSE(std::signbit(n.lo));
}

TEST(ReadNumber, RejectsWhatJsonRejects) {
  for (std::string_view text :
       {"-",     "01",  "-01",  "00",   "1.", ".5",   "-.5", "1e",  "1e+",   "--1",    "+1",
        "1.2.3", "1-2", "0x10", "1ee5", "e5", "1.e5", "inf", "NaN", "1e400", "-1e400", "1 2"}) {
    Padded p(text);
    NumberBracket n;
    EXPECT_FALSE(ReadNumber(p.begin(), p.end(), &n)) << text;
  }
}

TEST(ReadNumber, RandomNumbersOfEveryShape) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200000; ++i) {
    std::string text;
    if (rng() % 2) text += '-';
    int int_digits = 1 + static_cast<int>(rng() % 22);
    text += static_cast<char>('1' + rng() % 9);
    for (int d = 1; d < int_digits; ++d) text += static_cast<char>('0' + rng() % 10);
    if (rng() % 3 == 0) text = text[0] == '-' ? "-0" : "0";
    if (rng() % 4 != 0) {
      text += '.';
      int fraction_digits = 1 + static_cast<int>(rng() % 22);
      for (int d = 0; d < fraction_digits; ++d) {
        text += static_cast<char>(rng() % 5 == 0 ? '0' : '0' + rng() % 10);
      }
    }
    if (rng() % 5 == 0) text += "e" + std::to_string(static_cast<int>(rng() % 80) - 40);
    Padded p(text);
    NumberBracket n;
    ASSERT_TRUE(ReadNumber(p.begin(), p.end(), &n)) << text;
    ExpectBrackets(n, text);
    if (HasFailure()) return;
  }
}

// What NumberScanner reads from a list of numbers: each run's end and value.
std::vector<std::string> ScanAll(std::string_view text) {
  Padded p(text);
  NumberScanner scanner(p.begin(), p.end());
  std::vector<std::string> out;
  for (const char* at = p.begin(); at < p.end();) {
    NumberBracket n;
    const char* end = scanner.Read(at, &n);
    if (end == nullptr) {
      out.push_back("invalid");
      while (at < p.end() && *at != ',') ++at;
    } else if (end == at) {
      out.push_back(std::string("stop:") + *at);
      while (at < p.end() && *at != ',') ++at;
    } else {
      std::string_view number(at, end - at);
      ExpectBrackets(n, number);
      out.emplace_back(number);
      at = end;
    }
    if (at < p.end()) ++at;  // the delimiter
  }
  return out;
}

TEST(NumberScanner, FindsEachNumberAndItsValue) {
  EXPECT_EQ(ScanAll("1,-2.5,37.779776022722288,0"),
            (std::vector<std::string>{"1", "-2.5", "37.779776022722288", "0"}));
  // A run that is not one number, and delimiters that are not number text.
  EXPECT_EQ(ScanAll("1-2,1..2,-,05,-05,-.5,1.,7"),
            (std::vector<std::string>{"invalid", "invalid", "invalid", "invalid", "invalid",
                                      "invalid", "invalid", "7"}));
  EXPECT_EQ(ScanAll("x,1"), (std::vector<std::string>{"stop:x", "1"}));
  // '+', 'e' and 'E' end a run: the caller sees an unexpected delimiter.
  Padded p("1e5");
  NumberScanner scanner(p.begin(), p.end());
  NumberBracket n;
  EXPECT_EQ(scanner.Read(p.begin(), &n), p.begin() + 1);
}

TEST(NumberScanner, AcrossBlocksLongRunsAndTheEnd) {
  std::mt19937_64 rng(11);
  std::string text;
  std::vector<std::string> expected;
  for (int i = 0; i < 5000; ++i) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", static_cast<int>(rng() % 17),
                  (static_cast<double>(rng() % 2000000) - 1000000) / 997.0);
    std::string number = buffer;
    if (number == "-0") number = "0";
    if (i % 97 == 0) number = "1" + std::string(70, '0');  // longer than a block
    if (!text.empty()) text += ',';
    text += number;
    expected.push_back(number);
  }
  EXPECT_EQ(ScanAll(text), expected);
  // The text ends inside a number: what lies past the end is not read as digits.
  std::string cut = "12,345";
  Padded p(cut);
  p.buffer[cut.size()] = '9';
  NumberScanner scanner(p.begin(), p.end());
  NumberBracket n;
  const char* second = p.begin() + 3;
  EXPECT_EQ(scanner.Read(p.begin(), &n), p.begin() + 2);
  EXPECT_EQ(scanner.Read(second, &n), p.end());
  EXPECT_EQ(n.lo, 345);
}

}  // namespace
}  // namespace inflow::pattern
