#include "capture/mysql/connection_options.h"

#include <charconv>
#include <string>

namespace inflow::capture::mysql {
namespace {

Result<std::string> PercentDecode(std::string_view s, std::string_view what) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    if (i + 2 >= s.size()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "source URL: truncated %-escape in " + std::string(what));
    }
    int hi = hex(s[i + 1]);
    int lo = hex(s[i + 2]);
    if (hi < 0 || lo < 0) {
      return Fail(ErrorCode::kInvalidArgument,
                  "source URL: invalid %-escape in " + std::string(what));
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

template <typename T>
Result<T> ParseNumber(std::string_view s, std::string_view what, T min, T max) {
  T v{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < min || v > max) {
    return Fail(ErrorCode::kInvalidArgument, "source URL: " + std::string(what) + " '" +
                                                 std::string(s) + "' is not a number in [" +
                                                 std::to_string(min) + ", " + std::to_string(max) +
                                                 "]");
  }
  return v;
}

// Every error about the URL's structure says how a password with these characters is written,
// since such a password is the usual reason the structure looks wrong.
constexpr const char* kEncodeHint = " (percent-encode @ / ? # in a password as %40 %2F %3F %23)";

// `e` with the hint appended.
Error WithEncodeHint(const Error& e) { return Error(e.code(), e.message() + kEncodeHint); }

Result<uint16_t> ParsePort(std::string_view s) {
  auto port = ParseNumber<uint16_t>(s, "port", 1, 65535);
  if (!port) return Fail(WithEncodeHint(port.error()));
  return port;
}

}  // namespace

Result<ConnectOptions> ParseSourceUrl(std::string_view url) {
  ConnectOptions o;
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return Fail(ErrorCode::kInvalidArgument,
                "source URL must look like mysql://user:password@host:port, got no scheme");
  }
  std::string_view scheme = url.substr(0, scheme_end);
  if (scheme == "mariadb") {
    o.mariadb_scheme = true;
  } else if (scheme != "mysql") {
    return Fail(ErrorCode::kInvalidArgument,
                "source URL scheme '" + std::string(scheme) + "' is not mysql:// or mariadb://");
  }
  std::string_view rest = url.substr(scheme_end + 3);
  // Userinfo ends at the LAST '@' of the URL: an unescaped '@', '/', '?', '#' or ':' in a
  // password then stays in the password instead of becoming a host, port or path that an error
  // would echo. (An '@' in a parameter value must be written %40.) Nothing before that '@' is
  // ever quoted in an error.
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    size_t colon = userinfo.find(':');
    auto user = PercentDecode(userinfo.substr(0, colon), "user");
    if (!user) return Fail(WithEncodeHint(user.error()));
    o.user = std::move(*user);
    if (colon != std::string_view::npos) {
      auto password = PercentDecode(userinfo.substr(colon + 1), "password");
      if (!password) return Fail(WithEncodeHint(password.error()));
      o.password = std::move(*password);
    }
  }
  if (o.user.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string("source URL has no user (mysql://USER:pw@host)") + kEncodeHint);
  }
  std::string_view query;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view path;
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    path = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  std::string_view host = rest;
  if (!rest.empty() && rest.front() == '[') {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) {
      return Fail(ErrorCode::kInvalidArgument,
                  std::string("source URL: unterminated [IPv6] host") + kEncodeHint);
    }
    host = rest.substr(1, close - 1);
    rest = rest.substr(close + 1);
    if (!rest.empty() && rest.front() == ':') {
      INFLOW_TRY(o.port, ParsePort(rest.substr(1)));
    }
  } else if (size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    INFLOW_TRY(o.port, ParsePort(rest.substr(colon + 1)));
  }
  if (host.empty()) {
    return Fail(ErrorCode::kInvalidArgument, std::string("source URL has no host") + kEncodeHint);
  }
  o.host = std::string(host);
  INFLOW_TRY(o.database, PercentDecode(path, "database"));

  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view kv = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (kv.empty()) continue;
    size_t eq = kv.find('=');
    std::string_view key = kv.substr(0, eq);
    std::string value;
    if (eq != std::string_view::npos) {
      INFLOW_TRY(value, PercentDecode(kv.substr(eq + 1), key));
    }
    if (key == "tls" || key == "ssl-mode" || key == "sslmode") {
      if (value == "disabled" || value == "false") {
        o.tls = TlsMode::kDisabled;
      } else if (value == "preferred") {
        o.tls = TlsMode::kPreferred;
      } else if (value == "required" || value == "true") {
        o.tls = TlsMode::kRequired;
      } else if (value == "verify_ca") {
        o.tls = TlsMode::kVerifyCa;
      } else if (value == "verify_identity") {
        o.tls = TlsMode::kVerifyIdentity;
      } else {
        return Fail(ErrorCode::kInvalidArgument,
                    "source URL: tls='" + value +
                        "' is not disabled|preferred|required|verify_ca|verify_identity");
      }
    } else if (key == "ca") {
      o.ca_file = value;
    } else if (key == "server_public_key") {
      o.server_public_key_file = value;
    } else if (key == "server_id") {
      INFLOW_TRY(o.server_id, ParseNumber<uint32_t>(value, "server_id", 1, 0xFFFFFFFFu));
    } else if (key == "heartbeat_ms") {
      INFLOW_TRY(int64_t ms, ParseNumber<int64_t>(value, "heartbeat_ms", 100, 3'600'000));
      o.heartbeat = std::chrono::milliseconds(ms);
    } else if (key == "read_timeout_ms") {
      INFLOW_TRY(int64_t ms, ParseNumber<int64_t>(value, "read_timeout_ms", 100, 86'400'000));
      o.read_timeout = std::chrono::milliseconds(ms);
    } else if (key == "connect_timeout_ms") {
      INFLOW_TRY(int64_t ms, ParseNumber<int64_t>(value, "connect_timeout_ms", 100, 600'000));
      o.connect_timeout = std::chrono::milliseconds(ms);
    } else {
      return Fail(ErrorCode::kInvalidArgument,
                  "source URL: unknown parameter '" + std::string(key) + "'");
    }
  }
  return o;
}

std::string RedactedUrl(const ConnectOptions& options) {
  std::string host =
      options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host;
  return std::string(options.mariadb_scheme ? "mariadb" : "mysql") + "://" + options.user +
         (options.password.empty() ? "" : ":******") + "@" + host + ":" +
         std::to_string(options.port);
}

}  // namespace inflow::capture::mysql
