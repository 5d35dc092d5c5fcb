#include "capture/mysql/auth_plugins.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <memory>
#include <string>

#include "capture/mysql/packet_codec.h"

namespace inflow::capture::mysql {
namespace {

std::string Scramble20() {
  std::string s;
  for (int i = 1; i <= 20; ++i) s.push_back(static_cast<char>(i));
  return s;
}

std::string Sha1(std::string_view a) {
  std::string out(20, '\0');
  unsigned int len = 0;
  EVP_Digest(a.data(), a.size(), reinterpret_cast<unsigned char*>(out.data()), &len, EVP_sha1(),
             nullptr);
  return out;
}

// Vectors computed independently (Python hashlib) for password "inflow-pw-1" and the scramble
// 0x01..0x14.
TEST(AuthPlugins, NativePasswordMatchesKnownVector) {
  EXPECT_EQ(HexOf(NativePasswordResponse("inflow-pw-1", Scramble20())),
            "048c10cf4840bcbf6947d99aa6737d74b48c2882");
  EXPECT_EQ(NativePasswordResponse("", Scramble20()), "");
}

// The server's check: SHA1(response XOR SHA1(scramble + stored)) == stored, where stored is the
// hash MariaDB shows for the user ("*728896B2…" for inflow-pw-1 in scripts/mariadb).
TEST(AuthPlugins, NativePasswordPassesTheServersVerification) {
  std::string scramble = "k2#9!aZZqq01;;pl--x/";
  std::string stored = Sha1(Sha1("inflow-pw-1"));
  EXPECT_EQ(HexOf(stored), "728896b24c5fb182f10d72f627167933cd1dfc7d");
  std::string response = NativePasswordResponse("inflow-pw-1", scramble);
  std::string mix;
  {
    std::string buf = scramble + stored;
    mix = Sha1(buf);
  }
  std::string candidate_stage1 = response;
  for (size_t i = 0; i < 20; ++i) candidate_stage1[i] = static_cast<char>(response[i] ^ mix[i]);
  EXPECT_EQ(Sha1(candidate_stage1), stored);
}

TEST(AuthPlugins, CachingSha2MatchesKnownVector) {
  EXPECT_EQ(HexOf(CachingSha2Response("inflow-pw-1", Scramble20())),
            "04989d457363503c493e8a664ad26e99d8e7b3aac12a54d0f20b6381509855e1");
  EXPECT_EQ(CachingSha2Response("", Scramble20()), "");
}

TEST(AuthPlugins, CachingSha2RsaEncryptsXoredPasswordWithOaep) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_RSA_gen(2048), EVP_PKEY_free);
  ASSERT_TRUE(key);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  ASSERT_EQ(PEM_write_bio_PUBKEY(bio.get(), key.get()), 1);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  std::string pem(data, static_cast<size_t>(len));

  auto encrypted = CachingSha2RsaResponse("inflow-pw-1", Scramble20(), pem);
  ASSERT_TRUE(encrypted.has_value()) << encrypted.error().ToString();
  EXPECT_EQ(encrypted->size(), 256u);

  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new(key.get(), nullptr), EVP_PKEY_CTX_free);
  ASSERT_EQ(EVP_PKEY_decrypt_init(ctx.get()), 1);
  ASSERT_EQ(EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING), 1);
  std::string plain(256, '\0');
  size_t plain_len = plain.size();
  ASSERT_EQ(EVP_PKEY_decrypt(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &plain_len,
                             reinterpret_cast<const unsigned char*>(encrypted->data()),
                             encrypted->size()),
            1);
  plain.resize(plain_len);
  std::string want = std::string("inflow-pw-1") + '\0';
  std::string s = Scramble20();
  for (size_t i = 0; i < want.size(); ++i) want[i] = static_cast<char>(want[i] ^ s[i % 20]);
  EXPECT_EQ(plain, want);

  auto bad = CachingSha2RsaResponse("pw", Scramble20(), "not a key");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), ErrorCode::kDataLoss);
}

// MariaDB stored this public key (base64, no padding) for `IDENTIFIED VIA ed25519 USING
// PASSWORD('inflow-pw-1')` in scripts/mariadb: FKm7XglXzO2rlIISAx1XP/bQNLXpSNNqDVn5xWC06l4.
TEST(AuthPlugins, Ed25519PublicKeyMatchesTheServersStoredKey) {
  std::string pk = Ed25519PublicKey("inflow-pw-1");
  std::string b64(44, '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                  reinterpret_cast<const unsigned char*>(pk.data()), 32);
  EXPECT_EQ(b64, "FKm7XglXzO2rlIISAx1XP/bQNLXpSNNqDVn5xWC06l4=");
}

// The signature must verify under the standard Ed25519 verifier (OpenSSL's), which is what the
// server runs against the stored key.
TEST(AuthPlugins, Ed25519SignatureVerifiesWithOpenSsl) {
  for (std::string password : {"inflow-pw-1", "", "p\xc3\xa4ssw\xc3\xb6rd with spaces"}) {
    std::string nonce(32, '\0');
    for (int i = 0; i < 32; ++i) nonce[i] = static_cast<char>(i * 7 + password.size());
    std::string sig = Ed25519Response(password, nonce);
    ASSERT_EQ(sig.size(), 64u);
    std::string pk = Ed25519PublicKey(password);
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
        EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                    reinterpret_cast<const unsigned char*>(pk.data()), 32),
        EVP_PKEY_free);
    ASSERT_TRUE(key);
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    ASSERT_EQ(EVP_DigestVerifyInit(md.get(), nullptr, nullptr, nullptr, key.get()), 1);
    EXPECT_EQ(EVP_DigestVerify(md.get(), reinterpret_cast<const unsigned char*>(sig.data()), 64,
                               reinterpret_cast<const unsigned char*>(nonce.data()), 32),
              1)
        << "password '" << password << "'";
    // A different nonce must not verify with the same signature.
    nonce[0] = static_cast<char>(nonce[0] ^ 1);
    ASSERT_EQ(EVP_DigestVerifyInit(md.get(), nullptr, nullptr, nullptr, key.get()), 1);
    EXPECT_NE(EVP_DigestVerify(md.get(), reinterpret_cast<const unsigned char*>(sig.data()), 64,
                               reinterpret_cast<const unsigned char*>(nonce.data()), 32),
              1);
  }
}

}  // namespace
}  // namespace inflow::capture::mysql
