#include "sink/rocketmq/remoting_codec.h"

#include <array>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

#include "common/coding.h"
#include "common/json_parse.h"
#include "common/json_text.h"

namespace inflow::sink::rocketmq {
namespace {

constexpr std::array<std::string_view, 14> kLanguageNames = {
    "JAVA",  "CPP",  "DOTNET", "PYTHON", "DELPHI", "ERLANG", "RUBY",
    "OTHER", "HTTP", "GO",     "PHP",    "OMS",    "RUST",   "NODE_JS"};
constexpr uint8_t kLanguageOther = 7;

void AppendInt(int64_t v, std::string* out) { out->append(std::to_string(v)); }

void AppendJsonHeader(const RemotingCommand& cmd, std::string* out) {
  out->append("{\"code\":");
  AppendInt(cmd.code, out);
  out->append(",\"language\":\"");
  out->append(LanguageName(cmd.language));
  out->append("\",\"version\":");
  AppendInt(cmd.version, out);
  out->append(",\"opaque\":");
  AppendInt(cmd.opaque, out);
  out->append(",\"flag\":");
  AppendInt(cmd.flag, out);
  if (cmd.remark) {
    out->append(",\"remark\":");
    AppendJsonString(*cmd.remark, out);
  }
  if (!cmd.ext_fields.empty()) {
    out->append(",\"extFields\":{");
    bool first = true;
    for (const auto& [k, v] : cmd.ext_fields) {
      if (!first) out->push_back(',');
      first = false;
      AppendJsonString(k, out);
      out->push_back(':');
      AppendJsonString(v, out);
    }
    out->push_back('}');
  }
  out->push_back('}');
}

void AppendBinaryHeader(const RemotingCommand& cmd, std::string* out) {
  PutFixed16BE(out, static_cast<uint16_t>(cmd.code));
  out->push_back(static_cast<char>(cmd.language));
  PutFixed16BE(out, static_cast<uint16_t>(cmd.version));
  PutFixed32BE(out, static_cast<uint32_t>(cmd.opaque));
  PutFixed32BE(out, static_cast<uint32_t>(cmd.flag));
  if (cmd.remark && !cmd.remark->empty()) {
    PutFixed32BE(out, static_cast<uint32_t>(cmd.remark->size()));
    out->append(*cmd.remark);
  } else {
    PutFixed32BE(out, 0);
  }
  size_t map_len_pos = out->size();
  PutFixed32BE(out, 0);
  for (const auto& [k, v] : cmd.ext_fields) {
    PutFixed16BE(out, static_cast<uint16_t>(k.size()));
    out->append(k);
    PutFixed32BE(out, static_cast<uint32_t>(v.size()));
    out->append(v);
  }
  EncodeFixed32BE(out->data() + map_len_pos, static_cast<uint32_t>(out->size() - map_len_pos - 4));
}

// A bounds-checked reader over the binary header; every failure names the field and offset.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  size_t pos() const { return pos_; }
  bool Has(size_t n) const { return data_.size() - pos_ >= n; }
  Result<uint32_t> U32(std::string_view field) {
    if (!Has(4)) return Short(field, 4);
    uint32_t v = DecodeFixed32BE(data_.data() + pos_);
    pos_ += 4;
    return v;
  }
  Result<uint16_t> U16(std::string_view field) {
    if (!Has(2)) return Short(field, 2);
    uint16_t v = DecodeFixed16BE(data_.data() + pos_);
    pos_ += 2;
    return v;
  }
  Result<uint8_t> U8(std::string_view field) {
    if (!Has(1)) return Short(field, 1);
    return static_cast<uint8_t>(data_[pos_++]);
  }
  Result<std::string_view> Bytes(std::string_view field, size_t n) {
    if (!Has(n)) return Short(field, n);
    std::string_view v = data_.substr(pos_, n);
    pos_ += n;
    return v;
  }

