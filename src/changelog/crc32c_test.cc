#include "changelog/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace inflow::changelog::crc32c {
namespace {

// RFC 3720 appendix B.4 vectors, checked against both implementations.
TEST(Crc32c, MatchesRfc3720Vectors) {
  std::vector<uint8_t> buf(32, 0);
  EXPECT_EQ(Value(buf.data(), 32), 0x8a9136aau);
  EXPECT_EQ(ExtendPortable(0, buf.data(), 32), 0x8a9136aau);
  std::fill(buf.begin(), buf.end(), 0xff);
  EXPECT_EQ(Value(buf.data(), 32), 0x62a8ab43u);
  EXPECT_EQ(ExtendPortable(0, buf.data(), 32), 0x62a8ab43u);
  for (int i = 0; i < 32; ++i) buf[i] = static_cast<uint8_t>(i);
  EXPECT_EQ(Value(buf.data(), 32), 0x46dd794eu);
  EXPECT_EQ(ExtendPortable(0, buf.data(), 32), 0x46dd794eu);
  for (int i = 0; i < 32; ++i) buf[i] = static_cast<uint8_t>(31 - i);
  EXPECT_EQ(Value(buf.data(), 32), 0x113fdb5cu);
  EXPECT_EQ(ExtendPortable(0, buf.data(), 32), 0x113fdb5cu);
  const uint8_t iscsi_read[48] = {0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00,
                                  0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00,
                                  0x00, 0x18, 0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                  0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  EXPECT_EQ(Value(iscsi_read, 48), 0xd9963a56u);
  EXPECT_EQ(ExtendPortable(0, iscsi_read, 48), 0xd9963a56u);
  EXPECT_EQ(Value("123456789", 9), 0xe3069283u);
}

TEST(Crc32c, ExtendEqualsWholeAndImplementationsAgree) {
  std::mt19937_64 rng(7);
  std::string data(4099, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  for (size_t len : {0u, 1u, 7u, 8u, 31u, 33u, 1000u, 4099u}) {
    for (size_t start : {0u, 1u, 3u}) {
      if (start > len) continue;
      const char* p = data.data() + start;
      size_t n = len - start;
      uint32_t whole = Value(p, n);
      EXPECT_EQ(whole, ExtendPortable(0, p, n));
      size_t cut = n / 3;
      EXPECT_EQ(Extend(Value(p, cut), p + cut, n - cut), whole);
    }
  }
}

TEST(Crc32c, MaskRoundTripsAndChangesValue) {
  uint32_t crc = Value("foo", 3);
  EXPECT_NE(Mask(crc), crc);
  EXPECT_NE(Mask(Mask(crc)), crc);
  EXPECT_EQ(Unmask(Mask(crc)), crc);
  EXPECT_EQ(Unmask(Unmask(Mask(Mask(crc)))), crc);
}

}  // namespace
}  // namespace inflow::changelog::crc32c
