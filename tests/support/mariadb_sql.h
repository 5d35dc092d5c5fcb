// SQL against the `mariadb` fixture's server, as root over its socket, with the mariadb client
// (utf8mb4, batch mode, no column names): for integration tests that write workloads and read
// binlog positions.
//
// Thread safety: free functions; each call runs its own client process. They record gtest
// failures, which gtest allows from any thread.
#ifndef INFLOW_TESTS_SUPPORT_MARIADB_SQL_H_
#define INFLOW_TESTS_SUPPORT_MARIADB_SQL_H_

#include <string>

#include "support/service_env.h"

namespace inflow::testing {

// Runs `sql` (any number of statements); returns the client's stdout (tab-separated rows).
// A non-zero exit is a test failure carrying the client's error.
std::string RunSql(const EnvMap& mariadb, const std::string& sql);

// The server's current binlog position as FILE:POS (`SHOW MASTER STATUS`), the form
// `inflow capture --from` and a task's `capture_from` take.
std::string MasterPosition(const EnvMap& mariadb);

}  // namespace inflow::testing

#endif  // INFLOW_TESTS_SUPPORT_MARIADB_SQL_H_
