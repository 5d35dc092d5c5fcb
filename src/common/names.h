// The syntax of names and addresses that several modules check: resource names that become
// directory or file names (tracking instances, consumer groups), RocketMQ topic names and
// `host:port[;host:port...]` address lists. One rule each, so the config validator, the change
// log (defence in depth) and the producer agree on what is valid.
//
// Thread safety: pure functions.
#ifndef INFLOW_COMMON_NAMES_H_
#define INFLOW_COMMON_NAMES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace inflow {

inline constexpr size_t kMaxResourceNameLength = 64;
inline constexpr size_t kMaxTopicNameLength = 127;

// A name used as a directory or file name: 1-64 characters of [A-Za-z0-9_-], so `.`, `..`,
// `/` and spaces can never reach a path. kInvalidArgument "FIELD: ..." otherwise.
Status ValidateResourceName(std::string_view name, std::string_view field);

// RocketMQ's TopicValidator rule: ^[%|a-zA-Z0-9_-]+$, at most 127 characters.
bool IsValidTopicName(std::string_view topic);
// "'x' is not a valid RocketMQ topic name (...)", the reason for an invalid topic.
std::string InvalidTopicNameReason(std::string_view topic);
// kInvalidArgument "FIELD: " + InvalidTopicNameReason(topic) for an invalid topic.
Status ValidateTopicName(std::string_view topic, std::string_view field);

struct HostPort {
  std::string host;  // a name or an IP address; IPv6 without its brackets
  uint16_t port = 0;

  bool operator==(const HostPort&) const = default;
};

// "host:port" with port 1-65535; an IPv6 address is written in brackets ("[::1]:9876").
// The error quotes the address and says what is wrong with it.
Result<HostPort> ParseHostPort(std::string_view address);
// "host:port", IPv6 in brackets: what ParseHostPort reads back.
std::string FormatHostPort(const HostPort& address);
// "host:port[;host:port...]" (blanks around each item are ignored; empty items are not allowed).
Result<std::vector<HostPort>> ParseHostPortList(std::string_view list);
// kInvalidArgument "FIELD: ..." when `list` is not a valid address list.
Status ValidateHostPortList(std::string_view list, std::string_view field);

}  // namespace inflow

#endif  // INFLOW_COMMON_NAMES_H_
