#include "changelog/consumer_groups.h"

#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "changelog/cloudevent.h"
#include "common/names.h"

namespace inflow::changelog {
namespace {

constexpr std::string_view kGroupSuffix = ".group";
constexpr int kGroupFileVersion = 1;

// The name becomes a file name (<dir>/<name>.group): the config validator checks it too, and
// this keeps a name that got past it from ever reaching a path.
Status ValidateGroupName(std::string_view name) {
  return ValidateResourceName(name, "consumer_group.name");
}

// Parses exactly `digits` decimal digits at s[*i].
bool Digits(std::string_view s, size_t* i, int digits, int* out) {
  if (*i + digits > s.size()) return false;
  int v = 0;
  for (int k = 0; k < digits; ++k) {
    char c = s[*i + k];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *i += digits;
  *out = v;
  return true;
}

bool Expect(std::string_view s, size_t* i, char c) {
  if (*i >= s.size() || (s[*i] != c && !(c == 'T' && (s[*i] == 't' || s[*i] == ' ')))) {
    return false;
  }
  ++*i;
  return true;
}

std::optional<int64_t> ParseRfc3339(std::string_view s) {
  size_t i = 0;
  int y, mo, d, h, mi, se;
  if (!Digits(s, &i, 4, &y) || !Expect(s, &i, '-') || !Digits(s, &i, 2, &mo) ||
      !Expect(s, &i, '-') || !Digits(s, &i, 2, &d) || !Expect(s, &i, 'T') ||
      !Digits(s, &i, 2, &h) || !Expect(s, &i, ':') || !Digits(s, &i, 2, &mi) ||
      !Expect(s, &i, ':') || !Digits(s, &i, 2, &se)) {
    return std::nullopt;
  }
  using namespace std::chrono;
  year_month_day ymd{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || se > 60) return std::nullopt;
  int64_t ms = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int scale = 100;
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      ms += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == start) return std::nullopt;
  }
  int64_t offset_s = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int sign = s[i] == '-' ? -1 : 1;
    ++i;
    int oh, om;
    if (!Digits(s, &i, 2, &oh) || !Expect(s, &i, ':') || !Digits(s, &i, 2, &om) || oh > 23 ||
        om > 59) {
      return std::nullopt;
    }
    offset_s = sign * (oh * 3600 + om * 60);
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  int64_t days_since_epoch = sys_days(ymd).time_since_epoch().count();
  int64_t seconds = days_since_epoch * 86400 + h * 3600 + mi * 60 + se - offset_s;
  return seconds * 1000 + ms;
}

}  // namespace

Result<StartPosition> ParseStartPosition(std::string_view text) {
  if (text == "earliest") return StartPosition::Earliest();
  if (text == "latest") return StartPosition::Latest();
  if (!text.empty() && text.size() <= 12 &&
      text.find_first_not_of("0123456789") == std::string_view::npos) {
    return StartPosition::At(std::stoll(std::string(text)) * 1000);
  }
  if (auto ms = ParseRfc3339(text)) return StartPosition::At(*ms);
  return Fail(InvalidArgument(fmt::format(
      "start_time: '{}' is not earliest, latest, an RFC 3339 time or Unix seconds", text)));
}

// ---- Cursor ----

Cursor::Cursor(ConsumerGroups* groups, ChangeLog* log, std::string group, std::string client_id,
               uint64_t token, Offset position)
    : groups_(groups),
      log_(log),
      group_(std::move(group)),
      client_id_(std::move(client_id)),
      token_(token),
      position_(position),
      cancelled_(std::make_unique<std::atomic<bool>>(false)) {}

Cursor::Cursor(Cursor&& o) noexcept
    : groups_(std::exchange(o.groups_, nullptr)),
      log_(o.log_),
      group_(std::move(o.group_)),
      client_id_(std::move(o.client_id_)),
      token_(o.token_),
      position_(o.position_),
      cancelled_(std::move(o.cancelled_)) {}

