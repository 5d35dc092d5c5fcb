// Runs the golden cases in testdata/*.test. Format (one JSON document per line):
//   # comment
//   pattern: {...}          starts a group; the lines below test this pattern
//   match: {event}          the pattern must match the event
//   no-match: {event}       the pattern must not match the event
//   invalid: substring      the pattern must be rejected with a message containing substring
// Every event is checked four ways — compiled matcher on raw bytes, on a DOM, the explainer, and
// one matcher holding every valid pattern of the file — and they must all agree.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "pattern/explain.h"
#include "pattern/matcher.h"
#include "pattern/pattern.h"

namespace inflow::pattern {
namespace {

struct EventCase {
  std::string event;
  bool expect_match;
  int line;
};

struct Group {
  std::string pattern;
  int line = 0;
  std::vector<EventCase> events;
  std::vector<std::pair<std::string, int>> invalid;  // substring, line
};

std::vector<Group> ReadGroups(const std::filesystem::path& file, std::string* error) {
  std::ifstream in(file);
  std::vector<Group> groups;
  std::string line;
  int n = 0;
  auto rest = [&](std::string_view prefix) {
    std::string r = line.substr(prefix.size());
    size_t i = r.find_first_not_of(' ');
    return i == std::string::npos ? std::string() : r.substr(i);
  };
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("pattern:", 0) == 0) {
      groups.push_back({rest("pattern:"), n, {}, {}});
      continue;
    }
    if (groups.empty()) {
      *error = file.string() + ":" + std::to_string(n) + ": case before any pattern";
      return {};
    }
    if (line.rfind("match:", 0) == 0) {
      groups.back().events.push_back({rest("match:"), true, n});
    } else if (line.rfind("no-match:", 0) == 0) {
      groups.back().events.push_back({rest("no-match:"), false, n});
    } else if (line.rfind("invalid:", 0) == 0) {
      groups.back().invalid.emplace_back(rest("invalid:"), n);
    } else {
      *error = file.string() + ":" + std::to_string(n) + ": unrecognised line '" + line + "'";
      return {};
    }
  }
  return groups;
}

TEST(PatternGolden, AllCasesAgreeAcrossMatchPaths) {
  std::filesystem::path dir = INFLOW_PATTERN_TESTDATA;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".test") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty()) << "no .test files in " << dir;

  size_t cases = 0;
  for (const auto& file : files) {
    std::string error;
    auto groups = ReadGroups(file, &error);
    ASSERT_TRUE(error.empty()) << error;
    std::string name = file.filename().string();

    std::vector<std::pair<std::string, std::string>> valid;  // for the all-patterns matcher
    std::vector<size_t> valid_group;
    for (size_t g = 0; g < groups.size(); ++g) {
      const Group& group = groups[g];
      std::string where = name + ":" + std::to_string(group.line);
      auto parsed = Pattern::Parse(group.pattern);
      for (const auto& [substring, line] : group.invalid) {
        ++cases;
        std::string at = name + ":" + std::to_string(line);
        if (parsed) {
          ADD_FAILURE() << at << ": pattern was accepted, expected invalid '" << substring << "'";
        } else if (parsed.error().message().find(substring) == std::string::npos) {
          ADD_FAILURE() << at << ": error '" << parsed.error().message() << "' does not contain '"
                        << substring << "'";
        }
      }
      if (group.events.empty()) continue;
      if (!parsed) {
        ADD_FAILURE() << where << ": pattern rejected: " << parsed.error().message();
        continue;
      }
      auto matcher = Matcher::Compile(group.pattern);
      ASSERT_TRUE(matcher) << where;
      valid.emplace_back(std::to_string(g), group.pattern);
      valid_group.push_back(g);
      for (const EventCase& ev : group.events) {
        ++cases;
        std::string at = name + ":" + std::to_string(ev.line);
        simdjson::dom::parser parser;
        simdjson::dom::element doc;
        simdjson::padded_string padded(ev.event);
        if (auto err = parser.parse(padded).get(doc)) {
          ADD_FAILURE() << at << ": event is not valid JSON: " << simdjson::error_message(err);
          continue;
        }
        auto raw = matcher->Match(ev.event);
        if (!raw) {
          ADD_FAILURE() << at << ": raw match failed: " << raw.error().message();
          continue;
        }
        bool raw_hit = !raw->empty();
        bool dom_hit = !matcher->Match(doc).empty();
        Explanation explained = Explain(*parsed, doc);
        if (raw_hit != ev.expect_match) {
          ADD_FAILURE() << at << ": expected " << (ev.expect_match ? "match" : "no-match")
                        << " from the compiled matcher, got the opposite";
        }
        if (dom_hit != ev.expect_match) {
          ADD_FAILURE() << at << ": DOM match disagrees with the expectation";
        }
        if (explained.matched != ev.expect_match) {
          ADD_FAILURE() << at << ": explain disagrees with the expectation";
        }
        if (!explained.matched && explained.failures.empty()) {
          ADD_FAILURE() << at << ": a failed explanation names no failed condition";
        }
      }
    }

    // All valid patterns of the file in one matcher: each event's hit list must equal the
    // per-pattern answers, so compiled rules never interfere with each other.
    if (valid.empty()) continue;
    auto all = Matcher::Compile(valid);
    ASSERT_TRUE(all) << name << ": " << all.error().message();
    for (const Group& group : groups) {
      for (const EventCase& ev : group.events) {
        auto hits = all->Match(ev.event);
        ASSERT_TRUE(hits) << name << ":" << ev.line;
        simdjson::dom::parser parser;
        simdjson::padded_string padded(ev.event);
        simdjson::dom::element doc = parser.parse(padded).value();
        std::vector<size_t> expected;
        for (size_t i = 0; i < valid.size(); ++i) {
          auto p = Pattern::Parse(valid[i].second);
          if (Explain(*p, doc).matched) expected.push_back(i);
        }
        EXPECT_EQ(*hits, expected)
            << name << ":" << ev.line << ": the all-patterns matcher disagrees with the explainer";
      }
    }
  }
  EXPECT_GE(cases, 200u) << "the golden files must hold at least 200 cases";
  std::printf("pattern golden cases: %zu in %zu files\n", cases, files.size());
}

}  // namespace
}  // namespace inflow::pattern
