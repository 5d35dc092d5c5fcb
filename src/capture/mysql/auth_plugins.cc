#include "capture/mysql/auth_plugins.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <array>
#include <memory>
#include <string>

namespace inflow::capture::mysql {
namespace {

std::string Digest(const EVP_MD* md, std::string_view a, std::string_view b = {},
                   std::string_view c = {}) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::string out(EVP_MAX_MD_SIZE, '\0');
  unsigned int len = 0;
  EVP_DigestInit_ex(ctx.get(), md, nullptr);
  EVP_DigestUpdate(ctx.get(), a.data(), a.size());
  EVP_DigestUpdate(ctx.get(), b.data(), b.size());
  EVP_DigestUpdate(ctx.get(), c.data(), c.size());
  EVP_DigestFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len);
  out.resize(len);
  return out;
}

std::string Sha1(std::string_view a, std::string_view b = {}) { return Digest(EVP_sha1(), a, b); }
std::string Sha256(std::string_view a, std::string_view b = {}) {
  return Digest(EVP_sha256(), a, b);
}
std::string Sha512(std::string_view a, std::string_view b = {}, std::string_view c = {}) {
  return Digest(EVP_sha512(), a, b, c);
}

std::string Xor(std::string_view a, std::string_view b) {
  std::string out(a);
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<char>(out[i] ^ b[i % b.size()]);
  return out;
}

std::string OpenSslError() {
  unsigned long e = ERR_get_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof(buf));
  return buf;
}

// --- Ed25519 over OpenSSL big numbers: twisted Edwards curve -x^2 + y^2 = 1 + d x^2 y^2 over
// GF(2^255 - 19), extended coordinates (X:Y:Z:T) with x = X/Z, y = Y/Z, xy = T/Z (RFC 8032
// §5.1.4). Speed is irrelevant here (one signature per login), clarity is not.

struct BnFree {
  void operator()(BIGNUM* b) const { BN_clear_free(b); }
};
struct BnCtxFree {
  void operator()(BN_CTX* c) const { BN_CTX_free(c); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;

Bn NewBn() { return Bn(BN_new()); }
Bn BnFromDec(const char* dec) {
  BIGNUM* b = nullptr;
  BN_dec2bn(&b, dec);
  return Bn(b);
}
Bn BnFromLe(std::string_view bytes) {
  return Bn(BN_lebin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                        static_cast<int>(bytes.size()), nullptr));
}
std::string BnToLe32(const BIGNUM* b) {
  std::string out(32, '\0');
  BN_bn2lebinpad(b, reinterpret_cast<unsigned char*>(out.data()), 32);
  return out;
}

struct Point {
  Bn x, y, z, t;
};

class Curve {
 public:
  Curve() : ctx_(BN_CTX_new()) {
    p_ = NewBn();
    BN_set_bit(p_.get(), 255);
    BN_sub_word(p_.get(), 19);
    // L = 2^252 + 27742317777372353535851937790883648493, the order of the base point.
    l_ = BnFromDec("27742317777372353535851937790883648493");
    Bn two252 = NewBn();
    BN_set_bit(two252.get(), 252);
    BN_add(l_.get(), l_.get(), two252.get());
    // d = -121665 / 121666 mod p; 2d is what the addition formula uses.
    Bn num = NewBn(), den = NewBn();
    BN_set_word(num.get(), 121665);
    BN_sub(num.get(), p_.get(), num.get());
    BN_set_word(den.get(), 121666);
    BN_mod_inverse(den.get(), den.get(), p_.get(), ctx());
    d2_ = NewBn();
    BN_mod_mul(d2_.get(), num.get(), den.get(), p_.get(), ctx());
    BN_mod_add(d2_.get(), d2_.get(), d2_.get(), p_.get(), ctx());
    base_ =
        MakeAffine("15112221349535400772501151409588531511454012693041857206046113283949847762202",
                   "46316835694926478169428394003475163141307993866256225615783033603165251855960");
  }

