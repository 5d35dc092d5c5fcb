#include "capture/source.h"

#include <charconv>

namespace inflow::capture {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Status CheckPattern(std::string_view p) {
  size_t dot = p.find('.');
  if (dot == std::string_view::npos || p.find('.', dot + 1) != std::string_view::npos || dot == 0 ||
      dot + 1 == p.size()) {
    return Fail(ErrorCode::kInvalidArgument,
                "table pattern '" + std::string(p) +
                    "' must be db.table (with * wildcards), e.g. shop.* or *.orders");
  }
  return Ok();
}

}  // namespace

Result<StartPosition> StartPosition::Parse(std::string_view text) {
  text = Trim(text);
  StartPosition p;
  if (text == "earliest") {
    p.kind = Kind::kEarliest;
    return p;
  }
  if (text == "now" || text == "latest") {
    p.kind = Kind::kNow;
    return p;
  }
  if (text.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "start position is empty: use earliest, now, FILE:POS or a GTID set");
  }
  // FILE:POS — a file name has a '.', a GTID set never has.
  size_t colon = text.rfind(':');
  if (colon != std::string_view::npos && text.find('.') != std::string_view::npos &&
      text.find('.') < colon) {
    std::string_view num = text.substr(colon + 1);
    uint64_t pos = 0;
    auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), pos);
    if (ec != std::errc() || ptr != num.data() + num.size() || pos < 4) {
      return Fail(ErrorCode::kInvalidArgument, "start position '" + std::string(text) +
                                                   "': the position after ':' must be a "
                                                   "number >= 4");
    }
    p.kind = Kind::kFilePos;
    p.file = std::string(text.substr(0, colon));
    p.pos = pos;
    return p;
  }
  // A GTID set: MariaDB d-s-n[,d-s-n...] or MySQL uuid:interval[,...]; checked loosely here,
  // exactly by the server.
  for (char c : text) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
              c == '-' || c == ',' || c == ':' || c == ' ';
    if (!ok) {
      return Fail(ErrorCode::kInvalidArgument,
                  "start position '" + std::string(text) +
                      "' is not earliest, now, FILE:POS or a GTID set");
    }
  }
  p.kind = Kind::kGtid;
  p.gtid_set = std::string(text);
  return p;
}

std::string StartPosition::ToString() const {
  switch (kind) {
    case Kind::kEarliest:
      return "earliest";
    case Kind::kNow:
      return "now";
    case Kind::kGtid:
      return "GTID " + gtid_set;
    case Kind::kFilePos:
      return file + ":" + std::to_string(pos);
    case Kind::kResume:
      return "resume state";
  }
  return "?";
}

Result<TableFilter> TableFilter::Parse(std::string_view patterns) {
  std::vector<std::string> include, exclude;
  while (!patterns.empty()) {
    size_t comma = patterns.find(',');
    std::string_view item = Trim(patterns.substr(0, comma));
    patterns = comma == std::string_view::npos ? std::string_view() : patterns.substr(comma + 1);
    if (item.empty()) continue;
    if (item.front() == '!') {
      exclude.emplace_back(Trim(item.substr(1)));
    } else {
      include.emplace_back(item);
    }
  }
  return Make(std::move(include), std::move(exclude));
}

Result<TableFilter> TableFilter::Make(std::vector<std::string> include,
                                      std::vector<std::string> exclude) {
  for (const auto& p : include) INFLOW_RETURN_IF_ERROR(CheckPattern(p));
  for (const auto& p : exclude) INFLOW_RETURN_IF_ERROR(CheckPattern(p));
  TableFilter f;
  f.include_ = std::move(include);
  f.exclude_ = std::move(exclude);
  return f;
}

bool TableFilter::Glob(std::string_view pattern, std::string_view text) {
  // Iterative matcher with one backtrack point: linear for patterns with several '*'.
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool TableFilter::Matches(std::string_view db, std::string_view table) const {
  auto match = [&](const std::string& pattern) {
    size_t dot = pattern.find('.');
    return Glob(std::string_view(pattern).substr(0, dot), db) &&
           Glob(std::string_view(pattern).substr(dot + 1), table);
  };
  bool included = include_.empty();
  for (const auto& p : include_) {
    if (match(p)) {
      included = true;
      break;
    }
  }
  if (!included) return false;
  for (const auto& p : exclude_) {
    if (match(p)) return false;
  }
  return true;
}

bool TableFilter::MatchesDatabase(std::string_view db) const {
  auto db_part = [](const std::string& pattern) {
    return std::string_view(pattern).substr(0, pattern.find('.'));
  };
  bool included = include_.empty();
  for (const auto& p : include_) {
    if (Glob(db_part(p), db)) {
      included = true;
      break;
    }
  }
  if (!included) return false;
  for (const auto& p : exclude_) {
    std::string_view table_part = std::string_view(p).substr(p.find('.') + 1);
    if (Glob(db_part(p), db) && table_part.find_first_not_of('*') == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

}  // namespace inflow::capture
