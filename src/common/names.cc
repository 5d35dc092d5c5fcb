#include "common/names.h"

#include <algorithm>
#include <charconv>

namespace inflow {
namespace {

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Characters of a host name or an IPv4 address (RFC 1123 labels, plus '_' which resolvers
// accept in practice).
bool IsHostChar(char c) { return IsAsciiAlnum(c) || c == '-' || c == '.' || c == '_'; }

bool IsIpv6Char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
         c == '.';
}

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Error BadAddress(std::string_view address, std::string_view reason) {
  return InvalidArgument("address '" + std::string(address) + "': " + std::string(reason));
}

}  // namespace

Status ValidateResourceName(std::string_view name, std::string_view field) {
  if (name.empty() || name.size() > kMaxResourceNameLength) {
    return Fail(InvalidArgument(std::string(field) + ": must be 1 to 64 characters, got " +
                                std::to_string(name.size())));
  }
  if (!std::all_of(name.begin(), name.end(),
                   [](char c) { return IsAsciiAlnum(c) || c == '_' || c == '-'; })) {
    return Fail(InvalidArgument(std::string(field) + ": '" + std::string(name) +
                                "' has a character other than A-Z a-z 0-9 _ -"));
  }
  return Ok();
}

bool IsValidTopicName(std::string_view topic) {
  if (topic.empty() || topic.size() > kMaxTopicNameLength) return false;
  return std::all_of(topic.begin(), topic.end(), [](char c) {
    return IsAsciiAlnum(c) || c == '_' || c == '-' || c == '%' || c == '|';
  });
}

std::string InvalidTopicNameReason(std::string_view topic) {
  return "'" + std::string(topic) +
         "' is not a valid RocketMQ topic name (1-127 characters of A-Z a-z 0-9 _ - % |)";
}

Status ValidateTopicName(std::string_view topic, std::string_view field) {
  if (IsValidTopicName(topic)) return Ok();
  return Fail(InvalidArgument(std::string(field) + ": " + InvalidTopicNameReason(topic)));
}

Result<HostPort> ParseHostPort(std::string_view address) {
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == address.size()) {
    return Fail(BadAddress(address, "expected HOST:PORT"));
  }
  std::string_view host = address.substr(0, colon);
  std::string_view digits = address.substr(colon + 1);
  HostPort out;
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']' ||
        !std::all_of(host.begin() + 1, host.end() - 1, IsIpv6Char)) {
      return Fail(BadAddress(address, "an IPv6 host must be written as [ADDRESS]"));
    }
    out.host = std::string(host.substr(1, host.size() - 2));
  } else {
    if (!std::all_of(host.begin(), host.end(), IsHostChar)) {
      return Fail(BadAddress(address, "the host has a character other than A-Z a-z 0-9 - . _"));
    }
    out.host = std::string(host);
  }
  unsigned port = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (ec != std::errc() || p != digits.data() + digits.size() || port == 0 || port > 65535) {
    return Fail(BadAddress(address, "the port must be a number from 1 to 65535"));
  }
  out.port = static_cast<uint16_t>(port);
  return out;
}

std::string FormatHostPort(const HostPort& address) {
  std::string out =
      address.host.find(':') == std::string::npos ? address.host : "[" + address.host + "]";
  return out + ":" + std::to_string(address.port);
}

Result<std::vector<HostPort>> ParseHostPortList(std::string_view list) {
  std::vector<HostPort> out;
  if (TrimBlanks(list).empty()) {
    return Fail(InvalidArgument("no HOST:PORT address given"));
  }
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t end = list.find(';', pos);
    if (end == std::string_view::npos) end = list.size();
    std::string_view item = TrimBlanks(list.substr(pos, end - pos));
    // A trailing ';' is tolerated (the Java client splits the same way); an empty item between
    // two addresses is a typo worth reporting.
    if (item.empty()) {
      if (end != list.size()) return Fail(InvalidArgument("an empty address between ';'"));
    } else {
      INFLOW_TRY(HostPort hp, ParseHostPort(item));
      out.push_back(std::move(hp));
    }
    pos = end + 1;
  }
  return out;
}

Status ValidateHostPortList(std::string_view list, std::string_view field) {
  auto parsed = ParseHostPortList(list);
  if (!parsed) {
    return Fail(InvalidArgument(std::string(field) + ": " + parsed.error().message() +
                                " (expected host:port[;host:port...])"));
  }
  return Ok();
}

}  // namespace inflow
