// DecoderState's byte form, and reading binlog files from disk (BinlogFileReader,
// DecodeBinlogFiles; decoder.h).
#include <fmt/format.h>

#include <charconv>

#include "capture/mysql/decoder.h"
#include "capture/mysql/state_codec.h"
#include "common/file_text.h"

namespace inflow::capture::mysql {

namespace et = event_type;

// ---- state ----------------------------------------------------------------------------------

namespace {
using state_codec::GetString;
using state_codec::PutString;
constexpr std::string_view kStateMagic = "inflow-binlog-state-v1";
}  // namespace

std::string DecoderState::Serialize() const {
  std::string out;
  PutString(out, kStateMagic);
  PutString(out, position.file);
  PutString(out, std::to_string(position.pos));
  PutString(out, position.gtid_set);
  PutString(out, schemas.Serialize());
  return out;
}

Result<DecoderState> DecoderState::Parse(std::string_view in) {
  std::string magic, pos, history;
  DecoderState s;
  if (!GetString(in, magic) || magic != kStateMagic || !GetString(in, s.position.file) ||
      !GetString(in, pos) || !GetString(in, s.position.gtid_set) || !GetString(in, history) ||
      std::from_chars(pos.data(), pos.data() + pos.size(), s.position.pos).ec != std::errc()) {
    return Fail(ErrorCode::kDataLoss, "binlog decoder state is corrupt");
  }
  INFLOW_TRY(s.schemas, SchemaHistory::Parse(history));
  return s;
}

// ---- files ----------------------------------------------------------------------------------

BinlogFileReader::BinlogFileReader(std::string name, std::string bytes)
    : name_(std::move(name)), bytes_(std::move(bytes)) {}

Result<BinlogFileReader> BinlogFileReader::Open(const std::string& path) {
  INFLOW_TRY(std::string bytes, ReadTextFile(path));
  size_t slash = path.rfind('/');
  return FromBytes(slash == std::string::npos ? path : path.substr(slash + 1), std::move(bytes));
}

Result<BinlogFileReader> BinlogFileReader::FromBytes(std::string name, std::string bytes) {
  if (bytes.size() < 4 || std::string_view(bytes).substr(0, 4) != std::string_view("\xfe"
                                                                                   "bin",
                                                                                   4)) {
    return Fail(ErrorCode::kInvalidArgument, fmt::format("{} is not a binlog file", name));
  }
  return BinlogFileReader(std::move(name), std::move(bytes));
}

Result<std::optional<std::span<const uint8_t>>> BinlogFileReader::Next() {
  if (bytes_.size() - offset_ < kEventHeaderSize) return std::optional<std::span<const uint8_t>>();
  auto rest = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes_.data()) + offset_,
                                       bytes_.size() - offset_);
  INFLOW_TRY(EventHeader h, ParseEventHeader(rest));
  if (h.event_length < kEventHeaderSize) {
    return Fail(ErrorCode::kDataLoss,
                fmt::format("{}: event at {} has length {}", name_, offset_, h.event_length));
  }
  if (h.event_length > rest.size()) return std::optional<std::span<const uint8_t>>();
  auto event = rest.first(h.event_length);
  if (h.type == et::kFormatDescription) {
    INFLOW_TRY(alg_, FormatDescriptionChecksum(event));
  }
  auto stripped = VerifyAndStripChecksum(event, alg_);
  if (!stripped) {
    return Fail(stripped.error().WithContext(fmt::format("{} at {}", name_, offset_)));
  }
  offset_ += h.event_length;
  return std::optional<std::span<const uint8_t>>(*stripped);
}

Result<std::vector<Transaction>> DecodeBinlogFiles(const std::vector<std::string>& paths,
                                                   BinlogDecoder::Options options) {
  std::vector<Transaction> out;
  if (!paths.empty() && options.start_file.empty()) {
    size_t slash = paths[0].rfind('/');
    options.start_file = slash == std::string::npos ? paths[0] : paths[0].substr(slash + 1);
  }
  BinlogDecoder decoder(std::move(options));
  for (const auto& path : paths) {
    INFLOW_TRY(BinlogFileReader reader, BinlogFileReader::Open(path));
    while (true) {
      INFLOW_TRY(auto event, reader.Next());
      if (!event) break;
      INFLOW_TRY(auto tx, decoder.Feed(*event));
      if (tx) out.push_back(std::move(*tx));
    }
  }
  return out;
}

}  // namespace inflow::capture::mysql