  BN_CTX* ctx() { return ctx_.get(); }
  const BIGNUM* order() const { return l_.get(); }

  // k * B, for a scalar given as little-endian bytes.
  std::string MultiplyBaseEncoded(const BIGNUM* k) {
    Point q = Identity();
    for (int i = BN_num_bits(k) - 1; i >= 0; --i) {
      q = Add(q, q);
      if (BN_is_bit_set(k, i)) q = Add(q, base_);
    }
    return Encode(q);
  }

 private:
  Point MakeAffine(const char* x, const char* y) {
    Point p{BnFromDec(x), BnFromDec(y), NewBn(), NewBn()};
    BN_one(p.z.get());
    BN_mod_mul(p.t.get(), p.x.get(), p.y.get(), p_.get(), ctx());
    return p;
  }
  Point Identity() {
    Point p{NewBn(), NewBn(), NewBn(), NewBn()};
    BN_zero(p.x.get());
    BN_one(p.y.get());
    BN_one(p.z.get());
    BN_zero(p.t.get());
    return p;
  }
  // Unified addition (also valid for doubling) for a = -1.
  Point Add(const Point& a, const Point& b) {
    const BIGNUM* p = p_.get();
    BN_CTX* c = ctx();
    Bn t1 = NewBn(), t2 = NewBn(), ea = NewBn(), eb = NewBn(), ec = NewBn(), ed = NewBn();
    BN_mod_sub(t1.get(), a.y.get(), a.x.get(), p, c);
    BN_mod_sub(t2.get(), b.y.get(), b.x.get(), p, c);
    BN_mod_mul(ea.get(), t1.get(), t2.get(), p, c);  // A = (Y1-X1)(Y2-X2)
    BN_mod_add(t1.get(), a.y.get(), a.x.get(), p, c);
    BN_mod_add(t2.get(), b.y.get(), b.x.get(), p, c);
    BN_mod_mul(eb.get(), t1.get(), t2.get(), p, c);  // B = (Y1+X1)(Y2+X2)
    BN_mod_mul(ec.get(), a.t.get(), b.t.get(), p, c);
    BN_mod_mul(ec.get(), ec.get(), d2_.get(), p, c);  // C = T1 2d T2
    BN_mod_mul(ed.get(), a.z.get(), b.z.get(), p, c);
    BN_mod_add(ed.get(), ed.get(), ed.get(), p, c);  // D = 2 Z1 Z2
    Bn e = NewBn(), f = NewBn(), g = NewBn(), h = NewBn();
    BN_mod_sub(e.get(), eb.get(), ea.get(), p, c);
    BN_mod_sub(f.get(), ed.get(), ec.get(), p, c);
    BN_mod_add(g.get(), ed.get(), ec.get(), p, c);
    BN_mod_add(h.get(), eb.get(), ea.get(), p, c);
    Point r{NewBn(), NewBn(), NewBn(), NewBn()};
    BN_mod_mul(r.x.get(), e.get(), f.get(), p, c);
    BN_mod_mul(r.y.get(), g.get(), h.get(), p, c);
    BN_mod_mul(r.t.get(), e.get(), h.get(), p, c);
    BN_mod_mul(r.z.get(), f.get(), g.get(), p, c);
    return r;
  }
  // 32 bytes: y little-endian with the parity of x in the top bit.
  std::string Encode(const Point& q) {
    Bn zi = NewBn(), x = NewBn(), y = NewBn();
    BN_mod_inverse(zi.get(), q.z.get(), p_.get(), ctx());
    BN_mod_mul(x.get(), q.x.get(), zi.get(), p_.get(), ctx());
    BN_mod_mul(y.get(), q.y.get(), zi.get(), p_.get(), ctx());
    std::string out = BnToLe32(y.get());
    if (BN_is_odd(x.get())) out[31] = static_cast<char>(out[31] | 0x80);
    return out;
  }