Cursor& Cursor::operator=(Cursor&& o) noexcept {
  if (this != &o) {
    if (groups_) (void)groups_->Release(group_, token_);
    groups_ = std::exchange(o.groups_, nullptr);
    log_ = o.log_;
    group_ = std::move(o.group_);
    client_id_ = std::move(o.client_id_);
    token_ = o.token_;
    position_ = o.position_;
    cancelled_ = std::move(o.cancelled_);
  }
  return *this;
}

Cursor::~Cursor() {
  if (groups_) (void)groups_->Release(group_, token_);
}

Result<std::vector<StoredRecord>> Cursor::Next(size_t max_records, std::chrono::milliseconds wait) {
  std::vector<StoredRecord> records;
  INFLOW_RETURN_IF_ERROR(NextInto(max_records, wait, &records));
  return records;
}

Status Cursor::NextInto(size_t max_records, std::chrono::milliseconds wait,
                        std::vector<StoredRecord>* out) {
  out->clear();
  if (!groups_) return Fail(Internal("cursor was moved from"));
  auto cancelled = [&]() { return cancelled_->load(std::memory_order_acquire); };
  auto cancelled_error = [&]() {
    return Fail(ErrorCode::kCancelled, "cursor of group '" + group_ + "' was cancelled");
  };
  if (cancelled()) return cancelled_error();
  INFLOW_RETURN_IF_ERROR(groups_->Renew(group_, token_));
  auto deadline = std::chrono::steady_clock::now() + wait;
  while (true) {
    INFLOW_RETURN_IF_ERROR(log_->ReadInto(position_, max_records, out));
    if (!out->empty()) {
      position_ = Offset(out->back().id.value() + 1);
      return Ok();
    }
    if (cancelled()) return cancelled_error();
    if (!log_->WaitForRecords(position_, deadline) &&
        std::chrono::steady_clock::now() >= deadline) {
      if (cancelled()) return cancelled_error();
      return Ok();
    }
  }
}

Status Cursor::Commit(Offset offset) {
  if (!groups_) return Fail(Internal("cursor was moved from"));
  return groups_->Commit(group_, offset, token_);
}

Status Cursor::Renew() {
  if (!groups_) return Fail(Internal("cursor was moved from"));
  return groups_->Renew(group_, token_);
}

void Cursor::Cancel() {
  if (!cancelled_) return;
  cancelled_->store(true, std::memory_order_release);
  log_->WakeReaders();
}

// ---- ConsumerGroups ----

ConsumerGroups::ConsumerGroups(FileSystem* fs, std::string dir, ChangeLog* log,
                               GroupOptions options)
    : fs_(fs),
      dir_(std::move(dir)),
      log_(log),
      options_(options),
      clock_(options.clock ? options.clock : SystemClock()) {}

Result<std::unique_ptr<ConsumerGroups>> ConsumerGroups::Open(FileSystem* fs, std::string dir,
                                                             ChangeLog* log, GroupOptions options) {
  std::unique_ptr<ConsumerGroups> groups(new ConsumerGroups(fs, std::move(dir), log, options));
  INFLOW_RETURN_IF_ERROR(groups->Load());
  return groups;
}

std::string ConsumerGroups::PathOf(std::string_view name) const {
  return JoinPath(dir_, std::string(name) + std::string(kGroupSuffix));
}

