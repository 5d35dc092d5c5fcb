#include "support/mariadb_sql.h"

#include <gtest/gtest.h>

#include <chrono>

#include "support/run_command.h"

namespace inflow::testing {

std::string RunSql(const EnvMap& mariadb, const std::string& sql) {
  CommandOptions o;
  o.stdin_text = sql;
  o.timeout = std::chrono::seconds(600);
  auto r = RunCommand({"mariadb", "--socket=" + EnvValue(mariadb, "MYSQL_SOCKET"), "-uroot",
                       "--default-character-set=utf8mb4", "--batch", "--skip-column-names"},
                      o);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

std::string MasterPosition(const EnvMap& mariadb) {
  std::string out = RunSql(mariadb, "SHOW MASTER STATUS;\n");
  size_t tab = out.find('\t');
  size_t tab2 = tab == std::string::npos ? tab : out.find('\t', tab + 1);
  EXPECT_NE(tab2, std::string::npos) << "SHOW MASTER STATUS printed: " << out;
  if (tab2 == std::string::npos) return "";
  return out.substr(0, tab) + ":" + out.substr(tab + 1, tab2 - tab - 1);
}

}  // namespace inflow::testing
