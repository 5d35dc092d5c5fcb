// RocketMQ remoting ACL signing (AclClientRPCHook): the request carries AccessKey and a
// Signature = Base64(HMAC-SHA1(secret, values of all ext fields sorted by name + body)).
//
// Thread safety: pure functions.
#ifndef INFLOW_SINK_ROCKETMQ_ACL_H_
#define INFLOW_SINK_ROCKETMQ_ACL_H_

#include <string>
#include <string_view>

#include "sink/rocketmq/remoting_codec.h"

namespace inflow::sink::rocketmq {

struct Credentials {
  std::string access_key;
  std::string secret_key;
  bool empty() const { return access_key.empty(); }
};

// The signature over ext fields (any existing "Signature" excluded) and body.
std::string AclSignature(const RemotingCommand& cmd, std::string_view secret_key);

// Adds AccessKey, then Signature, to cmd's ext fields. Call after every other field is set.
void SignRequest(const Credentials& credentials, RemotingCommand* cmd);

}  // namespace inflow::sink::rocketmq

#endif  // INFLOW_SINK_ROCKETMQ_ACL_H_
