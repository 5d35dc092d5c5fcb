// Access to the real servers that the ctest fixtures start (tests/CMakeLists.txt): each fixture
// runs `scripts/<service> start --dir $INFLOW_BUILD_DIR/services/<name>` and that script writes
// KEY=VALUE lines into <dir>/<name>.env (rocketmq: NAMESRV, BROKER, PROXY, JAVA_TOOLS_CP, ...;
// mariadb: MYSQL_URL, MYSQL_SOCKET, MYSQL_DATADIR).
//
// Usage in an integration test (registered with FIXTURES rocketmq):
//   auto env = inflow::testing::ServiceEnv("rocketmq");
//   ASSERT_FALSE(env.empty());                 // the failure itself was already recorded
//   std::string namesrv = inflow::testing::EnvValue(env, "NAMESRV");
//
// A missing env file is a test failure, never a skip: it names the command that creates it.
//
// Thread safety: free functions without shared state; call from the test's main thread (they
// record gtest failures).
#ifndef INFLOW_TESTS_SUPPORT_SERVICE_ENV_H_
#define INFLOW_TESTS_SUPPORT_SERVICE_ENV_H_

#include <map>
#include <string>
#include <string_view>

namespace inflow::testing {

using EnvMap = std::map<std::string, std::string>;

// Reads $INFLOW_BUILD_DIR/services/<name>/<name>.env; for a variant fixture "<script>_<x>"
// (rocketmq_acl) whose file is missing, the script's own <script>.env in that folder. Records a
// non-fatal gtest failure naming the file and the command that would create it, and returns an
// empty map, when the variable or the file is missing or the file has no KEY=VALUE line.
EnvMap ServiceEnv(std::string_view name);

// Parses KEY=VALUE lines (blank lines and '#' comments ignored; the value is the rest of the
// line after the first '='). Exposed for tests of the parser itself.
EnvMap ParseEnvText(std::string_view text);

// env[key], or "" after recording a gtest failure that names the key and the keys present.
std::string EnvValue(const EnvMap& env, std::string_view key);

// A directory variable the test harness sets (INFLOW_SOURCE_DIR, INFLOW_BUILD_DIR, ...); ""
// after recording a gtest failure when unset.
std::string HarnessDir(const char* variable);

// $INFLOW_BUILD_DIR/<relative>, emptied (created if missing): a test's own scratch directory,
// left in place afterwards for inspection.
std::string FreshTestDir(const std::string& relative);

}  // namespace inflow::testing

#endif  // INFLOW_TESTS_SUPPORT_SERVICE_ENV_H_
