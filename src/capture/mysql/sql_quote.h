// SqlQuote: a string as a single-quoted MySQL/MariaDB string literal, for the few statements
// capture builds from values (SHOW COLUMNS ... LIKE, SET @slave_connect_state = ...,
// BINLOG_GTID_POS). Escapes `'` and `\` with a backslash and NUL as `\0`, valid under the default
// sql_mode (the connection never sets NO_BACKSLASH_ESCAPES). Internal to capture/mysql.
//
// Thread safety: a pure function.
#ifndef INFLOW_CAPTURE_MYSQL_SQL_QUOTE_H_
#define INFLOW_CAPTURE_MYSQL_SQL_QUOTE_H_

#include <string>
#include <string_view>

namespace inflow::capture::mysql {

inline std::string SqlQuote(std::string_view s) {
  std::string out = "'";
  out.reserve(s.size() + 2);
  for (char c : s) {
    if (c == '\0') {
      out += "\\0";
      continue;
    }
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

}  // namespace inflow::capture::mysql

#endif  // INFLOW_CAPTURE_MYSQL_SQL_QUOTE_H_
