// The client side of the authentication plugins inflow speaks: the byte string a client sends
// in answer to a server's scramble (nonce) for mysql_native_password, caching_sha2_password and
// MariaDB's client_ed25519, plus the RSA step of caching_sha2_password's full authentication.
//
// Pure functions over bytes (OpenSSL for the hashes, RSA and the big-number arithmetic).
//
// Thread safety: all functions are reentrant.
#ifndef INFLOW_CAPTURE_MYSQL_AUTH_PLUGINS_H_
#define INFLOW_CAPTURE_MYSQL_AUTH_PLUGINS_H_

#include <string>
#include <string_view>

#include "common/result.h"

namespace inflow::capture::mysql {

inline constexpr std::string_view kNativePassword = "mysql_native_password";
inline constexpr std::string_view kCachingSha2Password = "caching_sha2_password";
inline constexpr std::string_view kClientEd25519 = "client_ed25519";
inline constexpr std::string_view kClearPassword = "mysql_clear_password";

// SHA1(pw) XOR SHA1(scramble + SHA1(SHA1(pw))); empty for an empty password.
std::string NativePasswordResponse(std::string_view password, std::string_view scramble);

// XOR(SHA256(pw), SHA256(SHA256(SHA256(pw)) + scramble)); empty for an empty password.
std::string CachingSha2Response(std::string_view password, std::string_view scramble);

// caching_sha2_password full authentication without TLS: RSA-OAEP (SHA-1, MGF1) encryption of
// (password + NUL) XOR scramble (repeated) with the server's PEM public key.
Result<std::string> CachingSha2RsaResponse(std::string_view password, std::string_view scramble,
                                           std::string_view public_key_pem);

// MariaDB client_ed25519: an Ed25519 signature of `nonce` whose secret scalar and prefix come
// from SHA-512 of the password itself (the standard scheme hashes a 32-byte seed instead, so
// OpenSSL's Ed25519 signer cannot be used; the arithmetic is done here). 64 bytes.
std::string Ed25519Response(std::string_view password, std::string_view nonce);

// The public key (32 bytes) matching Ed25519Response's signatures; MariaDB stores it, base64
// encoded without padding, as the user's authentication_string.
std::string Ed25519PublicKey(std::string_view password);

}  // namespace inflow::capture::mysql

#endif  // INFLOW_CAPTURE_MYSQL_AUTH_PLUGINS_H_
