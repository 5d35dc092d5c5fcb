#include "sink/rocketmq/message_codec.h"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <ctime>
#include <random>

#include "common/coding.h"
#include "common/hex.h"
#include "common/names.h"
#include "sink/reserved_properties.h"

namespace inflow::sink::rocketmq {
namespace {

bool HasSeparator(std::string_view s) {
  return s.find(kNameValueSeparator) != std::string_view::npos ||
         s.find(kPropertySeparator) != std::string_view::npos;
}

void AppendHex(const uint8_t* bytes, size_t n, std::string* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (size_t i = 0; i < n; ++i) {
    out->push_back(kHex[bytes[i] >> 4]);
    out->push_back(kHex[bytes[i] & 0xF]);
  }
}

std::array<uint8_t, 4> LocalIpv4() {
  std::array<uint8_t, 4> ip = {127, 0, 0, 1};
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return ip;
  for (ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET) continue;
    auto* sin = reinterpret_cast<sockaddr_in*>(a->ifa_addr);
    uint32_t v = ntohl(sin->sin_addr.s_addr);
    if ((v >> 24) == 127) continue;
    ip = {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
          static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
    break;
  }
  freeifaddrs(list);
  return ip;
}

// Epoch ms of the start of the month containing `now`, and of the next one, in local time.
std::pair<int64_t, int64_t> MonthBounds(int64_t now_ms) {
  time_t secs = static_cast<time_t>(now_ms / 1000);
  tm local{};
  localtime_r(&secs, &local);
  local.tm_mday = 1;
  local.tm_hour = 0;
  local.tm_min = 0;
  local.tm_sec = 0;
  local.tm_isdst = -1;
  time_t start = mktime(&local);
  local.tm_mon += 1;
  local.tm_isdst = -1;
  time_t next = mktime(&local);
  return {int64_t{start} * 1000, int64_t{next} * 1000};
}

}  // namespace

void AppendProperty(std::string_view name, std::string_view value, std::string* out) {
  out->append(name);
  out->push_back(kNameValueSeparator);
  out->append(value);
  out->push_back(kPropertySeparator);
}

std::string EncodeProperties(const Properties& properties) {
  std::string out;
  for (const auto& [k, v] : properties) AppendProperty(k, v, &out);
  return out;
}

Properties DecodeProperties(std::string_view encoded) {
  Properties out;
  size_t pos = 0;
  while (pos < encoded.size()) {
    size_t end = encoded.find(kPropertySeparator, pos);
    if (end == std::string_view::npos) end = encoded.size();
    std::string_view segment = encoded.substr(pos, end - pos);
    pos = end + 1;
    if (segment.size() < 3) continue;
    size_t sep = segment.find(kNameValueSeparator);
    if (sep == std::string_view::npos || sep == 0 || sep + 1 == segment.size()) continue;
    out.emplace_back(std::string(segment.substr(0, sep)), std::string(segment.substr(sep + 1)));
  }
  return out;
}

bool IsReservedProperty(std::string_view name) { return IsRocketMqReservedProperty(name); }

Status ValidateTopic(std::string_view topic) { return ValidateTopicName(topic, "topic"); }

Status ValidateMessage(const Message& message) {
  INFLOW_RETURN_IF_ERROR(ValidateTopic(message.topic));
  return ValidateMessageFields(message);
}

Status ValidateMessageFields(const Message& message) {
  if (message.body.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "body: must not be empty");
  }
  if (message.tag) {
    if (message.tag->empty()) return Fail(ErrorCode::kInvalidArgument, "tag: must not be empty");
    if (HasSeparator(*message.tag)) {
      return Fail(ErrorCode::kInvalidArgument, "tag: contains a \\x01 or \\x02 character");
    }
  }
  for (size_t i = 0; i < message.keys.size(); ++i) {
    if (message.keys[i].empty() || HasSeparator(message.keys[i])) {
      return Fail(ErrorCode::kInvalidArgument,
                  "keys[" + std::to_string(i) + "]: empty or contains a \\x01 or \\x02 character");
    }
  }
  for (const auto& [name, value] : message.properties) {
    if (name.empty()) return Fail(ErrorCode::kInvalidArgument, "properties: empty property name");
    if (IsReservedProperty(name)) {
      return Fail(ErrorCode::kInvalidArgument,
                  "properties." + name + ": the name is reserved by RocketMQ");
    }
    if (value.empty()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "properties." + name + ": RocketMQ drops properties with an empty value");
    }
    if (HasSeparator(name) || HasSeparator(value)) {
      return Fail(ErrorCode::kInvalidArgument,
                  "properties." + name + ": contains a \\x01 or \\x02 character");
    }
  }
  if (message.unique_key) {
    if (message.unique_key->empty() || HasSeparator(*message.unique_key)) {
      return Fail(ErrorCode::kInvalidArgument,
                  "unique_key: empty or contains a \\x01 or \\x02 character");
    }
  }
  return Ok();
}