 private:
  tl::unexpected<Error> Short(std::string_view field, size_t need) const {
    return Fail(ErrorCode::kDataLoss, "remoting header: field '" + std::string(field) + "' needs " +
                                          std::to_string(need) + " bytes at offset " +
                                          std::to_string(pos_) + ", " +
                                          std::to_string(data_.size() - pos_) + " left");
  }
  std::string_view data_;
  size_t pos_ = 0;
};

Status DecodeBinaryHeader(std::string_view header, RemotingCommand* cmd) {
  Reader r(header);
  INFLOW_TRY(uint16_t code, r.U16("code"));
  INFLOW_TRY(uint8_t language, r.U8("language"));
  INFLOW_TRY(uint16_t version, r.U16("version"));
  INFLOW_TRY(uint32_t opaque, r.U32("opaque"));
  INFLOW_TRY(uint32_t flag, r.U32("flag"));
  INFLOW_TRY(uint32_t remark_len, r.U32("remark length"));
  if (remark_len > 0) {
    INFLOW_TRY(std::string_view remark, r.Bytes("remark", remark_len));
    cmd->remark = std::string(remark);
  }
  INFLOW_TRY(uint32_t map_len, r.U32("extFields length"));
  INFLOW_TRY(std::string_view map, r.Bytes("extFields", map_len));
  Reader m(map);
  while (m.Has(1)) {
    INFLOW_TRY(uint16_t klen, m.U16("extFields key length"));
    INFLOW_TRY(std::string_view key, m.Bytes("extFields key", klen));
    INFLOW_TRY(uint32_t vlen, m.U32("extFields value length"));
    INFLOW_TRY(std::string_view value, m.Bytes("extFields value", vlen));
    cmd->ext_fields.emplace_back(std::string(key), std::string(value));
  }
  // Java reads code and version as signed shorts.
  cmd->code = static_cast<int16_t>(code);
  cmd->language = language;
  cmd->version = static_cast<int16_t>(version);
  cmd->opaque = static_cast<int32_t>(opaque);
  cmd->flag = static_cast<int32_t>(flag);
  return Ok();
}

Result<int32_t> JsonInt(const nlohmann::json& obj, const char* key, bool required) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required) {
      return Fail(ErrorCode::kDataLoss, std::string("remoting JSON header: missing '") + key + "'");
    }
    return 0;
  }
  if (it->is_number_integer()) {
    int64_t v = it->get<int64_t>();
    if (v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max()) {
      return static_cast<int32_t>(v);
    }
  } else if (it->is_number_unsigned()) {
    uint64_t v = it->get<uint64_t>();
    if (v <= static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) {
      return static_cast<int32_t>(v);
    }
  }
  return Fail(ErrorCode::kDataLoss,
              std::string("remoting JSON header: '") + key + "' is not a 32-bit integer");
}

std::string JsonValueText(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Status DecodeJsonHeader(std::string_view header, RemotingCommand* cmd) {
  auto parsed = ParseJson(header);
  nlohmann::json j = parsed ? std::move(*parsed) : nlohmann::json();
  if (!j.is_object()) {
    return Fail(ErrorCode::kDataLoss, "remoting JSON header: not a JSON object (" +
                                          std::to_string(header.size()) + " bytes)");
  }
  INFLOW_TRY(cmd->code, JsonInt(j, "code", true));
  INFLOW_TRY(cmd->version, JsonInt(j, "version", false));
  INFLOW_TRY(cmd->opaque, JsonInt(j, "opaque", true));
  INFLOW_TRY(cmd->flag, JsonInt(j, "flag", false));
  cmd->language = kLanguageOther;
  if (auto it = j.find("language"); it != j.end() && it->is_string()) {
    const std::string& name = it->get_ref<const std::string&>();
    for (size_t i = 0; i < kLanguageNames.size(); ++i) {
      if (kLanguageNames[i] == name) cmd->language = static_cast<uint8_t>(i);
    }
  }
  if (auto it = j.find("remark"); it != j.end() && !it->is_null()) {
    cmd->remark = JsonValueText(*it);
  }
  if (auto it = j.find("extFields"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) {
      return Fail(ErrorCode::kDataLoss, "remoting JSON header: 'extFields' is not an object");
    }
    for (const auto& [k, v] : it->items()) {
      if (v.is_null()) continue;
      cmd->ext_fields.emplace_back(k, JsonValueText(v));
    }
  }
  return Ok();
}

}  // namespace

