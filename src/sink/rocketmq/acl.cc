#include "sink/rocketmq/acl.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <vector>

namespace inflow::sink::rocketmq {

std::string AclSignature(const RemotingCommand& cmd, std::string_view secret_key) {
  std::vector<const std::pair<std::string, std::string>*> fields;
  fields.reserve(cmd.ext_fields.size());
  for (const auto& f : cmd.ext_fields) {
    if (f.first != "Signature") fields.push_back(&f);
  }
  // Java sorts with a TreeMap over String.compareTo: UTF-16 code units. For the ASCII names
  // RocketMQ headers use, byte order is the same.
  std::sort(fields.begin(), fields.end(), [](auto* a, auto* b) { return a->first < b->first; });
  std::string content;
  for (const auto* f : fields) content += f->second;
  content += cmd.body;

  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha1(), secret_key.data(), static_cast<int>(secret_key.size()),
       reinterpret_cast<const unsigned char*>(content.data()), content.size(), mac, &mac_len);
  std::string out(4 * ((mac_len + 2) / 3) + 1, '\0');
  int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), mac, static_cast<int>(mac_len));
  out.resize(static_cast<size_t>(n));
  return out;
}

void SignRequest(const Credentials& credentials, RemotingCommand* cmd) {
  cmd->ext_fields.emplace_back("AccessKey", credentials.access_key);
  std::string signature = AclSignature(*cmd, credentials.secret_key);
  cmd->ext_fields.emplace_back("Signature", std::move(signature));
}

}  // namespace inflow::sink::rocketmq
