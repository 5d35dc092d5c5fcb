#include "sink/rocketmq/route.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/json_parse.h"

namespace inflow::sink::rocketmq {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

Result<int64_t> IntField(const nlohmann::json& obj, const char* key, std::string_view where) {
  auto it = obj.find(key);
  if (it != obj.end()) {
    if (it->is_number_integer()) return it->get<int64_t>();
    if (it->is_number_unsigned()) return static_cast<int64_t>(it->get<uint64_t>());
  }
  return Fail(ErrorCode::kDataLoss,
              "topic route: " + std::string(where) + "." + key + " is missing or not an integer");
}

Result<std::string> StringField(const nlohmann::json& obj, const char* key,
                                std::string_view where) {
  auto it = obj.find(key);
  if (it != obj.end() && it->is_string()) return it->get<std::string>();
  return Fail(ErrorCode::kDataLoss,
              "topic route: " + std::string(where) + "." + key + " is missing or not a string");
}

// Appends queues 0..n-1 of `broker`, refusing to go past kMaxPublishQueues in all: the one
// place a route's queue list grows, so no field of the body can make it grow without bound.
Status AddQueues(TopicRoute& route, const std::string& broker, int64_t n, std::string_view where) {
  if (n > static_cast<int64_t>(kMaxPublishQueues - route.queues.size())) {
    return Fail(ErrorCode::kDataLoss, "topic route: " + std::string(where) + " makes more than " +
                                          std::to_string(kMaxPublishQueues) + " queues");
  }
  for (int32_t q = 0; q < n; ++q) route.queues.push_back({broker, q});
  return Ok();
}

}  // namespace

std::string QuoteIntegerKeys(std::string_view json) {
  std::string out;
  out.reserve(json.size() + 16);
  bool in_string = false;
  bool key_position = false;  // just after '{' or ',' (outside strings)
  for (size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (in_string) {
      out.push_back(c);
      if (c == '\\' && i + 1 < json.size()) {
        out.push_back(json[++i]);
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      key_position = false;
      out.push_back(c);
      continue;
    }
    if (key_position && (c == '-' || (c >= '0' && c <= '9'))) {
      size_t j = i + 1;
      while (j < json.size() && json[j] >= '0' && json[j] <= '9') ++j;
      size_t k = j;
      while (k < json.size() && IsSpace(json[k])) ++k;
      if (k < json.size() && json[k] == ':') {
        out.push_back('"');
        out.append(json.substr(i, j - i));
        out.push_back('"');
        i = j - 1;
        key_position = false;
        continue;
      }
    }
    if (c == '{' || c == ',') {
      key_position = true;
    } else if (!IsSpace(c)) {
      key_position = false;
    }
    out.push_back(c);
  }
  return out;
}

Result<TopicRoute> ParseTopicRoute(std::string_view topic, std::string_view body) {
  std::string fixed = QuoteIntegerKeys(body);
  auto parsed = ParseJson(fixed);
  nlohmann::json j = parsed ? std::move(*parsed) : nlohmann::json();
  if (!j.is_object()) {
    return Fail(ErrorCode::kDataLoss,
                "topic route for '" + std::string(topic) + "': the body is not a JSON object");
  }
  TopicRoute route;
  route.topic = std::string(topic);

  auto brokers = j.find("brokerDatas");
  if (brokers == j.end() || !brokers->is_array()) {
    return Fail(ErrorCode::kDataLoss, "topic route: brokerDatas is missing or not an array");
  }
  for (size_t i = 0; i < brokers->size(); ++i) {
    const auto& b = (*brokers)[i];
    std::string where = "brokerDatas[" + std::to_string(i) + "]";
    if (!b.is_object())
      return Fail(ErrorCode::kDataLoss, "topic route: " + where + " not an object");
    INFLOW_TRY(std::string name, StringField(b, "brokerName", where));
    auto addrs = b.find("brokerAddrs");
    if (addrs == b.end() || !addrs->is_object()) {
      return Fail(ErrorCode::kDataLoss, "topic route: " + where + ".brokerAddrs not an object");
    }
    auto master = addrs->find("0");
    if (master != addrs->end() && master->is_string() && !master->get<std::string>().empty()) {
      route.master_addrs[name] = master->get<std::string>();
    }
  }

  auto order_conf = j.find("orderTopicConf");
  if (order_conf != j.end() && order_conf->is_string() && !order_conf->get<std::string>().empty()) {
    std::string_view conf = order_conf->get_ref<const std::string&>();
    size_t pos = 0;
    while (pos <= conf.size()) {
      size_t end = conf.find(';', pos);
      if (end == std::string_view::npos) end = conf.size();
      std::string_view item = conf.substr(pos, end - pos);
      pos = end + 1;
      if (item.empty()) continue;
      size_t colon = item.find(':');
      if (colon == std::string_view::npos) {
        return Fail(ErrorCode::kDataLoss,
                    "topic route: orderTopicConf item '" + std::string(item) + "' has no ':'");
      }
      int32_t n = 0;
      for (char c : item.substr(colon + 1)) {
        if (c < '0' || c > '9' || n > 100000) {
          return Fail(ErrorCode::kDataLoss,
                      "topic route: orderTopicConf item '" + std::string(item) + "' bad count");
        }
        n = n * 10 + (c - '0');
      }
      std::string broker(item.substr(0, colon));
      INFLOW_RETURN_IF_ERROR(
          AddQueues(route, broker, n, "orderTopicConf item '" + std::string(item) + "'"));
    }
  } else {
    auto queues = j.find("queueDatas");
    if (queues == j.end() || !queues->is_array()) {
      return Fail(ErrorCode::kDataLoss, "topic route: queueDatas is missing or not an array");
    }
    struct Q {
      std::string broker;
      int64_t write_queues;
    };
    std::vector<Q> list;
    for (size_t i = 0; i < queues->size(); ++i) {
      const auto& q = (*queues)[i];
      std::string where = "queueDatas[" + std::to_string(i) + "]";
      if (!q.is_object())
        return Fail(ErrorCode::kDataLoss, "topic route: " + where + " not an object");
      INFLOW_TRY(std::string name, StringField(q, "brokerName", where));
      INFLOW_TRY(int64_t perm, IntField(q, "perm", where));
      INFLOW_TRY(int64_t writes, IntField(q, "writeQueueNums", where));
      if (writes < 0 || writes > 65535) {
        return Fail(ErrorCode::kDataLoss, "topic route: " + where + ".writeQueueNums out of range");
      }
      if ((perm & kPermWrite) == 0 || !route.master_addrs.contains(name)) continue;
      list.push_back({std::move(name), writes});
    }
    std::stable_sort(list.begin(), list.end(),
                     [](const Q& a, const Q& b) { return a.broker < b.broker; });
    for (const auto& q : list) {
      INFLOW_RETURN_IF_ERROR(
          AddQueues(route, q.broker, q.write_queues, "queueDatas of broker '" + q.broker + "'"));
    }
  }
  if (route.queues.empty()) {
    return Fail(ErrorCode::kNotFound,
                "topic '" + std::string(topic) + "': no writable queue on any broker master");
  }
  return route;
}

}  // namespace inflow::sink::rocketmq