Result<std::string> BuildProperties(const Message& message, std::string_view uniq_key) {
  std::string out;
  for (const auto& [name, value] : message.properties) AppendProperty(name, value, &out);
  if (!message.keys.empty()) {
    std::string keys;
    for (const auto& k : message.keys) {
      if (!keys.empty()) keys.push_back(' ');
      keys += k;
    }
    AppendProperty("KEYS", keys, &out);
  }
  if (message.tag) AppendProperty("TAGS", *message.tag, &out);
  AppendProperty("WAIT", "true", &out);
  AppendProperty("UNIQ_KEY", uniq_key, &out);
  if (out.size() > kMaxPropertiesBytes) {
    return Fail(ErrorCode::kResourceExhausted, "properties: " + std::to_string(out.size()) +
                                                   " bytes encoded, the broker allows " +
                                                   std::to_string(kMaxPropertiesBytes));
  }
  return out;
}

void AppendBatchEntry(std::string_view body, std::string_view properties, int32_t flag,
                      std::string* out) {
  PutFixed32BE(out, static_cast<uint32_t>(BatchEntrySize(body.size(), properties.size())));
  PutFixed32BE(out, 0);  // magic: ignored by the broker
  PutFixed32BE(out, 0);  // body CRC: recomputed by the broker
  PutFixed32BE(out, static_cast<uint32_t>(flag));
  PutFixed32BE(out, static_cast<uint32_t>(body.size()));
  out->append(body);
  out->push_back(static_cast<char>(properties.size() >> 8));
  out->push_back(static_cast<char>(properties.size()));
  out->append(properties);
}

Result<std::vector<BatchEntryView>> DecodeBatchBody(std::string_view body) {
  std::vector<BatchEntryView> out;
  size_t pos = 0;
  while (pos < body.size()) {
    auto fail = [&](const std::string& what) {
      return Fail(ErrorCode::kDataLoss, "batch body: entry " + std::to_string(out.size()) +
                                            " at offset " + std::to_string(pos) + ": " + what);
    };
    if (body.size() - pos < 20) return fail("truncated fixed fields");
    uint32_t total = DecodeFixed32BE(body.data() + pos);
    BatchEntryView e;
    e.flag = static_cast<int32_t>(DecodeFixed32BE(body.data() + pos + 12));
    uint32_t body_len = DecodeFixed32BE(body.data() + pos + 16);
    if (body.size() - pos - 20 < size_t{body_len} + 2) return fail("truncated body");
    e.body = body.substr(pos + 20, body_len);
    size_t p = pos + 20 + body_len;
    auto u = reinterpret_cast<const unsigned char*>(body.data() + p);
    size_t prop_len = (size_t{u[0]} << 8) | u[1];
    if (body.size() - p - 2 < prop_len) return fail("truncated properties");
    e.properties = body.substr(p + 2, prop_len);
    if (total != BatchEntrySize(body_len, prop_len)) return fail("totalSize does not match");
    out.push_back(e);
    pos = p + 2 + prop_len;
  }
  return out;
}

