// Consumer-group credentials: the account / password rules of DTS and a salted, deliberately
// slow password hash (scrypt from OpenSSL), so a leaked groups directory does not give away
// passwords. Stored form: "scrypt$<N>$<r>$<p>$<salt hex>$<hash hex>" (FORMAT.md).
//
// Thread safety: pure functions (OpenSSL's scrypt and RAND are thread-safe).
#ifndef INFLOW_CHANGELOG_PASSWORD_H_
#define INFLOW_CHANGELOG_PASSWORD_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace inflow::changelog {

struct ScryptParams {
  uint64_t n = 16384;  // 2^14: ~40 ms and 16 MiB per hash here; an attach is not a hot path
  uint64_t r = 8;
  uint64_t p = 1;
};

// 1–16 characters of [A-Za-z0-9_]; kInvalidArgument naming `field` otherwise.
Status ValidateAccount(std::string_view account, std::string_view field = "account");
// 8–32 printable ASCII characters with at least two of: upper case, lower case, digit,
// special (any other printable character).
Status ValidatePassword(std::string_view password, std::string_view field = "password");

// A fresh random salt and the scrypt hash of `password`, in the stored form.
Result<std::string> HashPassword(std::string_view password, const ScryptParams& params = {});
// True when `password` hashes to `stored`. The final comparison takes constant time; a
// malformed `stored` is simply false.
bool VerifyPassword(std::string_view password, std::string_view stored);

}  // namespace inflow::changelog

#endif  // INFLOW_CHANGELOG_PASSWORD_H_
