#include "capture/mysql/packet_codec.h"

#include <gtest/gtest.h>

#include <string>

namespace inflow::capture::mysql {
namespace {

TEST(PacketCodec, LenencRoundTripsAtEveryWidthBoundary) {
  for (uint64_t v : {0ull, 250ull, 251ull, 0xFFFFull, 0x10000ull, 0xFFFFFFull, 0x1000000ull,
                     0xFFFFFFFFFFFFFFFFull}) {
    ByteWriter w;
    w.Lenenc(v);
    ByteReader r(w.data());
    auto got = r.ReadLenenc("v");
    ASSERT_TRUE(got.has_value()) << v;
    EXPECT_EQ(*got, v);
    EXPECT_TRUE(r.empty());
  }
  ByteWriter w;
  w.Lenenc(251);
  EXPECT_EQ(HexOf(w.data()), "fcfb00");
}

TEST(PacketCodec, TruncatedFieldsAreErrorsNamingTheField) {
  ByteReader r(std::string_view("\x05\x00", 2));
  auto v = r.ReadU32("connection id");
  ASSERT_FALSE(v.has_value());
  EXPECT_EQ(v.error().code(), ErrorCode::kDataLoss);
  EXPECT_NE(v.error().message().find("connection id"), std::string::npos);

  ByteReader s(
      std::string_view("\x09"
                       "abc",
                       4));
  auto str = s.ReadLenencString("column name");
  ASSERT_FALSE(str.has_value());
  EXPECT_NE(str.error().message().find("declares 9 bytes"), std::string::npos);

  ByteReader n(std::string_view("abc", 3));
  EXPECT_FALSE(n.ReadNulString("server version").has_value());
}

TEST(PacketCodec, NullableStringReadsTheNullMarker) {
  ByteReader r(std::string_view("\xfb\x02hi", 4));
  auto a = r.ReadLenencNullableString("a");
  ASSERT_TRUE(a.has_value());
  EXPECT_FALSE(a->has_value());
  auto b = r.ReadLenencNullableString("b");
  ASSERT_TRUE(b.has_value() && b->has_value());
  EXPECT_EQ(**b, "hi");
}

TEST(PacketCodec, FramesSmallPayloadWithHeader) {
  uint8_t seq = 3;
  std::string framed = FramePayload("abc", &seq);
  EXPECT_EQ(HexOf(framed), "03000003616263");
  EXPECT_EQ(seq, 4);
}

TEST(PacketCodec, SplitsAndReassemblesPayloadsOver16MiB) {
  std::string payload(kMaxPacketPayload * 2 + 10, '\0');
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i * 31 + 7);
  uint8_t seq = 0;
  std::string framed = FramePayload(payload, &seq);
  EXPECT_EQ(seq, 3);  // two full packets and a 10-byte tail
  EXPECT_EQ(framed.size(), payload.size() + 3 * kPacketHeaderSize);
  EXPECT_EQ(HexOf(framed.substr(0, 4)), "ffffff00");

  PacketAssembler a;
  a.Reset(0);
  // Feed in odd-sized pieces to exercise partial headers and bodies.
  size_t off = 0;
  std::optional<std::string> got;
  while (off < framed.size()) {
    size_t n = std::min<size_t>(1'000'003, framed.size() - off);
    a.Feed(std::string_view(framed).substr(off, n));
    off += n;
    auto next = a.Next();
    ASSERT_TRUE(next.has_value());
    if (next->has_value()) {
      got = std::move(*next);
      EXPECT_EQ(off, framed.size());
    }
  }
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, payload);
  EXPECT_EQ(a.next_sequence(), 3);
}

TEST(PacketCodec, ExactMultipleOf16MiBEndsWithAnEmptyPacket) {
  std::string payload(kMaxPacketPayload, 'x');
  uint8_t seq = 0;
  std::string framed = FramePayload(payload, &seq);
  EXPECT_EQ(seq, 2);
  EXPECT_EQ(HexOf(framed.substr(framed.size() - 4)), "00000001");
  PacketAssembler a;
  a.Reset(0);
  a.Feed(framed.substr(0, framed.size() - 4));
  auto first = a.Next();
  ASSERT_TRUE(first.has_value());
  EXPECT_FALSE(first->has_value());  // still waiting for the terminating empty packet
  a.Feed(framed.substr(framed.size() - 4));
  auto done = a.Next();
  ASSERT_TRUE(done.has_value() && done->has_value());
  EXPECT_EQ((*done)->size(), kMaxPacketPayload);
}

TEST(PacketCodec, SequenceGapIsDataLoss) {
  uint8_t seq = 5;
  std::string framed = FramePayload("x", &seq);
  PacketAssembler a;
  a.Reset(4);
  a.Feed(framed);
  auto next = a.Next();
  ASSERT_FALSE(next.has_value());
  EXPECT_EQ(next.error().code(), ErrorCode::kDataLoss);
  EXPECT_NE(next.error().message().find("expected sequence id 4, got 5"), std::string::npos);
}

TEST(PacketCodec, SeveralPayloadsInOneRead) {
  uint8_t seq = 0;
  std::string framed = FramePayload("one", &seq);
  framed += FramePayload("", &seq);
  framed += FramePayload("3", &seq);
  PacketAssembler a;
  a.Reset(0);
  a.Feed(framed);
  for (std::string want : {"one", "", "3"}) {
    auto next = a.Next();
    ASSERT_TRUE(next.has_value() && next->has_value());
    EXPECT_EQ(**next, want);
  }
  auto none = a.Next();
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->has_value());
}

}  // namespace
}  // namespace inflow::capture::mysql