Result<std::string> ZlibCompress(std::string_view data, int level) {
  uLongf bound = compressBound(static_cast<uLong>(data.size()));
  std::string out(bound, '\0');
  int rc = compress2(reinterpret_cast<Bytef*>(out.data()), &bound,
                     reinterpret_cast<const Bytef*>(data.data()), static_cast<uLong>(data.size()),
                     level);
  if (rc != Z_OK) return Fail(ErrorCode::kInternal, "zlib compress2 failed: " + std::to_string(rc));
  out.resize(bound);
  return out;
}

Result<std::string> ZlibDecompress(std::string_view data, size_t max_output) {
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) return Fail(ErrorCode::kInternal, "zlib inflateInit failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char chunk[16384];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(chunk);
    zs.avail_out = sizeof(chunk);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return Fail(ErrorCode::kDataLoss, "zlib inflate failed at input offset " +
                                            std::to_string(zs.total_in) + ": " +
                                            (zs.msg ? zs.msg : std::to_string(rc)));
    }
    out.append(chunk, sizeof(chunk) - zs.avail_out);
    if (out.size() > max_output) {
      inflateEnd(&zs);
      return Fail(ErrorCode::kResourceExhausted,
                  "zlib output exceeds " + std::to_string(max_output) + " bytes");
    }
    if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
      inflateEnd(&zs);
      return Fail(ErrorCode::kDataLoss, "zlib stream truncated");
    }
  }
  inflateEnd(&zs);
  return out;
}

UniqKeyGenerator::UniqKeyGenerator()
    : UniqKeyGenerator(LocalIpv4(), static_cast<uint16_t>(getpid()),
                       static_cast<uint32_t>(std::random_device{}())) {}

UniqKeyGenerator::UniqKeyGenerator(std::array<uint8_t, 4> ip, uint16_t pid, uint32_t salt) {
  uint8_t fixed[10] = {ip[0],
                       ip[1],
                       ip[2],
                       ip[3],
                       static_cast<uint8_t>(pid >> 8),
                       static_cast<uint8_t>(pid),
                       static_cast<uint8_t>(salt >> 24),
                       static_cast<uint8_t>(salt >> 16),
                       static_cast<uint8_t>(salt >> 8),
                       static_cast<uint8_t>(salt)};
  AppendHex(fixed, sizeof(fixed), &prefix_);
  counter_ = static_cast<uint16_t>(salt);
}

std::string UniqKeyGenerator::Next() { return NextAt(std::chrono::system_clock::now()); }

std::string UniqKeyGenerator::NextAt(std::chrono::system_clock::time_point now) {
  int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  if (now_ms >= next_month_start_ms_ || now_ms < month_start_ms_) {
    std::tie(month_start_ms_, next_month_start_ms_) = MonthBounds(now_ms);
  }
  uint32_t t = static_cast<uint32_t>(now_ms - month_start_ms_);
  uint16_t c = counter_++;
  uint8_t tail[6] = {static_cast<uint8_t>(t >> 24), static_cast<uint8_t>(t >> 16),
                     static_cast<uint8_t>(t >> 8),  static_cast<uint8_t>(t),
                     static_cast<uint8_t>(c >> 8),  static_cast<uint8_t>(c)};
  std::string out;
  out.reserve(32);
  out = prefix_;
  AppendHex(tail, sizeof(tail), &out);
  return out;
}

Result<UniqKeyParts> ParseUniqKey(std::string_view key) {
  if (key.size() != 32) {
    return Fail(ErrorCode::kInvalidArgument,
                "UNIQ_KEY: " + std::to_string(key.size()) + " characters, expected 32");
  }
  uint8_t b[16];
  for (size_t i = 0; i < 16; ++i) {
    int hi = HexDigitValue(key[2 * i]);
    int lo = HexDigitValue(key[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return Fail(ErrorCode::kInvalidArgument,
                  "UNIQ_KEY: non-hex character near position " + std::to_string(2 * i));
    }
    b[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  UniqKeyParts p;
  p.ip = {b[0], b[1], b[2], b[3]};
  p.pid = DecodeFixed16BE(b + 4);
  p.salt = DecodeFixed32BE(b + 6);
  p.ms_in_month = DecodeFixed32BE(b + 10);
  p.counter = DecodeFixed16BE(b + 14);
  return p;
}

}  // namespace inflow::sink::rocketmq