Status ConsumerGroups::Load() {
  INFLOW_RETURN_IF_ERROR(fs_->CreateDirs(dir_));
  INFLOW_TRY(auto names, fs_->ListDir(dir_));
  for (const std::string& file : names) {
    if (file.size() <= kGroupSuffix.size() ||
        file.compare(file.size() - kGroupSuffix.size(), kGroupSuffix.size(), kGroupSuffix) != 0) {
      continue;
    }
    std::string path = JoinPath(dir_, file);
    INFLOW_TRY(std::string text, ReadWholeFile(fs_, path));
    nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    Group g;
    try {
      if (j.is_discarded() || j.value("version", 0) != kGroupFileVersion) {
        return Fail(DataLoss("consumer group file '" + path + "' is not a version 1 group"));
      }
      g.name = j.at("name").get<std::string>();
      g.account = j.at("account").get<std::string>();
      g.password_hash = j.at("password_hash").get<std::string>();
      g.created_ms = j.at("created_ms").get<int64_t>();
      g.epoch = j.at("epoch").get<uint64_t>();
      if (!j.at("committed_offset").is_null()) {
        g.committed = Offset(j.at("committed_offset").get<uint64_t>());
      }
      // Files written before leases were stored have neither field: the group is free.
      g.holder = j.value("holder", std::string());
      g.lease_expires_ms = g.holder.empty() ? 0 : j.value("lease_expires_ms", int64_t{0});
      g.stored_expires_ms = g.lease_expires_ms;
    } catch (const nlohmann::json::exception& e) {
      return Fail(DataLoss("consumer group file '" + path + "': " + e.what()));
    }
    if (PathOf(g.name) != path) {
      return Fail(DataLoss("consumer group file '" + path + "' names group '" + g.name + "'"));
    }
    groups_.emplace(g.name, std::move(g));
  }
  return Ok();
}

Status ConsumerGroups::Persist(const Group& n) {
  nlohmann::json j = {
      {"version", kGroupFileVersion},
      {"name", n.name},
      {"account", n.account},
      {"password_hash", n.password_hash},
      {"created_ms", n.created_ms},
      {"epoch", n.epoch},
      {"committed_offset", n.committed ? nlohmann::json(n.committed->value()) : nlohmann::json()},
      {"holder", n.holder},
      {"lease_expires_ms", n.holder.empty() ? 0 : n.lease_expires_ms},
  };
  return WriteFileAtomically(fs_, PathOf(n.name), j.dump() + "\n");
}

Status ConsumerGroups::PersistLocked(Group* g, Group next) {
  INFLOW_RETURN_IF_ERROR(Persist(next));
  next.stored_expires_ms = next.holder.empty() ? 0 : next.lease_expires_ms;
  *g = std::move(next);
  return Ok();
}

Status ConsumerGroups::RenewLocked(Group* g) {
  int64_t now = clock_->NowMs();
  g->lease_expires_ms = now + options_.lease_timeout_ms;
  if (g->stored_expires_ms - now >= options_.lease_timeout_ms / 2) return Ok();
  return PersistLocked(g, *g);
}

GroupInfo ConsumerGroups::InfoLocked(const Group& g) const {
  GroupInfo info;
  info.name = g.name;
  info.account = g.account;
  info.created_ms = g.created_ms;
  info.committed = g.committed;
  if (!g.holder.empty() && g.lease_expires_ms > clock_->NowMs()) {
    info.holder = g.holder;
    info.lease_expires_ms = g.lease_expires_ms;
  }
  info.fencing_token = g.epoch;
  return info;
}

Status ConsumerGroups::Create(std::string_view name, std::string_view account,
                              std::string_view password) {
  INFLOW_RETURN_IF_ERROR(ValidateGroupName(name));
  INFLOW_RETURN_IF_ERROR(ValidateAccount(account, "consumer_group.account"));
  INFLOW_RETURN_IF_ERROR(ValidatePassword(password, "consumer_group.password"));
  INFLOW_TRY(std::string hash, HashPassword(password, options_.scrypt));
  std::lock_guard lock(mu_);
  if (groups_.contains(name)) {
    return Fail(ErrorCode::kAlreadyExists, fmt::format("consumer group '{}' already exists", name));
  }
  if (groups_.size() >= options_.max_groups) {
    return Fail(
        ErrorCode::kResourceExhausted,
        fmt::format("a tracking instance has at most {} consumer groups", options_.max_groups));
  }
  Group g;
  g.name = std::string(name);
  g.account = std::string(account);
  g.password_hash = std::move(hash);
  g.created_ms = clock_->NowMs();
  INFLOW_RETURN_IF_ERROR(Persist(g));
  groups_.emplace(g.name, std::move(g));
  return Ok();
}

