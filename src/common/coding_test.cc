#include "common/coding.h"

#include <gtest/gtest.h>

#include <string>

namespace inflow {
namespace {

std::string Bytes(std::initializer_list<unsigned> b) {
  std::string s;
  for (unsigned c : b) s.push_back(static_cast<char>(c));
  return s;
}

TEST(Coding, LittleEndianFixedWidthHasExactBytes) {
  char buf[8];
  EncodeFixed16(buf, 0x0102);
  EXPECT_EQ(std::string(buf, 2), Bytes({0x02, 0x01}));
  EncodeFixed32(buf, 0x01020304u);
  EXPECT_EQ(std::string(buf, 4), Bytes({0x04, 0x03, 0x02, 0x01}));
  EncodeFixed64(buf, 0x0102030405060708ull);
  EXPECT_EQ(std::string(buf, 8), Bytes({0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01}));

  std::string s;
  PutFixed16(&s, 0xA1B2);
  PutFixed32(&s, 0xC1D2E3F4u);
  PutFixed64(&s, 0xFFull);
  EXPECT_EQ(s, Bytes({0xB2, 0xA1, 0xF4, 0xE3, 0xD2, 0xC1, 0xFF, 0, 0, 0, 0, 0, 0, 0}));
}

TEST(Coding, LittleEndianDecodesWhatItEncodes) {
  char buf[8];
  for (uint64_t v :
       {0ull, 1ull, 0x80ull, 0xFFFFFFFFull, 0x8000000000000000ull, ~0ull, 0x0123456789ABCDEFull}) {
    EncodeFixed64(buf, v);
    EXPECT_EQ(DecodeFixed64(buf), v);
    EncodeFixed32(buf, static_cast<uint32_t>(v));
    EXPECT_EQ(DecodeFixed32(buf), static_cast<uint32_t>(v));
    EncodeFixed16(buf, static_cast<uint16_t>(v));
    EXPECT_EQ(DecodeFixed16(buf), static_cast<uint16_t>(v));
  }
  // High bytes must not sign-extend through char.
  std::string hi = Bytes({0xFF, 0xFE, 0xFD, 0xFC, 0xFB, 0xFA, 0xF9, 0xF8});
  EXPECT_EQ(DecodeFixed16(hi.data()), 0xFEFFu);
  EXPECT_EQ(DecodeFixed32(hi.data()), 0xFCFDFEFFu);
  EXPECT_EQ(DecodeFixed64(hi.data()), 0xF8F9FAFBFCFDFEFFull);
}

TEST(Coding, VariableWidthReadsOnlyItsBytes) {
  std::string b = Bytes({0x01, 0x02, 0x03, 0xEE});
  EXPECT_EQ(DecodeFixedN(b.data(), 1), 0x01u);
  EXPECT_EQ(DecodeFixedN(b.data(), 3), 0x030201u);
  EXPECT_EQ(DecodeFixedNBE(b.data(), 3), 0x010203u);
  std::string s;
  PutFixedN(&s, 0x0A0B0C0Dull, 3);
  EXPECT_EQ(s, Bytes({0x0D, 0x0C, 0x0B}));
}

TEST(Coding, BigEndianFixedWidthHasExactBytes) {
  char buf[8];
  EncodeFixed16BE(buf, 0x0102);
  EXPECT_EQ(std::string(buf, 2), Bytes({0x01, 0x02}));
  EncodeFixed32BE(buf, 0x01020304u);
  EXPECT_EQ(std::string(buf, 4), Bytes({0x01, 0x02, 0x03, 0x04}));
  EncodeFixed64BE(buf, 0x0102030405060708ull);
  EXPECT_EQ(std::string(buf, 8), Bytes({0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08}));
  EXPECT_EQ(DecodeFixed16BE(buf), 0x0102u);
  EXPECT_EQ(DecodeFixed32BE(buf), 0x01020304u);
  EXPECT_EQ(DecodeFixed64BE(buf), 0x0102030405060708ull);

  std::string s;
  PutFixed16BE(&s, 0xA1B2);
  PutFixed32BE(&s, 0xC1D2E3F4u);
  EXPECT_EQ(s, Bytes({0xA1, 0xB2, 0xC1, 0xD2, 0xE3, 0xF4}));
  EXPECT_EQ(DecodeFixed32BE(s.data() + 2), 0xC1D2E3F4u);
}

}  // namespace
}  // namespace inflow