  std::unique_ptr<BN_CTX, BnCtxFree> ctx_;
  Bn p_, l_, d2_;
  Point base_;
};

// SHA-512 of the password, with the low half clamped into the secret scalar.
std::string ClampedPasswordHash(std::string_view password) {
  std::string az = Sha512(password);
  az[0] = static_cast<char>(az[0] & 248);
  az[31] = static_cast<char>((az[31] & 63) | 64);
  return az;
}

}  // namespace

std::string NativePasswordResponse(std::string_view password, std::string_view scramble) {
  if (password.empty()) return {};
  std::string stage1 = Sha1(password);
  std::string stage2 = Sha1(stage1);
  return Xor(stage1, Sha1(scramble, stage2));
}

std::string CachingSha2Response(std::string_view password, std::string_view scramble) {
  if (password.empty()) return {};
  std::string h1 = Sha256(password);
  std::string h2 = Sha256(h1);
  return Xor(h1, Sha256(h2, scramble));
}

Result<std::string> CachingSha2RsaResponse(std::string_view password, std::string_view scramble,
                                           std::string_view public_key_pem) {
  if (scramble.empty()) return Fail(ErrorCode::kDataLoss, "caching_sha2_password: empty scramble");
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(public_key_pem.data(), static_cast<int>(public_key_pem.size())), BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  if (!key) {
    return Fail(
        ErrorCode::kDataLoss,
        "caching_sha2_password: server public key is not a PEM public key: " + OpenSslError());
  }
  std::string plain(password);
  plain.push_back('\0');
  plain = Xor(plain, scramble);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new(key.get(), nullptr), EVP_PKEY_CTX_free);
  size_t out_len = 0;
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) <= 0 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) <= 0 ||
      EVP_PKEY_encrypt(ctx.get(), nullptr, &out_len,
                       reinterpret_cast<const unsigned char*>(plain.data()), plain.size()) <= 0) {
    return Fail(ErrorCode::kInternal, "caching_sha2_password: RSA setup: " + OpenSslError());
  }
  std::string out(out_len, '\0');
  if (EVP_PKEY_encrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &out_len,
                       reinterpret_cast<const unsigned char*>(plain.data()), plain.size()) <= 0) {
    return Fail(ErrorCode::kInvalidArgument,
                "caching_sha2_password: RSA encryption failed (password too long for the key?): " +
                    OpenSslError());
  }
  out.resize(out_len);
  return out;
}

std::string Ed25519PublicKey(std::string_view password) {
  Curve curve;
  std::string az = ClampedPasswordHash(password);
  Bn a = BnFromLe(std::string_view(az).substr(0, 32));
  return curve.MultiplyBaseEncoded(a.get());
}

std::string Ed25519Response(std::string_view password, std::string_view nonce) {
  Curve curve;
  BN_CTX* c = curve.ctx();
  std::string az = ClampedPasswordHash(password);
  Bn a = BnFromLe(std::string_view(az).substr(0, 32));
  std::string public_key = curve.MultiplyBaseEncoded(a.get());
  // r = SHA-512(prefix || M) mod L; R = rB.
  Bn r = BnFromLe(Sha512(std::string_view(az).substr(32, 32), nonce));
  BN_nnmod(r.get(), r.get(), curve.order(), c);
  std::string r_enc = curve.MultiplyBaseEncoded(r.get());
  // S = (r + SHA-512(R || A || M) * a) mod L.
  Bn k = BnFromLe(Sha512(r_enc, public_key, nonce));
  Bn s = NewBn();
  BN_mod_mul(s.get(), k.get(), a.get(), curve.order(), c);
  BN_mod_add(s.get(), s.get(), r.get(), curve.order(), c);
  return r_enc + BnToLe32(s.get());
}

}  // namespace inflow::capture::mysql
