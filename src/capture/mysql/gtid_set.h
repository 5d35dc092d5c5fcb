// GtidSet: the decoder's running GTID position (MariaDB: the last GTID per replication domain;
// MySQL: executed intervals per source UUID) and its text form. Internal to capture/mysql
// (decoder.cc); inline, since it is updated once per transaction on the decoder's hot path.
//
// Thread safety: a value type.
#ifndef INFLOW_CAPTURE_MYSQL_GTID_SET_H_
#define INFLOW_CAPTURE_MYSQL_GTID_SET_H_

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace inflow::capture::mysql {

// MariaDB: the last GTID per replication domain. MySQL: executed intervals per source UUID.
struct GtidSet {
  std::map<uint32_t, std::pair<uint32_t, uint64_t>> domains;  // domain → (server, seq)
  std::map<std::string, std::vector<std::pair<int64_t, int64_t>>> uuids;  // [start, end]

  void AddMySQL(const std::string& uuid, int64_t start, int64_t end) {
    auto& v = uuids[uuid];
    v.emplace_back(start, end);
    std::sort(v.begin(), v.end());
    std::vector<std::pair<int64_t, int64_t>> merged;
    for (auto& iv : v) {
      if (!merged.empty() && iv.first <= merged.back().second + 1) {
        merged.back().second = std::max(merged.back().second, iv.second);
      } else {
        merged.push_back(iv);
      }
    }
    v = std::move(merged);
  }

  std::string ToString() const {
    std::string s;
    for (const auto& [domain, last] : domains) {
      if (!s.empty()) s.push_back(',');
      s += fmt::format("{}-{}-{}", domain, last.first, last.second);
    }
    for (const auto& [uuid, ivs] : uuids) {
      if (!s.empty()) s.push_back(',');
      s += uuid;
      for (const auto& [a, b] : ivs)
        s += a == b ? fmt::format(":{}", a) : fmt::format(":{}-{}", a, b);
    }
    return s;
  }

  static Result<GtidSet> Parse(std::string_view text) {
    GtidSet set;
    auto bad = [&](std::string_view part) {
      return Fail(ErrorCode::kInvalidArgument, fmt::format("bad GTID set element '{}'", part));
    };
    size_t start = 0;
    while (start < text.size()) {
      size_t comma = text.find(',', start);
      std::string_view part =
          text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
      start = comma == std::string_view::npos ? text.size() : comma + 1;
      while (!part.empty() && (part.front() == ' ' || part.front() == '\n')) part.remove_prefix(1);
      if (part.empty()) continue;
      size_t colon = part.find(':');
      if (colon == std::string_view::npos) {  // MariaDB domain-server-seq
        uint32_t d = 0, s = 0;
        uint64_t q = 0;
        size_t a = part.find('-'), b = part.find('-', a + 1);
        if (a == part.npos || b == part.npos) return bad(part);
        if (std::from_chars(part.data(), part.data() + a, d).ec != std::errc() ||
            std::from_chars(part.data() + a + 1, part.data() + b, s).ec != std::errc() ||
            std::from_chars(part.data() + b + 1, part.data() + part.size(), q).ec != std::errc()) {
          return bad(part);
        }
        set.domains[d] = {s, q};
      } else {
        std::string uuid(part.substr(0, colon));
        std::string_view rest = part.substr(colon + 1);
        while (!rest.empty()) {
          size_t next = rest.find(':');
          std::string_view iv = rest.substr(0, next);
          rest = next == rest.npos ? std::string_view() : rest.substr(next + 1);
          int64_t a = 0, b = 0;
          size_t dash = iv.find('-');
          if (std::from_chars(iv.data(), iv.data() + std::min(dash, iv.size()), a).ec !=
              std::errc()) {
            return bad(part);
          }
          b = a;
          if (dash != iv.npos &&
              std::from_chars(iv.data() + dash + 1, iv.data() + iv.size(), b).ec != std::errc()) {
            return bad(part);
          }
          set.AddMySQL(uuid, a, b);
        }
      }
    }
    return set;
  }
};

inline std::string UuidText(std::span<const uint8_t> b) {
  std::string s;
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(kHex[b[i] >> 4]);
    s.push_back(kHex[b[i] & 15]);
  }
  return s;
}

}  // namespace inflow::capture::mysql

#endif  // INFLOW_CAPTURE_MYSQL_GTID_SET_H_
