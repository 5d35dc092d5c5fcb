#include "changelog/password.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>
#include <vector>

namespace inflow::changelog {
namespace {

constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;

std::string Hex(const unsigned char* p, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[p[i] >> 4]);
    out.push_back(kDigits[p[i] & 15]);
  }
  return out;
}

bool Unhex(std::string_view s, std::vector<unsigned char>* out) {
  if (s.size() % 2 != 0) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  out->clear();
  for (size_t i = 0; i < s.size(); i += 2) {
    int hi = nibble(s[i]), lo = nibble(s[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<unsigned char>(hi * 16 + lo));
  }
  return true;
}

bool Scrypt(std::string_view password, const unsigned char* salt, size_t salt_len,
            const ScryptParams& params, unsigned char* out, size_t out_len) {
  // 128 * r * (N + p + 2) bytes are needed; allow that much plus slack.
  uint64_t maxmem = 128 * params.r * (params.n + params.p + 2) + (1u << 20);
  return EVP_PBE_scrypt(password.data(), password.size(), salt, salt_len, params.n, params.r,
                        params.p, maxmem, out, out_len) == 1;
}

bool ParseU64(std::string_view s, uint64_t* v) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && ptr == s.data() + s.size();
}

}  // namespace

Status ValidateAccount(std::string_view account, std::string_view field) {
  if (account.empty() || account.size() > 16) {
    return Fail(InvalidArgument(
        fmt::format("{}: must be 1 to 16 characters, got {}", field, account.size())));
  }
  for (char c : account) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) {
      return Fail(
          InvalidArgument(fmt::format("{}: only letters, digits and '_' are allowed", field)));
    }
  }
  return Ok();
}

Status ValidatePassword(std::string_view password, std::string_view field) {
  if (password.size() < 8 || password.size() > 32) {
    return Fail(InvalidArgument(
        fmt::format("{}: must be 8 to 32 characters, got {}", field, password.size())));
  }
  bool upper = false, lower = false, digit = false, special = false;
  for (char c : password) {
    if (c < 0x20 || c > 0x7e) {
      return Fail(
          InvalidArgument(fmt::format("{}: only printable ASCII characters are allowed", field)));
    }
    if (c >= 'A' && c <= 'Z') {
      upper = true;
    } else if (c >= 'a' && c <= 'z') {
      lower = true;
    } else if (c >= '0' && c <= '9') {
      digit = true;
    } else {
      special = true;
    }
  }
  if (upper + lower + digit + special < 2) {
    return Fail(InvalidArgument(fmt::format(
        "{}: must mix at least two of upper case, lower case, digits, special characters", field)));
  }
  return Ok();
}

Result<std::string> HashPassword(std::string_view password, const ScryptParams& params) {
  unsigned char salt[kSaltBytes];
  if (RAND_bytes(salt, sizeof salt) != 1) return Fail(Internal("RAND_bytes failed"));
  unsigned char hash[kHashBytes];
  if (!Scrypt(password, salt, sizeof salt, params, hash, sizeof hash)) {
    return Fail(
        Internal(fmt::format("scrypt with N={} r={} p={} failed", params.n, params.r, params.p)));
  }
  return fmt::format("scrypt${}${}${}${}${}", params.n, params.r, params.p, Hex(salt, sizeof salt),
                     Hex(hash, sizeof hash));
}

bool VerifyPassword(std::string_view password, std::string_view stored) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t dollar = stored.find('$', start);
    parts.push_back(stored.substr(start, dollar - start));
    if (dollar == std::string_view::npos) break;
    start = dollar + 1;
  }
  if (parts.size() != 6 || parts[0] != "scrypt") return false;
  ScryptParams params;
  std::vector<unsigned char> salt, expected;
  if (!ParseU64(parts[1], &params.n) || !ParseU64(parts[2], &params.r) ||
      !ParseU64(parts[3], &params.p) || !Unhex(parts[4], &salt) || !Unhex(parts[5], &expected) ||
      expected.empty() || expected.size() > 64 || params.n > (1u << 20) || params.r > 32 ||
      params.p > 16) {
    return false;
  }
  std::vector<unsigned char> actual(expected.size());
  if (!Scrypt(password, salt.data(), salt.size(), params, actual.data(), actual.size())) {
    return false;
  }
  return CRYPTO_memcmp(actual.data(), expected.data(), expected.size()) == 0;
}

}  // namespace inflow::changelog
