#include "support/java_tools.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace inflow::testing {
namespace {

std::optional<std::string> OptionalString(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return it->get<std::string>();
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::optional<std::string> DecodeBase64(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      char c = text[i + k];
      if (c == '=') {
        // Padding only at the very end, and only in the last two positions.
        if (i + 4 != text.size() || k < 2) return std::nullopt;
        v[k] = 0;
        ++pad;
      } else {
        if (pad > 0) return std::nullopt;
        v[k] = Base64Value(c);
        if (v[k] < 0) return std::nullopt;
      }
    }
    uint32_t triple = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out.push_back(static_cast<char>((triple >> 16) & 0xFF));
    if (pad < 2) out.push_back(static_cast<char>((triple >> 8) & 0xFF));
    if (pad < 1) out.push_back(static_cast<char>(triple & 0xFF));
  }
  return out;
}

std::vector<std::string> JavaToolCommand(const EnvMap& env, std::string_view tool,
                                         std::vector<std::string> args) {
  std::vector<std::string> argv = {"java", "-Xmx256m", "-cp", EnvValue(env, "JAVA_TOOLS_CP"),
                                   "inflow.tools." + std::string(tool)};
  argv.insert(argv.end(), args.begin(), args.end());
  auto ak = env.find("ACL_ACCESS_KEY");
  auto sk = env.find("ACL_SECRET_KEY");
  if (ak != env.end() && sk != env.end()) {
    argv.insert(argv.end(), {"--access-key", ak->second, "--secret-key", sk->second});
  }
  return argv;
}

std::vector<VerifiedMessage> ParseVerifierOutput(std::string_view out, std::string* errors) {
  std::vector<VerifiedMessage> messages;
  size_t pos = 0;
  int line_no = 0;
  while (pos < out.size()) {
    size_t end = out.find('\n', pos);
    if (end == std::string_view::npos) end = out.size();
    std::string_view line = out.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.empty()) continue;
    try {
      auto j = nlohmann::json::parse(line);
      VerifiedMessage m;
      m.topic = j.at("topic").get<std::string>();
      m.queue_id = j.at("queueId").get<int>();
      m.queue_offset = j.at("queueOffset").get<int64_t>();
      m.msg_id = j.at("msgId").get<std::string>();
      m.tags = OptionalString(j, "tags");
      m.keys = OptionalString(j, "keys");
      for (const auto& [k, v] : j.at("properties").items()) m.properties[k] = v.get<std::string>();
      auto body = DecodeBase64(j.at("bodyBase64").get<std::string>());
      if (!body) {
        *errors += "Verifier line " + std::to_string(line_no) + ": bad bodyBase64\n";
        continue;
      }
      m.body = std::move(*body);
      messages.push_back(std::move(m));
    } catch (const nlohmann::json::exception& e) {
      *errors += "Verifier line " + std::to_string(line_no) + ": " + e.what() + ": " +
                 std::string(line.substr(0, 200)) + "\n";
    }
  }
  return messages;
}

namespace {

VerifierResult Verify(const EnvMap& env, std::string_view topic, std::string_view count_flag,
                      int count, int timeout_s, std::string_view group) {
  std::vector<std::string> args = {"consume",
                                   "--namesrv",
                                   EnvValue(env, "NAMESRV"),
                                   "--topic",
                                   std::string(topic),
                                   std::string(count_flag),
                                   std::to_string(count),
                                   "--timeout-s",
                                   std::to_string(timeout_s)};
  if (!group.empty()) args.insert(args.end(), {"--group", std::string(group)});
  CommandOptions options;
  // The JVM start and the client's shutdown come on top of the tool's own timeout.
  options.timeout = std::chrono::seconds(timeout_s + 60);
  CommandResult r = RunCommand(JavaToolCommand(env, "Verifier", std::move(args)), options);
  VerifierResult result;
  result.exit_code = r.exit_code;
  result.err = std::move(r.err);
  result.messages = ParseVerifierOutput(r.out, &result.err);
  result.out = std::move(r.out);
  return result;
}

}  // namespace

VerifierResult RunVerifier(const EnvMap& env, std::string_view topic, int expect, int timeout_s,
                           std::string_view group) {
  return Verify(env, topic, "--expect", expect, timeout_s, group);
}

VerifierResult RunVerifierAtLeast(const EnvMap& env, std::string_view topic, int at_least,
                                  int timeout_s) {
  return Verify(env, topic, "--at-least", at_least, timeout_s, "");
}

bool CreateTopic(const EnvMap& env, std::string_view topic, int queues, std::string_view attr) {
  std::vector<std::string> args = {
      "create-topic",     "--namesrv", EnvValue(env, "NAMESRV"), "--topic",
      std::string(topic), "--queues",  std::to_string(queues)};
  if (!attr.empty()) args.insert(args.end(), {"--attr", std::string(attr)});
  auto argv = JavaToolCommand(env, "Admin", std::move(args));
  CommandOptions options;
  options.timeout = std::chrono::seconds(90);
  CommandResult r = RunCommand(argv, options);
  if (r.exit_code != 0) {
    ADD_FAILURE() << "creating topic " << topic << " failed (exit " << r.exit_code
                  << "): " << DescribeCommand(argv) << "\n"
                  << r.err;
    return false;
  }
  return true;
}

}  // namespace inflow::testing
