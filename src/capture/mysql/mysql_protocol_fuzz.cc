// libFuzzer entry for the MySQL protocol messages the replication client reads from a server:
// packet framing (PacketAssembler), the v10 handshake, OK / ERR packets, column definitions and
// text result rows, and the GTID set text the user configures. Any input must yield a value or
// an error; a framed payload must reassemble to itself.
//
// Input: byte 0 is the column count for ParseTextRow and the chunk size the packet stream is
// fed in; the rest is the payload every parser reads. Seeds: mysql_protocol_fuzz_corpus/ (the
// payloads of protocol_messages_test.cc and packet_codec_test.cc behind their byte 0).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "capture/mysql/packet_codec.h"
#include "capture/mysql/protocol_messages.h"

using namespace inflow::capture::mysql;

namespace {

void Messages(std::string_view payload, size_t columns) {
  if (auto h = ParseHandshake(payload)) {
    (void)h->IsMariaDb();
    HandshakeResponse r;
    r.capabilities = h->capabilities;
    r.user = "u";
    r.auth_response = h->scramble;
    r.auth_plugin = h->auth_plugin;
    (void)EncodeHandshakeResponse(r);
  }
  (void)ParseOk(payload);
  if (auto e = ParseErr(payload)) (void)ServerErrorToError(*e, "fuzz");
  (void)IsEof(payload);
  (void)ParseColumnName(payload);
  if (auto row = ParseTextRow(payload, columns)) {
    if (row->size() != columns) std::abort();
  }
  if (auto set = ParseMySQLGtidSet(payload)) (void)EncodeMySQLGtidSet(*set);
}

// The payload as a stream of packets from the server, fed in chunks of `chunk` bytes.
void Stream(std::string_view bytes, size_t chunk) {
  PacketAssembler assembler;
  assembler.Reset(0);
  for (size_t pos = 0; pos < bytes.size(); pos += chunk) {
    assembler.Feed(bytes.substr(pos, chunk));
    while (true) {
      auto next = assembler.Next();
      if (!next) return;  // a sequence gap: the stream is abandoned
      if (!next->has_value()) break;
      Messages(**next, 1);
    }
  }
}

// Framing a payload and reassembling it must give it back.
void RoundTrip(std::string_view payload) {
  uint8_t seq = 7;
  std::string framed = FramePayload(payload, &seq);
  PacketAssembler assembler;
  assembler.Reset(7);
  assembler.Feed(framed);
  auto next = assembler.Next();
  if (!next || !next->has_value() || **next != payload || assembler.buffered() != 0) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t control = data[0];
  std::string_view payload(reinterpret_cast<const char*>(data) + 1, size - 1);
  Messages(payload, control);
  Stream(payload, control + 1);
  RoundTrip(payload);
  ByteReader reader(payload);
  while (!reader.empty()) {
    if (!reader.ReadLenencNullableString("value")) break;
  }
  return 0;
}
