#include "sink/rocketmq/connection.h"

#include "common/names.h"

namespace inflow::sink::rocketmq {
namespace {

constexpr size_t kReadChunk = 256 * 1024;

Result<asio::ip::tcp::endpoint> ParseEndpoint(const std::string& address) {
  auto parsed = ParseHostPort(address);
  if (!parsed) return inflow::Fail(parsed.error());
  std::string host = std::move(parsed->host);
  const uint16_t port = parsed->port;
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code aec;
  auto ip = asio::ip::make_address(host, aec);
  if (aec) {
    // Host names are resolved once, synchronously: route addresses are IPs in practice and a
    // name server address is resolved at most once per connection.
    asio::io_context tmp;
    asio::ip::tcp::resolver resolver(tmp);
    auto results = resolver.resolve(host, std::to_string(port), aec);
    if (aec || results.empty()) {
      return inflow::Fail(ErrorCode::kUnavailable,
                          "address '" + address + "': cannot resolve host: " + aec.message());
    }
    return results.begin()->endpoint();
  }
  return asio::ip::tcp::endpoint(ip, port);
}

}  // namespace

Connection::Connection(asio::io_context& io, std::string address, SerializeType serialize_type)
    : address_(std::move(address)),
      serialize_type_(serialize_type),
      socket_(io),
      read_chunk_(kReadChunk) {}

Connection::~Connection() {
  boost::system::error_code ec;
  socket_.close(ec);
}

void Connection::Request(RemotingCommand cmd, Clock::time_point deadline, Callback cb) {
  if (state_ == State::kClosed) {
    cb(inflow::Fail(ErrorCode::kUnavailable, "connection to " + address_ + " is closed"));
    return;
  }
  int32_t opaque = next_opaque_++;
  if (next_opaque_ == INT32_MAX) next_opaque_ = 1;
  cmd.opaque = opaque;
  cmd.flag &= ~kFlagResponse;
  AppendFrame(cmd, serialize_type_, &outgoing_);
  pending_.emplace(opaque, Pending{std::move(cb), deadline, Clock::now()});
  if (state_ == State::kIdle) {
    StartConnect();
  } else if (state_ == State::kOpen && !write_in_progress_) {
    StartWrite();
  }
}

void Connection::StartConnect() {
  auto endpoint = ParseEndpoint(address_);
  if (!endpoint) {
    Close(endpoint.error());
    return;
  }
  state_ = State::kConnecting;
  socket_.async_connect(*endpoint, [self = shared_from_this()](boost::system::error_code ec) {
    if (self->state_ == State::kClosed) return;
    if (ec) {
      self->Close(Error(ErrorCode::kUnavailable,
                        "cannot connect to " + self->address_ + ": " + ec.message()));
      return;
    }
    boost::system::error_code opt_ec;
    self->socket_.set_option(asio::ip::tcp::no_delay(true), opt_ec);
    self->state_ = State::kOpen;
    self->last_read_ = Clock::now();
    self->StartRead();
    if (!self->outgoing_.empty()) self->StartWrite();
  });
}

void Connection::StartWrite() {
  if (outgoing_.empty() || write_in_progress_) return;
  writing_.clear();
  writing_.swap(outgoing_);
  write_in_progress_ = true;
  asio::async_write(socket_, asio::buffer(writing_),
                    [self = shared_from_this()](boost::system::error_code ec, size_t) {
                      self->write_in_progress_ = false;
                      if (self->state_ == State::kClosed) return;
                      if (ec) {
                        self->Close(Error(ErrorCode::kUnavailable, "write to " + self->address_ +
                                                                       " failed: " + ec.message()));
                        return;
                      }
                      self->StartWrite();
                    });
}

void Connection::StartRead() {
  socket_.async_read_some(asio::buffer(read_chunk_), [self = shared_from_this()](
                                                         boost::system::error_code ec, size_t n) {
    if (self->state_ == State::kClosed) return;
    if (ec) {
      self->Close(Error(ErrorCode::kUnavailable,
                        ec == asio::error::eof
                            ? "broker " + self->address_ + " closed the connection"
                            : "read from " + self->address_ + " failed: " + ec.message()));
      return;
    }
    self->last_read_ = Clock::now();
    self->inbuf_.append(self->read_chunk_.data(), n);
    while (self->state_ != State::kClosed) {
      std::string_view avail(self->inbuf_);
      avail.remove_prefix(self->inbuf_start_);
      auto size = PeekFrameSize(avail);
      if (!size) {
        self->Close(size.error().WithContext("from " + self->address_));
        return;
      }
      if (!*size) break;
      size_t frame_size = **size;
      self->OnFrame(avail.substr(0, frame_size));
      self->inbuf_start_ += frame_size;
    }
    if (self->state_ == State::kClosed) return;
    // Compact once the consumed prefix dominates, so copying stays amortised O(1) per byte.
    if (self->inbuf_start_ == self->inbuf_.size()) {
      self->inbuf_.clear();
      self->inbuf_start_ = 0;
    } else if (self->inbuf_start_ > self->inbuf_.size() / 2) {
      self->inbuf_.erase(0, self->inbuf_start_);
      self->inbuf_start_ = 0;
    }
    self->StartRead();
  });
}

void Connection::OnFrame(std::string_view frame) {
  auto cmd = DecodeFrameContent(frame.substr(4));
  if (!cmd) {
    Close(cmd.error().WithContext("undecodable frame from " + address_));
    return;
  }
  if (!cmd->IsResponse()) {
    // A server-initiated request (e.g. CHECK_TRANSACTION_STATE): a plain producer handles none.
    if (!cmd->IsOneway()) {
      RemotingCommand reply;
      reply.code = kRequestCodeNotSupported;
      reply.opaque = cmd->opaque;
      reply.flag = kFlagResponse;
      reply.remark = "request code " + std::to_string(cmd->code) + " not supported by inflow";
      AppendFrame(reply, serialize_type_, &outgoing_);
      StartWrite();
    }
    return;
  }
  auto it = pending_.find(cmd->opaque);
  if (it == pending_.end()) return;  // answered after its deadline: already failed
  Callback cb = std::move(it->second.cb);
  pending_.erase(it);
  cb(std::move(*cmd));
}

void Connection::ExpireOverdue(Clock::time_point now) {
  if (pending_.empty()) return;
  std::vector<Callback> expired;
  bool dead = false;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.deadline <= now) {
      if (state_ != State::kOpen || last_read_ < it->second.sent) dead = true;
      expired.push_back(std::move(it->second.cb));
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  // Close first, so that retries issued by the callbacks below go to a fresh connection.
  if (dead) Close(Error(ErrorCode::kTimeout, address_ + " stopped answering"));
  for (auto& cb : expired) {
    cb(inflow::Fail(ErrorCode::kTimeout, "no answer from " + address_ + " before the deadline"));
  }
}

void Connection::Close(const Error& reason) {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  boost::system::error_code ec;
  socket_.close(ec);
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& [opaque, p] : pending) p.cb(inflow::Fail(reason));
}

}  // namespace inflow::sink::rocketmq