const std::string* RemotingCommand::Field(std::string_view name) const {
  for (const auto& [k, v] : ext_fields) {
    if (k == name) return &v;
  }
  return nullptr;
}

std::string_view LanguageName(uint8_t code) {
  return code < kLanguageNames.size() ? kLanguageNames[code] : kLanguageNames[kLanguageOther];
}

void AppendJsonString(std::string_view s, std::string* out) { inflow::AppendJsonString(out, s); }

void AppendFrame(const RemotingCommand& cmd, SerializeType type, std::string* out) {
  size_t start = out->size();
  PutFixed32BE(out, 0);  // total length, patched below
  PutFixed32BE(out, 0);  // header length and type, patched below
  size_t header_start = out->size();
  if (type == SerializeType::kJson) {
    AppendJsonHeader(cmd, out);
  } else {
    AppendBinaryHeader(cmd, out);
  }
  size_t header_len = out->size() - header_start;
  out->append(cmd.body);
  EncodeFixed32BE(out->data() + start, static_cast<uint32_t>(out->size() - start - 4));
  EncodeFixed32BE(out->data() + start + 4, (static_cast<uint32_t>(type) << 24) |
                                               static_cast<uint32_t>(header_len & 0xFFFFFF));
}

std::string EncodeFrame(const RemotingCommand& cmd, SerializeType type) {
  std::string out;
  out.reserve(128 + cmd.body.size());
  AppendFrame(cmd, type, &out);
  return out;
}

Result<std::optional<size_t>> PeekFrameSize(std::string_view buffer, size_t max_frame) {
  if (buffer.size() < 4) return std::optional<size_t>();
  uint32_t len = DecodeFixed32BE(buffer.data());
  if (len < 4 || len > max_frame) {
    return Fail(ErrorCode::kDataLoss, "remoting frame: impossible length " + std::to_string(len) +
                                          " (limit " + std::to_string(max_frame) + ")");
  }
  size_t total = size_t{len} + 4;
  if (buffer.size() < total) return std::optional<size_t>();
  return std::optional<size_t>(total);
}

Result<RemotingCommand> DecodeFrameContent(std::string_view content) {
  if (content.size() < 4) {
    return Fail(ErrorCode::kDataLoss, "remoting frame: " + std::to_string(content.size()) +
                                          " bytes, shorter than the header length field");
  }
  uint32_t len_and_type = DecodeFixed32BE(content.data());
  uint8_t type = static_cast<uint8_t>(len_and_type >> 24);
  size_t header_len = len_and_type & 0xFFFFFF;
  if (header_len > content.size() - 4) {
    return Fail(ErrorCode::kDataLoss, "remoting frame: header length " +
                                          std::to_string(header_len) + " exceeds the frame (" +
                                          std::to_string(content.size() - 4) + " bytes left)");
  }
  std::string_view header = content.substr(4, header_len);
  RemotingCommand cmd;
  cmd.ext_fields.clear();
  if (type == static_cast<uint8_t>(SerializeType::kJson)) {
    INFLOW_RETURN_IF_ERROR(DecodeJsonHeader(header, &cmd));
  } else if (type == static_cast<uint8_t>(SerializeType::kRocketMq)) {
    INFLOW_RETURN_IF_ERROR(DecodeBinaryHeader(header, &cmd));
  } else {
    return Fail(ErrorCode::kDataLoss,
                "remoting frame: unknown serialize type " + std::to_string(type));
  }
  cmd.body.assign(content.substr(4 + header_len));
  return cmd;
}

Result<RemotingCommand> DecodeFrame(std::string_view frame) {
  INFLOW_TRY(std::optional<size_t> size,
             PeekFrameSize(frame, std::numeric_limits<uint32_t>::max()));
  if (!size || *size != frame.size()) {
    return Fail(ErrorCode::kDataLoss, "remoting frame: length field does not match the " +
                                          std::to_string(frame.size()) + " bytes given");
  }
  return DecodeFrameContent(frame.substr(4));
}

}  // namespace inflow::sink::rocketmq
