#include "support/service_env.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace inflow::testing {
namespace {

std::string StartCommand(std::string_view name, const std::string& dir) {
  // The fixture names map to a script and flags (tests/CMakeLists.txt).
  if (name == "rocketmq_acl") return "scripts/rocketmq start --acl --dir " + dir;
  if (name.starts_with("rocketmq")) return "scripts/rocketmq start --dir " + dir;
  return "scripts/" + std::string(name) + " start --dir " + dir;
}

}  // namespace

EnvMap ParseEnvText(std::string_view text) {
  EnvMap env;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    size_t eq = line.find('=');
    if (eq == 0 || eq == std::string_view::npos) continue;
    env[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
  }
  return env;
}

std::string HarnessDir(const char* variable) {
  const char* value = std::getenv(variable);
  if (value == nullptr || *value == '\0') {
    ADD_FAILURE() << variable
                  << " is not set: run this test through ctest (inflow_test() sets it), or export "
                  << variable << " yourself";
    return "";
  }
  return value;
}

std::string FreshTestDir(const std::string& relative) {
  std::string dir = HarnessDir("INFLOW_BUILD_DIR") + "/" + relative;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

EnvMap ServiceEnv(std::string_view name) {
  std::string build_dir = HarnessDir("INFLOW_BUILD_DIR");
  if (build_dir.empty()) return {};
  std::string dir = build_dir + "/services/" + std::string(name);
  std::string path = dir + "/" + std::string(name) + ".env";
  std::ifstream in(path);
  // A variant fixture (rocketmq_acl) runs the same script, which names the file after itself.
  if (size_t underscore = name.find('_'); !in && underscore != std::string_view::npos) {
    std::string script_env = dir + "/" + std::string(name.substr(0, underscore)) + ".env";
    in.clear();
    in.open(script_env);
    if (in) path = script_env;
  }
  if (!in) {
    ADD_FAILURE() << "service '" << name << "' is not running: " << path
                  << " does not exist. The ctest fixture '" << name
                  << "' creates it (ctest adds it for tests that require it); by hand: "
                  << StartCommand(name, dir);
    return {};
  }
  std::stringstream text;
  text << in.rdbuf();
  EnvMap env = ParseEnvText(text.str());
  if (env.empty()) {
    ADD_FAILURE() << path
                  << " has no KEY=VALUE line; restart the service: " << StartCommand(name, dir);
  }
  return env;
}

std::string EnvValue(const EnvMap& env, std::string_view key) {
  auto it = env.find(std::string(key));
  if (it != env.end()) return it->second;
  std::string present;
  for (const auto& [k, v] : env) present += (present.empty() ? "" : ", ") + k;
  ADD_FAILURE() << "service env has no " << key << " (present: " << present << ")";
  return "";
}

}  // namespace inflow::testing
