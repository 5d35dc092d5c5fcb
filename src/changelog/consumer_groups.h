// ConsumerGroups: the named readers of one change-tracking instance, and Cursor, the in-process
// reader API a task uses.
//
// A group has an account and a scrypt-hashed password (checked on every Attach), a durable
// committed offset, and a lease. ONE client per group is enforced: Attach hands out a lease with
// a fencing token (a per-group counter that only grows, persisted with the group); a second
// client is refused with kFailedPrecondition naming the holder while the lease is live; a
// commit or read with an older token is refused with kAborted, so a fenced-off client can never
// move the offset. A lease not renewed (Cursor::Next, Commit and Renew renew it) expires after
// lease_timeout_ms, so a crashed holder does not block its group forever. The same client id
// attaching again takes the group over at once (a restarted task keeps its id).
//
// The lease (holder and expiry) is stored in the group's file with its offset: written on
// Attach and Release, and on Renew / Commit whenever the stored expiry has less than half of
// lease_timeout_ms left (so a steady reader writes about twice per timeout, not per Next). A
// process that opens the directory after a crash therefore sees the dead holder's lease and
// waits for its expiry — unless it attaches with the holder's own client id. Within a process
// the in-memory lease is the truth; across processes the directory's LOCK (held by the
// TrackingInstance and the ChangeLog) makes sure only one process serves a group at all.
//
// The start position (earliest | latest | a time inside the data range) applies only on the
// group's first Attach: the resolved offset is committed at once, later attaches resume from
// the committed offset.
//
// Storage: one JSON file per group, "<dir>/<name>.group", replaced atomically (write, fsync,
// rename, fsync dir) on every change (FORMAT.md).
//
// Thread safety: ConsumerGroups is thread-safe. A Cursor is used by one thread, except Cancel(),
// which any thread may call. REQUIRES: ConsumerGroups and the ChangeLog outlive their cursors.
#ifndef INFLOW_CHANGELOG_CONSUMER_GROUPS_H_
#define INFLOW_CHANGELOG_CONSUMER_GROUPS_H_

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "changelog/change_log.h"
#include "changelog/clock.h"
#include "changelog/file_system.h"
#include "changelog/password.h"
#include "common/ids.h"
#include "common/result.h"

namespace inflow::changelog {

struct StartPosition {
  enum class Kind { kEarliest, kLatest, kTime };
  Kind kind = Kind::kEarliest;
  int64_t time_ms = 0;  // for kTime

  static StartPosition Earliest() { return {Kind::kEarliest, 0}; }
  static StartPosition Latest() { return {Kind::kLatest, 0}; }
  static StartPosition At(int64_t unix_ms) { return {Kind::kTime, unix_ms}; }
};

// "earliest" | "latest" | an RFC 3339 time ("2026-11-25T09:00:00Z", offsets and fractions
// allowed) | Unix seconds ("1764061200", the DTS checkpoint form).
Result<StartPosition> ParseStartPosition(std::string_view text);

struct GroupOptions {
  size_t max_groups = 20;
  int64_t lease_timeout_ms = 30'000;
  ScryptParams scrypt;
  Clock* clock = nullptr;  // nullptr: SystemClock()
};

struct GroupInfo {
  std::string name;
  std::string account;
  int64_t created_ms = 0;
  std::optional<Offset> committed;  // nullopt until the first Attach
  std::string holder;               // client id of the live lease; empty when free
  int64_t lease_expires_ms = 0;
  uint64_t fencing_token = 0;  // the current (newest) token
};

class ConsumerGroups;

class Cursor {
 public:
  Cursor(Cursor&&) noexcept;
  Cursor& operator=(Cursor&&) noexcept;
  ~Cursor();  // releases the lease

  // The next records from position(), in order. When none are there, waits up to `wait` for
  // an append (no polling) and returns an empty vector if none came. kAborted when this
  // client was fenced off, kCancelled after Cancel(), kOutOfRange when retention removed the
  // position. Renews the lease.
  Result<std::vector<StoredRecord>> Next(size_t max_records, std::chrono::milliseconds wait);
  // The same into *out (resized to what was read), reusing its records' buffers.
  Status NextInto(size_t max_records, std::chrono::milliseconds wait,
                  std::vector<StoredRecord>* out);

  // Durably commits `offset` (the id of the next record this client needs).
  Status Commit(Offset offset);
  Status Renew();
  // Wakes a blocked Next, which then returns kCancelled; so does every later Next.
  void Cancel();

  Offset position() const { return position_; }
  uint64_t fencing_token() const { return token_; }
  const std::string& group() const { return group_; }
  const std::string& client_id() const { return client_id_; }

 private:
  friend class ConsumerGroups;
  Cursor(ConsumerGroups* groups, ChangeLog* log, std::string group, std::string client_id,
         uint64_t token, Offset position);

  ConsumerGroups* groups_;
  ChangeLog* log_;
  std::string group_;
  std::string client_id_;
  uint64_t token_;
  Offset position_;
  std::unique_ptr<std::atomic<bool>> cancelled_;
};

class ConsumerGroups {
 public:
  // Loads the groups stored in `dir` (created if missing).
  static Result<std::unique_ptr<ConsumerGroups>> Open(FileSystem* fs, std::string dir,
                                                      ChangeLog* log, GroupOptions options = {});

  // kInvalidArgument (naming the field), kAlreadyExists, or kResourceExhausted past max_groups.
  Status Create(std::string_view name, std::string_view account, std::string_view password);
  std::vector<GroupInfo> List() const;  // by name
  Result<GroupInfo> Get(std::string_view name) const;
  // Refused (kFailedPrecondition) while a client holds a live lease.
  Status Delete(std::string_view name);

  // Checks the credentials (kUnauthenticated), takes the lease and returns a cursor at the
  // committed offset — or, on the group's first attach, at `start`, which must lie in the
  // data range (kOutOfRange stating the range).
  Result<Cursor> Attach(std::string_view name, std::string_view account, std::string_view password,
                        std::string_view client_id, StartPosition start = {});

  Status Commit(std::string_view name, Offset offset, uint64_t fencing_token);
  Status Renew(std::string_view name, uint64_t fencing_token);
  Status Release(std::string_view name, uint64_t fencing_token);

 private:
  struct Group {
    std::string name;
    std::string account;
    std::string password_hash;
    int64_t created_ms = 0;
    std::optional<Offset> committed;
    uint64_t epoch = 0;  // last fencing token handed out
    std::string holder;
    int64_t lease_expires_ms = 0;
    int64_t stored_expires_ms = 0;  // the lease expiry in the group's file; 0: stored as free
  };

  ConsumerGroups(FileSystem* fs, std::string dir, ChangeLog* log, GroupOptions options);
  Status Load();
  Status Persist(const Group& g);
  // Writes `next` to the group's file; on success it becomes *g.
  Status PersistLocked(Group* g, Group next);
  Status RenewLocked(Group* g);
  Status CheckTokenLocked(const Group& g, uint64_t token) const;
  GroupInfo InfoLocked(const Group& g) const;
  std::string PathOf(std::string_view name) const;
  Result<Offset> ResolveStart(const StartPosition& start) const;

  FileSystem* const fs_;
  const std::string dir_;
  ChangeLog* const log_;
  const GroupOptions options_;
  Clock* const clock_;

  mutable std::mutex mu_;
  std::map<std::string, Group, std::less<>> groups_;
};

}  // namespace inflow::changelog

#endif  // INFLOW_CHANGELOG_CONSUMER_GROUPS_H_