std::vector<GroupInfo> ConsumerGroups::List() const {
  std::lock_guard lock(mu_);
  std::vector<GroupInfo> out;
  for (const auto& [name, g] : groups_) out.push_back(InfoLocked(g));
  return out;
}

Result<GroupInfo> ConsumerGroups::Get(std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = groups_.find(name);
  if (it == groups_.end()) return Fail(NotFound(fmt::format("no consumer group '{}'", name)));
  return InfoLocked(it->second);
}

Status ConsumerGroups::Delete(std::string_view name) {
  std::lock_guard lock(mu_);
  auto it = groups_.find(name);
  if (it == groups_.end()) return Fail(NotFound(fmt::format("no consumer group '{}'", name)));
  const Group& g = it->second;
  if (!g.holder.empty() && g.lease_expires_ms > clock_->NowMs()) {
    return Fail(ErrorCode::kFailedPrecondition,
                fmt::format("consumer group '{}' is in use by client '{}'", name, g.holder));
  }
  INFLOW_RETURN_IF_ERROR(fs_->Remove(PathOf(name)));
  INFLOW_RETURN_IF_ERROR(fs_->SyncDir(dir_));
  groups_.erase(it);
  return Ok();
}

Result<Offset> ConsumerGroups::ResolveStart(const StartPosition& start) const {
  switch (start.kind) {
    case StartPosition::Kind::kEarliest:
      return log_->StartOffset();
    case StartPosition::Kind::kLatest:
      return log_->EndOffset();
    case StartPosition::Kind::kTime:
      break;
  }
  std::optional<DataRange> range = log_->Range();
  if (!range) {
    return Fail(ErrorCode::kOutOfRange,
                fmt::format("start_time {} is outside the data range: the change log holds no "
                            "records yet",
                            FormatRfc3339(start.time_ms)));
  }
  if (start.time_ms < range->earliest_ms || start.time_ms > range->latest_ms) {
    return Fail(ErrorCode::kOutOfRange,
                fmt::format("start_time {} is outside the data range [{}, {}]",
                            FormatRfc3339(start.time_ms), FormatRfc3339(range->earliest_ms),
                            FormatRfc3339(range->latest_ms)));
  }
  return log_->SeekTime(start.time_ms);
}

Result<Cursor> ConsumerGroups::Attach(std::string_view name, std::string_view account,
                                      std::string_view password, std::string_view client_id,
                                      StartPosition start) {
  if (client_id.empty()) return Fail(InvalidArgument("client_id: must not be empty"));
  std::string hash;
  int64_t created_ms;
  bool account_ok;
  {
    std::lock_guard lock(mu_);
    auto it = groups_.find(name);
    if (it == groups_.end()) return Fail(NotFound(fmt::format("no consumer group '{}'", name)));
    hash = it->second.password_hash;
    created_ms = it->second.created_ms;
    account_ok = it->second.account == account;
  }
  // The slow hash runs outside the lock, and for a wrong account too, so timing does not tell
  // which of the two was wrong.
  bool password_ok = VerifyPassword(password, hash);
  if (!account_ok || !password_ok) {
    return Fail(ErrorCode::kUnauthenticated,
                fmt::format("wrong account or password for consumer group '{}'", name));
  }
  std::lock_guard lock(mu_);
  auto it = groups_.find(name);
  if (it == groups_.end() || it->second.created_ms != created_ms) {
    return Fail(NotFound(fmt::format("no consumer group '{}'", name)));
  }
  Group& g = it->second;
  int64_t now = clock_->NowMs();
  if (!g.holder.empty() && g.holder != client_id && g.lease_expires_ms > now) {
    return Fail(ErrorCode::kFailedPrecondition,
                fmt::format("consumer group '{}' is held by client '{}' until {}; only one client "
                            "per group",
                            name, g.holder, FormatRfc3339(g.lease_expires_ms)));
  }
  Offset position;
  if (g.committed) {
    position = *g.committed;
    Offset first = log_->StartOffset();
    if (position < first) {
      return Fail(ErrorCode::kOutOfRange,
                  fmt::format("committed offset {} of consumer group '{}' was removed by "
                              "retention; the log now starts at offset {}",
                              position.value(), name, first.value()));
    }
  } else {
    INFLOW_TRY(position, ResolveStart(start));
  }
  Group next = g;
  next.epoch = g.epoch + 1;
  next.committed = position;
  next.holder = std::string(client_id);
  next.lease_expires_ms = now + options_.lease_timeout_ms;
  INFLOW_RETURN_IF_ERROR(PersistLocked(&g, std::move(next)));
  return Cursor(this, log_, g.name, g.holder, g.epoch, position);
}

Status ConsumerGroups::CheckTokenLocked(const Group& g, uint64_t token) const {
  if (token != g.epoch) {
    return Fail(
        ErrorCode::kAborted,
        fmt::format("fencing token {} of consumer group '{}' is stale: the group was "
                    "attached again (token {}{})",
                    token, g.name, g.epoch, g.holder.empty() ? "" : ", client '" + g.holder + "'"));
  }
  if (g.holder.empty()) {
    return Fail(ErrorCode::kAborted,
                fmt::format("the lease of consumer group '{}' was released", g.name));
  }
  return Ok();
}

Status ConsumerGroups::Commit(std::string_view name, Offset offset, uint64_t fencing_token) {
  std::lock_guard lock(mu_);
  auto it = groups_.find(name);
  if (it == groups_.end()) return Fail(NotFound(fmt::format("no consumer group '{}'", name)));
  Group& g = it->second;
  INFLOW_RETURN_IF_ERROR(CheckTokenLocked(g, fencing_token));
  Offset end = log_->EndOffset();
  if (offset > end) {
    return Fail(ErrorCode::kOutOfRange,
                fmt::format("offset {} is past the end of the change log ({})", offset.value(),
                            end.value()));
  }
  if (g.committed && offset < *g.committed) {
    return Fail(InvalidArgument(
        fmt::format("offset {} is behind the committed offset {} of consumer group '{}'",
                    offset.value(), g.committed->value(), name)));
  }
  // A token that is still current means no other client attached since: committing is safe
  // even if the lease lapsed, and it renews the lease.
  if (g.committed && offset == *g.committed) return RenewLocked(&g);
  Group next = g;
  next.committed = offset;
  next.lease_expires_ms = clock_->NowMs() + options_.lease_timeout_ms;
  return PersistLocked(&g, std::move(next));
}

Status ConsumerGroups::Renew(std::string_view name, uint64_t fencing_token) {
  std::lock_guard lock(mu_);
  auto it = groups_.find(name);
  if (it == groups_.end()) return Fail(NotFound(fmt::format("no consumer group '{}'", name)));
  INFLOW_RETURN_IF_ERROR(CheckTokenLocked(it->second, fencing_token));
  return RenewLocked(&it->second);
}

Status ConsumerGroups::Release(std::string_view name, uint64_t fencing_token) {
  std::lock_guard lock(mu_);
  auto it = groups_.find(name);
  if (it == groups_.end()) return Fail(NotFound(fmt::format("no consumer group '{}'", name)));
  Group& g = it->second;
  if (g.epoch != fencing_token) return Ok();  // already taken over: nothing to release
  g.holder.clear();
  g.lease_expires_ms = 0;
  // Stored as free, so a process that opens the directory next need not wait for the expiry.
  if (g.stored_expires_ms == 0) return Ok();
  return PersistLocked(&g, g);
}

}  // namespace inflow::changelog
